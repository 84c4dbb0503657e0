import { Col, Flex, Row, Statistic } from 'antd';
import { useMemo } from 'react';
import { MASS_SKIP_REASONS, type MassSkipReason, type WecomMassCounts } from '@contracts/wecom-mass';
import { Chart } from '../../../charts/chart';
import type { EChartsCoreOption } from '../../../charts/echarts';
import { EmptyState } from '../../../components/page-state';
import { useFormat } from '../../../format-hooks';
import { useT } from '../../../i18n';
import { messages } from './messages';
import { skippedTotal } from './vocab';

/** The audience members not handed to WeCom, per reason (the first reason that held is the one counted). */
export function MassSkips({ counts, onPick }: { counts: WecomMassCounts; onPick: (reason: MassSkipReason) => void }) {
  const t = useT(messages);
  const f = useFormat();
  const option = useMemo<EChartsCoreOption>(
    () => ({
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', inverse: true, data: MASS_SKIP_REASONS.map((r) => t(`reason.${r}`)) },
      series: [
        {
          type: 'bar',
          name: t('skippedTotal'),
          data: MASS_SKIP_REASONS.map((r) => counts.skipped[r]),
          itemStyle: { color: '#fa8c16' },
          label: { show: true, position: 'right' },
          barMaxWidth: 24,
        },
      ],
    }),
    [counts, t],
  );
  if (skippedTotal(counts) === 0) return <EmptyState description={t('noSkips')} />;
  return (
    <Flex vertical gap={12}>
      <Chart option={option} label={t('skipsChart')} height={220} />
      <Row gutter={[12, 12]}>
        {MASS_SKIP_REASONS.map((r) => (
          <Col key={r} xs={12} xl={8}>
            <button
              type="button"
              onClick={() => onPick(r)}
              style={{ all: 'unset', cursor: 'pointer', display: 'block', width: '100%' }}
            >
              <Statistic title={t(`reason.${r}`)} value={f.number(counts.skipped[r])} valueStyle={{ fontSize: 20 }} />
            </button>
          </Col>
        ))}
      </Row>
    </Flex>
  );
}
