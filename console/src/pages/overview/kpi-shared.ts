import type { KpiFigures, KpiGroup, LeadKpis } from '@contracts/kpis';
import type { Translate } from '../../i18n';
import type { Granularity } from './filter-state';
import type { OverviewKey } from './messages';

/** The rate KPIs of the lead funnel, in funnel order, with their labels. */
export const RATE_KPIS = [
  { field: 'followUpRate', key: 'kpi.followUpRate' },
  { field: 'visitRate', key: 'kpi.visitRate' },
  { field: 'testDriveRate', key: 'kpi.testDriveRate' },
  { field: 'orderConversion', key: 'kpi.orderConversion' },
  { field: 'deliveryRate', key: 'kpi.deliveryRate' },
  { field: 'defeatClarity', key: 'kpi.defeatClarity' },
  { field: 'referralRate', key: 'kpi.referralRate' },
  { field: 'precipitation', key: 'kpi.precipitation' },
] as const satisfies readonly { field: keyof KpiFigures; key: OverviewKey }[];

export type RateField = (typeof RATE_KPIS)[number]['field'];

/** A rate KPI's label; the follow-up window comes from the lead settings (48 h by default). */
export function rateLabel(t: Translate<OverviewKey>, kpi: (typeof RATE_KPIS)[number], data: Pick<LeadKpis, 'slaHours'>): string {
  return kpi.field === 'followUpRate' ? t(kpi.key, { h: data.slaHours }) : t(kpi.key);
}

/** The label of a calendar bucket (its first day): "2026-09-07 当周", "2026-09". */
export function bucketLabel(t: Translate<OverviewKey>, group: KpiGroup, granularity: Granularity): string {
  const day = group.key ?? '';
  return granularity === 'week' ? t('trend.weekOf', { date: day }) : day.slice(0, 7);
}

/** Short axis label of a bucket: "09-07" for weeks, "2026-09" for months. */
export function bucketAxisLabel(group: KpiGroup, granularity: Granularity): string {
  const day = group.key ?? '';
  return granularity === 'week' ? day.slice(5) : day.slice(0, 7);
}

/** The buckets an answer is in (it may still be the previous answer while a new granularity loads). */
export function granularityOf(data: Pick<LeadKpis, 'groupBy'>): Granularity {
  return data.groupBy === 'month' ? 'month' : 'week';
}
