import { useQuery } from '@tanstack/react-query';
import { Card, Col, Flex, Row, Statistic, Table, Tooltip, Typography } from 'antd';
import { QuestionCircleOutlined } from '@ant-design/icons';
import { useMemo } from 'react';
import { wecomCodeStatsSchema, type WecomCodeStats } from '@contracts/wecom-codes';
import { api } from '../../../api/client';
import { Chart } from '../../../charts/chart';
import type { EChartsCoreOption } from '../../../charts/echarts';
import { EmptyState, QueryState } from '../../../components/page-state';
import { useFormat } from '../../../format-hooks';
import { useT } from '../../../i18n';
import { DayRangePicker, useLast90Days } from '../shared/day-range';
import { wecomKeys } from '../shared/refs';
import { messages } from './messages';

type LeadSourceRow = WecomCodeStats['byLeadSource'][number];

function DailyChart({ stats }: { stats: WecomCodeStats }) {
  const t = useT(messages);
  const option = useMemo<EChartsCoreOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 36, bottom: 28 },
      xAxis: { type: 'category', data: stats.days.map((d) => d.day.slice(5)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: t('adds'), type: 'line', smooth: false, showSymbol: false, data: stats.days.map((d) => d.adds), itemStyle: { color: '#1677ff' }, areaStyle: { opacity: 0.08 } },
        { name: t('deletedByCustomer'), type: 'line', smooth: false, showSymbol: false, data: stats.days.map((d) => d.deletedByCustomer), itemStyle: { color: '#cf1322' } },
      ],
    }),
    [stats, t],
  );
  return <Chart option={option} label={t('statsChart')} height={300} />;
}

function Totals({ stats }: { stats: WecomCodeStats }) {
  const t = useT(messages);
  const f = useFormat();
  const s = stats.totals;
  return (
    <Row gutter={[16, 16]}>
      <Col xs={12} lg={6}>
        <Statistic title={t('adds')} value={f.number(s.adds)} />
      </Col>
      <Col xs={12} lg={6}>
        <Statistic
          title={
            <span>
              {t('precipitation')}{' '}
              <Tooltip title={t('precipitationHelp')}>
                <QuestionCircleOutlined aria-label={t('precipitationHelp')} />
              </Tooltip>
            </span>
          }
          value={f.percent(s.alive7Rate)}
          valueStyle={{ color: '#389e0d' }}
        />
        <Typography.Text type="secondary">{t('alive7Of', { alive: f.number(s.alive7), matured: f.number(s.matured7) })}</Typography.Text>
      </Col>
      <Col xs={12} lg={6}>
        <Statistic title={t('alive30')} value={f.percent(s.alive30Rate)} />
        <Typography.Text type="secondary">{t('alive30Of', { alive: f.number(s.alive30), matured: f.number(s.matured30) })}</Typography.Text>
      </Col>
      <Col xs={12} lg={6}>
        <Statistic title={t('deletedRate')} value={f.percent(s.deletedByCustomerRate)} valueStyle={{ color: '#cf1322' }} />
        <Typography.Text type="secondary">
          {t('deletedByCustomer')}
          {': '}
          {f.number(s.deletedByCustomer)}
        </Typography.Text>
      </Col>
    </Row>
  );
}

function LeadSources({ rows }: { rows: LeadSourceRow[] }) {
  const t = useT(messages);
  const f = useFormat();
  return (
    <Table<LeadSourceRow>
      rowKey={(r) => r.leadSource ?? '∅'}
      size="small"
      pagination={false}
      dataSource={rows}
      locale={{ emptyText: <EmptyState /> }}
      scroll={{ x: 640 }}
      columns={[
        { title: t('leadSource'), dataIndex: 'leadSource', render: (v: string | null) => v ?? t('notLead') },
        { title: t('adds'), dataIndex: 'adds', align: 'right', render: (v: number) => f.number(v) },
        { title: t('precipitation'), dataIndex: 'alive7Rate', align: 'right', render: (v: number | null) => f.percent(v) },
        { title: t('alive30'), dataIndex: 'alive30Rate', align: 'right', render: (v: number | null) => f.percent(v) },
        { title: t('deletedRate'), dataIndex: 'deletedByCustomerRate', align: 'right', render: (v: number | null) => f.percent(v) },
      ]}
    />
  );
}

function WelcomeOutcomes({ welcome }: { welcome: WecomCodeStats['welcome'] }) {
  const t = useT(messages);
  const f = useFormat();
  return (
    <Row gutter={16}>
      {(['sent', 'pending', 'expired', 'failed'] as const).map((k) => (
        <Col span={6} key={k}>
          <Statistic title={t(`welcome.${k}`)} value={f.number(welcome[k])} />
        </Col>
      ))}
    </Row>
  );
}

/** A code's per-day adds and deletions and its precipitation figures over a chosen period. */
export function CodeStats({ codeId }: { codeId: string }) {
  const t = useT(messages);
  const [range, setRange] = useLast90Days();
  const stats = useQuery({
    queryKey: wecomKeys.codeStats(codeId, range.from, range.to),
    queryFn: () => api.get(`/api/v1/wecom/channel-codes/${codeId}/stats`, wecomCodeStatsSchema, { query: { from: range.from, to: range.to } }),
  });
  const picker = <DayRangePicker value={range} onChange={setRange} ariaLabel={t('range')} />;
  return (
    <Flex vertical gap={16}>
      <Card title={t('statsTitle')} extra={picker}>
        <QueryState query={stats}>
          {(s) => (
            <Flex vertical gap={24}>
              <Totals stats={s} />
              {s.totals.adds === 0 ? <EmptyState description={t('noDays')} /> : <DailyChart stats={s} />}
            </Flex>
          )}
        </QueryState>
      </Card>
      <Row gutter={[16, 16]}>
        <Col xs={24} xxl={14}>
          <Card title={t('byLeadSource')}>
            <QueryState query={stats}>{(s) => <LeadSources rows={s.byLeadSource} />}</QueryState>
          </Card>
        </Col>
        <Col xs={24} xxl={10}>
          <Card title={t('welcomeOutcomes')}>
            <QueryState query={stats}>{(s) => <WelcomeOutcomes welcome={s.welcome} />}</QueryState>
          </Card>
        </Col>
      </Row>
    </Flex>
  );
}
