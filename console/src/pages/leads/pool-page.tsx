import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Flex, Skeleton, Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { leadSchema, type Lead } from '@contracts/leads';
import { api } from '../../api/client';
import { hasRole, useMe } from '../../auth/session';
import { EmptyState, ErrorState } from '../../components/page-state';
import { useFormat } from '../../format-hooks';
import { useT } from '../../i18n';
import { LEADS_KEY, usePool } from './api';
import { AssignDialog } from './assign-dialog';
import { CursorPager, useCursorPages } from '../../components/cursor-pager';
import { leadColumns } from './lead-columns';
import { LeadFilterBar } from './lead-filter-bar';
import { readFilters, toListQuery, writeFilters, type LeadFilters } from './list-filters';
import { listMessages } from './list-messages';
import { poolMessages } from './pool-messages';
import { useVocab } from './vocab';
import { PageTitle } from './page-title';

function PoolTable({ filters }: { filters: LeadFilters }) {
  const t = useT(poolMessages);
  const tl = useT(listMessages);
  const v = useVocab();
  const f = useFormat();
  const me = useMe();
  const { message } = App.useApp();
  const client = useQueryClient();
  const pages = useCursorPages(20);
  const { source, dealerCode, from, to } = toListQuery(filters, f.timeZone);
  const pool = usePool({ source, dealerCode, from, to, cursor: pages.cursor, limit: pages.limit });
  const [assigning, setAssigning] = useState<Lead | null>(null);
  const claim = useMutation({
    mutationFn: (id: string) => api.post(`/api/v1/leads/${encodeURIComponent(id)}/claim`, leadSchema),
    onSuccess: () => client.invalidateQueries({ queryKey: [LEADS_KEY] }),
  });
  const canClaim = me.role === 'consultant';
  const canAssign = hasRole(me, ['admin', 'hq_ops', 'dealer_manager']);

  const columns: ColumnsType<Lead> = [
    ...leadColumns(tl, v, f).filter((c) => c.key !== 'consultant' && !('dataIndex' in c && c.dataIndex === 'consultantName')),
    { title: t('colReason'), dataIndex: 'poolReason', width: 150, render: (r: string | null) => (r ? <Tag color="orange">{v.poolReason(r)}</Tag> : '—') },
  ];
  if (canClaim || canAssign) {
    columns.push({
      title: t('colActions'),
      key: 'actions',
      width: 110,
      fixed: 'right',
      render: (_, l) =>
        canClaim ? (
          <Button
            size="small"
            type="primary"
            data-testid={`pool-claim-${l.id}`}
            loading={claim.isPending && claim.variables === l.id}
            onClick={() =>
              claim.mutate(l.id, {
                onSuccess: () => void message.success(t('claimed')),
                onError: (e) => void message.error(e.message),
              })
            }
          >
            {t('claim')}
          </Button>
        ) : (
          <Button size="small" data-testid={`pool-assign-${l.id}`} onClick={() => setAssigning(l)}>
            {t('assign')}
          </Button>
        ),
    });
  }

  if (pool.isPending) return <Skeleton active />;
  if (pool.isError) return <ErrorState error={pool.error} onRetry={() => void pool.refetch()} />;
  return (
    <div data-testid="pool-table">
      <Table<Lead>
        rowKey="id"
        size="middle"
        loading={pool.isFetching}
        dataSource={pool.data?.data ?? []}
        columns={columns}
        pagination={false}
        scroll={{ x: 1200 }}
        locale={{ emptyText: <EmptyState description={t('empty')} /> }}
      />
      <CursorPager pages={pages} nextCursor={pool.data?.nextCursor} loading={pool.isFetching} />
      <AssignDialog lead={assigning} onClose={() => setAssigning(null)} />
    </div>
  );
}

/** Leads waiting in a pool (公海): HQ sees every pool, dealer staff their dealer's; consultants claim, managers assign. */
export function PoolPage() {
  const t = useT(poolMessages);
  const [params, setParams] = useSearchParams();
  const filters = readFilters(params);
  return (
    <Flex vertical gap={16}>
      <PageTitle title={t('title')} subtitle={t('subtitle')} />
      <Card>
        <Flex vertical gap={16}>
          <LeadFilterBar pool value={filters} onChange={(next) => setParams(writeFilters(params, next), { replace: true })} />
          <PoolTable key={JSON.stringify(filters)} filters={filters} />
        </Flex>
      </Card>
    </Flex>
  );
}
