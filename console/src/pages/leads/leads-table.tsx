import { Skeleton, Table } from 'antd';
import type { Lead } from '@contracts/leads';
import { EmptyState, ErrorState } from '../../components/page-state';
import { useFormat } from '../../format-hooks';
import { useT } from '../../i18n';
import { useLeads } from './api';
import { CursorPager, useCursorPages } from '../../components/cursor-pager';
import { leadColumns } from './lead-columns';
import { toListQuery, type LeadFilters } from './list-filters';
import { listMessages } from './list-messages';
import { useVocab } from './vocab';

/** One page of leads at a time, filtered and paged by the API (newest first). */
export function LeadsTable({ filters }: { filters: LeadFilters }) {
  const t = useT(listMessages);
  const v = useVocab();
  const f = useFormat();
  const pages = useCursorPages(20);
  const query = useLeads({ ...toListQuery(filters, f.timeZone), cursor: pages.cursor, limit: pages.limit });

  if (query.isPending) return <Skeleton active />;
  if (query.isError) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  return (
    <div data-testid="leads-table">
      <Table<Lead>
        rowKey="id"
        size="middle"
        loading={query.isFetching}
        dataSource={query.data?.data ?? []}
        columns={leadColumns(t, v, f)}
        pagination={false}
        scroll={{ x: 980 }}
        locale={{ emptyText: <EmptyState description={t('noLeads')} /> }}
      />
      <CursorPager pages={pages} nextCursor={query.data?.nextCursor} loading={query.isFetching} />
    </div>
  );
}
