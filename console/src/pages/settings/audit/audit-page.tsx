import { Card, Skeleton, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, useState } from 'react';
import { CursorPager, useCursorPages } from '../../../components/cursor-pager';
import { EmptyState, ErrorState } from '../../../components/page-state';
import { useFormat } from '../../../format-hooks';
import { useT } from '../../../i18n';
import { PageHeader } from '../shared/page-header';
import { ExpandButton } from '../shared/expand-icon';
import { useStaffList } from '../staff/api';
import { useAuditPage, type AuditEntry, type AuditFilter } from './api';
import { AuditFilters } from './audit-filters';
import { messages } from './messages';

const COLORS: Record<string, string> = { auth: 'blue', staff: 'purple', org_unit: 'geekblue', profile: 'orange', export: 'red', source: 'cyan', write_key: 'cyan', admin_token: 'cyan', identity: 'gold' };

function Details({ entry }: { entry: AuditEntry }) {
  const t = useT(messages);
  if (entry.details === null || entry.details === undefined) return <Typography.Text type="secondary">{t('noDetails')}</Typography.Text>;
  return (
    <pre style={{ margin: 0, maxHeight: 320, overflow: 'auto', fontSize: 12, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{JSON.stringify(entry.details, null, 2)}</pre>
  );
}

/** The audit log, a page at a time through the API's cursor (cursors of earlier pages are kept for "previous"). */
export function AuditPage() {
  const t = useT(messages);
  const f = useFormat();
  const [filter, setFilter] = useState<AuditFilter>({});
  const pages = useCursorPages(50);
  const query = useAuditPage(filter, pages.cursor, pages.limit);
  // Staff names for the actor column and filter: a lookup, not a filter of the log.
  const staff = useStaffList({});
  const names = useMemo(() => new Map((staff.data?.data ?? []).map((s) => [`staff:${s.id}`, `${s.name} · ${s.username}`])), [staff.data]);

  const columns: ColumnsType<AuditEntry> = [
    { title: t('at'), dataIndex: 'at', width: 170, render: (at: string) => f.dateTime(at) },
    {
      title: t('action'),
      dataIndex: 'action',
      width: 220,
      render: (action: string) => <Tag color={COLORS[action.split('.')[0] ?? ''] ?? 'default'}>{action}</Tag>,
    },
    {
      title: t('actor'),
      dataIndex: 'actor',
      width: 260,
      ellipsis: { showTitle: false },
      render: (actor: string) => <Typography.Text ellipsis={{ tooltip: actor }}>{names.get(actor) ?? actor}</Typography.Text>,
    },
    {
      title: t('target'),
      key: 'target',
      ellipsis: { showTitle: false },
      render: (_: unknown, e) => (
        <Typography.Text ellipsis={{ tooltip: `${e.targetType} ${e.targetId}` }}>
          <Typography.Text type="secondary">{e.targetType}</Typography.Text> {e.targetId}
        </Typography.Text>
      ),
    },
  ];

  return (
    <>
      <PageHeader title={t('title')} description={t('description')} />
      <Card>
        <AuditFilters
          staff={staff.data?.data ?? []}
          onApply={(next) => {
            setFilter(next);
            pages.reset();
          }}
        />
        {query.isError ? (
          <ErrorState error={query.error} onRetry={() => void query.refetch()} />
        ) : query.isPending ? (
          <Skeleton active />
        ) : (
          <>
            <Table<AuditEntry>
              data-testid="settings-audit-table"
              rowKey="id"
              size="middle"
              loading={query.isFetching}
              columns={columns}
              dataSource={query.data?.data ?? []}
              pagination={false}
              scroll={{ x: 900 }}
              locale={{ emptyText: <EmptyState description={t('empty')} /> }}
              expandable={{ expandedRowRender: (e) => <Details entry={e} />, expandIcon: (p) => <ExpandButton {...p} /> }}
            />
            <CursorPager pages={pages} nextCursor={query.data?.nextCursor} loading={query.isFetching} />
          </>
        )}
      </Card>
    </>
  );
}
