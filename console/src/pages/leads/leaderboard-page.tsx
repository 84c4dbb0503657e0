import { useQuery } from '@tanstack/react-query';
import { Card, Col, DatePicker, Flex, Row, Segmented, Select, Statistic } from 'antd';
import dayjs from 'dayjs';
import { useCallback, useState } from 'react';
import { leadKpisSchema, type KpiGroup } from '@contracts/kpis';
import { api } from '../../api/client';
import { useMe } from '../../auth/session';
import { QueryState } from '../../components/page-state';
import { isoDay } from '../../format';
import { useFormat } from '../../format-hooks';
import { useT } from '../../i18n';
import { LEADS_KEY } from './api';
import { LeaderboardChart } from './leaderboard-chart';
import { leaderboardMessages } from './leaderboard-messages';
import { METRICS, type Metric } from './leaderboard-metrics';
import { LeaderboardTable } from './leaderboard-table';
import { PageTitle } from './page-title';

type Board = 'org_unit' | 'consultant';
type Preset = '30' | '90' | '365' | 'custom';
const DAY_MS = 86_400_000;
const DAY = 'YYYY-MM-DD';

/** KPI leaderboards of dealers and of consultants over a period of lead creation (docs/kpis.md). */
export function LeaderboardPage() {
  const t = useT(leaderboardMessages);
  const f = useFormat();
  const me = useMe();
  // Dealer staff see one dealer: their consultants are the board worth opening first.
  const [board, setBoard] = useState<Board>(me.scope.kind === 'all' ? 'org_unit' : 'consultant');
  const [metric, setMetric] = useState<Metric>('orders');
  const [preset, setPreset] = useState<Preset>('90');
  const [range, setRange] = useState<[string, string] | null>(null);
  const today = isoDay(new Date(), f.timeZone);
  const from = preset === 'custom' && range ? range[0] : isoDay(new Date(Date.now() - (Number(preset === 'custom' ? '90' : preset) - 1) * DAY_MS), f.timeZone);
  // `to` is exclusive: the day after the last day chosen, or now.
  const to = preset === 'custom' && range ? dayjs(range[1]).add(1, 'day').format(DAY) : undefined;

  const kpis = useQuery({
    queryKey: [LEADS_KEY, 'kpis', board, from, to ?? null],
    queryFn: ({ signal }) => api.get('/api/v1/kpis/leads', leadKpisSchema, { query: { from, to, groupBy: board }, signal }),
    placeholderData: (prev) => prev,
  });
  const nameOf = useCallback((g: KpiGroup) => (g.key === null ? (board === 'org_unit' ? t('hqPool') : t('unassigned')) : (g.name ?? g.code ?? g.key)), [board, t]);

  return (
    <Flex vertical gap={16} data-testid="leaderboard-page">
      <PageTitle
        title={t('title')}
        subtitle={t('subtitle')}
        extra={
          <Flex gap={8} wrap align="center">
            <Segmented<Preset>
              aria-label={t('period')}
              value={preset}
              onChange={setPreset}
              options={[
                { value: '30', label: t('last30') },
                { value: '90', label: t('last90') },
                { value: '365', label: t('last365') },
                { value: 'custom', label: t('custom') },
              ]}
            />
            {preset === 'custom' && (
              <DatePicker.RangePicker
                aria-label={t('period')}
                placeholder={[t('from'), t('to')]}
                value={range ? [dayjs(range[0]), dayjs(range[1])] : null}
                disabledDate={(d) => d.format(DAY) > today}
                onChange={(r) => setRange(r?.[0] && r[1] ? [r[0].format(DAY), r[1].format(DAY)] : null)}
              />
            )}
          </Flex>
        }
      />
      <Card>
        <Flex justify="space-between" align="center" wrap gap={8} style={{ marginBottom: 16 }}>
          <Segmented<Board>
            aria-label={t('board')}
            value={board}
            onChange={setBoard}
            options={[
              { value: 'org_unit', label: t('dealers') },
              { value: 'consultant', label: t('consultants') },
            ]}
          />
          <Select<Metric>
            aria-label={t('rankBy')}
            value={metric}
            onChange={setMetric}
            style={{ width: 200 }}
            options={METRICS.map((m) => ({ value: m, label: t('rankByMetric', { metric: t(`metric.${m}`) }) }))}
          />
        </Flex>
        <QueryState query={kpis}>
          {(data) => (
            <Flex vertical gap={16} data-testid={`leaderboard-${board}`}>
              <Row gutter={16}>
                <Col span={6}>
                  <Statistic title={t('metric.leads')} value={f.number(data.total.counts.leads)} />
                </Col>
                <Col span={6}>
                  <Statistic title={t('metric.orders')} value={f.number(data.total.counts.orders)} />
                </Col>
                <Col span={6}>
                  <Statistic title={t('metric.visitRate')} value={f.percent(data.total.visitRate.rate)} />
                </Col>
                <Col span={6}>
                  <Statistic title={t('metric.orderConversion')} value={f.percent(data.total.orderConversion.rate)} />
                </Col>
              </Row>
              {data.groups.length > 0 && (
                <LeaderboardChart groups={data.groups} metric={metric} nameOf={nameOf} label={t('chartLabel', { metric: t(`metric.${metric}`), board: board === 'org_unit' ? t('dealers') : t('consultants') })} />
              )}
              <LeaderboardTable groups={data.groups} metric={metric} onSort={setMetric} nameOf={nameOf} />
            </Flex>
          )}
        </QueryState>
      </Card>
    </Flex>
  );
}
