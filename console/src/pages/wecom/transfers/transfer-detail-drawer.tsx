import { useQuery } from '@tanstack/react-query';
import { Descriptions, Drawer, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { Link } from 'react-router';
import { wecomTransferSchema, type TransferOutcome, type WecomTransferCustomer } from '@contracts/wecom-transfers';
import { api } from '../../../api/client';
import { EmptyState, QueryState } from '../../../components/page-state';
import { useFormat } from '../../../format-hooks';
import { useT } from '../../../i18n';
import { wecomShared } from '../shared/messages';
import { staffLabel, useStaffById, wecomKeys } from '../shared/refs';
import { messages } from './messages';
import { OutcomeCounts, OutcomeTag, useMemberLabel } from './vocab';

/** One transfer with every customer's outcome and, when refused or failed, why (in the API's words). */
export function TransferDetailDrawer({ id, onClose }: { id: string | null; onClose: () => void }) {
  const t = useT(messages);
  const ts = useT(wecomShared);
  const f = useFormat();
  const member = useMemberLabel();
  const staff = useStaffById();
  // requestedBy is staff:<id> or admin_token:<id>: a staff member is shown by name when the caller can see them.
  const requester = (by: string) => (by.startsWith('staff:') ? staffLabel(staff.get(by.slice(6)), by) : by);
  const transfer = useQuery({
    queryKey: wecomKeys.transfer(id),
    queryFn: () => api.get(`/api/v1/wecom/transfers/${id ?? ''}`, wecomTransferSchema),
    enabled: id !== null,
    refetchInterval: (q) => (q.state.data?.status === 'open' ? 30_000 : false),
  });

  const columns: ColumnsType<WecomTransferCustomer> = [
    { title: t('externalUserId'), dataIndex: 'externalUserId', width: 200, ellipsis: { showTitle: true } },
    {
      title: t('profile'),
      dataIndex: 'profileId',
      width: 110,
      render: (pid: string | null) => (pid ? <Link to={`/customers/${pid}`}>{ts('openProfile')}</Link> : '—'),
    },
    { title: t('outcome'), dataIndex: 'outcome', width: 140, render: (o: TransferOutcome) => <OutcomeTag outcome={o} /> },
    {
      title: t('reason'),
      dataIndex: 'reason',
      width: 300,
      render: (r: string | null, c) =>
        r ? (
          <Typography.Text type={c.outcome === 'over_quota' || c.outcome === 'failed' ? 'danger' : undefined}>
            {c.errcode !== null ? `[${c.errcode}] ` : ''}
            {r}
          </Typography.Text>
        ) : (
          '—'
        ),
    },
    { title: t('batch'), dataIndex: 'batch', width: 70, align: 'right', render: (b: number | null) => b ?? '—' },
    { title: t('takenOverAt'), dataIndex: 'takenOverAt', width: 150, render: (v: string | null) => f.dateTime(v) },
  ];

  return (
    <Drawer title={t('detailTitle')} open={id !== null} onClose={onClose} width={1000} destroyOnHidden>
      <QueryState query={transfer}>
        {(tr) => (
          <Space direction="vertical" size="middle" style={{ width: '100%' }}>
            <Descriptions column={2} size="small" bordered>
              <Descriptions.Item label={t('kind')}>{t(`kind.${tr.kind}`)}</Descriptions.Item>
              <Descriptions.Item label={t('status')}>
                <Tag color={tr.status === 'open' ? 'processing' : 'default'}>{t(`status.${tr.status}`)}</Tag>
              </Descriptions.Item>
              <Descriptions.Item label={t('from')}>{member(tr.from)}</Descriptions.Item>
              <Descriptions.Item label={t('to')}>{member(tr.to)}</Descriptions.Item>
              <Descriptions.Item label={ts('createdAt')}>{f.dateTime(tr.createdAt)}</Descriptions.Item>
              <Descriptions.Item label={t('settledAt')}>{f.dateTime(tr.settledAt)}</Descriptions.Item>
              <Descriptions.Item label={t('requestedBy')}>{requester(tr.requestedBy)}</Descriptions.Item>
              <Descriptions.Item label={t('batches')}>{tr.batches.map((b) => `#${b.batch}: ${f.number(b.customers)}`).join(' · ') || '—'}</Descriptions.Item>
              <Descriptions.Item label={t('message')} span={2}>
                {tr.message ?? '—'}
              </Descriptions.Item>
              <Descriptions.Item label={t('outcomes')} span={2}>
                <OutcomeCounts counts={tr.counts} />
              </Descriptions.Item>
            </Descriptions>
            <Table<WecomTransferCustomer>
              rowKey="externalUserId"
              size="small"
              columns={columns}
              dataSource={tr.customers}
              scroll={{ x: 930 }}
              pagination={tr.customers.length > 50 ? { pageSize: 50 } : false}
              locale={{ emptyText: <EmptyState /> }}
            />
          </Space>
        )}
      </QueryState>
    </Drawer>
  );
}
