import { EditOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import type { WecomChannelCode } from '@contracts/wecom-codes';
import { hasRole, useMe } from '../../../auth/session';
import { EmptyState, QueryState } from '../../../components/page-state';
import { useFormat } from '../../../format-hooks';
import { common } from '../../../i18n/common';
import { useT } from '../../../i18n';
import { wecomShared } from '../shared/messages';
import { WecomPageHeader } from '../shared/page-header';
import { ConnectorFilter } from '../shared/pickers';
import { useChannelCodes } from '../shared/refs';
import { messages } from './messages';
import { WelcomeEditModal } from './welcome-edit-modal';

export function WelcomePage() {
  const t = useT(messages);
  const ts = useT(wecomShared);
  const tc = useT(common);
  const f = useFormat();
  const me = useMe();
  const navigate = useNavigate();
  const [connectorId, setConnectorId] = useState<string | undefined>();
  const [editing, setEditing] = useState<WecomChannelCode | null>(null);
  const codes = useChannelCodes(connectorId);
  const canEdit = hasRole(me, ['admin', 'hq_ops', 'dealer_manager']);

  const columns: ColumnsType<WecomChannelCode> = [
    {
      title: t('code'),
      dataIndex: 'name',
      width: 220,
      fixed: 'left',
      ellipsis: { showTitle: true },
      render: (name: string, c) => <Link to={`/wecom/codes/${c.id}`}>{name}</Link>,
    },
    { title: ts('dealer'), dataIndex: 'dealerCode', width: 80, render: (v: string | null) => v ?? '—' },
    {
      title: t('text'),
      key: 'text',
      width: 320,
      render: (_, c) =>
        c.welcome?.text ? (
          <Typography.Paragraph ellipsis={{ rows: 2, tooltip: c.welcome.text }} style={{ margin: 0 }}>
            {c.welcome.text}
          </Typography.Paragraph>
        ) : (
          <Typography.Text type="secondary">{c.welcome ? '—' : t('none')}</Typography.Text>
        ),
    },
    {
      title: t('attachment'),
      key: 'attachment',
      width: 220,
      ellipsis: { showTitle: false },
      render: (_, c) => {
        const a = c.welcome?.attachment;
        if (!a) return '—';
        return (
          <Space size={4}>
            <Tag color={a.type === 'link' ? 'blue' : 'green'}>{t(`att.${a.type}`)}</Tag>
            <Typography.Text ellipsis={{ tooltip: a.title }} style={{ maxWidth: 130 }}>
              {a.title}
            </Typography.Text>
          </Space>
        );
      },
    },
    { title: t('kind'), dataIndex: 'kind', width: 130, render: (k: WecomChannelCode['kind']) => t(`kind.${k}`) },
    { title: t('updatedAt'), dataIndex: 'updatedAt', width: 150, render: (v: string) => f.dateTime(v) },
    {
      title: tc('actions'),
      key: 'actions',
      width: 150,
      fixed: 'right',
      render: (_, c) =>
        canEdit ? (
          <Button size="small" icon={c.welcome ? <EditOutlined /> : <PlusOutlined />} onClick={() => setEditing(c)}>
            {c.welcome ? tc('edit') : t('set')}
          </Button>
        ) : null,
    },
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
            {canEdit ? (
              <Button icon={<PlusOutlined />} onClick={() => void navigate('/wecom/codes')}>
                {t('goCodes')}
              </Button>
            ) : null}
          </Space>
        }
      />
      <Alert type="info" showIcon message={t('perCode')} />
      <Card>
        <QueryState query={codes}>
          {(data) => (
            <Table<WecomChannelCode>
              data-testid="wecom-welcome-table"
              rowKey="id"
              size="middle"
              columns={columns}
              dataSource={data.data}
              scroll={{ x: 1270 }}
              locale={{ emptyText: <EmptyState /> }}
              pagination={{ defaultPageSize: 20, showSizeChanger: true, showTotal: (n) => tc('total', { n }) }}
            />
          )}
        </QueryState>
      </Card>
      <WelcomeEditModal code={editing} onClose={() => setEditing(null)} />
    </Space>
  );
}
