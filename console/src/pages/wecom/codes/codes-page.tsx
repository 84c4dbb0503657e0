import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { Button, Card, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { Link } from 'react-router';
import type { WecomChannelCode } from '@contracts/wecom-codes';
import { hasRole, useMe } from '../../../auth/session';
import { QueryState } from '../../../components/page-state';
import { useFormat } from '../../../format-hooks';
import { common } from '../../../i18n/common';
import { useT } from '../../../i18n';
import { wecomShared } from '../shared/messages';
import { WecomPageHeader } from '../shared/page-header';
import { ConnectorFilter } from '../shared/pickers';
import { useChannelCodes } from '../shared/refs';
import { CodeCreateDrawer } from './code-create-drawer';
import { messages } from './messages';

export function CodesPage() {
  const t = useT(messages);
  const ts = useT(wecomShared);
  const tc = useT(common);
  const f = useFormat();
  const me = useMe();
  const [connectorId, setConnectorId] = useState<string | undefined>();
  const [creating, setCreating] = useState(false);
  const codes = useChannelCodes(connectorId);
  const canCreate = hasRole(me, ['admin', 'hq_ops', 'dealer_manager']);

  const columns: ColumnsType<WecomChannelCode> = [
    {
      title: t('name'),
      dataIndex: 'name',
      fixed: 'left',
      width: 220,
      ellipsis: { showTitle: true },
      render: (name: string, c) => <Link to={`/wecom/codes/${c.id}`}>{name}</Link>,
    },
    { title: t('kind'), dataIndex: 'kind', width: 150, render: (k: WecomChannelCode['kind']) => <Tag color={k === 'link' ? 'purple' : 'blue'}>{t(`kind.${k}`)}</Tag> },
    { title: t('stateCol'), dataIndex: 'state', width: 130, ellipsis: { showTitle: true }, render: (s: string) => <Typography.Text code>{s}</Typography.Text> },
    { title: t('source'), dataIndex: 'source', width: 100 },
    { title: t('campaign'), dataIndex: 'campaign', width: 120, ellipsis: { showTitle: true }, render: (v: string | null) => v ?? '—' },
    { title: t('series'), dataIndex: 'series', width: 90, render: (v: string | null) => v ?? '—' },
    { title: ts('dealer'), dataIndex: 'dealerCode', width: 80, render: (v: string | null) => v ?? '—' },
    { title: t('consultantCount'), key: 'consultants', width: 100, align: 'right', render: (_, c) => f.number(c.consultantIds.length) },
    { title: t('activeUsers'), key: 'active', width: 110, align: 'right', render: (_, c) => f.number(c.activeUserIds.length) },
    {
      title: t('welcome'),
      key: 'welcome',
      width: 90,
      render: (_, c) => (c.welcome ? <Tag color="green">{t('hasWelcome')}</Tag> : <Tag>{t('noWelcome')}</Tag>),
    },
    { title: ts('createdAt'), dataIndex: 'createdAt', width: 150, render: (v: string) => f.dateTime(v) },
  ];

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <WecomPageHeader
        title={t('title')}
        intro={t('intro')}
        extra={
          <Space wrap>
            <ConnectorFilter value={connectorId} onChange={setConnectorId} />
            <Button icon={<ReloadOutlined />} onClick={() => void codes.refetch()} aria-label={ts('refresh')} />
            {canCreate ? (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
                {t('newCode')}
              </Button>
            ) : null}
          </Space>
        }
      />
      <Card>
        <QueryState query={codes}>
          {(data) => (
            <Table<WecomChannelCode>
              data-testid="wecom-codes-table"
              rowKey="id"
              size="middle"
              columns={columns}
              dataSource={data.data}
              scroll={{ x: 1340 }}
              pagination={{ defaultPageSize: 20, showSizeChanger: true, showTotal: (n) => tc('total', { n }) }}
            />
          )}
        </QueryState>
      </Card>
      <CodeCreateDrawer open={creating} onClose={() => setCreating(false)} />
    </Space>
  );
}
