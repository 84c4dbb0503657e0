/**
 * The KPI benchmark's measurements on a generated data set: GET /api/v1/kpis/leads's module function
 * (leadKpis: scope resolution + the one-scan aggregate) over the whole year for the tenant total
 * (HQ), one dealer (its manager's principal), one consultant (their principal) and groupBy org_unit,
 * plus a month by day; median of `runs` after a warm-up; and the plan (EXPLAIN ANALYZE BUFFERS) of
 * the total's and the dealer's aggregate.
 */
import { sql } from 'kysely';
import type { KpiQuery, LeadKpis } from '../../src/contracts/kpis.js';
import { leadKpis } from '../../src/modules/leads/index.js';
import { planLeadKpis } from '../../src/modules/leads/kpis.js';
import { kpiAggregatesSql } from '../../src/modules/leads/kpis.repo.js';
import { staffPrincipal, systemPrincipal, type Principal } from '../../src/modules/tenancy/index.js';
import type { Clock } from '../../src/platform/clock.js';
import type { Store } from '../../src/platform/db/index.js';
import type { KpiDataset } from './dataset.js';

export interface KpiTiming {
  name: string;
  /** Leads the figures cover (total.counts.received) and rows returned. */
  leads: number;
  groups: number;
  medianMs: number;
  runsMs: number[];
}

export interface KpiMeasure {
  timings: KpiTiming[];
  explain: Record<string, string>;
  /** The tenant total's headline rates, to show the data set is realistic. */
  sample: Record<string, number | null>;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

export async function measureKpis(store: Store, ds: KpiDataset, runs: number, log: (l: string) => void): Promise<KpiMeasure> {
  const clock: Clock = { now: () => new Date(ds.end) };
  const deps = { db: store.db, clock };
  const hq = systemPrincipal(ds.tenantId, 'bench');
  const manager = await staffPrincipal(store.db, ds.tenantId, ds.dealer.managerId);
  const consultant = await staffPrincipal(store.db, ds.tenantId, ds.consultantId);
  if (!manager || !consultant) throw new Error('the data set has no manager / consultant for dealer 1');
  // The whole year of leads: from the first day of the data to the day after the last.
  const year = { from: ds.start.slice(0, 10), to: new Date(new Date(ds.end).getTime() + 86_400_000).toISOString().slice(0, 10) };
  const lastMonthFrom = new Date(new Date(ds.end).getTime() - 30 * 86_400_000).toISOString().slice(0, 10);
  const cases: Array<{ name: string; principal: Principal; query: KpiQuery }> = [
    { name: 'tenant total (HQ, 12 months)', principal: hq, query: { ...year } },
    { name: 'one dealer (its manager, 12 months)', principal: manager, query: { ...year } },
    { name: 'one consultant (themselves, 12 months)', principal: consultant, query: { ...year } },
    { name: 'groupBy org_unit (HQ, 12 months, 200 dealers)', principal: hq, query: { ...year, groupBy: 'org_unit' } },
    { name: 'groupBy consultant (HQ, 12 months, 2,000 consultants)', principal: hq, query: { ...year, groupBy: 'consultant' } },
    { name: 'groupBy day (HQ, last 30 days)', principal: hq, query: { from: lastMonthFrom, to: year.to, groupBy: 'day' } },
  ];
  const timings: KpiTiming[] = [];
  let sample: Record<string, number | null> = {};
  for (const c of cases) {
    let last: LeadKpis = await leadKpis(deps, c.principal, c.query);
    const runsMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      last = await leadKpis(deps, c.principal, c.query);
      runsMs.push(performance.now() - t);
    }
    const timing = { name: c.name, leads: last.total.counts.received, groups: last.groups.length, medianMs: median(runsMs), runsMs };
    log(`  ${c.name}: ${timing.leads.toLocaleString('en-US')} leads, ${timing.groups} groups, median ${timing.medianMs.toFixed(0)} ms`);
    timings.push(timing);
    if (timings.length === 1) {
      const f = last.total;
      sample = {
        followUpRate: f.followUpRate.rate,
        visitRate: f.visitRate.rate,
        testDriveRate: f.testDriveRate.rate,
        orderConversion: f.orderConversion.rate,
        deliveryRate: f.deliveryRate.rate,
        defeatClarity: f.defeatClarity.rate,
        referralRate: f.referralRate.rate,
        precipitation: f.precipitation.rate,
        avgDaysToOrder: f.avgDaysToOrder.average,
      };
    }
  }
  const explain: Record<string, string> = {};
  for (const c of [cases[0], cases[1]]) {
    if (!c) continue;
    const plan = await planLeadKpis(deps, c.principal, c.query);
    const { rows } = await sql<{ 'QUERY PLAN': string }>`EXPLAIN (ANALYZE, BUFFERS) ${kpiAggregatesSql(c.principal, plan.filter, plan.groupBy, plan.ctx)}`.execute(store.db);
    explain[c.name] = rows.map((r) => r['QUERY PLAN']).join('\n');
  }
  return { timings, explain, sample };
}
