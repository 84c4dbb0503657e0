import { Card, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { z } from 'zod';
import type { formerIdentitySchema, identitySchema, Profile } from '@contracts/profiles';
import { EmptyState } from '../../components/page-state';
import { useFormat } from '../../format-hooks';
import { useT } from '../../i18n';
import { sections } from './section-messages';
import { vocab, vocabLabel } from './vocab-messages';

type Identity = z.output<typeof identitySchema>;
type FormerIdentity = z.output<typeof formerIdentitySchema>;

const key = (i: { type: string; scope: string | null; value: string }) => `${i.type}|${i.scope ?? ''}|${i.value}`;

/** The identifiers the profile holds (strongest first), masked as the API answers for the role, and those it held before. */
export function IdentitiesCard({ profile }: { profile: Profile }) {
  const t = useT(sections);
  const tv = useT(vocab);
  const f = useFormat();
  const typeColumn = { title: t('idType'), dataIndex: 'type', width: 130, ellipsis: true, render: (type: string) => vocabLabel(tv, 'id.', type) };
  const valueColumn = {
    title: t('idValue'),
    dataIndex: 'value',
    ellipsis: true,
    render: (value: string) => (
      <Typography.Text code title={value}>
        {value}
      </Typography.Text>
    ),
  };
  const scopeColumn = {
    title: t('idScope'),
    dataIndex: 'scope',
    width: 140,
    ellipsis: true,
    render: (scope: string | null) => <span title={scope ?? undefined}>{scope ?? '—'}</span>,
  };
  const columns: ColumnsType<Identity> = [
    typeColumn,
    valueColumn,
    scopeColumn,
    { title: t('lastSeen'), dataIndex: 'lastSeen', width: 110, render: (at: string) => <span title={f.dateTime(at)}>{f.date(at)}</span> },
  ];
  const formerColumns: ColumnsType<FormerIdentity> = [
    typeColumn,
    valueColumn,
    scopeColumn,
    { title: t('validTo'), dataIndex: 'validTo', width: 110, render: (at: string) => <span title={f.dateTime(at)}>{f.date(at)}</span> },
    { title: t('reason'), dataIndex: 'reason', width: 100 },
  ];
  return (
    <Card title={t('identities')} data-testid="customer-identities">
      <Table<Identity>
        rowKey={key}
        size="small"
        columns={columns}
        dataSource={profile.identities}
        pagination={profile.identities.length > 10 ? { pageSize: 10, size: 'small' } : false}
        scroll={{ x: 520 }}
        locale={{ emptyText: <EmptyState description={t('noIdentities')} /> }}
      />
      {profile.formerIdentities.length > 0 ? (
        <>
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            {t('formerIdentities')}
          </Typography.Title>
          <Table<FormerIdentity>
            rowKey={(i) => `${key(i)}|${i.validTo}`}
            size="small"
            columns={formerColumns}
            dataSource={profile.formerIdentities}
            pagination={false}
            scroll={{ x: 600 }}
          />
        </>
      ) : null}
    </Card>
  );
}
