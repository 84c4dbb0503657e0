import { Card, Flex, Input, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useEffect, useRef, useState } from 'react';
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router';
import { z } from 'zod';
import type { ProfileSummary } from '@contracts/profiles';
import { EmptyState, QueryState } from '../../components/page-state';
import { useFormat } from '../../format-hooks';
import { common } from '../../i18n/common';
import { useT } from '../../i18n';
import { CursorPagerControls, PAGE_SIZES } from '../../components/cursor-pager';
import { messages } from './messages';
import { useProfileSearch, VIN_PATTERN } from './queries';
import { StageCell, TagsCell, VinMatches } from './search-cells';

/** What the history entry remembers: the cursors of the pages before this one ('' for the first). */
const pageStateSchema = z.object({ prev: z.array(z.string()) });

function pageSize(raw: string | null): number {
  const n = Number(raw);
  return PAGE_SIZES.find((s) => s === n) ?? PAGE_SIZES[0];
}

/**
 * Customer search: one box for a name, a phone suffix or an identifier value. The query, the page's
 * cursor and the page size live in the URL, so a link or the back button lands on the same page.
 */
export function CustomerSearchPage() {
  const t = useT(messages);
  const tc = useT(common);
  const f = useFormat();
  const navigate = useNavigate();
  const location = useLocation();
  const [params, setParams] = useSearchParams();
  const q = (params.get('q') ?? '').trim();
  const cursor = params.get('cursor') ?? undefined;
  const limit = pageSize(params.get('limit'));
  const saved = pageStateSchema.safeParse(location.state);
  const prev = saved.success ? saved.data.prev : [];
  const [text, setText] = useState(q);

  // Back and forward change q under the box: show what is searched.
  useEffect(() => setText(q), [q]);

  const go = (next: { q: string; cursor?: string; limit: number }, stack: string[], replace = false) => {
    const p = new URLSearchParams();
    if (next.q) p.set('q', next.q);
    if (next.cursor) p.set('cursor', next.cursor);
    if (next.limit !== PAGE_SIZES[0]) p.set('limit', String(next.limit));
    setParams(p, { state: { prev: stack }, replace });
  };

  // Typing searches after a pause (replacing the entry); Enter searches at once. The latest q is
  // read when the pause ends: a search made meanwhile (Enter, back) must not be replaced.
  const latestQ = useRef(q);
  latestQ.current = q;
  useEffect(() => {
    const value = text.trim();
    if (value === latestQ.current) return;
    const timer = setTimeout(() => {
      if (value !== latestQ.current) go({ q: value, limit }, [], true);
    }, 400);
    return () => clearTimeout(timer);
  }, [text]);

  const search = useProfileSearch(q, cursor, limit);
  const vin = VIN_PATTERN.test(q) ? q.toUpperCase() : null;

  const columns: ColumnsType<ProfileSummary> = [
    {
      title: t('colName'),
      dataIndex: 'name',
      width: 180,
      ellipsis: true,
      render: (_: unknown, row) => (
        <Link to={`/customers/${row.id}`} title={row.name ?? undefined} onClick={(e) => e.stopPropagation()}>
          {row.name ?? t('noName')}
        </Link>
      ),
    },
    { title: t('colPhone'), dataIndex: 'phone', width: 150, render: (phone: string | null) => phone ?? '—' },
    { title: t('colStage'), key: 'stage', width: 160, render: (_: unknown, row) => <StageCell profileId={row.id} /> },
    { title: t('colTags'), key: 'tags', render: (_: unknown, row) => <TagsCell profileId={row.id} /> },
    { title: t('colLastSeen'), dataIndex: 'lastSeen', width: 170, render: (at: string) => f.dateTime(at) },
  ];

  return (
    <Flex vertical gap={16}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('title')}
      </Typography.Title>
      <Card>
        <Flex vertical gap={8}>
          <Input.Search
            data-testid="customer-search-input"
            aria-label={t('searchLabel')}
            placeholder={t('searchPlaceholder')}
            allowClear
            enterButton={tc('search')}
            size="large"
            maxLength={200}
            value={text}
            onChange={(e) => setText(e.target.value)}
            onSearch={(value) => go({ q: value.trim(), limit }, [])}
            style={{ maxWidth: 720 }}
          />
          <Typography.Text type="secondary">{t('searchHint')}</Typography.Text>
        </Flex>
      </Card>
      {vin ? <VinMatches vin={vin} /> : null}
      <Card>
        <QueryState query={search}>
          {(page) => (
            <>
              <Table<ProfileSummary>
                data-testid="customer-results"
                rowKey="id"
                size="middle"
                columns={columns}
                dataSource={page.data}
                loading={search.isFetching}
                pagination={false}
                scroll={{ x: 900 }}
                locale={{ emptyText: <EmptyState description={q ? t('noResults', { q }) : t('noCustomers')} /> }}
                onRow={(row) => ({ onClick: () => void navigate(`/customers/${row.id}`), style: { cursor: 'pointer' } })}
              />
              <CursorPagerControls
                page={prev.length + 1}
                canPrev={prev.length > 0 || cursor !== undefined}
                nextCursor={page.nextCursor}
                loading={search.isFetching}
                onPrev={() => go({ q, cursor: prev[prev.length - 1] || undefined, limit }, prev.slice(0, -1))}
                onNext={(next) => go({ q, cursor: next, limit }, [...prev, cursor ?? ''])}
                pageSize={{ limit, onChange: (n) => go({ q, limit: n }, []), label: 'rowsPerPage' }}
              />
            </>
          )}
        </QueryState>
      </Card>
    </Flex>
  );
}
