import { CompiledQuery, sql } from 'kysely';
import { analyzeStale, CopySource, toCopyText, type AnalyzedColumns, type CopyValue, type Db } from '../../platform/db/index.js';
import { insertAudit } from '../tenancy/index.js';
import { EVENT_IDENTITY_FIELDS } from './split.repo.js';
import type { Identifier } from './types.js';

/**
 * SQL of `siyu identity rebuild` (rebuild.ts). Every statement names its tenant; times travel as
 * integers (milliseconds, or microseconds for event keys and the event cursor) so that nothing is lost
 * to JavaScript dates and no Date objects are built per row. Bulk writes go through `unnest` arrays in
 * chunks, or COPY, which both engines run.
 */

/** Rows per `unnest` statement. */
const CHUNK = 5_000;

const at = (ms: number) => new Date(ms).toISOString();

/** A timestamptz column as whole milliseconds / microseconds since 1970 (float8 is exact to the µs for these dates). */
const ms = (column: string) => sql.raw(`round(date_part('epoch', ${column}) * 1000)::int8`);
const us = (column: string) => sql.raw(`round(date_part('epoch', ${column}) * 1000000)::int8`);

async function chunked<T>(items: readonly T[], size: number, fn: (part: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await fn(items.slice(i, i + size));
}

export async function tenantExists(trx: Db, tenantId: string): Promise<boolean> {
  return (await trx.selectFrom('tenants').select('id').where('id', '=', tenantId).executeTakeFirst()) !== undefined;
}

/** The columns the rebuild's plans filter, join and sort on: a jsonb column's statistics cost seconds. */
const ANALYZED_COLUMNS: AnalyzedColumns = {
  events: ['tenant_id', 'timestamp', 'id', 'profile_id'],
  profiles: ['tenant_id', 'id', 'merged_into'],
  profile_identifiers: ['tenant_id', 'profile_id'],
};

/**
 * Fresh planner statistics for the tables a rebuild reads (events by partition), where stale: without
 * them (PGlite runs no autovacuum; PostgreSQL's may not have caught up with a bulk write) the planner
 * picks plans made for nearly empty tables. Returns the tables analysed.
 */
export function analyzeStaleTables(db: Db): Promise<string[]> {
  return analyzeStale(db, ANALYZED_COLUMNS);
}

export interface TenantCounts {
  events: number;
  liveProfiles: number;
}

export async function tenantCounts(trx: Db, tenantId: string): Promise<TenantCounts> {
  const { rows } = await sql<{ events: string; profiles: string }>`
    SELECT (SELECT count(*) FROM events WHERE tenant_id = ${tenantId}) AS events,
      (SELECT count(*) FROM profiles WHERE tenant_id = ${tenantId} AND merged_into IS NULL) AS profiles`.execute(trx);
  const r = rows[0];
  return { events: Number(r?.events ?? 0), liveProfiles: Number(r?.profiles ?? 0) };
}

/** What identity resolution reads of a stored event; `rUs`/`tsUs`: received_at / timestamp in µs since 1970. */
export interface StoredEventRow {
  id: string;
  r_us: string;
  ts_us: string;
  profile_id: string | null;
  source_id: string;
  type: string;
  user_id: string | null;
  anonymous_id: string | null;
  previous_id: string | null;
  traits: Record<string, unknown> | null;
  context_traits: unknown;
  external_ids: unknown;
  vin_properties: Record<string, unknown> | null;
}

/**
 * The tenant's events in (timestamp, id) order, with only what extraction needs: identify traits,
 * `context.traits`, `context.externalIds` and the VIN keys of properties. A cursor in the rebuild's
 * transaction: one plan, read in pages with FETCH (closed at commit).
 */
export async function openEventCursor(trx: Db, tenantId: string): Promise<void> {
  await sql`
    DECLARE siyu_rebuild_events NO SCROLL CURSOR FOR
    SELECT id, ${us('received_at')} AS r_us, ${us('"timestamp"')} AS ts_us, profile_id, source_id, type, user_id, anonymous_id, previous_id,
      ${EVENT_IDENTITY_FIELDS}
    FROM events
    WHERE tenant_id = ${tenantId}
    ORDER BY "timestamp", id`.execute(trx);
}

export async function fetchEvents(trx: Db, limit: number): Promise<StoredEventRow[]> {
  const { rows } = await sql<StoredEventRow>`FETCH ${sql.raw(String(Math.trunc(limit)))} FROM siyu_rebuild_events`.execute(trx);
  return rows;
}

export async function closeEventCursor(trx: Db): Promise<void> {
  await sql`CLOSE siyu_rebuild_events`.execute(trx);
}

/** A stored identifier: identifierKey() (type, scope, value joined by U+0001), first and last seen (ms). */
export type StoredIdentifier = [key: string, firstMs: number, lastMs: number];

/**
 * A live profile with what a rebuild recomputes and all its identifiers, or (id null) the identifiers
 * held by a profile id that is no live profile.
 */
export interface StoredProfileRow {
  id: string | null;
  first_ms: string | null;
  last_ms: string | null;
  /** jsonb as text, as PostgreSQL prints it */
  traits: string | null;
  trait_meta: string | null;
  identifiers: StoredIdentifier[] | null;
}

/**
 * The tenant's stored graph, one row per live profile with its identifiers aggregated (one row
 * instead of one per identifier), in profile id order: a cursor read with fetchStored.
 */
export async function openStoredCursor(trx: Db, tenantId: string): Promise<void> {
  // A merge join streams from the first row on; a hash join would aggregate every identifier before
  // the first row comes back. The plan is made at DECLARE, so the setting only holds for that.
  await sql`SET LOCAL enable_hashjoin = off`.execute(trx);
  await sql`
    DECLARE siyu_rebuild_stored NO SCROLL CURSOR FOR
    SELECT p.id, ${ms('p.first_seen')} AS first_ms, ${ms('p.last_seen')} AS last_ms, p.traits::text AS traits, p.trait_meta::text AS trait_meta, i.identifiers
    FROM (SELECT id, first_seen, last_seen, traits, trait_meta FROM profiles WHERE tenant_id = ${tenantId} AND merged_into IS NULL) p
    FULL JOIN (
      SELECT profile_id, json_agg(json_build_array(type || chr(1) || scope || chr(1) || value, ${ms('first_seen')}, ${ms('last_seen')})) AS identifiers
      FROM profile_identifiers WHERE tenant_id = ${tenantId} GROUP BY profile_id
    ) i ON i.profile_id = p.id`.execute(trx);
  await sql`SET LOCAL enable_hashjoin = DEFAULT`.execute(trx);
}

export async function fetchStored(trx: Db, limit: number): Promise<StoredProfileRow[]> {
  const { rows } = await sql<StoredProfileRow>`FETCH ${sql.raw(String(Math.trunc(limit)))} FROM siyu_rebuild_stored`.execute(trx);
  return rows;
}

export async function closeStoredCursor(trx: Db): Promise<void> {
  await sql`CLOSE siyu_rebuild_stored`.execute(trx);
}

/** Row locks on profiles whose belongings move (as every writer of a profile's belongings takes them). */
export async function lockProfiles(trx: Db, tenantId: string, ids: readonly string[]): Promise<void> {
  const sorted = [...new Set(ids)].sort();
  await chunked(sorted, CHUNK, (part) => sql`SELECT id FROM profiles WHERE tenant_id = ${tenantId} AND id = ANY(${part}::uuid[]) ORDER BY id FOR UPDATE`.execute(trx));
}

export interface ProfileState {
  id: string;
  firstMs: number;
  lastMs: number;
  traits: string;
  meta: string;
}

const COPY_PROFILES_SQL = 'COPY profiles (tenant_id, id, first_seen, last_seen, traits, trait_meta) FROM STDIN';

/** COPYs new profiles (none of them may exist yet). */
export async function copyProfiles(trx: Db, tenantId: string, rows: readonly ProfileState[]): Promise<void> {
  const data: CopyValue[][] = rows.map((p) => [tenantId, p.id, at(p.firstMs), at(p.lastMs), p.traits, p.meta]);
  await trx.executeQuery(CompiledQuery.raw(COPY_PROFILES_SQL, [new CopySource(toCopyText(data))]));
}

export async function updateProfiles(trx: Db, tenantId: string, rows: readonly ProfileState[]): Promise<void> {
  await chunked(rows, CHUNK, (p) =>
    sql`
      UPDATE profiles p SET first_seen = u.first_seen, last_seen = u.last_seen, traits = u.traits::jsonb, trait_meta = u.meta::jsonb, updated_at = now()
      FROM unnest(${p.map((r) => r.id)}::uuid[], ${p.map((r) => at(r.firstMs))}::timestamptz[], ${p.map((r) => at(r.lastMs))}::timestamptz[],
        ${p.map((r) => r.traits)}::text[], ${p.map((r) => r.meta)}::text[]) AS u(id, first_seen, last_seen, traits, meta)
      WHERE p.tenant_id = ${tenantId} AND p.id = u.id`.execute(trx),
  );
}

/** `from` (live) is merged into `to`; profiles already redirected to `from` follow, so merged_into stays final. */
export async function redirectProfiles(trx: Db, tenantId: string, moves: ReadonlyArray<{ from: string; to: string }>): Promise<void> {
  await chunked(moves, CHUNK, async (m) => {
    const from = m.map((x) => x.from);
    const to = m.map((x) => x.to);
    await sql`
      UPDATE profiles p SET merged_into = u.t, updated_at = now()
      FROM unnest(${from}::uuid[], ${to}::uuid[]) AS u(f, t)
      WHERE p.tenant_id = ${tenantId} AND p.merged_into = u.f`.execute(trx);
    await sql`
      UPDATE profiles p SET merged_into = u.t, traits = '{}', trait_meta = '{}', updated_at = now()
      FROM unnest(${from}::uuid[], ${to}::uuid[]) AS u(f, t)
      WHERE p.tenant_id = ${tenantId} AND p.id = u.f`.execute(trx);
  });
}

/**
 * Deletes live profiles left with nothing: no identifier, no event, and not in `named` (what the
 * profiles module says a lead, order, consent, tag, household or vehicle relation names), with the
 * merged-away profiles that redirected to them. Returns the ids deleted.
 */
export async function deleteEmptyProfiles(trx: Db, tenantId: string, ids: readonly string[], named: ReadonlySet<string>): Promise<string[]> {
  const out: string[] = [];
  await chunked(
    ids.filter((id) => !named.has(id)),
    CHUNK,
    async (part) => {
      const { rows } = await sql<{ id: string }>`
        SELECT p.id FROM unnest(${part}::uuid[]) AS p(id)
        WHERE NOT EXISTS (SELECT 1 FROM profile_identifiers x WHERE x.tenant_id = ${tenantId} AND x.profile_id = p.id)
          AND NOT EXISTS (SELECT 1 FROM events x WHERE x.tenant_id = ${tenantId} AND x.profile_id = p.id)`.execute(trx);
      const dead = rows.map((r) => r.id);
      if (dead.length === 0) return;
      await sql`DELETE FROM profiles WHERE tenant_id = ${tenantId} AND (id = ANY(${dead}::uuid[]) OR merged_into = ANY(${dead}::uuid[]))`.execute(trx);
      await sql`DELETE FROM former_identifiers WHERE tenant_id = ${tenantId} AND profile_id = ANY(${dead}::uuid[])`.execute(trx);
      out.push(...dead);
    },
  );
  return out;
}

export interface LinkState extends Identifier {
  profileId: string;
  firstMs: number;
  lastMs: number;
}

export async function deleteIdentifiers(trx: Db, tenantId: string, keys: readonly Identifier[]): Promise<void> {
  await chunked(keys, CHUNK, (k) =>
    sql`
      DELETE FROM profile_identifiers pi
      USING unnest(${k.map((x) => x.type)}::text[], ${k.map((x) => x.scope)}::text[], ${k.map((x) => x.value)}::text[]) AS k(type, scope, value)
      WHERE pi.tenant_id = ${tenantId} AND pi.type = k.type AND pi.scope = k.scope AND pi.value = k.value`.execute(trx),
  );
}

/** Inserts or rewrites identifiers (holder and times). */
export async function upsertIdentifiers(trx: Db, tenantId: string, links: readonly LinkState[]): Promise<void> {
  await chunked(links, CHUNK, (l) =>
    sql`
      INSERT INTO profile_identifiers (tenant_id, type, scope, value, profile_id, first_seen, last_seen)
      SELECT ${tenantId}, l.type, l.scope, l.value, l.profile_id, l.first_seen, l.last_seen
      FROM unnest(${l.map((x) => x.type)}::text[], ${l.map((x) => x.scope)}::text[], ${l.map((x) => x.value)}::text[], ${l.map((x) => x.profileId)}::uuid[],
        ${l.map((x) => at(x.firstMs))}::timestamptz[], ${l.map((x) => at(x.lastMs))}::timestamptz[]) AS l(type, scope, value, profile_id, first_seen, last_seen)
      ON CONFLICT (tenant_id, type, scope, value) DO UPDATE
        SET profile_id = excluded.profile_id, first_seen = excluded.first_seen, last_seen = excluded.last_seen
        WHERE (profile_identifiers.profile_id, profile_identifiers.first_seen, profile_identifiers.last_seen)
          IS DISTINCT FROM (excluded.profile_id, excluded.first_seen, excluded.last_seen)`.execute(trx),
  );
}

export async function deleteAllIdentifiers(trx: Db, tenantId: string): Promise<void> {
  await sql`DELETE FROM profile_identifiers WHERE tenant_id = ${tenantId}`.execute(trx);
}

const COPY_IDENTIFIERS_SQL = 'COPY profile_identifiers (tenant_id, type, scope, value, profile_id, first_seen, last_seen) FROM STDIN';

/** COPYs identifiers (none of them may exist yet). */
export async function copyIdentifiers(trx: Db, tenantId: string, links: readonly LinkState[]): Promise<void> {
  const rows: CopyValue[][] = links.map((l) => [tenantId, l.type, l.scope, l.value, l.profileId, at(l.firstMs), at(l.lastMs)]);
  await trx.executeQuery(CompiledQuery.raw(COPY_IDENTIFIERS_SQL, [new CopySource(toCopyText(rows))]));
}

/** An event whose profile changes: its key (received_at in µs, id) and the new profile (null: none). */
export interface EventMove {
  rUs: number;
  id: number;
  profileId: string | null;
}

/** Moves events with `unnest` statements: each row is found through the primary key of its partition. */
export async function moveEventsUnnest(trx: Db, tenantId: string, moves: readonly EventMove[]): Promise<void> {
  await chunked(moves, CHUNK, (m) =>
    sql`
      UPDATE events e SET profile_id = u.p
      FROM unnest(${m.map((x) => x.rUs)}::int8[], ${m.map((x) => x.id)}::int8[], ${m.map((x) => x.profileId)}::uuid[]) AS u(r, id, p)
      WHERE e.tenant_id = ${tenantId} AND e.received_at = timestamptz 'epoch' + u.r * interval '1 microsecond' AND e.id = u.id`.execute(trx),
  );
}

/**
 * Moving many events: the moves are COPYed into a temporary table (stageEventMoves, in chunks), then
 * one UPDATE joins them (applyStagedEventMoves).
 */
export async function stageEventMoves(trx: Db, moves: readonly EventMove[], first: boolean): Promise<void> {
  if (first) {
    await sql`CREATE TEMP TABLE IF NOT EXISTS siyu_rebuild_moves (r int8 NOT NULL, id int8 NOT NULL, p uuid) ON COMMIT DROP`.execute(trx);
    await sql`TRUNCATE siyu_rebuild_moves`.execute(trx);
  }
  const rows: CopyValue[][] = moves.map((m) => [m.rUs, m.id, m.profileId]);
  await trx.executeQuery(CompiledQuery.raw('COPY siyu_rebuild_moves (r, id, p) FROM STDIN', [new CopySource(toCopyText(rows))]));
}

export async function applyStagedEventMoves(trx: Db, tenantId: string): Promise<void> {
  await sql`ANALYZE siyu_rebuild_moves`.execute(trx);
  await sql`
    UPDATE events e SET profile_id = m.p
    FROM siyu_rebuild_moves m
    WHERE e.tenant_id = ${tenantId} AND e.received_at = timestamptz 'epoch' + m.r * interval '1 microsecond' AND e.id = m.id`.execute(trx);
  await sql`DROP TABLE siyu_rebuild_moves`.execute(trx);
}

export interface FormerRow extends Identifier {
  profileId: string;
  firstMs: number;
  lastMs: number;
  validToMs: number;
}

/** Former identifiers a recycled phone number left behind (reason 'reassigned'). */
export async function readReassignedFormer(trx: Db, tenantId: string): Promise<FormerRow[]> {
  const { rows } = await sql<{ profile_id: string; type: string; scope: string; value: string; f: string; l: string; v: string }>`
    SELECT profile_id, type, scope, value, ${ms('first_seen')} AS f, ${ms('last_seen')} AS l, ${ms('valid_to')} AS v
    FROM former_identifiers WHERE tenant_id = ${tenantId} AND reason = 'reassigned'`.execute(trx);
  return rows.map((r) => ({ profileId: r.profile_id, type: r.type, scope: r.scope, value: r.value, firstMs: Number(r.f), lastMs: Number(r.l), validToMs: Number(r.v) }));
}

export async function deleteReassignedFormer(trx: Db, tenantId: string, rows: readonly FormerRow[]): Promise<void> {
  await chunked(rows, CHUNK, (f) =>
    sql`
      DELETE FROM former_identifiers fi
      USING unnest(${f.map((x) => x.profileId)}::uuid[], ${f.map((x) => x.type)}::text[], ${f.map((x) => x.scope)}::text[], ${f.map((x) => x.value)}::text[],
        ${f.map((x) => at(x.validToMs))}::timestamptz[]) AS k(profile_id, type, scope, value, valid_to)
      WHERE fi.tenant_id = ${tenantId} AND fi.reason = 'reassigned' AND fi.profile_id = k.profile_id AND fi.type = k.type
        AND fi.scope = k.scope AND fi.value = k.value AND fi.valid_to >= k.valid_to AND fi.valid_to < k.valid_to + interval '1 millisecond'`.execute(trx),
  );
}

export async function insertReassignedFormer(trx: Db, tenantId: string, rows: readonly FormerRow[]): Promise<void> {
  await chunked(rows, CHUNK, (f) =>
    sql`
      INSERT INTO former_identifiers (tenant_id, profile_id, type, scope, value, first_seen, last_seen, valid_to, reason)
      SELECT ${tenantId}, r.profile_id, r.type, r.scope, r.value, r.first_seen, r.last_seen, r.valid_to, 'reassigned'
      FROM unnest(${f.map((x) => x.profileId)}::uuid[], ${f.map((x) => x.type)}::text[], ${f.map((x) => x.scope)}::text[], ${f.map((x) => x.value)}::text[],
        ${f.map((x) => at(x.firstMs))}::timestamptz[], ${f.map((x) => at(x.lastMs))}::timestamptz[], ${f.map((x) => at(x.validToMs))}::timestamptz[])
        AS r(profile_id, type, scope, value, first_seen, last_seen, valid_to)`.execute(trx),
  );
}

/** The rebuild's identity_log row (kind 'rebuild', counts in details) and its audit_log row. */
export async function logRebuild(trx: Db, tenantId: string, actor: string, details: Record<string, unknown>): Promise<string> {
  const { rows } = await sql<{ id: string }>`
    INSERT INTO identity_log (tenant_id, kind, reason, profiles_before, actor, details)
    VALUES (${tenantId}, 'rebuild', 'rules', '{}'::uuid[], ${actor}, ${JSON.stringify(details)}::jsonb)
    RETURNING id`.execute(trx);
  const id = rows[0]?.id ?? '';
  await insertAudit(trx, { tenantId, actor, action: 'identity.rebuild', targetType: 'tenant', targetId: tenantId, details: { identityLogId: id, ...details } });
  return id;
}
