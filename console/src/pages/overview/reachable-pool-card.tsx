import { Flex, Statistic } from 'antd';
import { useMemo } from 'react';
import type { ReachablePool } from '@contracts/analytics';
import { Chart } from '../../charts/chart';
import type { EChartsCoreOption } from '../../charts/echarts';
import { QueryState } from '../../components/page-state';
import { useFormat } from '../../format-hooks';
import { common } from '../../i18n/common';
import { useT } from '../../i18n';
import { messages } from './messages';
import { useReachablePool } from './queries';
import { WidgetCard } from './widget-card';

const CHANNELS = [
  { field: 'any', key: 'pool.any' },
  { field: 'wecom_friend', key: 'pool.wecom' },
  { field: 'sms', key: 'pool.sms' },
  { field: 'oa_follower', key: 'pool.oa' },
] as const;

function PoolView({ pool }: { pool: ReachablePool }) {
  const t = useT(messages);
  const tc = useT(common);
  const f = useFormat();
  const option = useMemo<EChartsCoreOption>(() => {
    // A class nobody came in through ("unknown" is usually empty) would only add an empty column.
    const rows = pool.byDomainClass.filter((r) => r.total > 0);
    const fmt = f.number;
    return {
      color: ['#1677ff', '#52c41a', '#faad14', '#722ed1'],
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: unknown) => (typeof v === 'number' ? fmt(v) : String(v)) },
      legend: { top: 0 },
      grid: { left: 8, right: 8, top: 56, bottom: 8, containLabel: true },
      xAxis: {
        type: 'category',
        data: rows.map((r) => (r.domainClass === 'unknown' ? t('domain.unknown') : tc(`domain.${r.domainClass}`))),
        // Long class names ("Secondary private") wrap instead of running into each other.
        axisLabel: { interval: 0, width: 76, overflow: 'break' },
      },
      yAxis: { type: 'value', minInterval: 1, axisLabel: { formatter: fmt } },
      series: CHANNELS.map((c) => ({
        type: 'bar',
        name: t(c.key),
        data: rows.map((r) => r[c.field]),
        barMaxWidth: 18,
        emphasis: { focus: 'series' },
      })),
    };
  }, [pool, t, tc, f]);
  const share = pool.total > 0 ? pool.any / pool.total : null;

  return (
    <>
      <Flex wrap gap="small" justify="space-between" style={{ marginBottom: 8 }}>
        <Statistic title={t('pool.total')} value={f.number(pool.total)} />
        <Statistic title={t('pool.any')} value={f.number(pool.any)} suffix={share === null ? null : <small style={{ fontSize: 12, color: '#595959' }}>{t('pool.reachShare', { p: f.percent(share) })}</small>} />
        {CHANNELS.slice(1).map((c) => (
          <Statistic key={c.field} title={t(c.key)} value={f.number(pool[c.field])} />
        ))}
      </Flex>
      <Chart option={option} label={t('pool.chart')} height={300} />
    </>
  );
}

/** Reachable private-domain pool now, by channel and by domain class of the first touch. */
export function ReachablePoolCard() {
  const t = useT(messages);
  const f = useFormat();
  const query = useReachablePool();
  return (
    <WidgetCard testId="overview-reachable-pool" title={t('pool.title')} scope={query.data ? t('scope.brandAt', { date: f.dateTime(query.data.at) }) : t('scope.brandNow')}>
      <QueryState query={query} isEmpty={(p) => p.total === 0} empty={t('pool.empty')}>
        {(pool) => <PoolView pool={pool} />}
      </QueryState>
    </WidgetCard>
  );
}
