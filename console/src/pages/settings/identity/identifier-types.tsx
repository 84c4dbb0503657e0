import { PlusOutlined } from '@ant-design/icons';
import { Badge, Button, Card, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { QueryState } from '../../../components/page-state';
import { common } from '../../../i18n/common';
import { useT } from '../../../i18n';
import { useNotify } from '../shared/notify';
import { useIdentifierTypes, useRemoveIdentifierType, type IdentifierType } from './api';
import { messages } from './messages';
import { TypeForm } from './type-form';

const yesNo = (on: boolean, yes: string, no: string) => <Badge status={on ? 'success' : 'default'} text={on ? yes : no} />;

export function IdentifierTypes() {
  const t = useT(messages);
  const c = useT(common);
  const notify = useNotify();
  const types = useIdentifierTypes();
  const remove = useRemoveIdentifierType();
  const [open, setOpen] = useState(false);
  const [editing, setEditing] = useState<IdentifierType | null>(null);
  const normalizerLabel = (n: string) => (n === 'phone' || n === 'email' || n === 'exact' || n === 'lower' ? t(`normalizer.${n}`) : n);

  const columns: ColumnsType<IdentifierType> = [
    {
      title: t('type'),
      dataIndex: 'type',
      width: 280,
      fixed: 'left',
      render: (type: string, r) => (
        <Space size={4} style={{ whiteSpace: 'nowrap' }}>
          <Typography.Text code>{type}</Typography.Text>
          {r.builtIn ? <Tag>{t('builtIn')}</Tag> : <Tag color="purple">{t('custom')}</Tag>}
        </Space>
      ),
    },
    { title: t('priority'), dataIndex: 'priority', width: 90, align: 'right' },
    { title: t('maxPerProfile'), dataIndex: 'maxPerProfile', width: 110, align: 'right' },
    { title: t('merges'), dataIndex: 'merges', width: 100, render: (v: boolean) => yesNo(v, c('yes'), c('no')) },
    { title: t('scoped'), dataIndex: 'scoped', width: 100, render: (v: boolean) => yesNo(v, c('yes'), c('no')) },
    { title: t('normalizer'), dataIndex: 'normalizer', width: 130, render: normalizerLabel },
    {
      title: t('traitNames'),
      dataIndex: 'traitNames',
      width: 260,
      render: (names: string[]) =>
        names.length === 0 ? (
          '—'
        ) : (
          <Space size={[0, 4]} wrap>
            {names.map((n) => (
              <Tag key={n}>{n}</Tag>
            ))}
          </Space>
        ),
    },
    { title: t('reassignAfterDays'), dataIndex: 'reassignAfterDays', width: 130, align: 'right', render: (d: number | null) => d ?? t('never') },
    {
      title: c('actions'),
      key: 'actions',
      width: 190,
      fixed: 'right',
      render: (_: unknown, r) => (
        <Space size={4}>
          <Button
            size="small"
            onClick={() => {
              setEditing(r);
              setOpen(true);
            }}
          >
            {c('edit')}
          </Button>
          <Popconfirm
            title={r.builtIn ? t('resetConfirm') : t('removeConfirm')}
            okText={c('confirm')}
            cancelText={c('cancel')}
            okButtonProps={{ danger: !r.builtIn }}
            onConfirm={() => remove.mutateAsync(r.type).then(() => notify.success(r.builtIn ? t('saved') : t('removed')), notify.error)}
          >
            <Button size="small" danger={!r.builtIn}>
              {r.builtIn ? t('reset') : t('remove')}
            </Button>
          </Popconfirm>
        </Space>
      ),
    },
  ];

  return (
    <Card
      title={t('typesTitle')}
      extra={
        <Button
          icon={<PlusOutlined />}
          onClick={() => {
            setEditing(null);
            setOpen(true);
          }}
        >
          {t('addType')}
        </Button>
      }
    >
      <Typography.Paragraph type="secondary">{t('typesHint')}</Typography.Paragraph>
      <QueryState query={types} isEmpty={(d) => d.data.length === 0}>
        {(data) => <Table<IdentifierType> rowKey="type" size="middle" columns={columns} dataSource={data.data} pagination={false} scroll={{ x: 1480 }} />}
      </QueryState>
      <TypeForm
        open={open}
        editing={editing}
        onClose={() => setOpen(false)}
        onSaved={() => {
          setOpen(false);
          notify.success(t('saved'));
        }}
      />
    </Card>
  );
}
