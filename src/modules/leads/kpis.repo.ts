import { sql, type RawBuilder } from 'kysely';
import type { KpiGroupBy } from '../../contracts/kpis.js';
import type { Db } from '../../platform/db/index.js';
import { leadVisible, unitVisible, type Principal } from '../tenancy/index.js';

/**
 * The KPI queries (docs/kpis.md). The figures are one scan of the period's leads with
 * `count(*) FILTER (…)` aggregates over the columns of the row: milestone times, reachable_at and the
 * defeat counters (kept by a trigger, migration 0004); no join and no per-lead subquery. Every
 * statement is filtered by tenant_id and by the caller's scope (leadVisible / unitVisible).
 */

export interface KpiScopeRow {
  timeZone: string;
  slaHours: number;
  from: Date | null;
  to: Date | null;
  unit: { id: string; code: string; name: string; type: string } | null;
  /** The unit and every unit under it. */
  subtree: string[];
  /** A team: the staff of the team and of units under it. */
  teamStaff: string[];
  /** The consultant asked for, when they exist and are in scope. */
  consultantId: string | null;
}

const dateOf = (v: Date | string | null): Date | null => (v === null ? null : new Date(v));

/**
 * Everything the KPI query needs in one round trip: the tenant's time zone and SLA, the period read in
 * that zone, the org unit (by code or id) if the principal may see it, its subtree, and the consultant
 * if the principal may see them. Undefined when the tenant does not exist.
 */
export async function resolveKpiScope(
  db: Db,
  principal: Principal,
  p: { from: string; to: string | null; unitCode: string | null; unitId: string | null; consultantId: string | null },
): Promise<KpiScopeRow | undefined> {
  const t = principal.tenantId;
  const { rows } = await sql<{
    time_zone: string;
    sla_hours: number | string;
    from_at: Date | string | null;
    to_at: Date | string | null;
    unit_id: string | null;
    unit_code: string | null;
    unit_name: string | null;
    unit_type: string | null;
    subtree: string[] | null;
    team_staff: string[] | null;
    consultant_id: string | null;
  }>`
    SELECT t.time_zone, COALESCE(ls.sla_hours, 48) AS sla_hours,
      siyu_time(${p.from}::text, t.time_zone) AS from_at, siyu_time(${p.to}::text, t.time_zone) AS to_at,
      u.id AS unit_id, u.code AS unit_code, u.name AS unit_name, u.type AS unit_type,
      CASE WHEN u.id IS NOT NULL THEN ARRAY(SELECT s.id FROM org_units s WHERE s.tenant_id = ${t} AND s.path @> ARRAY[u.id]) END AS subtree,
      CASE WHEN u.type = 'team' THEN ARRAY(
        SELECT st.id FROM staff st JOIN org_units su ON su.tenant_id = st.tenant_id AND su.id = st.org_unit_id
        WHERE st.tenant_id = ${t} AND su.path @> ARRAY[u.id]) END AS team_staff,
      c.id AS consultant_id
    FROM tenants t
    LEFT JOIN lead_settings ls ON ls.tenant_id = ${t}
    LEFT JOIN org_units u ON u.tenant_id = ${t} AND (u.code = ${p.unitCode}::text OR u.id = ${p.unitId}::uuid)
      AND ${unitVisible(principal, sql.ref('u.id'))}
    LEFT JOIN staff c ON c.tenant_id = ${t} AND c.id = ${p.consultantId}::uuid
      AND ${leadVisible(principal, sql.ref('c.org_unit_id'), sql.ref('c.id'))}
    WHERE t.id = ${t}`.execute(db);
  const r = rows[0];
  if (!r) return undefined;
  return {
    timeZone: r.time_zone,
    slaHours: Number(r.sla_hours),
    from: dateOf(r.from_at),
    to: dateOf(r.to_at),
    unit: r.unit_id && r.unit_code && r.unit_name && r.unit_type ? { id: r.unit_id, code: r.unit_code, name: r.unit_name, type: r.unit_type } : null,
    subtree: r.subtree ?? [],
    teamStaff: r.team_staff ?? [],
    consultantId: r.consultant_id,
  };
}

export interface KpiFilter {
  from: Date;
  to: Date;
  /** Leads whose dealer is one of these (a unit's subtree). */
  dealerIds: string[] | null;
  /** Leads assigned to one of these (a team's staff, or one consultant). */
  consultantIds: string[] | null;
}

/** Raw sums of one group, before rates are derived. */
export interface KpiSums {
  received: number;
  duplicates: number;
  leads: number;
  invalid: number;
  valid: number;
  assigned: number;
  followedUpWithinSla: number;
  followUpPending: number;
  prospects: number;
  visits: number;
  testDrives: number;
  orders: number;
  deliveries: number;
  defeatRequests: number;
  defeatsApproved: number;
  defeatsPending: number;
  referredDeliveries: number;
  reachableWithin7d: number;
  orderSeconds: number;
}

/** The sums of the leads of one group key and one source. */
export interface KpiAggregateRow {
  /** The groupBy key as text (null: no dealer / consultant; always null for groupBy none / source). */
  key: string | null;
  code: string | null;
  name: string | null;
  source: string;
  sums: KpiSums;
}

export interface KpiContext {
  timeZone: string;
  slaHours: number;
  now: Date;
}

/** The lead's dealer, consultant or calendar bucket (a timestamp in the tenant's zone). */
function groupKey(groupBy: KpiGroupBy, timeZone: string): RawBuilder<unknown> | null {
  switch (groupBy) {
    case 'none':
    case 'source':
      return null;
    case 'org_unit':
      return sql`l.dealer_id`;
    case 'consultant':
      return sql`l.consultant_id`;
    case 'day':
    case 'week':
    case 'month':
      return sql`date_trunc(${sql.lit(groupBy)}, l.created_at AT TIME ZONE ${timeZone}::text)`;
  }
}

/** The label join of the outer query: dealer code and name, consultant name. */
function labelJoin(groupBy: KpiGroupBy, tenantId: string): { join: RawBuilder<unknown>; code: RawBuilder<unknown>; name: RawBuilder<unknown> } {
  if (groupBy === 'org_unit') return { join: sql`LEFT JOIN org_units u ON u.tenant_id = ${tenantId} AND u.id = a.kraw`, code: sql`u.code`, name: sql`u.name` };
  if (groupBy === 'consultant') return { join: sql`LEFT JOIN staff u ON u.tenant_id = ${tenantId} AND u.id = a.kraw`, code: sql`NULL::text`, name: sql`u.name` };
  return { join: sql``, code: sql`NULL::text`, name: sql`NULL::text` };
}

/** The key as text: uuids as they are, buckets as their first day. */
function keyText(groupBy: KpiGroupBy): RawBuilder<unknown> {
  return groupBy === 'day' || groupBy === 'week' || groupBy === 'month' ? sql`to_char(a.kraw, 'YYYY-MM-DD')` : sql`a.kraw::text`;
}

interface AggregateSqlRow {
  k: string | null;
  src: string;
  code: string | null;
  name: string | null;
  received: string;
  leads: string;
  invalid: string;
  assigned: string;
  followed: string;
  pending: string;
  prospects: string;
  visits: string;
  test_drives: string;
  orders: string;
  deliveries: string;
  defeat_requests: string | null;
  defeats_approved: string | null;
  defeats_pending: string | null;
  referred: string;
  reachable: string;
  order_seconds: string | number | null;
}

/**
 * The KPI statement (kpiAggregates runs it; the benchmark EXPLAINs it): one scan of the leads created
 * in [from, to) inside the principal's scope and the filter, grouped by (key, source) with no
 * GROUPING SETS, so that PostgreSQL can aggregate in parallel workers; the total, the groups and the
 * sources are sums of these rows. Flags are computed once per row; defeat figures come from the
 * lead's counters; referred deliveries from a hashed subplan probed only for delivered leads.
 */
export function kpiAggregatesSql(principal: Principal, filter: KpiFilter, groupBy: KpiGroupBy, ctx: KpiContext): RawBuilder<AggregateSqlRow> {
  const t = principal.tenantId;
  const key = groupKey(groupBy, ctx.timeZone);
  const label = labelJoin(groupBy, t);
  const sla = sql`(${ctx.slaHours}::int * interval '1 hour')`;
  const conditions: RawBuilder<unknown>[] = [
    sql`l.tenant_id = ${t}`,
    sql`l.created_at >= ${filter.from.toISOString()}::timestamptz`,
    sql`l.created_at < ${filter.to.toISOString()}::timestamptz`,
    leadVisible(principal, sql.ref('l.dealer_id'), sql.ref('l.consultant_id')),
  ];
  if (filter.dealerIds) conditions.push(sql`l.dealer_id = ANY(${filter.dealerIds}::uuid[])`);
  if (filter.consultantIds) conditions.push(sql`l.consultant_id = ANY(${filter.consultantIds}::uuid[])`);
  // Stage reached: its own time or one that implies it (docs/kpis.md): any later stage implies a
  // contact, a test drive a visit, an invoice or a delivery an order.
  const referred = sql`SELECT o.lead_id FROM orders o
    WHERE o.tenant_id = ${t} AND o.lead_id IS NOT NULL AND o.status = 'delivered' AND o.referred_by IS NOT NULL`;
  return sql<AggregateSqlRow>`
    SELECT ${keyText(groupBy)} AS k, ${label.code} AS code, ${label.name} AS name, a.*
    FROM (
      SELECT ${key ? sql`g.key` : sql`NULL::text`} AS kraw, l.source AS src,
        count(*) AS received,
        count(*) FILTER (WHERE f.nd) AS leads,
        count(*) FILTER (WHERE f.nd AND f.inv) AS invalid,
        count(*) FILTER (WHERE f.nd AND l.assigned_at IS NOT NULL) AS assigned,
        count(*) FILTER (WHERE f.nd AND l.first_follow_up_at <= l.assigned_at + ${sla}) AS followed,
        count(*) FILTER (WHERE f.nd AND l.first_follow_up_at IS NULL AND l.assigned_at > ${ctx.now.toISOString()}::timestamptz - ${sla}) AS pending,
        count(*) FILTER (WHERE f.valid AND COALESCE(l.contacted_at, l.invited_at, l.visited_at, l.test_drive_at, f.ordered) IS NOT NULL) AS prospects,
        count(*) FILTER (WHERE f.valid AND COALESCE(l.visited_at, l.test_drive_at) IS NOT NULL) AS visits,
        count(*) FILTER (WHERE f.valid AND l.test_drive_at IS NOT NULL) AS test_drives,
        count(*) FILTER (WHERE f.valid AND f.ordered IS NOT NULL) AS orders,
        count(*) FILTER (WHERE f.valid AND l.delivered_at IS NOT NULL) AS deliveries,
        sum(l.defeat_request_count) FILTER (WHERE f.nd) AS defeat_requests,
        sum(l.defeat_approved_count) FILTER (WHERE f.nd) AS defeats_approved,
        sum(l.defeat_pending_count) FILTER (WHERE f.nd) AS defeats_pending,
        count(*) FILTER (WHERE f.valid AND l.delivered_at IS NOT NULL AND l.id IN (${referred})) AS referred,
        count(*) FILTER (WHERE f.nd AND l.reachable_at <= l.created_at + interval '168 hours') AS reachable,
        sum(date_part('epoch', f.ordered - l.created_at)) FILTER (WHERE f.valid) AS order_seconds
      FROM leads l
      CROSS JOIN LATERAL (
        SELECT l.dedup <> 'duplicate' AS nd, l.status = 'invalid' AS inv, l.dedup <> 'duplicate' AND l.status <> 'invalid' AS valid,
          COALESCE(l.ordered_at, l.invoiced_at, l.delivered_at) AS ordered
      ) f
      ${key ? sql`CROSS JOIN LATERAL (SELECT ${key} AS key) g` : sql``}
      WHERE ${sql.join(conditions, sql` AND `)}
      GROUP BY ${key ? sql`g.key, l.source` : sql`l.source`}
    ) a
    ${label.join}`;
}

/** The KPI sums per (group key, source) of the leads created in [from, to) that the principal may see. */
export async function kpiAggregates(db: Db, principal: Principal, filter: KpiFilter, groupBy: KpiGroupBy, ctx: KpiContext): Promise<KpiAggregateRow[]> {
  // PostgreSQL's JIT compiles the aggregates' ~20 expressions for 0.1-0.5 s on a large scan, more than
  // it saves (bench/leads, docs/benchmarks.md): off for this statement only.
  const { rows } = await db.transaction().execute(async (trx) => {
    await sql`SET LOCAL jit = off`.execute(trx);
    return kpiAggregatesSql(principal, filter, groupBy, ctx).execute(trx);
  });
  const n = (v: string | number | null) => (v === null ? 0 : Number(v));
  return rows.map((r) => ({
    key: r.k,
    code: r.code,
    name: r.name,
    source: r.src,
    sums: {
      received: n(r.received),
      // Derived, not aggregated: each aggregate costs every row of the scan.
      duplicates: n(r.received) - n(r.leads),
      leads: n(r.leads),
      invalid: n(r.invalid),
      valid: n(r.leads) - n(r.invalid),
      assigned: n(r.assigned),
      followedUpWithinSla: n(r.followed),
      followUpPending: n(r.pending),
      prospects: n(r.prospects),
      visits: n(r.visits),
      testDrives: n(r.test_drives),
      orders: n(r.orders),
      deliveries: n(r.deliveries),
      defeatRequests: n(r.defeat_requests),
      defeatsApproved: n(r.defeats_approved),
      defeatsPending: n(r.defeats_pending),
      referredDeliveries: n(r.referred),
      reachableWithin7d: n(r.reachable),
      orderSeconds: n(r.order_seconds),
    },
  }));
}

/** The first day (YYYY-MM-DD) of every day/week/month bucket that [from, to) touches in `timeZone`. */
export async function bucketStarts(db: Db, tenantId: string, unit: 'day' | 'week' | 'month', from: Date, to: Date, timeZone: string): Promise<string[]> {
  const { rows } = await sql<{ d: string }>`
    SELECT to_char(g, 'YYYY-MM-DD') AS d
    FROM tenants t, generate_series(
      date_trunc(${sql.lit(unit)}, ${from.toISOString()}::timestamptz AT TIME ZONE ${timeZone}::text),
      (${to.toISOString()}::timestamptz AT TIME ZONE ${timeZone}::text) - interval '1 microsecond',
      ${sql.lit(`1 ${unit}`)}::interval) AS g
    WHERE t.id = ${tenantId}
    ORDER BY g`.execute(db);
  return rows.map((r) => r.d);
}
