import { Segmented } from 'antd';
import { useMemo } from 'react';
import type { LeadKpis } from '@contracts/kpis';
import { Chart } from '../../charts/chart';
import type { EChartsCoreOption } from '../../charts/echarts';
import { QueryState } from '../../components/page-state';
import { useFormat } from '../../format-hooks';
import { useT } from '../../i18n';
import type { Granularity } from './filter-state';
import { bucketAxisLabel, bucketLabel, granularityOf, RATE_KPIS, rateLabel, type RateField } from './kpi-shared';
import { messages } from './messages';
import type { useLeadKpis } from './queries';
import { WidgetCard } from './widget-card';

/** Shown at first; the others are one legend click away, so the chart stays readable. */
const FIRST_SHOWN: readonly RateField[] = ['followUpRate', 'visitRate', 'testDriveRate', 'orderConversion'];

function TrendChart({ data }: { data: LeadKpis }) {
  const t = useT(messages);
  const f = useFormat();
  const option = useMemo<EChartsCoreOption>(() => {
    const fmt = f.number;
    const granularity = granularityOf(data);
    const leadsName = t('count.leads');
    const names = RATE_KPIS.map((k) => rateLabel(t, k, data));
    const selected: Record<string, boolean> = { [leadsName]: true };
    RATE_KPIS.forEach((k, i) => {
      selected[names[i] ?? k.field] = FIRST_SHOWN.includes(k.field);
    });
    return {
      tooltip: { trigger: 'axis', confine: true },
      // A plain legend wraps onto more lines instead of hiding series behind page arrows.
      legend: { top: 0, selected, itemGap: 12 },
      grid: { left: 8, right: 8, top: 84, bottom: 8, containLabel: true },
      xAxis: {
        type: 'category',
        // The tooltip names the whole bucket; the axis keeps it short.
        data: data.groups.map((g) => bucketLabel(t, g, granularity)),
        axisLabel: { hideOverlap: true, formatter: (_: string, i: number) => { const g = data.groups[i]; return g ? bucketAxisLabel(g, granularity) : ''; } },
      },
      yAxis: [
        { type: 'value', min: 0, max: 1, axisLabel: { formatter: (v: number) => f.percent(v) } },
        { type: 'value', min: 0, minInterval: 1, splitLine: { show: false }, axisLabel: { formatter: fmt } },
      ],
      series: [
        {
          type: 'bar',
          name: leadsName,
          yAxisIndex: 1,
          barMaxWidth: 24,
          itemStyle: { color: '#d9d9d9' },
          tooltip: { valueFormatter: (v: unknown) => (typeof v === 'number' ? fmt(v) : '—') },
          data: data.groups.map((g) => g.counts.leads),
        },
        ...RATE_KPIS.map((k, i) => ({
          type: 'line',
          name: names[i],
          yAxisIndex: 0,
          connectNulls: false,
          symbolSize: 5,
          tooltip: { valueFormatter: (v: unknown) => (typeof v === 'number' ? f.percent(v) : '—') },
          data: data.groups.map((g) => g[k.field].rate),
        })),
      ],
    };
  }, [data, t, f]);
  return <Chart option={option} label={t('trend.chart')} height={380} />;
}

/** The rate KPIs per week or month of the period, over the number of leads. */
export function KpiTrendCard({
  query,
  granularity,
  onGranularity,
  scope,
}: {
  query: ReturnType<typeof useLeadKpis>;
  granularity: Granularity;
  onGranularity: (g: Granularity) => void;
  scope: string;
}) {
  const t = useT(messages);
  const switcher = (
    <Segmented<Granularity>
      size="small"
      aria-label={t('trend.granularity')}
      data-testid="overview-trend-granularity"
      value={granularity}
      options={[
        { label: t('trend.week'), value: 'week' },
        { label: t('trend.month'), value: 'month' },
      ]}
      onChange={onGranularity}
    />
  );
  return (
    <WidgetCard testId="overview-kpi-trend" title={t('trend.title')} scope={scope} extra={switcher}>
      <QueryState query={query} isEmpty={(d) => d.total.counts.received === 0} empty={t('kpi.empty')}>
        {(data) => <TrendChart data={data} />}
      </QueryState>
    </WidgetCard>
  );
}
