import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Space, Table } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { Link } from 'react-router';
import { wecomMassListSchema, type WecomMassMessage } from '@contracts/wecom-mass';
import { api } from '../../../api/client';
import { hasRole, useMe } from '../../../auth/session';
import { EmptyState, QueryState } from '../../../components/page-state';
import { useFormat } from '../../../format-hooks';
import { useT } from '../../../i18n';
import { CursorPager, useCursorPages } from '../../../components/cursor-pager';
import { wecomShared } from '../shared/messages';
import { WecomPageHeader } from '../shared/page-header';
import { wecomKeys } from '../shared/refs';
import { useAudienceNames } from './audience-names';
import { MassCreateDrawer } from './mass-create-drawer';
import { messages } from './messages';
import { LIVE_STATES, MassStateTag, skippedTotal } from './vocab';

const PAGE_SIZE = 20;

export function MassPage() {
  const t = useT(messages);
  const ts = useT(wecomShared);
  const f = useFormat();
  const me = useMe();
  const pages = useCursorPages();
  const [creating, setCreating] = useState(false);
  const names = useAudienceNames();
  const list = useQuery({
    queryKey: wecomKeys.mass(pages.cursor),
    queryFn: () => api.get('/api/v1/wecom/mass-messages', wecomMassListSchema, { query: { limit: PAGE_SIZE, cursor: pages.cursor } }),
    refetchInterval: (q) => (q.state.data?.data.some((m) => LIVE_STATES.includes(m.state)) ? 15_000 : false),
  });
  const canCreate = hasRole(me, ['admin', 'hq_ops', 'dealer_manager']);

  const columns: ColumnsType<WecomMassMessage> = [
    {
      title: t('name'),
      dataIndex: 'name',
      width: 220,
      fixed: 'left',
      ellipsis: { showTitle: true },
      render: (name: string, m) => <Link to={`/wecom/mass/${m.id}`}>{name}</Link>,
    },
    { title: t('state'), dataIndex: 'state', width: 110, render: (s: WecomMassMessage['state']) => <MassStateTag state={s} /> },
    {
      title: t('audience'),
      key: 'audience',
      width: 220,
      ellipsis: { showTitle: true },
      render: (_, m) => {
        const id = m.audience.segmentId ?? m.audience.tagId ?? '';
        const kind = m.audience.segmentId ? t('segment') : t('tag');
        return `${kind} · ${names.get(id) ?? id}`;
      },
    },
    { title: t('audienceCount'), key: 'n', width: 100, align: 'right', render: (_, m) => f.number(m.counts.audience) },
    { title: t('sent'), key: 'sent', width: 100, align: 'right', render: (_, m) => f.number(m.counts.sent) },
    { title: t('waiting'), key: 'waiting', width: 110, align: 'right', render: (_, m) => f.number(m.counts.waiting) },
    { title: t('status.failed'), key: 'failed', width: 90, align: 'right', render: (_, m) => f.number(m.counts.failed) },
    { title: t('skippedTotal'), key: 'skipped', width: 100, align: 'right', render: (_, m) => f.number(skippedTotal(m.counts)) },
    { title: ts('createdAt'), dataIndex: 'createdAt', width: 150, render: (v: string) => f.dateTime(v) },
  ];

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <WecomPageHeader
        title={t('title')}
        intro={t('intro')}
        extra={
          <Space>
            <Button icon={<ReloadOutlined />} onClick={() => void list.refetch()} aria-label={ts('refresh')} />
            {canCreate ? (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
                {t('newTask')}
              </Button>
            ) : null}
          </Space>
        }
      />
      <Card>
        <QueryState query={list}>
          {(data) => (
            <>
              <Table<WecomMassMessage>
                data-testid="wecom-mass-table"
                rowKey="id"
                size="middle"
                columns={columns}
                dataSource={data.data}
                pagination={false}
                scroll={{ x: 1200 }}
                locale={{ emptyText: <EmptyState /> }}
              />
              <CursorPager pages={pages} nextCursor={data.nextCursor} variant="arrows" withPageSize={false} />
            </>
          )}
        </QueryState>
      </Card>
      <MassCreateDrawer open={creating} onClose={() => setCreating(false)} />
    </Space>
  );
}
