import { ScissorOutlined } from '@ant-design/icons';
import { Button, Card, Flex, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { Link } from 'react-router';
import { z } from 'zod';
import { identifierSchema } from '@contracts/identity';
import type { IdentityLogEntry, Profile } from '@contracts/profiles';
import { EmptyState, QueryState } from '../../components/page-state';
import { useFormat } from '../../format-hooks';
import { useT } from '../../i18n';
import { history } from './history-messages';
import { useMerges } from './queries';
import { useSplitAction, type IdentifierRef } from './split-action';
import { vocab, vocabLabel } from './vocab-messages';

const KIND_COLORS: Record<string, string> = { merge: 'blue', blocked_merge: 'orange', reassign: 'gold', split: 'purple', rebuild: 'default' };
const identifiersSchema = z.array(identifierSchema);

/** The identifiers an identity-log entry names ([] once the person was erased). */
function identifiersOf(entry: IdentityLogEntry): IdentifierRef[] {
  const parsed = identifiersSchema.safeParse(entry.identifiers);
  return parsed.success ? parsed.data : [];
}

function ProfileRef({ id, current }: { id: string; current: string }) {
  return id === current ? <Typography.Text strong>{id.slice(0, 8)}</Typography.Text> : <Link to={`/customers/${id}`}>{id.slice(0, 8)}</Link>;
}

/** Merges, blocked merges, reassignments and splits of the profile, with the split of a wrong merge. */
export function MergesCard({ profile }: { profile: Profile }) {
  const t = useT(history);
  const tv = useT(vocab);
  const f = useFormat();
  const merges = useMerges(profile.id);
  const split = useSplitAction(profile);
  const canSplit = profile.identities.length > 1;
  const latestMerge = merges.data?.data.find((m) => m.kind === 'merge');

  const columns: ColumnsType<IdentityLogEntry> = [
    { title: t('at'), dataIndex: 'at', width: 150, render: (at: string) => f.dateTime(at) },
    { title: t('kind'), dataIndex: 'kind', width: 100, render: (k: string) => <Tag color={KIND_COLORS[k]}>{vocabLabel(tv, 'merge.', k)}</Tag> },
    {
      title: t('identifiers'),
      key: 'identifiers',
      render: (_: unknown, m) => (
        <Flex vertical>
          {identifiersOf(m).map((i) => (
            <Typography.Text key={`${i.type}|${i.scope ?? ''}|${i.value}`} ellipsis title={i.value}>
              {`${vocabLabel(tv, 'id.', i.type)}: ${i.value}`}
            </Typography.Text>
          ))}
        </Flex>
      ),
    },
    {
      title: t('profilesBefore'),
      dataIndex: 'profilesBefore',
      width: 130,
      render: (ids: string[]) => (
        <Flex vertical>
          {ids.map((id) => (
            <ProfileRef key={id} id={id} current={profile.id} />
          ))}
        </Flex>
      ),
    },
    { title: t('profileAfter'), dataIndex: 'profileAfter', width: 110, render: (id: string | null) => (id ? <ProfileRef id={id} current={profile.id} /> : '—') },
    { title: t('actor'), dataIndex: 'actor', width: 130, ellipsis: true, render: (a: string | null, m) => [a ?? t('system'), m.reason].filter(Boolean).join(' · ') },
  ];
  if (split.allowed) {
    columns.push({
      title: t('splitThis'),
      key: 'split',
      width: 90,
      fixed: 'right',
      render: (_: unknown, m) =>
        m.kind === 'merge' ? (
          <Button
            size="small"
            disabled={!canSplit}
            aria-label={t('splitThisLabel', { at: f.dateTime(m.at), kind: vocabLabel(tv, 'merge.', m.kind) })}
            onClick={() => split.open(identifiersOf(m))}
          >
            {t('splitThis')}
          </Button>
        ) : null,
    });
  }

  const splitButton = split.allowed ? (
    <Tooltip title={canSplit ? undefined : t('splitUnavailable')}>
      <Button icon={<ScissorOutlined />} danger disabled={!canSplit} loading={split.pending} onClick={() => split.open(latestMerge ? identifiersOf(latestMerge) : [])} data-testid="customer-split">
        {t('split')}
      </Button>
    </Tooltip>
  ) : null;

  return (
    <Card title={t('merges')} extra={splitButton} data-testid="customer-merges">
      <Typography.Paragraph type="secondary">{t('mergesHint')}</Typography.Paragraph>
      <QueryState query={merges}>
        {(d) => (
          <Table<IdentityLogEntry>
            rowKey="id"
            size="small"
            columns={columns}
            dataSource={d.data}
            pagination={d.data.length > 10 ? { pageSize: 10, size: 'small' } : false}
            scroll={{ x: 900 }}
            locale={{ emptyText: <EmptyState description={t('noMerges')} /> }}
          />
        )}
      </QueryState>
    </Card>
  );
}
