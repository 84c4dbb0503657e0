import { Flex, Typography } from 'antd';
import { useMemo } from 'react';
import type { StageFlows } from '@contracts/analytics';
import { Chart } from '../../charts/chart';
import type { EChartsCoreOption } from '../../charts/echarts';
import { QueryState } from '../../components/page-state';
import { useFormat } from '../../format-hooks';
import { useLocale, useT } from '../../i18n';
import { FIVE_A, fiveALabel, MUTED, NONE_COLOR, STAGE_PALETTE } from './labels';
import { messages } from './messages';
import { useStageFlows } from './queries';
import { WidgetCard } from './widget-card';


interface EdgeParams {
  dataType?: string;
  name?: string;
  value?: unknown;
  data?: { source?: string; target?: string; value?: number };
}

function FlowsChart({ data }: { data: StageFlows }) {
  const t = useT(messages);
  const f = useFormat();
  const locale = useLocale();
  const option = useMemo<EChartsCoreOption>(() => {
    const fmt = f.number;
    // Same colour for a stage on both sides, in model order (the nodes come in model order).
    const stageColor = new Map<string, string>();
    for (const n of data.nodes) if (n.stage !== null && !stageColor.has(n.stage)) stageColor.set(n.stage, STAGE_PALETTE[stageColor.size % STAGE_PALETTE.length] ?? NONE_COLOR);
    const label = new Map(data.nodes.map((n) => [n.id, n.stage === null ? t('flows.none') : fiveALabel(locale, { ...n, key: n.stage })]));
    const size = new Map<string, number>();
    for (const l of data.links) {
      size.set(l.source, (size.get(l.source) ?? 0) + l.count);
      size.set(l.target, (size.get(l.target) ?? 0) + l.count);
    }
    const nameOf = (id: string | undefined) => (id === undefined ? '' : (label.get(id) ?? id));
    return {
      tooltip: {
        trigger: 'item',
        formatter: (p: EdgeParams) =>
          p.dataType === 'edge'
            ? t('flows.stay', { from: nameOf(p.data?.source), to: nameOf(p.data?.target), n: fmt(p.data?.value ?? 0) })
            : `${nameOf(p.name)}: ${fmt(size.get(p.name ?? '') ?? 0)}`,
      },
      series: [
        {
          type: 'sankey',
          left: 8,
          right: 8,
          top: 8,
          bottom: 8,
          nodeWidth: 14,
          nodeGap: 10,
          // Keep the model order top to bottom instead of letting the layout reorder the stages.
          layoutIterations: 0,
          emphasis: { focus: 'adjacency' },
          lineStyle: { color: 'gradient', curveness: 0.5, opacity: 0.35 },
          data: data.nodes.map((n) => ({
            name: n.id,
            itemStyle: { color: n.stage === null ? NONE_COLOR : stageColor.get(n.stage) },
            label: {
              position: n.side === 'from' ? 'right' : 'left',
              formatter: `${label.get(n.id) ?? n.id}  ${fmt(size.get(n.id) ?? 0)}`,
            },
          })),
          links: data.links.map((l) => ({ source: l.source, target: l.target, value: l.count })),
        },
      ],
    };
  }, [data, t, f, locale]);
  return (
    <>
      <Flex justify="space-between" style={{ marginBottom: 4 }}>
        <Typography.Text style={MUTED}>{`${t('flows.start')} ${f.dateTime(data.from)}`}</Typography.Text>
        <Typography.Text style={MUTED}>{t('flows.total', { n: f.number(data.total) })}</Typography.Text>
        <Typography.Text style={MUTED}>{`${t('flows.end')} ${f.dateTime(data.to)}`}</Typography.Text>
      </Flex>
      <Chart option={option} label={t('flows.chart')} height={320} />
    </>
  );
}

/** How people moved between 5A stages from the start to the end of the period. */
export function StageFlowsCard({ from, to }: { from: string; to: string | undefined }) {
  const t = useT(messages);
  const query = useStageFlows({ model: FIVE_A, from, to });
  return (
    <WidgetCard testId="overview-stage-flows" title={t('flows.title')} scope={t('scope.brand')}>
      <QueryState query={query} isEmpty={(d) => d.links.length === 0} empty={t('flows.empty')}>
        {(data) => <FlowsChart data={data} />}
      </QueryState>
    </WidgetCard>
  );
}
