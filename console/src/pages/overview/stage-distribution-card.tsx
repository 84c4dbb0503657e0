import { Typography } from 'antd';
import { useMemo } from 'react';
import type { StageDistribution } from '@contracts/analytics';
import { Chart } from '../../charts/chart';
import type { EChartsCoreOption } from '../../charts/echarts';
import { QueryState } from '../../components/page-state';
import { useFormat } from '../../format-hooks';
import { useLocale, useT } from '../../i18n';
import { asNumber, FIVE_A, fiveALabel, MUTED, STAGE_PALETTE } from './labels';
import { messages } from './messages';
import { useStageDistribution } from './queries';
import { WidgetCard } from './widget-card';

function DistributionChart({ data }: { data: StageDistribution }) {
  const t = useT(messages);
  const f = useFormat();
  const locale = useLocale();
  const option = useMemo<EChartsCoreOption>(() => {
    const fmt = f.number;
    return {
      color: STAGE_PALETTE,
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        valueFormatter: (v: unknown) => fmt(asNumber(v)),
      },
      grid: { left: 8, right: 8, top: 28, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: data.stages.map((s) => fiveALabel(locale, s)), axisLabel: { interval: 0 } },
      yAxis: { type: 'value', minInterval: 1, axisLabel: { formatter: fmt } },
      series: [
        {
          type: 'bar',
          name: t('dist.title'),
          barMaxWidth: 48,
          colorBy: 'data',
          data: data.stages.map((s) => s.count),
          label: {
            show: true,
            position: 'top',
            formatter: (p: { value: unknown; dataIndex: number }) => `${fmt(asNumber(p.value))} · ${f.percent(data.stages[p.dataIndex]?.share ?? 0)}`,
          },
        },
      ],
    };
  }, [data, t, f, locale]);
  return (
    <>
      <Typography.Text style={MUTED}>{t('dist.total', { n: f.number(data.total) })}</Typography.Text>
      <Chart option={option} label={t('dist.chart')} height={300} />
    </>
  );
}

/** People per 5A stage at the end of the period (now when the period runs to today). */
export function StageDistributionCard({ at }: { at: string | undefined }) {
  const t = useT(messages);
  const f = useFormat();
  const query = useStageDistribution({ model: FIVE_A, at });
  const scope = query.data?.at ? t('scope.brandAt', { date: f.dateTime(query.data.at) }) : t('scope.brandNow');
  return (
    <WidgetCard testId="overview-stage-distribution" title={t('dist.title')} scope={scope}>
      <QueryState query={query} isEmpty={(d) => d.total === 0} empty={t('dist.empty')}>
        {(data) => <DistributionChart data={data} />}
      </QueryState>
    </WidgetCard>
  );
}
