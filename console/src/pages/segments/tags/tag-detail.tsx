import { Descriptions, Drawer, Flex, Statistic, Table, Tag as AntTag, Typography } from 'antd';
import { Link } from 'react-router';
import type { Tag, TagHistoryEntry } from '@contracts/tags';
import { QueryState } from '../../../components/page-state';
import { useFormat } from '../../../format-hooks';
import { useT } from '../../../i18n';
import { useStaffNames } from '../builder/choices';
import { CursorPager, useCursorPages } from '../../../components/cursor-pager';
import { SEGMENT_PAGE_SIZES } from '../shared/page-sizes';
import { messages } from './messages';
import { useTagDetail, useTagHistory } from './tag-api';

function TagHistory({ tagId }: { tagId: string }) {
  const t = useT(messages);
  const f = useFormat();
  const pages = useCursorPages(20);
  const history = useTagHistory(tagId, pages.cursor, pages.limit);
  const staff = useStaffNames();
  const actorName = (actor: string) => {
    if (actor === 'rule') return t('ruleActor');
    const [kind, id] = actor.split(':');
    return kind === 'staff' && id ? (staff.data?.get(id) ?? actor) : actor;
  };
  return (
    <QueryState query={history} isEmpty={(d) => d.data.length === 0 && pages.page === 1} empty={t('noHistory')}>
      {(page) => (
        <>
          <Table<TagHistoryEntry>
            size="small"
            rowKey="id"
            dataSource={page.data}
            loading={history.isFetching}
            pagination={false}
            scroll={{ x: 720 }}
            columns={[
              { title: t('at'), dataIndex: 'at', width: 170, render: (v: string) => f.dateTime(v) },
              {
                title: t('historyAction'),
                dataIndex: 'action',
                width: 80,
                render: (a: TagHistoryEntry['action']) => <AntTag color={a === 'applied' ? 'green' : 'orange'}>{t(`history.${a}`)}</AntTag>,
              },
              {
                title: t('profileId'),
                dataIndex: 'profileId',
                width: 120,
                render: (id: string) => (
                  <Link to={`/customers/${id}`} title={id}>
                    {id.slice(0, 8)}
                  </Link>
                ),
              },
              { title: t('actor'), dataIndex: 'actor', ellipsis: true, render: (a: string) => actorName(a) },
              { title: t('reasonColumn'), dataIndex: 'reason', ellipsis: true, render: (r: string | null) => r ?? '—' },
            ]}
          />
          <CursorPager pages={pages} nextCursor={page.nextCursor} loading={history.isFetching} variant="icons" pageSizes={SEGMENT_PAGE_SIZES} />
        </>
      )}
    </QueryState>
  );
}

function DetailBody({ tagId }: { tagId: string }) {
  const t = useT(messages);
  const f = useFormat();
  const detail = useTagDetail(tagId);
  return (
    <QueryState query={detail}>
      {(tag) => (
        <Flex vertical gap={16}>
          <Statistic title={t('memberCount')} value={tag.memberCount} formatter={(v) => f.number(Number(v))} />
          <Descriptions column={1} size="small" bordered>
            <Descriptions.Item label={t('name')}>{tag.name}</Descriptions.Item>
            <Descriptions.Item label={t('kind')}>{t(`kind.${tag.kind}`)}</Descriptions.Item>
            <Descriptions.Item label={t('description')}>{tag.description ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('refreshedAt')}>{f.dateTime(tag.refreshedAt)}</Descriptions.Item>
            <Descriptions.Item label={t('updatedAt')}>{f.dateTime(tag.updatedAt)}</Descriptions.Item>
          </Descriptions>
          <Typography.Title level={5} style={{ margin: 0 }}>
            {t('history')}
          </Typography.Title>
          <TagHistory tagId={tag.id} />
        </Flex>
      )}
    </QueryState>
  );
}

/** A tag's member count and its history of being given and taken. */
export function TagDetailDrawer({ tag, onClose }: { tag: Tag | undefined; onClose: () => void }) {
  const t = useT(messages);
  return (
    <Drawer open={tag !== undefined} onClose={onClose} title={tag ? `${t('detail')} · ${tag.name}` : t('detail')} width="min(820px, 92vw)" destroyOnHidden>
      {tag ? <DetailBody key={tag.id} tagId={tag.id} /> : null}
    </Drawer>
  );
}
