import type { KpiFigures, KpiGroup, KpiGroupBy, KpiQuery, KpiRate, LeadKpis } from '../../contracts/kpis.js';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import { maskName } from '../../platform/pii.js';
import type { Principal } from '../tenancy/index.js';
import { bucketStarts, kpiAggregates, resolveKpiScope, type KpiContext, type KpiFilter, type KpiScopeRow, type KpiSums } from './kpis.repo.js';

/**
 * The leads KPIs (DOMAIN.md's KPI table; definitions in docs/kpis.md): the leads created in a period,
 * within the caller's scope, optionally one org unit (with everything under it) or one consultant,
 * as a total, per group and per source. Out-of-scope units and consultants answer 404.
 */

export interface KpiDeps {
  db: Db;
  clock: Clock;
}

/** Day buckets at most; longer periods group by week or month. */
export const MAX_BUCKETS = 1000;

/** a / b to 4 decimals; null when b is 0. */
function rate(numerator: number, denominator: number): KpiRate {
  return { numerator, denominator, rate: denominator === 0 ? null : Math.round((numerator / denominator) * 10000) / 10000 };
}

const EMPTY: KpiSums = {
  received: 0,
  duplicates: 0,
  leads: 0,
  invalid: 0,
  valid: 0,
  assigned: 0,
  followedUpWithinSla: 0,
  followUpPending: 0,
  prospects: 0,
  visits: 0,
  testDrives: 0,
  orders: 0,
  deliveries: 0,
  defeatRequests: 0,
  defeatsApproved: 0,
  defeatsPending: 0,
  referredDeliveries: 0,
  reachableWithin7d: 0,
  orderSeconds: 0,
};

/** The figures of one group: its counts and every rate with numerator and denominator. */
export function kpiFigures(s: KpiSums): KpiFigures {
  const { orderSeconds, ...counts } = s;
  const totalDays = Math.round((orderSeconds / 86_400) * 10000) / 10000;
  return {
    counts,
    followUpRate: rate(s.followedUpWithinSla, s.assigned),
    visitRate: rate(s.visits, s.valid),
    testDriveRate: rate(s.testDrives, s.prospects),
    orderConversion: rate(s.orders, s.prospects),
    deliveryRate: rate(s.deliveries, s.orders),
    defeatClarity: rate(s.defeatsApproved, s.defeatRequests),
    referralRate: rate(s.referredDeliveries, s.deliveries),
    precipitation: rate(s.reachableWithin7d, s.leads),
    avgDaysToOrder: { totalDays, orders: s.orders, average: s.orders === 0 ? null : Math.round((orderSeconds / 86_400 / s.orders) * 100) / 100 },
  };
}

const notFound = (what: string) => new AppError('not_found', what);

export interface KpiPlan {
  groupBy: KpiGroupBy;
  scope: KpiScopeRow;
  filter: KpiFilter;
  ctx: KpiContext;
  /** day/week/month: every bucket of the period. */
  buckets: string[] | null;
}

/**
 * Resolves a KPI request: the period in the tenant's time zone, the unit (default: a dealer staff
 * member's dealer) and consultant (a consultant: themselves), both checked against the principal's
 * scope (404 outside it, as for a unit that does not exist).
 */
export async function planLeadKpis(deps: KpiDeps, principal: Principal, query: KpiQuery): Promise<KpiPlan> {
  const groupBy = query.groupBy ?? 'none';
  const scope = principal.scope;
  const defaultUnit = query.orgUnitCode === undefined && scope.kind === 'units' ? scope.rootUnitId : null;
  const consultantId = query.consultantId ?? (scope.kind === 'own' ? scope.staffId : null);
  const now = deps.clock.now();
  const resolved = await resolveKpiScope(deps.db, principal, {
    from: query.from,
    to: query.to ?? null,
    unitCode: query.orgUnitCode ?? null,
    unitId: defaultUnit,
    consultantId,
  });
  if (!resolved) throw notFound(`no tenant ${principal.tenantId}`);
  if (query.orgUnitCode !== undefined && !resolved.unit) throw notFound(`no org unit with code ${query.orgUnitCode}`);
  if (consultantId !== null && resolved.consultantId === null) throw notFound(`no staff member ${consultantId}`);
  if (!resolved.from) throw new AppError('invalid_request', 'querystring from: must be a date or an ISO-8601 date-time', { part: 'querystring', path: 'from' });
  if (query.to !== undefined && !resolved.to) throw new AppError('invalid_request', 'querystring to: must be a date or an ISO-8601 date-time', { part: 'querystring', path: 'to' });
  const from = resolved.from;
  const to = resolved.to ?? now;
  if (from.getTime() > to.getTime()) {
    throw new AppError('invalid_request', `querystring from (${from.toISOString()}) must not be after to (${to.toISOString()})`, { part: 'querystring', path: 'from' });
  }

  let buckets: string[] | null = null;
  if (groupBy === 'day' || groupBy === 'week' || groupBy === 'month') {
    buckets = from.getTime() === to.getTime() ? [] : await bucketStarts(deps.db, principal.tenantId, groupBy, from, to, resolved.timeZone);
    if (buckets.length > MAX_BUCKETS) {
      throw new AppError('invalid_request', `groupBy=${groupBy} over this period gives ${buckets.length} rows (at most ${MAX_BUCKETS}); use a shorter period or a longer bucket`, {
        part: 'querystring',
        path: 'groupBy',
      });
    }
  }

  // A team's figures are its staff's leads (leads belong to the dealer); any other unit's, the leads
  // of the dealers in its subtree.
  const unit = resolved.unit;
  const teamStaff = unit?.type === 'team' ? resolved.teamStaff : null;
  const only = resolved.consultantId;
  const filter: KpiFilter = {
    from,
    to,
    dealerIds: unit && unit.type !== 'team' ? resolved.subtree : null,
    consultantIds: only === null ? teamStaff : teamStaff ? teamStaff.filter((id) => id === only) : [only],
  };
  return { groupBy, scope: resolved, filter, ctx: { timeZone: resolved.timeZone, slaHours: resolved.slaHours, now }, buckets };
}

/** The KPIs of the leads created in [from, to) that the principal may see (docs/kpis.md). */
export async function leadKpis(deps: KpiDeps, principal: Principal, query: KpiQuery): Promise<LeadKpis> {
  const plan = await planLeadKpis(deps, principal, query);
  const { groupBy, scope, filter, buckets } = plan;
  const rows = await kpiAggregates(deps.db, principal, filter, groupBy, plan.ctx);
  // Every figure is a sum: the total, the groups and the sources add the (key, source) rows up.
  const total = { ...EMPTY };
  const groups = new Map<string | null, Summed>();
  const sources = new Map<string | null, Summed>();
  for (const r of rows) {
    add(total, r.sums);
    addTo(groups, groupBy === 'source' ? { key: r.source, code: null, name: null } : r, r.sums);
    addTo(sources, { key: r.source, code: null, name: null }, r.sums);
  }
  const bySource = [...sources.values()].sort(largestFirst);
  return {
    from: filter.from.toISOString(),
    to: filter.to.toISOString(),
    timeZone: scope.timeZone,
    slaHours: scope.slaHours,
    orgUnit: scope.unit,
    consultantId: scope.consultantId,
    groupBy,
    total: kpiFigures(total),
    groups: groupBy === 'none' ? [] : buckets ? bucketGroups(buckets, groups) : [...groups.values()].sort(largestFirst).map((g) => groupView(maskLabel(g, groupBy, principal))),
    precipitationBySource: bySource.map((r) => ({ source: r.key ?? '', precipitation: rate(r.sums.reachableWithin7d, r.sums.leads) })),
  };
}

interface Summed {
  key: string | null;
  code: string | null;
  name: string | null;
  sums: KpiSums;
}

const SUM_KEYS: ReadonlyArray<keyof KpiSums> = [
  'received', 'duplicates', 'leads', 'invalid', 'valid', 'assigned', 'followedUpWithinSla', 'followUpPending', 'prospects', 'visits',
  'testDrives', 'orders', 'deliveries', 'defeatRequests', 'defeatsApproved', 'defeatsPending', 'referredDeliveries', 'reachableWithin7d', 'orderSeconds',
];

function add(into: KpiSums, s: KpiSums): void {
  for (const k of SUM_KEYS) into[k] += s[k];
}

function addTo(map: Map<string | null, Summed>, label: { key: string | null; code: string | null; name: string | null }, s: KpiSums): void {
  let entry = map.get(label.key);
  if (!entry) map.set(label.key, (entry = { key: label.key, code: label.code, name: label.name, sums: { ...EMPTY } }));
  add(entry.sums, s);
}

/** Most leads first, then by key (no key last). */
function largestFirst(a: Summed, b: Summed): number {
  return b.sums.received - a.sums.received || (a.key === null ? 1 : b.key === null ? -1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/**
 * A consultant group is named by a staff member's name: masked for analysts (docs/org.md), like the
 * names of customers. Dealer names and codes are not personal and stay as they are.
 */
function maskLabel(r: Summed, groupBy: KpiGroupBy, principal: Principal): Summed {
  if (groupBy !== 'consultant' || !principal.maskPii || r.name === null) return r;
  return { ...r, name: maskName(r.name) };
}

function groupView(r: Summed): KpiGroup {
  return { key: r.key, code: r.code, name: r.name, ...kpiFigures(r.sums) };
}

/** Every bucket of the period in time order, empty ones with zero figures. */
function bucketGroups(buckets: readonly string[], groups: Map<string | null, Summed>): KpiGroup[] {
  return buckets.map((b) => groupView(groups.get(b) ?? { key: b, code: null, name: null, sums: EMPTY }));
}
