import { KeyOutlined, PlusOutlined } from '@ant-design/icons';
import { Badge, Button, Card, Popconfirm, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { EmptyState, QueryState } from '../../../components/page-state';
import { useFormat } from '../../../format-hooks';
import { common } from '../../../i18n/common';
import { useT } from '../../../i18n';
import { DomainTag } from '../shared/domain-tag';
import { ExpandButton } from '../shared/expand-icon';
import { useNotify } from '../shared/notify';
import { PageHeader } from '../shared/page-header';
import { useRevokeKey, useSources, type NewWriteKey, type Source } from './api';
import { messages } from './messages';
import { NewKeyModal } from './new-key-modal';
import { IssueKeyModal, SourceCreateModal } from './source-modals';

type WriteKey = Source['writeKeys'][number];

function WriteKeys({ source }: { source: Source }) {
  const t = useT(messages);
  const c = useT(common);
  const f = useFormat();
  const notify = useNotify();
  const revoke = useRevokeKey();
  const columns: ColumnsType<WriteKey> = [
    { title: t('prefix'), dataIndex: 'prefix', render: (prefix: string) => <Typography.Text code>{`${prefix}…`}</Typography.Text> },
    { title: t('keyId'), dataIndex: 'id', render: (id: string) => <Typography.Text type="secondary" copyable>{id}</Typography.Text> },
    { title: t('createdAt'), dataIndex: 'createdAt', render: (at: string) => f.dateTime(at) },
    {
      title: t('status'),
      dataIndex: 'revokedAt',
      render: (at: string | null) => (at ? <Badge status="default" text={t('revoked', { at: f.dateTime(at) })} /> : <Badge status="success" text={t('active')} />),
    },
    {
      title: c('actions'),
      key: 'actions',
      render: (_: unknown, key) =>
        key.revokedAt ? null : (
          <Popconfirm
            title={t('revokeConfirm')}
            okText={t('revoke')}
            cancelText={c('cancel')}
            okButtonProps={{ danger: true }}
            onConfirm={() =>
              revoke.mutateAsync({ sourceId: source.id, keyId: key.id }).then(
                () => notify.success(t('revoked_ok')),
                (e: unknown) => notify.error(e),
              )
            }
          >
            <Button size="small" danger>
              {t('revoke')}
            </Button>
          </Popconfirm>
        ),
    },
  ];
  return <Table<WriteKey> rowKey="id" size="small" pagination={false} columns={columns} dataSource={source.writeKeys} locale={{ emptyText: <EmptyState /> }} />;
}

export function SourcesPage() {
  const t = useT(messages);
  const c = useT(common);
  const f = useFormat();
  const notify = useNotify();
  const sources = useSources();
  const [creating, setCreating] = useState(false);
  const [issuingFor, setIssuingFor] = useState<Source | null>(null);
  const [shown, setShown] = useState<{ key: NewWriteKey; sourceName: string } | null>(null);

  const columns: ColumnsType<Source> = [
    { title: t('name'), dataIndex: 'name', ellipsis: { showTitle: true }, render: (name: string) => <Typography.Text strong>{name}</Typography.Text> },
    { title: t('kind'), dataIndex: 'kind', width: 130, render: (kind: Source['kind']) => <Tag>{t(`kind.${kind}`)}</Tag> },
    { title: t('domainClass'), dataIndex: 'domainClass', width: 150, render: (d: Source['domainClass']) => <DomainTag value={d} /> },
    {
      title: t('keys'),
      key: 'keys',
      width: 140,
      render: (_: unknown, s) => {
        const active = s.writeKeys.filter((k) => !k.revokedAt).length;
        return active > 0 ? <Badge status="success" text={t('activeKeys', { n: active })} /> : <Badge status="warning" text={t('noKeys')} />;
      },
    },
    { title: t('createdAt'), dataIndex: 'createdAt', width: 160, render: (at: string) => f.dateTime(at) },
    {
      title: c('actions'),
      key: 'actions',
      width: 140,
      render: (_: unknown, s) => (
        <Button size="small" icon={<KeyOutlined />} onClick={() => setIssuingFor(s)}>
          {t('issueKey')}
        </Button>
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title={t('title')}
        description={t('description')}
        extra={
          sources.isError ? null : (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
              {t('newSource')}
            </Button>
          )
        }
      />
      <Card>
        <QueryState query={sources} isEmpty={(d) => d.data.length === 0} empty={t('empty')}>
          {(data) => (
            <Table<Source>
              data-testid="settings-sources-table"
              rowKey="id"
              columns={columns}
              dataSource={data.data}
              pagination={false}
              scroll={{ x: 900 }}
              expandable={{ expandedRowRender: (s) => <WriteKeys source={s} />, expandIcon: (p) => <ExpandButton {...p} /> }}
            />
          )}
        </QueryState>
      </Card>
      <SourceCreateModal
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(source, key) => {
          setCreating(false);
          notify.success(t('created_ok'));
          setShown({ key, sourceName: source.name });
        }}
      />
      <IssueKeyModal
        source={issuingFor}
        onClose={() => setIssuingFor(null)}
        onIssued={(key) => {
          setShown({ key, sourceName: issuingFor?.name ?? '' });
          setIssuingFor(null);
        }}
      />
      <NewKeyModal created={shown?.key ?? null} sourceName={shown?.sourceName ?? ''} onClose={() => setShown(null)} />
    </>
  );
}
