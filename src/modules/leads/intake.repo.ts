import { CompiledQuery, sql, type Insertable } from 'kysely';
import { SOURCE_KINDS, type SourceKind } from '../../contracts/tenancy.js';
import { CopySource, toCopyText, type CopyValue, type Db } from '../../platform/db/index.js';
import type { LeadsTable } from '../../platform/db/schema-leads.js';
import { DEFAULT_DOMAIN_CLASS } from '../tenancy/index.js';

/** SQL of lead intake. Every statement names its tenant. */

export const leadSourceName = (source: string) => `leads:${source}`;
const isKind = (s: string): s is SourceKind => (SOURCE_KINDS as readonly string[]).includes(s);
const kindOf = (source: string): SourceKind => (isKind(source) ? source : 'other');

/** One tenant source per lead source (`leads:autohome`, kind autohome …): the events' sourceId. */
export async function ensureLeadSources(db: Db, tenantId: string, sources: readonly string[], ids: () => string): Promise<Map<string, string>> {
  const wanted = [...new Set(sources)];
  if (wanted.length === 0) return new Map();
  await db
    .insertInto('sources')
    .values(wanted.map((s) => ({ tenant_id: tenantId, id: ids(), name: leadSourceName(s), kind: kindOf(s), domain_class: DEFAULT_DOMAIN_CLASS[kindOf(s)] })))
    .onConflict((oc) => oc.columns(['tenant_id', 'name']).doNothing())
    .execute();
  const rows = await db.selectFrom('sources').select(['id', 'name']).where('tenant_id', '=', tenantId).where('name', 'in', wanted.map(leadSourceName)).execute();
  const byName = new Map(rows.map((r) => [r.name, r.id]));
  return new Map(wanted.map((s) => [s, byName.get(leadSourceName(s))!]));
}

/** Stored leads by idempotency key (source, external_id). */
export async function findIdsByKeys(db: Db, tenantId: string, keys: ReadonlyArray<{ source: string; externalId: string }>): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const { rows } = await sql<{ id: string; source: string; external_id: string }>`
    SELECT l.id, l.source, l.external_id FROM unnest(${keys.map((k) => k.source)}::text[], ${keys.map((k) => k.externalId)}::text[]) AS k(source, external_id)
    CROSS JOIN LATERAL (
      SELECT x.id, x.source, x.external_id FROM leads x
      WHERE x.tenant_id = ${tenantId} AND x.source = k.source AND x.external_id = k.external_id AND x.external_id IS NOT NULL LIMIT 1
    ) l`.execute(db);
  return new Map(rows.map((r) => [`${r.source}\u0001${r.external_id}`, r.id]));
}

export interface PriorLead {
  id: string;
  profile_id: string;
  series: string | null;
  created_at: Date;
}

/** The people's leads that are not duplicates themselves, created in [from, to]: candidates for originals. */
export async function findPriorLeads(db: Db, tenantId: string, profileIds: readonly string[], from: Date, to: Date): Promise<PriorLead[]> {
  if (profileIds.length === 0) return [];
  const { rows } = await sql<PriorLead>`
    SELECT l.id, l.profile_id, l.series, l.created_at FROM leads l
    WHERE l.tenant_id = ${tenantId} AND l.profile_id = ANY(${[...profileIds]}::uuid[]) AND l.dedup <> 'duplicate'
      AND l.created_at >= ${from.toISOString()}::timestamptz AND l.created_at <= ${to.toISOString()}::timestamptz`.execute(db);
  return rows;
}

/** The people's intent events in [from, to], one row per event. */
export async function findIntentEvents(
  db: Db,
  tenantId: string,
  profileIds: readonly string[],
  events: readonly string[],
  from: Date,
  to: Date,
): Promise<Array<{ profile_id: string; event: string; timestamp: Date; message_id: string }>> {
  if (profileIds.length === 0) return [];
  const { rows } = await sql<{ profile_id: string; event: string; timestamp: Date; message_id: string }>`
    SELECT e.profile_id, e.event, e."timestamp", e.message_id FROM events e
    WHERE e.tenant_id = ${tenantId} AND e.profile_id = ANY(${[...profileIds]}::uuid[])
      AND e."timestamp" >= ${from.toISOString()}::timestamptz AND e."timestamp" <= ${to.toISOString()}::timestamptz
      AND e.event IN (${sql.join([...events])})`.execute(db);
  return rows;
}

export type NewLead = Insertable<LeadsTable>;

const LEAD_COLUMNS = [
  'tenant_id', 'id', 'profile_id', 'source', 'external_id', 'channel', 'campaign', 'name', 'phone', 'phone_masked', 'phone_hash', 'city',
  'province', 'series', 'model', 'dealer_code', 'consultant_hint', 'dealer_id', 'consultant_id', 'status', 'dedup', 'duplicate_of', 'score',
  'score_factors', 'in_pool', 'pool_reason', 'invalid_reason', 'created_at', 'received_at', 'updated_at', 'assigned_at', 'sla_due_at',
  'closed_at', 'raw',
] as const satisfies ReadonlyArray<keyof NewLead>;

/** Below this many rows a multi-row INSERT beats the set-up of a COPY. */
const COPY_THRESHOLD = 64;

/**
 * Inserts new leads (the caller holds the intake lock and has checked their keys): COPY for a
 * batch, a multi-row INSERT for a few.
 */
export async function insertLeads(db: Db, rows: readonly NewLead[]): Promise<void> {
  if (rows.length === 0) return;
  if (rows.length < COPY_THRESHOLD) {
    await db.insertInto('leads').values([...rows]).execute();
    return;
  }
  const values = rows.map((r) => LEAD_COLUMNS.map((c): CopyValue => {
    const v: unknown = r[c];
    return v === undefined || v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date ? v : JSON.stringify(v);
  }));
  await db.executeQuery(CompiledQuery.raw(`COPY leads (${LEAD_COLUMNS.join(', ')}) FROM STDIN`, [new CopySource(toCopyText(values))]));
}

/** The unit (and source) that first brought each person in; an existing origin is kept. */
export async function insertOrigins(db: Db, tenantId: string, origins: ReadonlyArray<{ profileId: string; unitId: string | null; source: string; leadId: string; at: Date }>): Promise<void> {
  if (origins.length === 0) return;
  await sql`
    INSERT INTO profile_origins (tenant_id, profile_id, org_unit_id, source, lead_id, at)
    SELECT ${tenantId}::uuid, p, u, s, l, a
    FROM unnest(${origins.map((o) => o.profileId)}::uuid[], ${origins.map((o) => o.unitId)}::uuid[], ${origins.map((o) => o.source)}::text[],
      ${origins.map((o) => o.leadId)}::uuid[], ${origins.map((o) => o.at.toISOString())}::timestamptz[]) AS x(p, u, s, l, a)
    ON CONFLICT DO NOTHING`.execute(db);
}

/** A duplicate arrived: the original gains points and a factor saying so (score capped at 100). */
export async function addRepeatInquiries(db: Db, tenantId: string, originalId: string, factors: readonly unknown[], points: number, at: Date): Promise<void> {
  await sql`
    UPDATE leads SET score = LEAST(100, score + ${points}), score_factors = score_factors || ${JSON.stringify(factors)}::jsonb, updated_at = ${at.toISOString()}::timestamptz
    WHERE tenant_id = ${tenantId} AND id = ${originalId}`.execute(db);
}
