import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import { requestJob, scheduleJobOnce } from '../../platform/jobs/index.js';

/** The job that re-evaluates tags, stages and segments for a tenant's changed profiles. */
export const REFRESH_JOB = 'segments.refresh';

/**
 * Marks profiles as changed (new events, tags, consents, vehicles, merges) and makes sure a refresh
 * job is due, in the caller's transaction: two statements per call, whatever the number of profiles.
 */
export async function markProfilesDirty(trx: Db, tenantId: string, profileIds: readonly (string | null)[], now: Date): Promise<void> {
  const ids = [...new Set(profileIds.filter((id): id is string => id !== null))];
  if (ids.length === 0) return;
  await sql`
    INSERT INTO profiles_dirty (tenant_id, profile_id, marked_at)
    SELECT ${tenantId}, id, ${now.toISOString()}::timestamptz FROM unnest(${ids}::uuid[]) AS d(id)`.execute(trx);
  await requestRefresh(trx, tenantId, now);
}

/**
 * Makes sure the tenant's refresh job exists, for callers that marked profiles themselves (set-based,
 * inside a larger statement). Freshness without storms: with no job, it is due at once, so when
 * traffic is light a changed person is re-evaluated right away; a job already there keeps its time —
 * the refresh that finds marks made while it ran schedules itself after a pause as long as it took —
 * so when traffic is heavy the runs are spaced and each takes everything marked meanwhile.
 */
export async function requestRefresh(trx: Db, tenantId: string, now: Date): Promise<void> {
  await requestJob(trx, { tenantId, kind: REFRESH_JOB, key: '', runAt: now });
}

/**
 * Takes up to `limit` marks off the list, oldest first, in the caller's transaction: if the refresh
 * fails, the rollback puts them back. Concurrent workers skip each other's rows; a person marked
 * again meanwhile has a new row, which the next claim takes. Returns the distinct profiles.
 */
export async function claimDirtyProfiles(trx: Db, tenantId: string, limit: number, upToSeq?: string): Promise<string[]> {
  const bound = upToSeq === undefined ? sql`` : sql`AND seq <= ${upToSeq}::bigint`;
  const { rows } = await sql<{ profile_id: string }>`
    DELETE FROM profiles_dirty d
    WHERE d.tenant_id = ${tenantId} AND d.seq IN (
      SELECT seq FROM profiles_dirty WHERE tenant_id = ${tenantId} ${bound} ORDER BY seq LIMIT ${limit} FOR UPDATE SKIP LOCKED
    )
    RETURNING d.profile_id`.execute(trx);
  return [...new Set(rows.map((r) => r.profile_id))];
}

/**
 * The newest mark the tenant has now (null: none). A refresh takes the marks up to it, so that under
 * a steady stream of changes a run ends; later marks (and earlier ones still uncommitted) are left
 * for the next run, which takes every row up to its own newest.
 */
export async function newestDirtyMark(db: Db, tenantId: string): Promise<string | null> {
  const { rows } = await sql<{ seq: string | null }>`SELECT max(seq) AS seq FROM profiles_dirty WHERE tenant_id = ${tenantId}`.execute(db);
  return rows[0]?.seq === null || rows[0]?.seq === undefined ? null : String(rows[0].seq);
}

/** The hourly pass that re-evaluates definitions with relative time windows and records daily counts. */
export const SCHEDULED_PASS_JOB = 'segments.scheduled';
export const SCHEDULED_PASS_INTERVAL_MS = 60 * 60_000;

/** Makes sure the tenant has its scheduled pass (an existing one keeps its time). */
export async function ensureScheduledPass(db: Db, tenantId: string, now: Date): Promise<void> {
  await scheduleJobOnce(db, { tenantId, kind: SCHEDULED_PASS_JOB, key: '', runAt: new Date(now.getTime() + SCHEDULED_PASS_INTERVAL_MS) });
}

/**
 * The changed profiles plus the profiles merged into them that still hold derived rows (memberships,
 * tags, stages, rollups): a merge marks only the survivor, and the merged-away one must leave.
 */
export async function withMergedAway(trx: Db, tenantId: string, profileIds: readonly string[]): Promise<string[]> {
  if (profileIds.length === 0) return [];
  const { rows } = await sql<{ id: string }>`
    SELECT p.id FROM profiles p
    WHERE p.tenant_id = ${tenantId} AND p.merged_into = ANY(${profileIds}::uuid[])
      AND (EXISTS (SELECT 1 FROM segment_members m WHERE m.tenant_id = ${tenantId} AND m.profile_id = p.id)
        OR EXISTS (SELECT 1 FROM profile_tags t WHERE t.tenant_id = ${tenantId} AND t.profile_id = p.id)
        OR EXISTS (SELECT 1 FROM profile_stages s WHERE s.tenant_id = ${tenantId} AND s.profile_id = p.id)
        OR EXISTS (SELECT 1 FROM profile_rollups r WHERE r.tenant_id = ${tenantId} AND r.profile_id = p.id))`.execute(trx);
  return rows.length === 0 ? [...profileIds] : [...new Set([...profileIds, ...rows.map((r) => r.id)])];
}

/** Erasure: everything segments derived about the person; the segments they were in count one less. */
export async function deleteDerivedRows(trx: Db, tenantId: string, profileId: string): Promise<void> {
  const left = await trx.deleteFrom('segment_members').where('tenant_id', '=', tenantId).where('profile_id', '=', profileId).returning('segment_id').execute();
  if (left.length > 0) {
    await trx
      .updateTable('segments')
      .set((eb) => ({ member_count: eb('member_count', '-', 1) }))
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', left.map((m) => m.segment_id))
      .execute();
  }
  for (const table of ['segment_changes', 'profile_rollups', 'profiles_dirty'] as const) {
    await trx.deleteFrom(table).where('tenant_id', '=', tenantId).where('profile_id', '=', profileId).execute();
  }
}
