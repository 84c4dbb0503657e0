import { Col, Drawer, Row, Statistic, Table, Typography } from 'antd';
import { EmptyState, QueryState } from '../../../components/page-state';
import { useFormat } from '../../../format-hooks';
import { useT } from '../../../i18n';
import { useWecomInbox, type WecomConnector } from './api';
import { messages } from './messages';

/** Whether WeCom's callbacks arrive and are applied: the backlog, the last day's outcomes, the latest failures. */
export function WecomInbox({ connector, onClose }: { connector: WecomConnector | null; onClose: () => void }) {
  const t = useT(messages);
  const f = useFormat();
  const inbox = useWecomInbox(connector?.id ?? null);
  return (
    <Drawer open={connector !== null} onClose={onClose} width={720} title={connector ? t('inboxTitle', { corp: connector.corpId }) : ''}>
      {connector ? (
        <QueryState query={inbox}>
          {(data) => (
            <>
              <Row gutter={[16, 16]} style={{ marginBottom: 24 }}>
                <Col span={8}>
                  <Statistic title={t('pending')} value={data.pending} />
                </Col>
                <Col span={16}>
                  <Statistic title={t('oldestPending')} value={f.dateTime(data.oldestPendingAt)} />
                </Col>
                <Col span={8}>
                  <Statistic title={t('applied24h')} value={data.last24h.applied} />
                </Col>
                <Col span={8}>
                  <Statistic title={t('ignored24h')} value={data.last24h.ignored} />
                </Col>
                <Col span={8}>
                  <Statistic title={t('failed24h')} value={data.last24h.failed} valueStyle={data.last24h.failed > 0 ? { color: '#cf1322' } : undefined} />
                </Col>
              </Row>
              <Typography.Title level={5}>{t('failures')}</Typography.Title>
              <Table
                size="small"
                rowKey={(r) => `${r.receivedAt}-${r.event}-${r.changeType ?? ''}`}
                pagination={false}
                dataSource={data.failures}
                locale={{ emptyText: <EmptyState /> }}
                scroll={{ x: 640 }}
                columns={[
                  { title: t('receivedAt'), dataIndex: 'receivedAt', width: 160, render: (at: string) => f.dateTime(at) },
                  { title: t('event'), dataIndex: 'event', width: 160 },
                  { title: t('changeType'), dataIndex: 'changeType', width: 160, render: (v: string | null) => v ?? '—' },
                  { title: t('error'), dataIndex: 'error', ellipsis: { showTitle: true }, render: (v: string | null) => v ?? '—' },
                ]}
              />
            </>
          )}
        </QueryState>
      ) : null}
    </Drawer>
  );
}
