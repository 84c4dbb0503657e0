import { Card, Table, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import type { Segment, SegmentChange, SegmentMember } from '@contracts/segments';
import { QueryState } from '../../components/page-state';
import { useFormat } from '../../format-hooks';
import { useT } from '../../i18n';
import { useChanges, useMembers } from './api';
import { messages } from './messages';
import { CursorPager, useCursorPages } from '../../components/cursor-pager';
import { SEGMENT_PAGE_SIZES } from './shared/page-sizes';

function ProfileLink({ id }: { id: string }) {
  return (
    <Link to={`/customers/${id}`} title={id}>
      <Typography.Text code>{id}</Typography.Text>
    </Link>
  );
}

/** The segment's current members in the viewer's data scope, read page by page from the server. */
export function SegmentMembers({ segment }: { segment: Segment }) {
  const t = useT(messages);
  const f = useFormat();
  const pages = useCursorPages(20);
  const members = useMembers(segment.id, pages.cursor, pages.limit);
  return (
    <Card title={t('members')} extra={<Typography.Text type="secondary">{t('membersHint')}</Typography.Text>} data-testid="segment-members">
      <QueryState query={members} isEmpty={(d) => d.data.length === 0 && pages.page === 1} empty={t('noMembers')}>
        {(page) => (
          <>
            <Table<SegmentMember>
              size="small"
              rowKey="profileId"
              dataSource={page.data}
              loading={members.isFetching}
              pagination={false}
              scroll={{ x: 600 }}
              columns={[
                { title: t('profileId'), dataIndex: 'profileId', render: (id: string) => <ProfileLink id={id} /> },
                { title: t('enteredAt'), dataIndex: 'enteredAt', width: 220, render: (v: string) => f.dateTime(v) },
              ]}
            />
            <CursorPager pages={pages} nextCursor={page.nextCursor} loading={members.isFetching} variant="icons" pageSizes={SEGMENT_PAGE_SIZES} />
          </>
        )}
      </QueryState>
    </Card>
  );
}

/** Entries and exits, in the order they happened, read page by page from the server. */
export function SegmentChanges({ segment }: { segment: Segment }) {
  const t = useT(messages);
  const f = useFormat();
  const pages = useCursorPages(20);
  const changes = useChanges(segment.id, pages.cursor, pages.limit);
  return (
    <QueryState query={changes} isEmpty={(d) => d.data.length === 0 && pages.page === 1} empty={t('noChanges')}>
      {(page) => (
        <>
          <Table<SegmentChange>
            size="small"
            rowKey="id"
            dataSource={page.data}
            loading={changes.isFetching}
            pagination={false}
            scroll={{ x: 600 }}
            columns={[
              { title: t('at'), dataIndex: 'at', width: 200, render: (v: string) => f.dateTime(v) },
              {
                title: t('change'),
                dataIndex: 'kind',
                width: 100,
                render: (k: SegmentChange['kind']) => <Tag color={k === 'segment_entered' ? 'green' : 'orange'}>{t(`change.${k}`)}</Tag>,
              },
              { title: t('profileId'), dataIndex: 'profileId', render: (id: string) => <ProfileLink id={id} /> },
            ]}
          />
          <CursorPager pages={pages} nextCursor={page.nextCursor} loading={changes.isFetching} variant="icons" pageSizes={SEGMENT_PAGE_SIZES} />
        </>
      )}
    </QueryState>
  );
}
