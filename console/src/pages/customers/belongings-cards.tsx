import { Card, Flex, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { Consent } from '@contracts/consents';
import type { Profile } from '@contracts/profiles';
import type { ProfileVehicle } from '@contracts/vehicles';
import { EmptyState } from '../../components/page-state';
import { useFormat } from '../../format-hooks';
import { useT } from '../../i18n';
import { CustomerLink } from './search-cells';
import { sections } from './section-messages';
import { vocab, vocabLabel } from './vocab-messages';

const ROLE_COLORS: Record<string, string> = { owner: 'green', buyer: 'blue', driver: 'cyan', payer: 'orange' };
const CONSENT_COLORS: Record<string, string> = { granted: 'success', denied: 'error', withdrawn: 'warning' };

/** The vehicles the person bought, owns, drives or pays for, current relations first. */
export function VehiclesCard({ profile }: { profile: Profile }) {
  const t = useT(sections);
  const tv = useT(vocab);
  const f = useFormat();
  const rows = [...profile.vehicles].sort((a, b) => Number(a.validTo !== null) - Number(b.validTo !== null) || a.vin.localeCompare(b.vin));
  const columns: ColumnsType<ProfileVehicle> = [
    {
      title: t('vin'),
      dataIndex: 'vin',
      width: 180,
      render: (vin: string) => (
        <Typography.Text code title={vin}>
          {vin}
        </Typography.Text>
      ),
    },
    {
      title: t('vehicle'),
      key: 'vehicle',
      ellipsis: true,
      render: (_: unknown, v) => {
        const text = [v.model ?? v.series, v.modelYear ? t('modelYear', { year: v.modelYear }) : null].filter(Boolean).join(' · ');
        return <span title={text}>{text || '—'}</span>;
      },
    },
    { title: t('relation'), dataIndex: 'role', width: 90, render: (role: string) => <Tag color={ROLE_COLORS[role]}>{vocabLabel(tv, 'role.', role)}</Tag> },
    {
      title: t('validFrom'),
      key: 'period',
      width: 130,
      render: (_: unknown, v) => (
        <Flex vertical>
          <span>{f.date(v.validFrom)}</span>
          {v.validTo === null ? (
            <Typography.Text type="success">{t('current')}</Typography.Text>
          ) : (
            <Typography.Text type="secondary">{t('ended', { at: f.date(v.validTo) })}</Typography.Text>
          )}
        </Flex>
      ),
    },
  ];
  return (
    <Card title={t('vehicles')} data-testid="customer-vehicles">
      <Table<ProfileVehicle>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 520 }}
        locale={{ emptyText: <EmptyState description={t('noVehicles')} /> }}
      />
    </Card>
  );
}

type Member = NonNullable<Profile['household']>['members'][number];

/** The household the person belongs to, with links to the other members' 360. */
export function HouseholdCard({ profile }: { profile: Profile }) {
  const t = useT(sections);
  const f = useFormat();
  const household = profile.household;
  const columns: ColumnsType<Member> = [
    {
      title: t('member'),
      dataIndex: 'profileId',
      render: (id: string) =>
        id === profile.id ? (
          <Space size={4}>
            <CustomerLink profileId={id} />
            <Typography.Text type="secondary">{t('thisCustomer')}</Typography.Text>
          </Space>
        ) : (
          <CustomerLink profileId={id} />
        ),
    },
    { title: t('memberRelation'), dataIndex: 'relation', width: 120, render: (r: string | null) => r ?? '—' },
    { title: t('addedAt'), dataIndex: 'addedAt', width: 120, render: (at: string) => f.date(at) },
  ];
  return (
    <Card title={household ? `${t('household')} · ${household.name ?? t('householdUnnamed')}` : t('household')} data-testid="customer-household">
      {household ? (
        <Table<Member> rowKey="profileId" size="small" columns={columns} dataSource={household.members} pagination={false} scroll={{ x: 420 }} />
      ) : (
        <EmptyState description={t('noHousehold')} />
      )}
    </Card>
  );
}

/** Current consent per channel and purpose. */
export function ConsentsCard({ profile }: { profile: Profile }) {
  const t = useT(sections);
  const tv = useT(vocab);
  const f = useFormat();
  const columns: ColumnsType<Consent> = [
    { title: t('channel'), dataIndex: 'channel', width: 100, render: (c: string) => vocabLabel(tv, 'channel.', c) },
    { title: t('purpose'), dataIndex: 'purpose', width: 95, render: (p: string) => vocabLabel(tv, 'purpose.', p) },
    { title: t('state'), dataIndex: 'state', width: 90, render: (s: string) => <Tag color={CONSENT_COLORS[s]}>{vocabLabel(tv, 'consent.', s)}</Tag> },
    { title: t('at'), dataIndex: 'at', width: 110, render: (at: string) => <span title={f.dateTime(at)}>{f.date(at)}</span> },
    {
      title: t('source'),
      key: 'source',
      ellipsis: true,
      render: (_: unknown, c) => {
        const text = [c.source, c.orgUnit].filter(Boolean).join(' · ');
        return <span title={text}>{text || '—'}</span>;
      },
    },
  ];
  return (
    <Card title={t('consents')} data-testid="customer-consents">
      <Table<Consent>
        rowKey={(c) => `${c.channel}|${c.purpose}`}
        size="small"
        columns={columns}
        dataSource={profile.consents}
        pagination={false}
        scroll={{ x: 500 }}
        locale={{ emptyText: <EmptyState description={t('noConsents')} /> }}
      />
    </Card>
  );
}
