import { Typography } from 'antd';
import { useMemo } from 'react';
import type { LeadKpis } from '@contracts/kpis';
import { Chart } from '../../charts/chart';
import type { EChartsCoreOption } from '../../charts/echarts';
import { QueryState } from '../../components/page-state';
import { useFormat } from '../../format-hooks';
import { useT } from '../../i18n';
import { MUTED, sourceName } from './labels';
import { messages } from './messages';
import type { useLeadKpis } from './queries';
import { WidgetCard } from './widget-card';

function PrecipitationChart({ data }: { data: LeadKpis }) {
  const t = useT(messages);
  const f = useFormat();
  const rows = data.precipitationBySource;
  const option = useMemo<EChartsCoreOption>(() => {
    const fmt = f.number;
    const valueFormatter = (v: unknown) => (typeof v === 'number' ? fmt(v) : '—');
    return {
      color: ['#52c41a', '#d9d9d9'],
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        confine: true,
        formatter: (params: { dataIndex: number }[]) => {
          const row = rows[params[0]?.dataIndex ?? -1];
          if (!row) return '';
          const p = row.precipitation;
          return [
            sourceName(t, row.source),
            `${t('count.leads')}: ${fmt(p.denominator)}`,
            `${t('precip.reached')}: ${fmt(p.numerator)}`,
            `${t('precip.rate')}: ${f.percent(p.rate)}`,
          ].join('<br/>');
        },
      },
      legend: { top: 0 },
      grid: { left: 8, right: 56, top: 32, bottom: 8, containLabel: true },
      // Largest source at the top, as the API lists them.
      yAxis: { type: 'category', inverse: true, data: rows.map((r) => sourceName(t, r.source)), axisLabel: { interval: 0 } },
      xAxis: { type: 'value', minInterval: 1, axisLabel: { formatter: fmt } },
      series: [
        {
          type: 'bar',
          name: t('precip.reached'),
          stack: 'leads',
          barMaxWidth: 18,
          tooltip: { valueFormatter },
          data: rows.map((r) => r.precipitation.numerator),
        },
        {
          type: 'bar',
          name: t('precip.notReached'),
          stack: 'leads',
          barMaxWidth: 18,
          data: rows.map((r) => r.precipitation.denominator - r.precipitation.numerator),
          label: {
            show: true,
            position: 'right',
            color: '#595959',
            formatter: (p: { dataIndex: number }) => f.percent(rows[p.dataIndex]?.precipitation.rate ?? null),
          },
        },
      ],
    };
  }, [rows, t, f]);
  return (
    <>
      <Typography.Text style={{ ...MUTED, fontSize: 12 }}>
        {t('precip.note')}
      </Typography.Text>
      <Chart option={option} label={t('precip.chart')} height={Math.max(240, rows.length * 30 + 60)} />
    </>
  );
}

/** How many leads each source brought and how many of them became reachable in the private domain. */
export function PrecipitationCard({ query, scope }: { query: ReturnType<typeof useLeadKpis>; scope: string }) {
  const t = useT(messages);
  return (
    <WidgetCard testId="overview-precipitation" title={t('precip.title')} scope={scope}>
      <QueryState query={query} isEmpty={(d) => d.precipitationBySource.length === 0} empty={t('precip.empty')}>
        {(data) => <PrecipitationChart data={data} />}
      </QueryState>
    </WidgetCard>
  );
}
