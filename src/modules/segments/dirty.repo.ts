import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import { ensureJob } from '../../platform/jobs/index.js';

/** The job that re-evaluates tags, stages and segments for a tenant's changed profiles. */
export const REFRESH_JOB = 'segments.refresh';
/** How long changes gather before a refresh runs (well inside the "within a minute" promise). */
export const REFRESH_DELAY_MS = 5_000;

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
  await ensureJob(trx, { tenantId, kind: REFRESH_JOB, key: '', runAt: new Date(now.getTime() + REFRESH_DELAY_MS) });
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
