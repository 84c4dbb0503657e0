import { ClockCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Card, Flex, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { Segment } from '@contracts/segments';
import { Link, useNavigate } from 'react-router';
import { QueryState } from '../../components/page-state';
import { useFormat } from '../../format-hooks';
import { common } from '../../i18n/common';
import { useT } from '../../i18n';
import { useSegments } from './api';
import { messages } from './messages';

export function SegmentStateTag({ segment }: { segment: Segment }) {
  const t = useT(messages);
  return <Tag color={segment.state === 'ready' ? 'success' : 'processing'}>{t(`state.${segment.state}`)}</Tag>;
}

/** Saved segments: name, size, state and when they changed. */
export function SegmentsPage() {
  const t = useT(messages);
  const tc = useT(common);
  const f = useFormat();
  const segments = useSegments();
  const navigate = useNavigate();
  return (
    <Flex vertical gap={16}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <div>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {t('listTitle')}
          </Typography.Title>
          <Typography.Text type="secondary">{t('listIntro')}</Typography.Text>
        </div>
        <Button type="primary" icon={<PlusOutlined />} data-testid="segment-new" onClick={() => void navigate('/segments/new')}>
          {t('newSegment')}
        </Button>
      </Flex>
      <Card>
        <QueryState query={segments} isEmpty={(d) => d.data.length === 0} empty={t('noSegments')}>
          {(data) => (
            <Table<Segment>
              data-testid="segment-list"
              rowKey="id"
              dataSource={data.data}
              scroll={{ x: 900 }}
              pagination={{ defaultPageSize: 20, showSizeChanger: true, showTotal: (n) => tc('total', { n }) }}
              columns={[
                {
                  title: t('name'),
                  dataIndex: 'name',
                  ellipsis: { showTitle: false },
                  render: (_, s) => (
                    <Space direction="vertical" size={0} style={{ maxWidth: '100%' }}>
                      <Link to={`/segments/${s.id}`} title={s.name}>
                        {s.name}
                      </Link>
                      {s.description ? (
                        <Typography.Text type="secondary" ellipsis={{ tooltip: s.description }} style={{ fontSize: 12 }}>
                          {s.description}
                        </Typography.Text>
                      ) : null}
                    </Space>
                  ),
                },
                {
                  title: t('memberCount'),
                  dataIndex: 'memberCount',
                  width: 140,
                  align: 'right',
                  render: (n: number) => f.number(n),
                },
                {
                  title: t('state'),
                  dataIndex: 'state',
                  width: 150,
                  render: (_, s) => (
                    <Space size={4}>
                      <SegmentStateTag segment={s} />
                      {s.timeDependent ? (
                        <Tooltip title={t('timeDependent')}>
                          <ClockCircleOutlined aria-label={t('timeDependent')} />
                        </Tooltip>
                      ) : null}
                    </Space>
                  ),
                },
                { title: t('refreshedAt'), dataIndex: 'refreshedAt', width: 180, render: (v: string | null) => f.dateTime(v) },
                { title: t('updatedAt'), dataIndex: 'updatedAt', width: 180, render: (v: string) => f.dateTime(v) },
              ]}
            />
          )}
        </QueryState>
      </Card>
    </Flex>
  );
}
