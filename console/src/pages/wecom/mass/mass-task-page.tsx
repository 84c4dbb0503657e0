import { ArrowLeftOutlined, ReloadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Col, Descriptions, Flex, Row, Space, Statistic, Tag, Typography } from 'antd';
import { useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { wecomMassDetailSchema, type WecomMassDetail } from '@contracts/wecom-mass';
import { api } from '../../../api/client';
import { QueryState } from '../../../components/page-state';
import { useFormat } from '../../../format-hooks';
import { common } from '../../../i18n/common';
import { useT } from '../../../i18n';
import { wecomShared } from '../shared/messages';
import { wecomKeys } from '../shared/refs';
import { useAudienceNames } from './audience-names';
import { MassConsultants } from './mass-consultants';
import { MassRecipients, type RecipientFilters } from './mass-recipients';
import { MassSkips } from './mass-skips';
import { messages } from './messages';
import { LIVE_STATES, MassStateTag } from './vocab';

function Counts({ task }: { task: WecomMassDetail }) {
  const t = useT(messages);
  const f = useFormat();
  const c = task.counts;
  const items = [
    { key: 'audience', label: t('audienceCount'), value: c.audience },
    { key: 'queued', label: t('status.queued'), value: c.queued },
    { key: 'waiting', label: t('status.waiting'), value: c.waiting },
    { key: 'sent', label: t('status.sent'), value: c.sent },
    { key: 'notFriend', label: t('status.not_friend'), value: c.notFriend },
    { key: 'wecomCap', label: t('status.wecom_cap'), value: c.wecomCap },
    { key: 'unsent', label: t('status.unsent'), value: c.unsent },
    { key: 'failed', label: t('status.failed'), value: c.failed },
  ];
  return (
    <Row gutter={[16, 16]}>
      {items.map((i) => (
        <Col key={i.key} xs={12} md={6}>
          <Statistic title={i.label} value={f.number(i.value)} />
        </Col>
      ))}
    </Row>
  );
}

function TaskInfo({ task }: { task: WecomMassDetail }) {
  const t = useT(messages);
  const ts = useT(wecomShared);
  const f = useFormat();
  const names = useAudienceNames();
  const cap = task.cap;
  const audienceId = task.audience.segmentId ?? task.audience.tagId ?? '';
  return (
    <Descriptions column={1} size="small">
      <Descriptions.Item label={t('audience')}>
        {`${task.audience.segmentId ? t('segment') : t('tag')} · ${names.get(audienceId) ?? audienceId}`}
      </Descriptions.Item>
      <Descriptions.Item label={t('cap')}>
        {cap ? t('capValue', { limit: f.number(cap.limit), period: t(`period.${cap.period}`), from: f.date(cap.from), until: f.dateTime(cap.until) }) : '—'}
      </Descriptions.Item>
      <Descriptions.Item label={ts('createdAt')}>{f.dateTime(task.createdAt)}</Descriptions.Item>
      <Descriptions.Item label={t('preparedAt')}>{f.dateTime(task.preparedAt)}</Descriptions.Item>
      <Descriptions.Item label={t('sentAtTask')}>{f.dateTime(task.sentAt)}</Descriptions.Item>
      <Descriptions.Item label={t('resultsUntil')}>{f.dateTime(task.resultsUntil)}</Descriptions.Item>
      <Descriptions.Item label={t('finishedAt')}>{f.dateTime(task.finishedAt)}</Descriptions.Item>
    </Descriptions>
  );
}

function Content({ task }: { task: WecomMassDetail }) {
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {task.content.text ? <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: 0 }}>{task.content.text}</Typography.Paragraph> : null}
      <Flex wrap gap={8}>
        {(task.content.attachments ?? []).map((a, i) => (
          <Tag key={`${a.title}-${i}`} color={a.type === 'link' ? 'blue' : 'green'}>
            {a.title}
          </Tag>
        ))}
      </Flex>
    </Space>
  );
}

/** WeCom's refusals of consultants' shares, in the API's words, so they are read in full. */
function ShareErrors({ task }: { task: WecomMassDetail }) {
  const t = useT(messages);
  const failed = task.byConsultant.filter((c) => c.errors.length > 0);
  if (failed.length === 0) return null;
  return (
    <Alert
      type="error"
      showIcon
      style={{ marginBottom: 12 }}
      message={t('errors')}
      description={
        <ul style={{ margin: 0, paddingInlineStart: 18 }}>
          {failed.flatMap((c) => c.errors.map((e, i) => <li key={`${c.wecomUserId}-${i}`}>{`${c.wecomUserId}: ${e}`}</li>))}
        </ul>
      }
    />
  );
}

export function MassTaskPage() {
  const t = useT(messages);
  const ts = useT(wecomShared);
  const tc = useT(common);
  const { id = '' } = useParams();
  const [filters, setFilters] = useState<RecipientFilters>({});
  const recipientsRef = useRef<HTMLDivElement>(null);
  const task = useQuery({
    queryKey: wecomKeys.massTask(id),
    queryFn: () => api.get(`/api/v1/wecom/mass-messages/${id}`, wecomMassDetailSchema),
    refetchInterval: (q) => (q.state.data && LIVE_STATES.includes(q.state.data.state) ? 10_000 : false),
  });
  const pick = (next: RecipientFilters) => {
    setFilters(next);
    recipientsRef.current?.scrollIntoView({ behavior: 'smooth', block: 'start' });
  };

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Link to="/wecom/mass">
        <ArrowLeftOutlined /> {tc('back')}
      </Link>
      <QueryState query={task}>
        {(m) => (
          <Flex vertical gap={16}>
            <Flex justify="space-between" align="center" wrap gap={12}>
              <Space align="center" wrap>
                <Typography.Title level={3} style={{ margin: 0 }}>
                  {m.name}
                </Typography.Title>
                <MassStateTag state={m.state} />
              </Space>
              <Button icon={<ReloadOutlined />} onClick={() => void task.refetch()}>
                {ts('refresh')}
              </Button>
            </Flex>
            {m.error ? <Alert type="error" showIcon message={t('taskError')} description={`${m.error.code}: ${m.error.message}`} /> : null}
            {m.state === 'queued' ? <Alert type="info" showIcon message={t('notReady')} /> : null}
            <Row gutter={[16, 16]}>
              <Col xs={24} xl={15}>
                <Card title={t('counts')} style={{ height: '100%' }}>
                  <Counts task={m} />
                </Card>
              </Col>
              <Col xs={24} xl={9}>
                <Card title={ts('detail')} style={{ height: '100%' }}>
                  <TaskInfo task={m} />
                </Card>
              </Col>
            </Row>
            <Row gutter={[16, 16]}>
              <Col xs={24} xl={15}>
                <Card title={t('skips')} style={{ height: '100%' }}>
                  <MassSkips counts={m.counts} onPick={(reason) => pick({ status: 'skipped', reason })} />
                </Card>
              </Col>
              <Col xs={24} xl={9}>
                <Card title={t('content')} style={{ height: '100%' }}>
                  <Content task={m} />
                </Card>
              </Col>
            </Row>
            <Card title={t('byConsultant')}>
              <ShareErrors task={m} />
              <MassConsultants rows={m.byConsultant} onPick={(wecomUserId) => pick({ wecomUserId })} />
            </Card>
            <div ref={recipientsRef}>
              <Card title={t('recipients')}>
                <MassRecipients
                  taskId={m.id}
                  filters={filters}
                  onFilters={setFilters}
                  consultants={m.byConsultant.map((c) => c.wecomUserId)}
                  live={LIVE_STATES.includes(m.state)}
                />
              </Card>
            </div>
          </Flex>
        )}
      </QueryState>
    </Space>
  );
}
