import { useMemo } from 'react';
import type { WecomChurn } from '@contracts/wecom-codes';
import { Chart } from '../../../charts/chart';
import type { EChartsCoreOption } from '../../../charts/echarts';
import { isoDay } from '../../../format';
import { useFormat } from '../../../format-hooks';
import { useT } from '../../../i18n';
import { messages } from './messages';

const DAY_MS = 86_400_000;

/** Every day from `from` to `to` (YYYY-MM-DD, inclusive). */
function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = Date.parse(`${from}T00:00:00Z`); d <= Date.parse(`${to}T00:00:00Z`); d += DAY_MS) out.push(new Date(d).toISOString().slice(0, 10));
  return out;
}

/** Deletions per day (tenant time zone) of the complete list the API returned for the period. */
export function ChurnChart({ rows, from, to }: { rows: WecomChurn['data']; from: string; to: string }) {
  const t = useT(messages);
  const f = useFormat();
  const option = useMemo<EChartsCoreOption>(() => {
    const perDay = new Map<string, number>();
    for (const r of rows) {
      const day = isoDay(new Date(r.removedAt), f.timeZone);
      perDay.set(day, (perDay.get(day) ?? 0) + 1);
    }
    const days = daysBetween(from, to);
    return {
      tooltip: { trigger: 'axis' },
      grid: { left: 36, right: 16, top: 16, bottom: 28 },
      xAxis: { type: 'category', data: days.map((d) => d.slice(5)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ type: 'bar', name: t('perDay'), data: days.map((d) => perDay.get(d) ?? 0), itemStyle: { color: '#cf1322' }, barMaxWidth: 16 }],
    };
  }, [rows, from, to, f.timeZone, t]);
  return <Chart option={option} label={t('perDayChart')} height={220} />;
}
