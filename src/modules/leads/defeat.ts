import { defeatReasonSchema, defeatStateSchema, type DefeatListQuery, type DefeatRequest, type DefeatRequestCreate } from '../../contracts/funnel.js';
import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { lockIdentityGraph } from '../identity/index.js';
import { ensureEventPartitions } from '../ingest/index.js';
import { recordFacts } from '../profiles/index.js';
import type { Principal } from '../tenancy/index.js';
import { leadDefeatedMessages } from './facts.js';
import { leadFactRows } from './facts.repo.js';
import { lockVisibleLead, type FunnelDeps } from './funnel.js';
import * as funnelRepo from './funnel.repo.js';
import * as repo from './defeat.repo.js';
import { asLeadStatus, checkDefeatable } from './statuses.js';

/**
 * Defeat (战败): the lead's consultant or a manager asks, with a reason code and a remark; a manager
 * of the lead's dealer (not the requester, unless an admin) approves (the lead becomes defeated) or
 * rejects (nothing changes but the request). One pending request per lead. An approval enters the
 * person's timeline as `Lead Defeated` with the reason.
 */

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function requestView(r: repo.DefeatRow): DefeatRequest {
  return {
    id: r.id,
    leadId: r.lead_id,
    dealerId: r.dealer_id,
    consultantId: r.consultant_id,
    reasonCode: defeatReasonSchema.parse(r.reason_code),
    remark: r.remark,
    previousStatus: asLeadStatus(r.previous_status),
    state: defeatStateSchema.parse(r.state),
    requestedBy: r.requested_by,
    requestedAt: r.requested_at.toISOString(),
    decidedBy: r.decided_by,
    decidedAt: iso(r.decided_at),
    decisionNote: r.decision_note,
  };
}

const noRequest = (id: string) => new AppError('not_found', `no defeat request ${id}`, { requestId: id });

async function reread(trx: Db, principal: Principal, id: string): Promise<DefeatRequest> {
  const row = await repo.findRequest(trx, principal, id);
  if (!row) throw noRequest(id);
  return requestView(row);
}

/**
 * Asks for the lead to be closed as defeated. The same request again (same requester, reason and
 * remark) answers the pending one (`created: false`); any other while one is pending is a 409 naming it.
 */
export async function requestDefeat(
  deps: FunnelDeps,
  principal: Principal,
  leadId: string,
  input: DefeatRequestCreate,
): Promise<{ request: DefeatRequest; created: boolean }> {
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const lead = await lockVisibleLead(trx, principal, leadId);
    const pending = await repo.findPending(trx, principal, leadId);
    if (pending) {
      if (pending.requested_by === principal.actor && pending.reason_code === input.reasonCode && pending.remark === input.remark) {
        return { request: requestView(pending), created: false };
      }
      throw new AppError('conflict', `lead ${leadId} already has a pending defeat request (${pending.id}); a manager decides on it first`, { pendingId: pending.id });
    }
    checkDefeatable(asLeadStatus(lead.status));
    const id = newId();
    await repo.insertRequest(trx, principal.tenantId, {
      id,
      leadId,
      reasonCode: input.reasonCode,
      remark: input.remark,
      previousStatus: lead.status,
      requestedBy: principal.actor,
      requestedAt: now,
    });
    return { request: await reread(trx, principal, id), created: true };
  });
}

/**
 * A manager's decision. Deciding again the same way changes nothing (`changed: false`); the other
 * way is a 409. Approval closes the lead as defeated (reason code, closed_at, a transition by the
 * approver) and needs the lead still open (a lead that has meanwhile been ordered → 409).
 */
export async function decideDefeat(
  deps: FunnelDeps,
  principal: Principal,
  requestId: string,
  decision: 'approved' | 'rejected',
  note: string | undefined,
): Promise<{ request: DefeatRequest; changed: boolean }> {
  const now = deps.clock.now();
  const t = principal.tenantId;
  const approving = decision === 'approved';
  if (approving) await ensureEventPartitions(deps.store, [now]);
  return deps.db.transaction().execute(async (trx) => {
    // The identity lock before the lead's row: the order in which a merge (which moves leads) locks.
    if (approving) await lockIdentityGraph(trx, t);
    const first = await repo.findRequest(trx, principal, requestId);
    if (!first) throw noRequest(requestId);
    // Lead before request: the lock order of every status change.
    const lead = await lockVisibleLead(trx, principal, first.lead_id);
    const req = await repo.lockRequest(trx, principal, requestId);
    if (!req) throw noRequest(requestId);
    if (req.requested_by === principal.actor && principal.role !== 'admin') {
      throw new AppError('forbidden', 'you asked for this defeat yourself: another manager of the dealer decides on it', { requestId });
    }
    if (req.state !== 'pending') {
      if (req.state === decision) return { request: requestView(req), changed: false };
      throw new AppError('conflict', `defeat request ${requestId} was already ${req.state} by ${req.decided_by ?? 'someone'}`, { requestId, state: req.state });
    }
    if (approving) {
      const from = asLeadStatus(lead.status);
      checkDefeatable(from);
      await funnelRepo.updateLead(trx, t, lead.id, { status: 'defeated', at: now, defeatReason: req.reason_code, closedAt: now, updatedAt: now });
      await funnelRepo.insertTransition(trx, t, {
        leadId: lead.id,
        from,
        to: 'defeated',
        at: now,
        actor: principal.actor,
        reason: req.reason_code,
        remark: req.remark,
        details: { requestId, requestedBy: req.requested_by, reasonCode: req.reason_code, ...(note ? { note } : {}) },
      });
      const facts = (await leadFactRows(trx, t, [lead.id])).flatMap((l) => leadDefeatedMessages(l, requestId, req.reason_code, now));
      await recordFacts(trx, t, facts, now);
    }
    await repo.decideRequest(trx, t, requestId, { state: decision, by: principal.actor, at: now, note: note ?? null });
    return { request: await reread(trx, principal, requestId), changed: true };
  });
}

/** Defeat requests of the leads the caller may see (managers: their units'), newest first. */
export async function listDefeatRequests(db: Db, principal: Principal, query: DefeatListQuery): Promise<DefeatRequest[]> {
  return (await repo.listRequests(db, principal, query)).map(requestView);
}

/** One defeat request (404 outside the caller's scope). */
export async function getDefeatRequest(db: Db, principal: Principal, id: string): Promise<DefeatRequest> {
  return reread(db, principal, id);
}
