import { Card, Table, Tag, Typography } from 'antd';
import type { Order } from '@contracts/sales';
import type { Lead } from '@contracts/leads';
import { EmptyState, ErrorAlert } from '../../components/page-state';
import { useFormat } from '../../format-hooks';
import { useT } from '../../i18n';
import { usePersonOrders } from './api';
import { leadMessages } from './lead-messages';
import { useVocab } from './vocab';

/** The person's orders; those of this lead are marked (the order list filters by person only). */
export function LeadOrders({ lead }: { lead: Lead }) {
  const t = useT(leadMessages);
  const v = useVocab();
  const f = useFormat();
  const orders = usePersonOrders(lead.profileId);
  if (!lead.profileId) return null;
  return (
    <Card title={t('orders')} size="small" data-testid="lead-orders">
      {orders.isError ? (
        <ErrorAlert error={orders.error} />
      ) : (
        <Table<Order>
          rowKey="id"
          size="small"
          loading={orders.isPending}
          dataSource={orders.data?.data ?? []}
          pagination={false}
          locale={{ emptyText: <EmptyState description={t('noOrders')} /> }}
          columns={[
            {
              title: t('orderNo'),
              dataIndex: 'orderNo',
              render: (no: string, o) => (
                <>
                  <Typography.Text title={[o.series, o.model].filter(Boolean).join(' · ')}>{no}</Typography.Text>
                  {o.leadId === lead.id && (
                    <Tag color="blue" style={{ marginInlineStart: 4 }}>
                      {t('thisLead')}
                    </Tag>
                  )}
                </>
              ),
            },
            { title: t('orderStatus'), dataIndex: 'status', render: (s: string) => v.orderStatus(s) },
            { title: t('orderAmount'), dataIndex: 'amountFen', align: 'right', render: (n: number) => f.money(n) },
            { title: t('orderedAt'), dataIndex: 'orderedAt', render: (d: string) => f.date(d) },
          ]}
        />
      )}
    </Card>
  );
}
