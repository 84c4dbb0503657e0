import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Select, Space, Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { wecomTransferPageSchema, type WecomTransferSummary } from '@contracts/wecom-transfers';
import { api } from '../../../api/client';
import { hasRole, useMe } from '../../../auth/session';
import { EmptyState, QueryState } from '../../../components/page-state';
import { useFormat } from '../../../format-hooks';
import { common } from '../../../i18n/common';
import { useT } from '../../../i18n';
import { CursorPager, useCursorPages } from '../../../components/cursor-pager';
import { wecomShared } from '../shared/messages';
import { WecomPageHeader } from '../shared/page-header';
import { ConnectorFilter } from '../shared/pickers';
import { wecomKeys } from '../shared/refs';
import { messages } from './messages';
import { TransferCreateDrawer } from './transfer-create-drawer';
import { TransferDetailDrawer } from './transfer-detail-drawer';
import { OutcomeCounts, totalCustomers, useMemberLabel } from './vocab';

const PAGE_SIZE = 20;
type Status = WecomTransferSummary['status'];

export function TransfersPage() {
  const t = useT(messages);
  const ts = useT(wecomShared);
  const tc = useT(common);
  const f = useFormat();
  const me = useMe();
  const member = useMemberLabel();
  const pages = useCursorPages();
  const [status, setStatus] = useState<Status | undefined>();
  const [connectorId, setConnectorId] = useState<string | undefined>();
  const [creating, setCreating] = useState(false);
  const [openId, setOpenId] = useState<string | null>(null);
  const query = { status, connectorId, cursor: pages.cursor };
  const list = useQuery({
    queryKey: wecomKeys.transfers(query),
    queryFn: () => api.get('/api/v1/wecom/transfers', wecomTransferPageSchema, { query: { ...query, limit: PAGE_SIZE } }),
  });
  const canCreate = hasRole(me, ['admin', 'hq_ops', 'dealer_manager']);

  const columns: ColumnsType<WecomTransferSummary> = [
    { title: ts('createdAt'), dataIndex: 'createdAt', width: 150, fixed: 'left', render: (v: string) => f.dateTime(v) },
    { title: t('kind'), dataIndex: 'kind', width: 100, render: (k: WecomTransferSummary['kind']) => t(`kind.${k}`) },
    { title: t('from'), key: 'from', width: 170, ellipsis: { showTitle: true }, render: (_, r) => member(r.from) },
    { title: t('to'), key: 'to', width: 170, ellipsis: { showTitle: true }, render: (_, r) => member(r.to) },
    {
      title: t('status'),
      dataIndex: 'status',
      width: 90,
      render: (s: Status) => <Tag color={s === 'open' ? 'processing' : 'default'}>{t(`status.${s}`)}</Tag>,
    },
    { title: t('customers'), key: 'n', width: 80, align: 'right', render: (_, r) => f.number(totalCustomers(r.counts)) },
    { title: t('outcomes'), key: 'outcomes', width: 300, render: (_, r) => <OutcomeCounts counts={r.counts} /> },
    { title: t('settledAt'), dataIndex: 'settledAt', width: 150, render: (v: string | null) => f.dateTime(v) },
    {
      title: tc('actions'),
      key: 'actions',
      width: 90,
      fixed: 'right',
      render: (_, r) => (
        <Button size="small" onClick={() => setOpenId(r.id)}>
          {ts('detail')}
        </Button>
      ),
    },
  ];

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <WecomPageHeader
        title={t('title')}
        intro={t('intro')}
        extra={
          canCreate ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
              {t('newTransfer')}
            </Button>
          ) : null
        }
      />
      <Alert type="info" showIcon message={t('quotaRule')} />
      <Card>
        <Space wrap style={{ marginBottom: 12 }}>
          <Select<Status>
            allowClear
            style={{ width: 160 }}
            placeholder={t('allStatuses')}
            aria-label={t('status')}
            value={status}
            onChange={(v) => {
              setStatus(v);
              pages.reset();
            }}
            options={(['open', 'settled'] as const).map((s) => ({ value: s, label: t(`status.${s}`) }))}
          />
          <ConnectorFilter
            value={connectorId}
            onChange={(v) => {
              setConnectorId(v);
              pages.reset();
            }}
          />
          <Button icon={<ReloadOutlined />} onClick={() => void list.refetch()} aria-label={ts('refresh')} />
        </Space>
        <QueryState query={list}>
          {(data) => (
            <>
              <Table<WecomTransferSummary>
                data-testid="wecom-transfers-table"
                rowKey="id"
                size="middle"
                columns={columns}
                dataSource={data.data}
                pagination={false}
                scroll={{ x: 1300 }}
                locale={{ emptyText: <EmptyState /> }}
              />
              <CursorPager pages={pages} nextCursor={data.nextCursor} variant="arrows" withPageSize={false} />
            </>
          )}
        </QueryState>
      </Card>
      <TransferCreateDrawer
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(tr) => {
          setCreating(false);
          setOpenId(tr.id);
        }}
      />
      <TransferDetailDrawer id={openId} onClose={() => setOpenId(null)} />
    </Space>
  );
}
