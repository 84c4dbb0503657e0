import { Button, Card, Form, Input, Popconfirm, Table, Typography } from 'antd';
import { EmptyState, QueryState } from '../../../components/page-state';
import { useFormat } from '../../../format-hooks';
import { common } from '../../../i18n/common';
import { useT } from '../../../i18n';
import { useNotify } from '../shared/notify';
import { useBlock, useBlocklist, useIdentifierTypes, useUnblock } from './api';
import { messages } from './messages';
import { FormSelect } from '../../../components/form-select';

interface Values {
  type: string;
  value: string;
}
type Blocked = { type: string; value: string; createdAt: string };

/** Junk identifier values (call-centre numbers, shared tablets) that never link two people. */
export function Blocklist() {
  const t = useT(messages);
  const c = useT(common);
  const f = useFormat();
  const notify = useNotify();
  const list = useBlocklist();
  const types = useIdentifierTypes();
  const block = useBlock();
  const unblock = useUnblock();
  const [form] = Form.useForm<Values>();

  return (
    <Card title={t('blocklistTitle')} style={{ height: '100%' }}>
      <Typography.Paragraph type="secondary">{t('blocklistHint')}</Typography.Paragraph>
      <Form<Values>
        form={form}
        layout="inline"
        style={{ marginBottom: 16, rowGap: 8 }}
        initialValues={{ type: 'phone' }}
        onFinish={(v) =>
          block.mutate(
            { type: v.type, value: v.value.trim() },
            {
              onSuccess: () => {
                form.setFieldValue('value', '');
                notify.success(t('blockedOk'));
              },
              onError: notify.error,
            },
          )
        }
      >
        <Form.Item name="type" rules={[{ required: true, message: t('required') }]}>
          <FormSelect
            aria-label={t('type')}
            style={{ width: 180 }}
            loading={types.isPending}
            options={(types.data?.data ?? []).map((ty) => ({ value: ty.type, label: ty.type }))}
          />
        </Form.Item>
        <Form.Item name="value" rules={[{ required: true, whitespace: true, message: t('required') }]}>
          <Input aria-label={t('value')} placeholder={t('value')} maxLength={500} style={{ width: 220 }} />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit" loading={block.isPending}>
            {t('blockValue')}
          </Button>
        </Form.Item>
      </Form>
      <QueryState query={list}>
        {(data) => (
          <Table<Blocked>
            size="small"
            rowKey={(r) => `${r.type}:${r.value}`}
            dataSource={data.data}
            locale={{ emptyText: <EmptyState description={t('blocklistEmpty')} /> }}
            pagination={data.data.length > 10 ? { pageSize: 10, size: 'small', showSizeChanger: false } : false}
            scroll={{ x: 520 }}
            columns={[
              { title: t('type'), dataIndex: 'type', width: 140 },
              { title: t('value'), dataIndex: 'value', ellipsis: { showTitle: true }, render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
              { title: t('addedAt'), dataIndex: 'createdAt', width: 160, render: (at: string) => f.dateTime(at) },
              {
                title: c('actions'),
                key: 'actions',
                width: 90,
                render: (_: unknown, r) => (
                  <Popconfirm
                    title={t('unblockConfirm')}
                    okText={c('confirm')}
                    cancelText={c('cancel')}
                    onConfirm={() => unblock.mutateAsync({ type: r.type, value: r.value }).then(() => notify.success(t('unblockedOk')), notify.error)}
                  >
                    <Button size="small">{t('unblock')}</Button>
                  </Popconfirm>
                ),
              },
            ]}
          />
        )}
      </QueryState>
    </Card>
  );
}
