import { useQueries } from '@tanstack/react-query';
import { Card, Flex, Statistic, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { Link } from 'react-router';
import type { Lead } from '@contracts/leads';
import { AFTER_SALES_KINDS, type Ltv, type Order } from '@contracts/sales';
import { STANDARD_EVENTS } from '@contracts/vocabulary';
import { ApiError } from '../../api/client';
import { LeadStatusTag } from '../../components/lead-status-tag';
import { EmptyState, ErrorAlert, QueryState } from '../../components/page-state';
import { useFormat } from '../../format-hooks';
import { useT } from '../../i18n';
import { leadQuery, useLtv, useNamedEvents, useOrders } from './queries';
import { sections } from './section-messages';
import { vocab, vocabLabel } from './vocab-messages';
import { eventProp } from './wecom-card';

const ORDER_COLORS: Record<string, string> = { ordered: 'blue', invoiced: 'cyan', delivered: 'green', cancelled: 'default' };

interface LeadRow {
  id: string;
  createdAt: string;
  lead: Lead | null;
  hidden: boolean;
}

/**
 * The person's leads: their ids come from the profile's `Lead Created` events (there is no lead
 * list by person), each lead read on its own; one outside the caller's scope is named as such.
 */
export function LeadsCard({ profileId }: { profileId: string }) {
  const t = useT(sections);
  const f = useFormat();
  const created = useNamedEvents(profileId, STANDARD_EVENTS.leadCreated);
  const refs = (created.data?.data ?? []).flatMap((e) => {
    const id = eventProp(e, 'leadId');
    return id ? [{ id, createdAt: e.timestamp }] : [];
  });
  const leads = useQueries({ queries: refs.map((r) => leadQuery(r.id)) });
  const rows: LeadRow[] = refs.map((r, i) => {
    const q = leads[i];
    return { id: r.id, createdAt: r.createdAt, lead: q?.data ?? null, hidden: q?.error instanceof ApiError && (q.error.status === 404 || q.error.status === 403) };
  });
  const columns: ColumnsType<LeadRow> = [
    {
      title: t('leadSource'),
      key: 'lead',
      render: (_: unknown, r) =>
        r.hidden ? (
          <Typography.Text type="secondary">{t('leadHidden', { id: r.id.slice(0, 8) })}</Typography.Text>
        ) : (
          <Link to={`/leads/${r.id}`}>{[r.lead?.source, r.lead?.channel].filter(Boolean).join(' · ') || r.id.slice(0, 8)}</Link>
        ),
    },
    { title: t('leadStatus'), key: 'status', width: 90, render: (_: unknown, r) => (r.lead ? <LeadStatusTag status={r.lead.status} /> : '—') },
    { title: t('series'), key: 'series', width: 90, render: (_: unknown, r) => r.lead?.series ?? '—' },
    { title: t('leadDealer'), key: 'dealer', width: 80, render: (_: unknown, r) => r.lead?.dealerCode ?? '—' },
    { title: t('leadConsultant'), key: 'consultant', width: 90, ellipsis: true, render: (_: unknown, r) => r.lead?.consultantName ?? '—' },
    { title: t('createdAt'), dataIndex: 'createdAt', width: 150, render: (at: string) => f.dateTime(at) },
  ];
  return (
    <Card title={t('leads')} extra={<Typography.Text type="secondary">{t('leadsHint')}</Typography.Text>} data-testid="customer-leads">
      {created.isError ? <ErrorAlert error={created.error} /> : null}
      <Table<LeadRow>
        rowKey="id"
        size="small"
        loading={created.isPending || leads.some((q) => q.isPending)}
        columns={columns}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 680 }}
        locale={{ emptyText: <EmptyState description={t('noLeads')} /> }}
      />
    </Card>
  );
}

/** The person's orders you may see, newest first. */
export function OrdersCard({ profileId }: { profileId: string }) {
  const t = useT(sections);
  const tv = useT(vocab);
  const f = useFormat();
  const orders = useOrders(profileId);
  const columns: ColumnsType<Order> = [
    { title: t('orderNo'), dataIndex: 'orderNo', width: 160, render: (no: string, o) => (o.leadId ? <Link to={`/leads/${o.leadId}`}>{no}</Link> : no) },
    { title: t('orderVehicle'), key: 'vehicle', ellipsis: true, render: (_: unknown, o) => o.model ?? o.series ?? '—' },
    { title: t('orderDealer'), key: 'dealer', width: 200, ellipsis: true, render: (_: unknown, o) => o.dealer?.name ?? t('online') },
    { title: t('amount'), dataIndex: 'amountFen', width: 140, align: 'right', render: (fen: number) => f.money(fen) },
    { title: t('orderStatus'), dataIndex: 'status', width: 90, render: (s: string) => <Tag color={ORDER_COLORS[s]}>{vocabLabel(tv, 'order.', s)}</Tag> },
    { title: t('orderedAt'), dataIndex: 'orderedAt', width: 120, render: (at: string) => f.date(at) },
    { title: t('deliveredAt'), dataIndex: 'deliveredAt', width: 120, render: (at: string | null) => f.date(at) },
  ];
  return (
    <Card title={t('orders')} data-testid="customer-orders">
      <QueryState query={orders}>
        {(d) => (
          <Table<Order>
            rowKey="id"
            size="small"
            columns={columns}
            dataSource={d.data}
            pagination={false}
            scroll={{ x: 900 }}
            locale={{ emptyText: <EmptyState description={t('noOrders')} /> }}
          />
        )}
      </QueryState>
    </Card>
  );
}

const LTV_KINDS = ['new_car', ...AFTER_SALES_KINDS] as const satisfies readonly (keyof Ltv['byKind'])[];

/** Lifetime value: delivered orders and after-sales by kind, in yuan. */
export function LtvCard({ profileId }: { profileId: string }) {
  const t = useT(sections);
  const tv = useT(vocab);
  const f = useFormat();
  const ltv = useLtv(profileId);
  return (
    <Card title={t('ltv')} data-testid="customer-ltv-card">
      <QueryState query={ltv}>
        {(d) => (
          <Flex vertical gap={12}>
            <Flex align="baseline" gap={16} wrap>
              <Statistic title={t('ltvTotal')} value={f.money(d.totalFen)} />
              <Typography.Text type="secondary">{t('ltvCounts', { orders: f.number(d.orders), afterSales: f.number(d.afterSales) })}</Typography.Text>
            </Flex>
            <Flex vertical gap={0} role="list" aria-label={t('ltvChart')}>
              {LTV_KINDS.map((k) => (
                <Flex key={k} role="listitem" justify="space-between" gap={12} style={{ padding: '6px 0', borderBottom: '1px solid #f0f0f0' }}>
                  <Typography.Text type={d.byKind[k] === 0 ? 'secondary' : undefined}>{vocabLabel(tv, 'ltv.', k)}</Typography.Text>
                  <Typography.Text type={d.byKind[k] === 0 ? 'secondary' : undefined} strong={d.byKind[k] > 0}>
                    {f.money(d.byKind[k])}
                  </Typography.Text>
                </Flex>
              ))}
            </Flex>
          </Flex>
        )}
      </QueryState>
    </Card>
  );
}
