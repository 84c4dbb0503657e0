import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';

/** SQL of the follow-up SLA: timers in the durable job table, manager notifications. */

export const SLA_JOB = 'leads.sla';

/**
 * Makes sure each lead has its SLA timer, due at `dueAt` at the latest: ensureJob (platform/jobs)
 * for many leads in one statement. An earlier due time is kept; the timer re-checks the lead.
 */
export async function ensureSlaJobs(db: Db, tenantId: string, timers: ReadonlyArray<{ leadId: string; dueAt: Date }>): Promise<void> {
  if (timers.length === 0) return;
  await sql`
    INSERT INTO jobs (tenant_id, kind, key, run_at)
    SELECT ${tenantId}::uuid, ${SLA_JOB}, k, r
    FROM unnest(${timers.map((t) => t.leadId)}::text[], ${timers.map((t) => t.dueAt.toISOString())}::timestamptz[]) AS x(k, r)
    ON CONFLICT (tenant_id, kind, key) DO UPDATE SET generation = jobs.generation + 1, run_at = LEAST(jobs.run_at, excluded.run_at)`.execute(db);
}

/** Active dealer managers of a dealer (in the dealer or a unit under it). */
export async function dealerManagers(db: Db, tenantId: string, dealerId: string): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    SELECT s.id FROM staff s JOIN org_units u ON u.tenant_id = s.tenant_id AND u.id = s.org_unit_id
    WHERE s.tenant_id = ${tenantId} AND s.role = 'dealer_manager' AND s.active AND u.path @> ARRAY[${dealerId}]::uuid[]
    ORDER BY s.id`.execute(db);
  return rows.map((r) => r.id);
}

/** One notification per staff member and dedupe key: a retried job notifies once. */
export async function insertNotifications(
  db: Db,
  tenantId: string,
  n: { staffIds: readonly string[]; kind: string; payload: unknown; dedupeKey: string; at: Date; ids: () => string },
): Promise<void> {
  if (n.staffIds.length === 0) return;
  await db
    .insertInto('notifications')
    .values(n.staffIds.map((staffId) => ({ tenant_id: tenantId, id: n.ids(), staff_id: staffId, kind: n.kind, payload: JSON.stringify(n.payload), dedupe_key: n.dedupeKey, created_at: n.at })))
    .onConflict((oc) => oc.columns(['tenant_id', 'staff_id', 'dedupe_key']).doNothing())
    .execute();
}
