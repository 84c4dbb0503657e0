import { PlusOutlined } from '@ant-design/icons';
import { Badge, Button, Card, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { hasRole, useMe } from '../../../auth/session';
import { EmptyState, QueryState } from '../../../components/page-state';
import { useFormat } from '../../../format-hooks';
import { common } from '../../../i18n/common';
import { useLocale, useT } from '../../../i18n';
import { useNotify } from '../shared/notify';
import { PageHeader } from '../shared/page-header';
import { useDeleteStageModel, useStageModels, type StageModel } from './api';
import { messages } from './messages';
import { NewModelModal } from './new-model-modal';
import { Presets } from './presets';

/** The tenant's stage models and the presets to install. */
export function StagesPage() {
  const t = useT(messages);
  const c = useT(common);
  const f = useFormat();
  const locale = useLocale();
  const me = useMe();
  const navigate = useNavigate();
  const notify = useNotify();
  const models = useStageModels();
  const remove = useDeleteStageModel();
  const [creating, setCreating] = useState(false);
  // Changing models is for admins and HQ operations (the API answers 403 to others).
  const canEdit = hasRole(me, ['admin', 'hq_ops']);
  const stageName = (s: StageModel['stages'][number]) => (locale === 'zh-CN' && s.nameZh ? s.nameZh : s.name);

  const columns: ColumnsType<StageModel> = [
    {
      title: t('name'),
      dataIndex: 'name',
      width: 170,
      fixed: 'left',
      render: (name: string, m) => (
        <Space direction="vertical" size={0}>
          <Link to={`/settings/stages/${m.key}`}>{name}</Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {m.key}
          </Typography.Text>
        </Space>
      ),
    },
    { title: t('isDefault'), dataIndex: 'isDefault', width: 100, render: (d: boolean) => (d ? <Tag color="blue">{t('isDefault')}</Tag> : null) },
    {
      title: t('stages'),
      key: 'stages',
      width: 400,
      render: (_: unknown, m) => (
        <Space size={[0, 4]} wrap>
          {m.stages.map((s, i) => (
            <Tag key={s.key}>{`${i + 1}. ${stageName(s)}`}</Tag>
          ))}
        </Space>
      ),
    },
    { title: t('preset'), dataIndex: 'preset', width: 100, render: (p: string | null) => p?.toUpperCase() ?? t('presetNone') },
    { title: t('progression'), dataIndex: 'progression', width: 150, render: (p: StageModel['progression']) => t(`progression.${p}`) },
    { title: t('revision'), dataIndex: 'revision', width: 80, align: 'right' },
    { title: t('timeDependent'), dataIndex: 'timeDependent', width: 110, render: (v: boolean) => <Badge status={v ? 'processing' : 'default'} text={v ? c('yes') : c('no')} /> },
    { title: t('refreshedAt'), dataIndex: 'refreshedAt', width: 160, render: (at: string | null) => f.dateTime(at) },
    {
      title: c('actions'),
      key: 'actions',
      width: 150,
      fixed: 'right',
      render: (_: unknown, m) => (
        <Space size={4}>
          <Button size="small" onClick={() => void navigate(`/settings/stages/${m.key}`)}>
            {canEdit ? c('edit') : t('open')}
          </Button>
          {canEdit ? (
            <Popconfirm
              title={t('deleteConfirm')}
              okText={c('delete')}
              cancelText={c('cancel')}
              okButtonProps={{ danger: true }}
              onConfirm={() => remove.mutateAsync(m.key).then(() => notify.success(t('deleted')), notify.error)}
            >
              <Button size="small" danger>
                {c('delete')}
              </Button>
            </Popconfirm>
          ) : null}
        </Space>
      ),
    },
  ];

  return (
    <div data-testid="settings-stages">
      <PageHeader
        title={t('title')}
        description={t('description')}
        extra={
          canEdit ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
              {t('newModel')}
            </Button>
          ) : null
        }
      />
      <QueryState query={models}>
        {(data) => (
          <Space direction="vertical" size={16} style={{ width: '100%' }}>
            <Card title={t('presetsTitle')}>
              <Presets models={data.data} canEdit={canEdit} />
            </Card>
            <Card title={t('modelsTitle')}>
              <Table<StageModel> rowKey="key" columns={columns} dataSource={data.data} pagination={false} scroll={{ x: 1450 }} locale={{ emptyText: <EmptyState description={t('empty')} /> }} />
            </Card>
          </Space>
        )}
      </QueryState>
      <NewModelModal open={creating} models={models.data?.data ?? []} onClose={() => setCreating(false)} />
    </div>
  );
}
