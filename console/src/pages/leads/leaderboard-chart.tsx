import { useMemo } from 'react';
import type { KpiGroup } from '@contracts/kpis';
import { Chart } from '../../charts/chart';
import type { EChartsCoreOption } from '../../charts/echarts';
import { useFormat } from '../../format-hooks';
import { compareMetric, isRate, metricValue, type Metric } from './leaderboard-metrics';

const TOP = 10;

/** A horizontal bar chart of the top groups by one metric, the best on top. */
export function LeaderboardChart({ groups, metric, nameOf, label }: { groups: KpiGroup[]; metric: Metric; nameOf: (g: KpiGroup) => string; label: string }) {
  const f = useFormat();
  const option = useMemo((): EChartsCoreOption => {
    const top = groups
      .filter((g) => metricValue(g, metric) !== null)
      .sort((a, b) => compareMetric(a, b, metric))
      .slice(0, TOP)
      .reverse();
    const show = (n: number) => (isRate(metric) ? f.percent(n) : f.number(n));
    return {
      grid: { left: 8, right: 56, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (n: unknown) => (typeof n === 'number' ? show(n) : '—') },
      xAxis: { type: 'value', axisLabel: { formatter: (n: number) => show(n) }, max: isRate(metric) ? 1 : undefined, minInterval: isRate(metric) ? undefined : 1 },
      yAxis: { type: 'category', data: top.map(nameOf), axisLabel: { width: 160, overflow: 'truncate' } },
      series: [
        {
          type: 'bar',
          name: label,
          data: top.map((g) => metricValue(g, metric)),
          barMaxWidth: 22,
          itemStyle: { color: '#1677ff', borderRadius: [0, 4, 4, 0] },
          label: { show: true, position: 'right', formatter: ({ value }: { value: unknown }) => (typeof value === 'number' ? show(value) : '') },
        },
      ],
    };
  }, [groups, metric, nameOf, label, f]);
  return <Chart option={option} label={label} height={Math.max(200, Math.min(groups.length, TOP) * 34 + 40)} />;
}
