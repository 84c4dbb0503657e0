import { Col, Divider, Flex, Row, Statistic, Typography } from 'antd';
import { useMemo, type CSSProperties } from 'react';
import type { KpiCounts, LeadKpis } from '@contracts/kpis';
import { Chart } from '../../charts/chart';
import type { EChartsCoreOption } from '../../charts/echarts';
import { QueryState } from '../../components/page-state';
import { useFormat } from '../../format-hooks';
import { useT } from '../../i18n';
import { bucketLabel, granularityOf, RATE_KPIS, rateLabel } from './kpi-shared';
import { MUTED } from './labels';
import { messages, type OverviewKey } from './messages';
import type { useLeadKpis } from './queries';
import { WidgetCard } from './widget-card';

const COUNTS = [
  { field: 'received', key: 'count.received' },
  { field: 'valid', key: 'count.valid' },
  { field: 'assigned', key: 'count.assigned' },
  { field: 'prospects', key: 'count.prospects' },
  { field: 'visits', key: 'count.visits' },
  { field: 'testDrives', key: 'count.testDrives' },
  { field: 'orders', key: 'count.orders' },
  { field: 'deliveries', key: 'count.deliveries' },
  { field: 'followUpPending', key: 'count.followUpPending' },
  { field: 'defeatsPending', key: 'count.defeatsPending' },
] as const satisfies readonly { field: keyof KpiCounts; key: OverviewKey }[];

const TILE: CSSProperties = { border: '1px solid #f0f0f0', borderRadius: 8, padding: '12px 12px 4px', height: '100%' };

/** A small line of one figure over the buckets; the tooltip names the bucket. */
function Sparkline({ values, labels, label, format }: { values: (number | null)[]; labels: string[]; label: string; format: (n: number) => string }) {
  const option = useMemo<EChartsCoreOption>(
    () => ({
      grid: { left: 2, right: 2, top: 6, bottom: 2 },
      tooltip: { trigger: 'axis', confine: true, valueFormatter: (v: unknown) => (typeof v === 'number' ? format(v) : '—') },
      xAxis: { type: 'category', show: false, data: labels, boundaryGap: false },
      yAxis: { type: 'value', show: false, min: 0 },
      // A bucket without a denominator has no rate: the line bridges it rather than dropping to zero.
      series: [{ type: 'line', data: values, connectNulls: true, symbol: 'none', lineStyle: { width: 1.5 }, areaStyle: { opacity: 0.12 } }],
    }),
    [values, labels, format],
  );
  return <Chart option={option} label={label} height={44} />;
}

function KpiTiles({ data }: { data: LeadKpis }) {
  const t = useT(messages);
  const f = useFormat();
  const labels = useMemo(() => data.groups.map((g) => bucketLabel(t, g, granularityOf(data))), [data, t]);
  const sparkValues = useMemo(
    () => Object.fromEntries(RATE_KPIS.map((k) => [k.field, data.groups.map((g) => g[k.field].rate)])),
    [data.groups],
  );
  const total = data.total;
  return (
    <>
      <Row gutter={[12, 12]}>
        {RATE_KPIS.map((k) => {
          const name = rateLabel(t, k, data);
          const figure = total[k.field];
          return (
            <Col key={k.field} xs={12} md={8} lg={6} xxl={3}>
              <div style={TILE} data-testid={`overview-kpi-${k.field}`}>
                <Statistic title={name} value={f.percent(figure.rate)} />
                <Typography.Text style={{ ...MUTED, fontSize: 12 }}>
                  {t('kpi.fraction', { n: f.number(figure.numerator), d: f.number(figure.denominator) })}
                </Typography.Text>
                {labels.length > 1 && <Sparkline values={sparkValues[k.field] ?? []} labels={labels} label={t('kpi.sparkline', { name })} format={f.percent} />}
              </div>
            </Col>
          );
        })}
      </Row>
      <Divider style={{ margin: '16px 0 12px' }} />
      <Flex wrap gap="large" justify="space-between">
        {COUNTS.map((c) => (
          <Statistic key={c.field} title={t(c.key)} value={f.number(total.counts[c.field])} valueStyle={{ fontSize: 20 }} />
        ))}
        <Statistic
          title={t('kpi.avgDaysToOrder')}
          value={total.avgDaysToOrder.average === null ? '—' : t('kpi.days', { n: f.number(total.avgDaysToOrder.average) })}
          valueStyle={{ fontSize: 20 }}
        />
      </Flex>
    </>
  );
}

/** The lead funnel KPIs of the period as statistic tiles, each with its trend per week or month. */
export function KpiTilesCard({ query, scope }: { query: ReturnType<typeof useLeadKpis>; scope: string }) {
  const t = useT(messages);
  return (
    <WidgetCard testId="overview-kpis" title={t('kpi.title')} scope={scope}>
      <QueryState query={query} isEmpty={(d) => d.total.counts.received === 0} empty={t('kpi.empty')}>
        {(data) => <KpiTiles data={data} />}
      </QueryState>
    </WidgetCard>
  );
}
