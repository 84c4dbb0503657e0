import { Card, Flex, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { STANDARD_EVENTS } from '@contracts/vocabulary';
import type { StoredEvent } from '@contracts/events';
import { EmptyState, ErrorAlert } from '../../components/page-state';
import { useFormat } from '../../format-hooks';
import { useT } from '../../i18n';
import { useNamedEvents } from './queries';
import { sections } from './section-messages';
import { vocab, vocabLabel } from './vocab-messages';

/** A text property of an event (properties are free-form JSON). */
export function eventProp(e: Pick<StoredEvent, 'properties'>, key: string): string | null {
  const p = e.properties;
  if (typeof p !== 'object' || p === null || Array.isArray(p)) return null;
  const value: unknown = Object.entries(p).find(([k]) => k === key)?.[1];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : null;
}

interface Friendship {
  key: string;
  staffUserId: string | null;
  dealerCode: string | null;
  source: string | null;
  addedAt: string | null;
  removedAt: string | null;
  removedBy: string | null;
}

/**
 * Each consultant's friendship with the person: the latest add and removal per (corp, consultant),
 * from the WeCom contact events of the profile (two server-filtered reads).
 */
function friendships(added: StoredEvent[], removed: StoredEvent[]): Friendship[] {
  const byPair = new Map<string, Friendship>();
  const pair = (e: StoredEvent) => {
    const key = `${eventProp(e, 'corpId') ?? ''}|${eventProp(e, 'staffUserId') ?? eventProp(e, 'staffId') ?? ''}`;
    let f = byPair.get(key);
    if (!f) {
      f = { key, staffUserId: eventProp(e, 'staffUserId'), dealerCode: null, source: null, addedAt: null, removedAt: null, removedBy: null };
      byPair.set(key, f);
    }
    return f;
  };
  // Both lists come newest first: the first one seen per pair is the latest.
  for (const e of added) {
    const f = pair(e);
    if (f.addedAt === null) Object.assign(f, { addedAt: e.timestamp, dealerCode: eventProp(e, 'dealerCode'), source: eventProp(e, 'source') });
  }
  for (const e of removed) {
    const f = pair(e);
    if (f.removedAt === null) Object.assign(f, { removedAt: e.timestamp, removedBy: eventProp(e, 'removedBy') });
  }
  const active = (f: Friendship) => f.addedAt !== null && (f.removedAt === null || f.addedAt > f.removedAt);
  return [...byPair.values()].sort((a, b) => Number(active(b)) - Number(active(a)) || (b.addedAt ?? '').localeCompare(a.addedAt ?? ''));
}

/** The person's WeCom friendships with consultants: who, since when, and whether it still holds. */
export function WecomCard({ profileId }: { profileId: string }) {
  const t = useT(sections);
  const tv = useT(vocab);
  const f = useFormat();
  const added = useNamedEvents(profileId, STANDARD_EVENTS.wecomContactAdded);
  const removed = useNamedEvents(profileId, STANDARD_EVENTS.wecomContactRemoved);
  const rows = added.data && removed.data ? friendships(added.data.data, removed.data.data) : [];
  const columns: ColumnsType<Friendship> = [
    {
      title: t('consultant'),
      dataIndex: 'staffUserId',
      ellipsis: true,
      render: (v: string | null, r) => (
        <Flex vertical>
          <span title={v ?? undefined}>{v ?? '—'}</span>
          {r.source ? <Typography.Text type="secondary">{`${t('channelSource')}: ${r.source}`}</Typography.Text> : null}
        </Flex>
      ),
    },
    { title: t('dealer'), dataIndex: 'dealerCode', width: 80, render: (v: string | null) => v ?? '—' },
    { title: t('friendSince'), dataIndex: 'addedAt', width: 110, render: (at: string | null) => <span title={f.dateTime(at)}>{f.date(at)}</span> },
    {
      title: t('friendStatus'),
      key: 'status',
      width: 170,
      render: (_: unknown, r) =>
        r.addedAt !== null && (r.removedAt === null || r.addedAt > r.removedAt) ? (
          <Tag color="success">{t('friendActive')}</Tag>
        ) : (
          <Flex vertical>
            <span>
              <Tag>{t('friendEnded')}</Tag>
              {r.removedBy ? <Typography.Text type="secondary">{vocabLabel(tv, 'removedBy.', r.removedBy)}</Typography.Text> : null}
            </span>
            <Typography.Text type="secondary">{f.date(r.removedAt)}</Typography.Text>
          </Flex>
        ),
    },
  ];
  const error = added.error ?? removed.error;
  return (
    <Card title={t('wecom')} data-testid="customer-wecom">
      <Typography.Paragraph type="secondary">{t('wecomHint')}</Typography.Paragraph>
      {error ? <ErrorAlert error={error} /> : null}
      <Table<Friendship>
        rowKey="key"
        size="small"
        loading={added.isPending || removed.isPending}
        columns={columns}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 480 }}
        locale={{ emptyText: <EmptyState description={t('noFriends')} /> }}
      />
    </Card>
  );
}
