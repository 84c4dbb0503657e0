import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../platform/db/index.js';

/**
 * Materialised segment membership. A refresh computes the matching live profiles in the database
 * (all of the tenant's, or a given set), inserts those that entered, deletes those that left and
 * records each as a `segment_entered` / `segment_exited` change, in one statement: nothing is
 * carried through the server's memory, whatever the segment's size.
 */

export interface MembershipDiff {
  entered: number;
  exited: number;
}

/**
 * Re-evaluates segment `segmentId` for `profileIds` (row-mode predicate) or for the whole tenant
 * (`profileIds` null, set-mode predicate). The caller holds the segment row lock.
 */
export async function refreshMembership(
  trx: Db,
  tenantId: string,
  segmentId: string,
  predicate: RawBuilder<unknown>,
  profileIds: readonly string[] | null,
  at: Date,
): Promise<MembershipDiff> {
  const scope = profileIds === null ? sql`` : sql`AND p.id = ANY(${profileIds}::uuid[])`;
  const memberScope = profileIds === null ? sql`` : sql`AND m.profile_id = ANY(${profileIds}::uuid[])`;
  const when = at.toISOString();
  const { rows } = await sql<{ entered: string; exited: string }>`
    WITH cur AS MATERIALIZED (
      SELECT p.id FROM profiles p WHERE p.tenant_id = ${tenantId} AND p.merged_into IS NULL ${scope} AND ${predicate}
    ),
    ins AS (
      INSERT INTO segment_members (tenant_id, segment_id, profile_id, entered_at)
      SELECT ${tenantId}::uuid, ${segmentId}::uuid, cur.id, ${when}::timestamptz FROM cur
      WHERE NOT EXISTS (SELECT 1 FROM segment_members m WHERE m.tenant_id = ${tenantId} AND m.segment_id = ${segmentId} AND m.profile_id = cur.id)
      ON CONFLICT DO NOTHING
      RETURNING profile_id
    ),
    del AS (
      DELETE FROM segment_members m
      WHERE m.tenant_id = ${tenantId} AND m.segment_id = ${segmentId} ${memberScope} AND m.profile_id NOT IN (SELECT id FROM cur)
      RETURNING profile_id
    ),
    changes AS (
      INSERT INTO segment_changes (tenant_id, segment_id, profile_id, kind, at)
      SELECT ${tenantId}::uuid, ${segmentId}::uuid, profile_id, 'segment_entered', ${when}::timestamptz FROM ins
      UNION ALL
      SELECT ${tenantId}::uuid, ${segmentId}::uuid, profile_id, 'segment_exited', ${when}::timestamptz FROM del
    )
    SELECT (SELECT count(*) FROM ins) AS entered, (SELECT count(*) FROM del) AS exited`.execute(trx);
  const r = rows[0];
  return { entered: Number(r?.entered ?? 0), exited: Number(r?.exited ?? 0) };
}

/** Keeps the segment's member count and today's entry in its daily count history. */
export async function recordRefresh(trx: Db, tenantId: string, segmentId: string, diff: MembershipDiff, at: Date, day: string): Promise<number> {
  const row = await trx
    .updateTable('segments')
    .set((eb) => ({ member_count: eb('member_count', '+', diff.entered - diff.exited), refreshed_at: at }))
    .where('tenant_id', '=', tenantId)
    .where('id', '=', segmentId)
    .returning('member_count')
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('segment_daily_counts')
    .values({ tenant_id: tenantId, segment_id: segmentId, day, count: row.member_count })
    .onConflict((oc) => oc.columns(['tenant_id', 'segment_id', 'day']).doUpdateSet({ count: row.member_count }))
    .execute();
  return row.member_count;
}

export interface MatchSample {
  count: number;
  sample: { id: string; traits: unknown; first_seen: Date; last_seen: Date }[];
}

/**
 * Counts the live profiles matching a set-mode predicate and returns the `limit` most recently seen,
 * from one evaluation of the predicate (the matches stay in the database).
 */
export async function countAndSample(db: Db, tenantId: string, predicate: RawBuilder<unknown>, limit: number): Promise<MatchSample> {
  const { rows } = await sql<{ total: string; id: string | null; traits: unknown; first_seen: Date | null; last_seen: Date | null }>`
    WITH m AS MATERIALIZED (
      SELECT p.id, p.last_seen FROM profiles p WHERE p.tenant_id = ${tenantId} AND p.merged_into IS NULL AND ${predicate}
    ),
    s AS (SELECT id FROM m ORDER BY last_seen DESC, id LIMIT ${limit})
    SELECT c.total, p.id, p.traits, p.first_seen, p.last_seen
    FROM (SELECT count(*) AS total FROM m) c
    LEFT JOIN (s JOIN profiles p ON p.tenant_id = ${tenantId} AND p.id = s.id) ON true
    ORDER BY p.last_seen DESC, p.id`.execute(db);
  const sample = rows.flatMap((r) => (r.id !== null && r.first_seen !== null && r.last_seen !== null ? [{ id: r.id, traits: r.traits, first_seen: r.first_seen, last_seen: r.last_seen }] : []));
  return { count: Number(rows[0]?.total ?? 0), sample };
}

/**
 * Planner settings for one whole-tenant evaluation, in the caller's transaction: enough memory for
 * the hashed subplans of event conditions not to spill, and no JIT (its compile time exceeds what it
 * saves on these queries).
 */
export async function tuneForEvaluation(trx: Db): Promise<void> {
  await sql`SET LOCAL work_mem = '32MB'`.execute(trx);
  await sql`SET LOCAL jit = off`.execute(trx);
}
