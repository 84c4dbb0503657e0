import { sql } from 'kysely';
import { OPEN_LEAD_STATUSES } from '../../contracts/leads.js';
import type { Db } from '../../platform/db/index.js';
import type { ConsultantInfo, DealerInfo, DealerStats, RuleInfo } from './routing.js';

/** What routing reads, once per batch. Every statement names its tenant. */

export async function loadDealers(db: Db, tenantId: string): Promise<DealerInfo[]> {
  const rows = await db
    .selectFrom('org_units')
    .select(['id', 'code', 'city', 'province', 'capacity', 'series'])
    .where('tenant_id', '=', tenantId)
    .where('type', '=', 'dealer')
    .where('active', '=', true)
    .orderBy('code')
    .execute();
  return rows.map((r) => ({ id: r.id, code: r.code, city: r.city, province: r.province, capacity: r.capacity, series: r.series }));
}

export async function loadActiveRules(db: Db, tenantId: string): Promise<RuleInfo[]> {
  const rows = await db
    .selectFrom('routing_rules')
    .select(['id', 'name', 'priority', 'cities', 'provinces', 'series', 'sources', 'dealer_ids'])
    .where('tenant_id', '=', tenantId)
    .where('active', '=', true)
    .orderBy('priority')
    .orderBy('name')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, priority: r.priority, cities: r.cities, provinces: r.provinces, series: r.series, sources: r.sources, dealerIds: r.dealer_ids }));
}

/** The tenant's local date at `now`, as SQL. */
const localDay = (tenantId: string, now: Date) => sql`(SELECT (${now.toISOString()}::timestamptz AT TIME ZONE t.time_zone)::date FROM tenants t WHERE t.id = ${tenantId})`;

/**
 * Per dealer: leads routing sent it today (the tenant's local date; kept on its routing cursor, so no
 * lead is counted), and its conversion over the last 90 days (orders not cancelled / leads that were
 * not duplicates; leads are counted only for dealers that have orders).
 */
export async function loadDealerStats(db: Db, tenantId: string, dealerIds: readonly string[], now: Date): Promise<Map<string, DealerStats>> {
  const stats = new Map<string, DealerStats>(dealerIds.map((id) => [id, { routedToday: 0, conversion: 0 }]));
  if (dealerIds.length === 0) return stats;
  const since = new Date(now.getTime() - 90 * 86_400_000).toISOString();
  const { rows: today } = await sql<{ dealer_id: string; n: number }>`
    SELECT c.dealer_id, c.routed AS n FROM routing_cursors c
    WHERE c.tenant_id = ${tenantId} AND c.dealer_id = ANY(${[...dealerIds]}::uuid[]) AND c.day = ${localDay(tenantId, now)}`.execute(db);
  for (const r of today) stats.get(r.dealer_id)!.routedToday = Number(r.n);
  const { rows: orders } = await sql<{ dealer_id: string; n: string }>`
    SELECT o.dealer_id, count(*) AS n FROM orders o
    WHERE o.tenant_id = ${tenantId} AND o.dealer_id = ANY(${[...dealerIds]}::uuid[]) AND o.ordered_at >= ${since}::timestamptz AND o.status <> 'cancelled'
    GROUP BY o.dealer_id`.execute(db);
  if (orders.length === 0) return stats;
  const { rows: leads } = await sql<{ dealer_id: string; n: string }>`
    SELECT l.dealer_id, count(*) AS n FROM leads l
    WHERE l.tenant_id = ${tenantId} AND l.dealer_id = ANY(${orders.map((o) => o.dealer_id)}::uuid[]) AND l.created_at >= ${since}::timestamptz AND l.dedup <> 'duplicate'
    GROUP BY l.dealer_id`.execute(db);
  const leadCount = new Map(leads.map((r) => [r.dealer_id, Number(r.n)]));
  for (const o of orders) {
    const n = leadCount.get(o.dealer_id) ?? 0;
    stats.get(o.dealer_id)!.conversion = n === 0 ? 0 : Math.min(1, Number(o.n) / n);
  }
  return stats;
}

/** Active consultants of the dealers (staff with role consultant in the dealer or a unit under it) and their load caps; `open` not counted (0). */
export async function listConsultants(db: Db, tenantId: string, dealerIds: readonly string[], defaultMaxOpen: number): Promise<ConsultantInfo[]> {
  if (dealerIds.length === 0) return [];
  const { rows } = await sql<{ id: string; username: string; wecom_user_id: string | null; max_open_leads: number | null; dealer_id: string }>`
    SELECT s.id, s.username, s.wecom_user_id, s.max_open_leads, d.id AS dealer_id
    FROM org_units d
    JOIN org_units u ON u.tenant_id = d.tenant_id AND u.path @> ARRAY[d.id]::uuid[]
    JOIN staff s ON s.tenant_id = u.tenant_id AND s.org_unit_id = u.id
    WHERE d.tenant_id = ${tenantId} AND d.id = ANY(${[...dealerIds]}::uuid[]) AND s.role = 'consultant' AND s.active`.execute(db);
  return rows.map((r) => ({ id: r.id, username: r.username, wecomUserId: r.wecom_user_id, dealerId: r.dealer_id, maxOpen: r.max_open_leads ?? defaultMaxOpen, open: 0 }));
}

/**
 * Open leads (assigned … invoiced) of each consultant, counted up to their cap: whether they have room
 * is all routing needs, and the count stays bounded however many leads they hold.
 */
export async function countOpenLeads(db: Db, tenantId: string, consultants: ReadonlyArray<{ id: string; maxOpen: number }>): Promise<Map<string, number>> {
  if (consultants.length === 0) return new Map();
  const { rows } = await sql<{ id: string; open: string }>`
    SELECT x.id, (SELECT count(*) FROM (
        SELECT 1 FROM leads l WHERE l.tenant_id = ${tenantId} AND l.consultant_id = x.id AND l.status IN (${sql.join([...OPEN_LEAD_STATUSES])})
        LIMIT x.cap) o) AS open
    FROM unnest(${consultants.map((c) => c.id)}::uuid[], ${consultants.map((c) => c.maxOpen)}::int[]) AS x(id, cap)`.execute(db);
  return new Map(rows.map((r) => [r.id, Number(r.open)]));
}

/** The dealers' consultants with their open leads counted. */
export async function loadConsultants(db: Db, tenantId: string, dealerIds: readonly string[], defaultMaxOpen: number): Promise<ConsultantInfo[]> {
  const list = await listConsultants(db, tenantId, dealerIds, defaultMaxOpen);
  const open = await countOpenLeads(db, tenantId, list);
  return list.map((c) => ({ ...c, open: open.get(c.id) ?? 0 }));
}

export async function loadCursors(db: Db, tenantId: string, dealerIds: readonly string[]): Promise<Map<string, string | null>> {
  if (dealerIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('routing_cursors')
    .select(['dealer_id', 'last_staff_id'])
    .where('tenant_id', '=', tenantId)
    .where('dealer_id', 'in', [...dealerIds])
    .execute();
  return new Map(rows.map((r) => [r.dealer_id, r.last_staff_id]));
}

/**
 * Saves routing's per-dealer state: the consultant who got the last lead (round-robin cursor; null
 * keeps the stored one) and how many leads routing sent the dealer now (added to today's count).
 */
export async function saveRouting(db: Db, tenantId: string, changes: ReadonlyMap<string, { lastStaffId: string | null; routed: number }>, now: Date): Promise<void> {
  if (changes.size === 0) return;
  const entries = [...changes];
  await sql`
    INSERT INTO routing_cursors (tenant_id, dealer_id, last_staff_id, day, routed, updated_at)
    SELECT ${tenantId}::uuid, d, s, ${localDay(tenantId, now)}, n, ${now.toISOString()}::timestamptz
    FROM unnest(${entries.map(([d]) => d)}::uuid[], ${entries.map(([, c]) => c.lastStaffId)}::uuid[], ${entries.map(([, c]) => c.routed)}::int[]) AS x(d, s, n)
    ON CONFLICT (tenant_id, dealer_id) DO UPDATE SET
      last_staff_id = COALESCE(excluded.last_staff_id, routing_cursors.last_staff_id),
      routed = CASE WHEN routing_cursors.day = excluded.day THEN routing_cursors.routed + excluded.routed ELSE excluded.routed END,
      day = excluded.day,
      updated_at = excluded.updated_at`.execute(db);
}

/**
 * Serialises routing decisions (round-robin cursors, loads, capacity) of one tenant: intake, claim,
 * assign and SLA reclaim take it before they lock any lead row, so they never deadlock each other.
 */
export async function lockRouting(db: Db, tenantId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`siyu.routing:${tenantId}`}, 0))`.execute(db);
}
