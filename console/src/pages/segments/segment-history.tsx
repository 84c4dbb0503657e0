import { Card, Flex, Segmented, Tabs } from 'antd';
import { useMemo, useState } from 'react';
import type { DailyCount, Segment } from '@contracts/segments';
import { Chart } from '../../charts/chart';
import { QueryState } from '../../components/page-state';
import { useFormat } from '../../format-hooks';
import { useT } from '../../i18n';
import { useDailyCounts } from './api';
import { messages } from './messages';
import { SegmentChanges } from './segment-members';

const RANGES = [30, 90, 180] as const;
type Range = (typeof RANGES)[number];
const DAY_MS = 86_400_000;

/** A day in the tenant's time zone as YYYY-MM-DD. */
function dayIn(timeZone: string, at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

function CountsChart({ counts }: { counts: DailyCount[] }) {
  const t = useT(messages);
  const option = useMemo(() => {
    const days = counts.map((c) => c.day);
    const net = counts.map((c, i) => (i === 0 ? 0 : c.count - (counts[i - 1]?.count ?? c.count)));
    return {
      tooltip: { trigger: 'axis' },
      legend: { data: [t('dailyCount'), t('netChange')], top: 0 },
      grid: { left: 48, right: 48, top: 40, bottom: 32 },
      xAxis: { type: 'category', data: days },
      yAxis: [
        { type: 'value', name: t('dailyCount'), minInterval: 1 },
        { type: 'value', name: t('netChange'), minInterval: 1, splitLine: { show: false } },
      ],
      series: [
        { name: t('dailyCount'), type: 'line', data: counts.map((c) => c.count), smooth: true, showSymbol: counts.length < 40 },
        {
          name: t('netChange'),
          type: 'bar',
          yAxisIndex: 1,
          itemStyle: { color: '#52c41a' },
          data: net.map((v) => ({ value: v, itemStyle: { color: v >= 0 ? '#52c41a' : '#fa8c16' } })),
          barMaxWidth: 16,
        },
      ],
    };
  }, [counts, t]);
  return <Chart option={option} label={t('historyChart')} height={300} />;
}

/** Daily member counts over a period (line) with the day-to-day net change (bars), and the entry/exit log. */
export function SegmentHistory({ segment }: { segment: Segment }) {
  const t = useT(messages);
  const f = useFormat();
  const [range, setRange] = useState<Range>(30);
  const { from, to } = useMemo(() => {
    const now = new Date();
    return { from: dayIn(f.timeZone, new Date(now.getTime() - (range - 1) * DAY_MS)), to: dayIn(f.timeZone, now) };
  }, [range, f.timeZone]);
  const counts = useDailyCounts(segment.id, from, to);
  // The range picker sits inside the tab, not in the tab bar: a tablist may own only tabs.
  return (
    <Card data-testid="segment-history">
      <Tabs
        items={[
          {
            key: 'counts',
            label: t('history'),
            children: (
              <Flex vertical gap={12}>
                <Flex justify="flex-end">
                  <Segmented<Range>
                    aria-label={t('historyRange')}
                    size="small"
                    value={range}
                    onChange={setRange}
                    options={RANGES.map((r) => ({ value: r, label: t(`last${r}`) }))}
                  />
                </Flex>
                <QueryState query={counts} isEmpty={(d) => d.data.length === 0} empty={t('noHistory')}>
                  {(d) => <CountsChart counts={d.data} />}
                </QueryState>
              </Flex>
            ),
          },
          { key: 'changes', label: t('changes'), children: <SegmentChanges segment={segment} /> },
        ]}
      />
    </Card>
  );
}
