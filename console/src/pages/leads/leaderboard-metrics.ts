import type { KpiFigures } from '@contracts/kpis';

/** The figures a leaderboard ranks by: counts, and rates of the KPI answer (docs/kpis.md). */
export const METRICS = ['leads', 'visits', 'testDrives', 'orders', 'deliveries', 'followUpRate', 'visitRate', 'testDriveRate', 'orderConversion', 'deliveryRate', 'defeatClarity'] as const;
export type Metric = (typeof METRICS)[number];

const RATES = ['followUpRate', 'visitRate', 'testDriveRate', 'orderConversion', 'deliveryRate', 'defeatClarity'] as const;
type RateMetric = (typeof RATES)[number];

export function isRate(metric: Metric): metric is RateMetric {
  return (RATES as readonly string[]).includes(metric);
}

/** The value of a metric (null for a rate without a denominator). */
export function metricValue(figures: KpiFigures, metric: Metric): number | null {
  if (isRate(metric)) return figures[metric].rate;
  return figures.counts[metric];
}

/** Nulls last, larger first. */
export function compareMetric(a: KpiFigures, b: KpiFigures, metric: Metric): number {
  const x = metricValue(a, metric);
  const y = metricValue(b, metric);
  if (x === null && y === null) return 0;
  if (x === null) return 1;
  if (y === null) return -1;
  return y - x;
}
