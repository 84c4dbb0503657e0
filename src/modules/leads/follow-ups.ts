import { followUpKindSchema, type FollowUp, type FollowUpCreate, type FollowUpResult } from '../../contracts/funnel.js';
import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import type { Principal } from '../tenancy/index.js';
import { checkReportedTime, leadFunnelView, lockVisibleLead, noLead, type FunnelDeps } from './funnel.js';
import * as funnelRepo from './funnel.repo.js';
import * as repo from './follow-ups.repo.js';
import { impliedMilestones } from './statuses.js';

/** Follow-up records: the first one stops the SLA clock; an assigned lead becomes contacted. */

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function followUpView(f: repo.FollowUpRow): FollowUp {
  return {
    id: f.id,
    leadId: f.lead_id,
    kind: followUpKindSchema.parse(f.kind),
    at: f.at.toISOString(),
    actor: f.actor,
    staffId: f.staff_id,
    note: f.note,
    nextFollowUpAt: iso(f.next_follow_up_at),
    createdAt: f.created_at.toISOString(),
  };
}

/** A retried request (same client id): the same lead and content, `at` compared only when given. */
function sameFollowUp(f: repo.FollowUpRow, leadId: string, input: FollowUpCreate): boolean {
  return (
    f.lead_id === leadId &&
    f.kind === input.kind &&
    f.note === (input.note ?? null) &&
    iso(f.next_follow_up_at) === (input.nextFollowUpAt ?? null) &&
    (input.at === undefined || f.at.toISOString() === input.at)
  );
}

/**
 * Records a follow-up. Locks the lead first (the SLA reclaim does too): sets first_follow_up_at on
 * the first one, next_follow_up_at from the latest record, and moves an assigned lead to contacted.
 * A retry with the same `id` answers the stored record (`created: false`); the id reused for
 * something else is a 409.
 */
export async function addFollowUp(deps: FunnelDeps, principal: Principal, leadId: string, input: FollowUpCreate): Promise<FollowUpResult & { created: boolean }> {
  const now = deps.clock.now();
  const at = input.at ? new Date(input.at) : now;
  const next = input.nextFollowUpAt ? new Date(input.nextFollowUpAt) : null;
  if (next && next.getTime() <= at.getTime()) {
    throw new AppError('invalid_request', `nextFollowUpAt (${next.toISOString()}) must be after the follow-up itself (${at.toISOString()})`, { field: 'nextFollowUpAt' });
  }
  const t = principal.tenantId;
  return deps.db.transaction().execute(async (trx) => {
    const lead = await lockVisibleLead(trx, principal, leadId);
    if (input.id) {
      const existing = await repo.findFollowUp(trx, t, input.id);
      if (existing) {
        if (!sameFollowUp(existing, leadId, input)) {
          throw new AppError('conflict', `follow-up ${input.id} was already recorded with other content; use a new id for a new follow-up`, { id: input.id });
        }
        return { followUp: followUpView(existing), lead: leadFunnelView(lead), created: false };
      }
    }
    checkReportedTime(at, now, lead);
    const row = await repo.insertFollowUp(trx, t, {
      id: input.id ?? newId(),
      leadId,
      kind: input.kind,
      at,
      actor: principal.actor,
      staffId: principal.staffId,
      note: input.note ?? null,
      nextFollowUpAt: next,
      createdAt: now,
    });
    const nextFollowUpAt = await repo.latestPlannedFollowUp(trx, t, leadId);
    if (lead.status === 'assigned') {
      await funnelRepo.updateLead(trx, t, leadId, { status: 'contacted', at, milestones: impliedMilestones('contacted'), firstFollowUpAt: at, nextFollowUpAt, updatedAt: now });
      await funnelRepo.insertTransition(trx, t, {
        leadId,
        from: 'assigned',
        to: 'contacted',
        at,
        actor: principal.actor,
        reason: 'follow_up',
        details: { followUpId: row.id, kind: row.kind },
      });
    } else {
      await funnelRepo.updateLead(trx, t, leadId, { at, firstFollowUpAt: at, nextFollowUpAt, updatedAt: now });
    }
    const updated = await funnelRepo.lockLeadById(trx, t, leadId);
    if (!updated) throw noLead(leadId);
    return { followUp: followUpView(row), lead: leadFunnelView(updated), created: true };
  });
}

/** A lead's follow-ups, newest first (404 outside the caller's scope). */
export async function listFollowUps(db: Db, principal: Principal, leadId: string): Promise<FollowUp[]> {
  const lead = await funnelRepo.findLead(db, principal, leadId);
  if (!lead) throw noLead(leadId);
  return (await repo.listFollowUps(db, principal.tenantId, leadId)).map(followUpView);
}
