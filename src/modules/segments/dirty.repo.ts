import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import { ensureJob, scheduleJobOnce } from '../../platform/jobs/index.js';

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
    SELECT ${tenantId}, id, ${now.toISOString()}::timestamptz FROM unnest(${ids}::uuid[]) AS d(id)
    ON CONFLICT (tenant_id, profile_id) DO NOTHING`.execute(trx);
  await requestRefresh(trx, tenantId, now);
}

/**
 * Makes sure the tenant's refresh job is due now, for callers that marked profiles themselves
 * (set-based, inside a larger statement). Freshness without storms: when traffic is light a changed
 * person is re-evaluated at once; when it is heavy, requests made while the job runs only bump its
 * generation, and the next run takes every profile marked meanwhile, in batches — the more changes
 * arrive, the larger (and fewer per change) the runs.
 */
export async function requestRefresh(trx: Db, tenantId: string, now: Date): Promise<void> {
  await ensureJob(trx, { tenantId, kind: REFRESH_JOB, key: '', runAt: now });
}

/**
 * Takes up to `limit` changed profiles off the list, in the caller's transaction: if the refresh
 * fails, the rollback puts them back. Concurrent workers skip each other's rows.
 */
export async function claimDirtyProfiles(trx: Db, tenantId: string, limit: number): Promise<string[]> {
  const { rows } = await sql<{ profile_id: string }>`
    DELETE FROM profiles_dirty d
    WHERE d.tenant_id = ${tenantId} AND d.profile_id IN (
      SELECT profile_id FROM profiles_dirty WHERE tenant_id = ${tenantId} ORDER BY marked_at, profile_id LIMIT ${limit} FOR UPDATE SKIP LOCKED
    )
    RETURNING d.profile_id`.execute(trx);
  return rows.map((r) => r.profile_id);
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
