import { PlusOutlined } from '@ant-design/icons';
import { App, Button, Flex, Popconfirm, Space, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { QueryState } from '../../../components/page-state';
import { useFormat } from '../../../format-hooks';
import { common } from '../../../i18n/common';
import { useT } from '../../../i18n';
import { useNotify } from '../shared/notify';
import { useCheckWecom, useDeleteWecom, useWecomConnectors, type WecomConnector } from './api';
import { messages } from './messages';
import { WecomForm } from './wecom-form';
import { WecomInbox } from './wecom-inbox';

export function WecomPanel() {
  const t = useT(messages);
  const c = useT(common);
  const f = useFormat();
  const notify = useNotify();
  const { modal } = App.useApp();
  const list = useWecomConnectors();
  const check = useCheckWecom();
  const remove = useDeleteWecom();
  const [editing, setEditing] = useState<WecomConnector | null>(null);
  const [formOpen, setFormOpen] = useState(false);
  const [inboxOf, setInboxOf] = useState<WecomConnector | null>(null);

  const runCheck = (connector: WecomConnector) =>
    check.mutate(connector.id, {
      onSuccess: (health) => {
        const show = health.ok ? modal.success : modal.error;
        show({ title: health.ok ? t('checkOk') : t('checkFailed', { code: health.errcode }), content: health.message, okText: c('close') });
      },
      onError: notify.error,
    });

  const columns: ColumnsType<WecomConnector> = [
    { title: t('corpId'), dataIndex: 'corpId', width: 190, render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
    { title: t('agentId'), dataIndex: 'agentId', width: 110 },
    {
      title: t('callbackUrl'),
      dataIndex: 'callbackUrl',
      ellipsis: { showTitle: false },
      render: (url: string) => (
        <Typography.Text copyable ellipsis={{ tooltip: url }} style={{ maxWidth: '100%' }}>
          {url}
        </Typography.Text>
      ),
    },
    { title: t('updatedAt'), dataIndex: 'updatedAt', width: 150, render: (at: string) => f.dateTime(at) },
    {
      title: c('actions'),
      key: 'actions',
      width: 310,
      fixed: 'right',
      render: (_: unknown, r) => (
        <Space size={4} wrap>
          <Button size="small" loading={check.isPending && check.variables === r.id} onClick={() => runCheck(r)}>
            {t('check')}
          </Button>
          <Button size="small" onClick={() => setInboxOf(r)}>
            {t('inbox')}
          </Button>
          <Button
            size="small"
            onClick={() => {
              setEditing(r);
              setFormOpen(true);
            }}
          >
            {c('edit')}
          </Button>
          <Popconfirm
            title={t('deleteConfirm')}
            okText={c('delete')}
            cancelText={c('cancel')}
            okButtonProps={{ danger: true }}
            onConfirm={() => remove.mutateAsync(r.id).then(() => notify.success(t('deleted')), notify.error)}
          >
            <Button size="small" danger>
              {c('delete')}
            </Button>
          </Popconfirm>
        </Space>
      ),
    },
  ];

  return (
    <>
      <Flex justify="space-between" align="center" gap={16} style={{ marginBottom: 12 }}>
        <Typography.Text type="secondary">{t('callbackUrlHint')}</Typography.Text>
        <Button
          type="primary"
          icon={<PlusOutlined />}
          onClick={() => {
            setEditing(null);
            setFormOpen(true);
          }}
        >
          {t('wecomNew')}
        </Button>
      </Flex>
      <QueryState query={list} isEmpty={(d) => d.data.length === 0} empty={t('wecomEmpty')}>
        {(data) => <Table<WecomConnector> rowKey="id" columns={columns} dataSource={data.data} pagination={false} scroll={{ x: 1100 }} />}
      </QueryState>
      <WecomForm
        open={formOpen}
        editing={editing}
        onClose={() => setFormOpen(false)}
        onSaved={() => {
          setFormOpen(false);
          notify.success(t('saved'));
        }}
      />
      <WecomInbox connector={inboxOf} onClose={() => setInboxOf(null)} />
    </>
  );
}
