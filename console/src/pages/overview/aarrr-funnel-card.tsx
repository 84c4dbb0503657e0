import { Typography } from 'antd';
import { useMemo } from 'react';
import type { Funnel } from '@contracts/analytics';
import { Chart } from '../../charts/chart';
import type { EChartsCoreOption } from '../../charts/echarts';
import { QueryState } from '../../components/page-state';
import { useFormat } from '../../format-hooks';
import { useLocale, useT } from '../../i18n';
import { AARRR, MUTED, richSafe, stageName } from './labels';
import { messages } from './messages';
import { useFunnel } from './queries';
import { WidgetCard } from './widget-card';

function FunnelView({ data }: { data: Funnel }) {
  const t = useT(messages);
  const f = useFormat();
  const locale = useLocale();
  const option = useMemo<EChartsCoreOption>(() => {
    const fmt = f.number;
    const steps = data.steps;
    const describe = (i: number) => {
      const s = steps[i];
      if (!s) return '';
      const lines = [`${stageName(locale, s)}: ${fmt(s.count)}`, `${t('funnel.ofCohort')}: ${f.percent(s.ofCohort)}`];
      if (s.fromPrevious !== null) lines.push(`${t('funnel.fromPrevious')}: ${f.percent(s.fromPrevious)}`);
      return lines.join('<br/>');
    };
    return {
      tooltip: { trigger: 'item', formatter: (p: { dataIndex: number }) => describe(p.dataIndex) },
      series: [
        {
          type: 'funnel',
          name: t('funnel.title'),
          left: 8,
          top: 8,
          bottom: 8,
          width: '52%',
          // The model order is the funnel order: every step counts those who reached it or a later one.
          sort: 'none',
          // Widths relative to the cohort, so a funnel where nobody got far looks narrow, not full.
          min: 0,
          max: Math.max(data.cohort, 1),
          gap: 2,
          minSize: '6%',
          label: {
            position: 'right',
            formatter: (p: { dataIndex: number }) => {
              const s = steps[p.dataIndex];
              if (!s) return '';
              const rate = s.fromPrevious === null ? f.percent(s.ofCohort) : `${t('funnel.fromPrevious')} ${f.percent(s.fromPrevious)}`;
              return `{name|${richSafe(stageName(locale, s))}  ${fmt(s.count)}}\n{rate|${rate}}`;
            },
            rich: { name: { fontSize: 13, fontWeight: 'bold', lineHeight: 18 }, rate: { fontSize: 12, color: '#595959', lineHeight: 16 } },
          },
          labelLine: { length: 12 },
          data: steps.map((s) => ({ name: stageName(locale, s), value: s.count })),
        },
      ],
    };
  }, [data, t, f, locale]);
  return (
    <>
      <Typography.Text style={MUTED}>{t('funnel.cohort', { n: f.number(data.cohort) })}</Typography.Text>
      <Chart option={option} label={t('funnel.chart')} height={320} />
    </>
  );
}

/** The AARRR funnel of the people whose first touch is in the period. */
export function AarrrFunnelCard({ from, to }: { from: string; to: string | undefined }) {
  const t = useT(messages);
  const query = useFunnel({ model: AARRR, from, to });
  return (
    <WidgetCard testId="overview-aarrr-funnel" title={t('funnel.title')} scope={t('scope.brand')}>
      <QueryState query={query} isEmpty={(d) => d.cohort === 0} empty={t('funnel.empty')}>
        {(data) => <FunnelView data={data} />}
      </QueryState>
    </WidgetCard>
  );
}
