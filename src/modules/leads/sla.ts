import { randomUUID } from 'node:crypto';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/index.js';
import type { Job } from '../../platform/jobs/index.js';
import { insertTransitions, lockLead, updateAssignment } from './leads.repo.js';
import { nextConsultant, roundRobinOrder } from './routing.js';
import { loadConsultants, loadCursors, lockRouting, saveRouting } from './routing.repo.js';
import { readSettings } from './settings.repo.js';
import { dealerManagers, ensureSlaJobs, insertNotifications, SLA_JOB } from './sla.repo.js';

/**
 * The first-follow-up SLA (docs/leads.md, "SLA"): an assigned lead must be followed up within
 * `slaHours` (default 48). Every assignment asks for a durable timer (job `leads.sla`, key = lead
 * id). When it fires and the lead is still `assigned` with no follow-up, the lead is reclaimed: it
 * goes round-robin to another consultant of the same dealer under their cap, or to the dealer's pool;
 * the dealer's managers are notified. Safe to run any number of times.
 */

export { SLA_JOB };
export const SLA_ACTOR = 'system:sla';
export const SLA_NOTIFICATION = 'lead.sla_expired';

export interface SlaDeps {
  db: Db;
  clock: Clock;
}

/** Asks for the SLA timer of an assigned lead (in the caller's transaction). */
export async function scheduleSla(db: Db, tenantId: string, leadId: string, dueAt: Date): Promise<void> {
  await ensureSlaJobs(db, tenantId, [{ leadId, dueAt }]);
}

export type SlaOutcome =
  | { outcome: 'none' }
  | { outcome: 'waiting'; next: Date }
  | { outcome: 'reassigned'; consultantId: string; next: Date }
  | { outcome: 'pooled' };

/** Checks one lead's SLA now and reclaims it when it ran out. */
export async function runSlaCheck(deps: SlaDeps, tenantId: string, leadId: string): Promise<SlaOutcome> {
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx): Promise<SlaOutcome> => {
    await lockRouting(trx, tenantId);
    const lead = await lockLead(trx, tenantId, leadId);
    if (!lead || lead.status !== 'assigned' || lead.first_follow_up_at !== null || lead.sla_due_at === null || lead.consultant_id === null || lead.dealer_id === null) {
      return { outcome: 'none' };
    }
    if (now.getTime() < lead.sla_due_at.getTime()) return { outcome: 'waiting', next: lead.sla_due_at };

    const dealerId = lead.dealer_id;
    const previous = lead.consultant_id;
    const settings = await readSettings(trx, tenantId);
    const consultants = roundRobinOrder(await loadConsultants(trx, tenantId, [dealerId], settings.default_max_open_leads));
    const cursor = (await loadCursors(trx, tenantId, [dealerId])).get(dealerId) ?? null;
    const pick = nextConsultant(consultants, cursor, previous);
    const reassignCount = lead.reassign_count + 1;
    const due = pick ? new Date(now.getTime() + settings.sla_hours * 3_600_000) : null;

    await updateAssignment(trx, tenantId, leadId, {
      status: pick ? 'assigned' : 'new',
      dealerId,
      consultantId: pick?.id ?? null,
      inPool: !pick,
      poolReason: pick ? null : 'sla_expired',
      assignedAt: null,
      slaDueAt: due,
      reassigned: true,
      at: now,
    });
    if (pick) await saveRouting(trx, tenantId, new Map([[dealerId, { lastStaffId: pick.id, routed: 0 }]]), now);
    await insertTransitions(trx, [
      {
        tenant_id: tenantId,
        lead_id: leadId,
        from_status: 'assigned',
        to_status: pick ? 'assigned' : 'new',
        at: now,
        actor: SLA_ACTOR,
        reason: 'sla_expired',
        remark: null,
        details: JSON.stringify({ previousConsultantId: previous, newConsultantId: pick?.id ?? null, slaDueAt: lead.sla_due_at.toISOString(), reassignCount }),
      },
    ]);
    await insertNotifications(trx, tenantId, {
      staffIds: await dealerManagers(trx, tenantId, dealerId),
      kind: SLA_NOTIFICATION,
      payload: { leadId, previousConsultantId: previous, newConsultantId: pick?.id ?? null },
      dedupeKey: `sla:${leadId}:${reassignCount}`,
      at: now,
      ids: randomUUID,
    });
    if (pick && due) {
      return { outcome: 'reassigned', consultantId: pick.id, next: due };
    }
    return { outcome: 'pooled' };
  });
}

/** The worker's handler of `leads.sla` jobs: a reassigned lead keeps the job as its new timer. */
export function slaJobHandler(deps: SlaDeps): (job: Job) => Promise<Date | void> {
  return async (job) => {
    const r = await runSlaCheck(deps, job.tenantId, job.key);
    return r.outcome === 'waiting' || r.outcome === 'reassigned' ? r.next : undefined;
  };
}
