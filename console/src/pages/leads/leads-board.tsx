import { useInfiniteQuery, type InfiniteData, type QueryKey } from '@tanstack/react-query';
import { Badge, Button, Card, Flex, Skeleton, Typography } from 'antd';
import { Link } from 'react-router';
import { LEAD_STATUSES, type LeadStatus } from '@contracts/funnel';
import type { Lead, LeadPage } from '@contracts/leads';
import { ErrorAlert } from '../../components/page-state';
import { useFormat } from '../../format-hooks';
import { useT } from '../../i18n';
import { fetchLeads, LEADS_KEY } from './api';
import { StatusTag } from './lead-columns';
import { toListQuery, type LeadFilters } from './list-filters';
import { listMessages } from './list-messages';
import { useVocab } from './vocab';

const COLUMN_PAGE = 20;
const COLUMN_WIDTH = 248;

function LeadCard({ lead }: { lead: Lead }) {
  const v = useVocab();
  const f = useFormat();
  return (
    <Link to={`/leads/${lead.id}`} data-testid={`board-card-${lead.id}`} style={{ display: 'block' }}>
      <Card size="small" hoverable styles={{ body: { padding: 10 } }}>
        <Flex justify="space-between" gap={4}>
          <Typography.Text strong ellipsis={{ tooltip: lead.name ?? lead.phone }} style={{ maxWidth: 130 }}>
            {lead.name ?? lead.phone ?? lead.id.slice(0, 8)}
          </Typography.Text>
          <Typography.Text type="secondary">{v.source(lead.source)}</Typography.Text>
        </Flex>
        <Typography.Text type="secondary" ellipsis style={{ display: 'block', maxWidth: COLUMN_WIDTH - 40 }}>
          {[lead.series, lead.consultantName].filter(Boolean).join(' · ') || '—'}
        </Typography.Text>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {f.dateTime(lead.createdAt)}
        </Typography.Text>
      </Card>
    </Link>
  );
}

/** One status: its leads page by page (the API has no count, so the badge shows those loaded, + when more). */
function BoardColumn({ status, filters }: { status: LeadStatus; filters: LeadFilters }) {
  const t = useT(listMessages);
  const v = useVocab();
  const f = useFormat();
  const base = { ...toListQuery(filters, f.timeZone), status, limit: COLUMN_PAGE };
  const query = useInfiniteQuery<LeadPage, Error, InfiniteData<LeadPage>, QueryKey, string | undefined>({
    queryKey: [LEADS_KEY, 'board', base],
    initialPageParam: undefined,
    queryFn: ({ pageParam, signal }) => fetchLeads({ ...base, cursor: pageParam }, signal),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const leads = query.data?.pages.flatMap((p) => p.data) ?? [];
  const count = `${leads.length}${query.hasNextPage ? '+' : ''}`;

  return (
    <section aria-label={v.status(status)} data-testid={`board-column-${status}`} style={{ width: COLUMN_WIDTH, flex: `0 0 ${COLUMN_WIDTH}px`, background: '#fafafa', borderRadius: 8, padding: 8 }}>
      <Flex justify="space-between" align="center" style={{ marginBottom: 8 }}>
        <StatusTag status={status} label={v.status(status)} />
        <Badge count={query.isPending ? 0 : count} showZero color="#595959" title={t('loadedCount', { n: count })} />
      </Flex>
      {query.isPending && <Skeleton active paragraph={{ rows: 3 }} />}
      {query.isError && <ErrorAlert error={query.error} />}
      <Flex vertical gap={8}>
        {leads.map((l) => (
          <LeadCard key={l.id} lead={l} />
        ))}
        {!query.isPending && !query.isError && leads.length === 0 && (
          <Typography.Text type="secondary" style={{ textAlign: 'center', padding: 12 }}>
            {t('columnEmpty')}
          </Typography.Text>
        )}
        {query.hasNextPage && (
          <Button block size="small" loading={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
            {t('loadMore')}
          </Button>
        )}
      </Flex>
    </section>
  );
}

/** The leads by status, one column per status (the filtered statuses, or all). */
export function LeadsBoard({ filters }: { filters: LeadFilters }) {
  const statuses = filters.status.length ? LEAD_STATUSES.filter((s) => filters.status.includes(s)) : LEAD_STATUSES;
  return (
    <div data-testid="leads-board" style={{ overflowX: 'auto', paddingBottom: 8 }}>
      <Flex gap={12} align="flex-start" style={{ width: 'max-content' }}>
        {statuses.map((s) => (
          <BoardColumn key={s} status={s} filters={filters} />
        ))}
      </Flex>
    </div>
  );
}
