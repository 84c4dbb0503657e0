import type { AllowedTransitions, LeadFunnel, LeadTransition, TransitionCreate, TransitionResult } from '../../contracts/funnel.js';
import type { Clock } from '../../platform/clock.js';
import type { Db, Store } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import { lockIdentityGraph } from '../identity/index.js';
import { ensureEventPartitions } from '../ingest/index.js';
import { recordFacts } from '../profiles/index.js';
import { MANAGER_ROLES, WRITER_ROLES, hasRole, type Principal, type Role } from '../tenancy/index.js';
import { milestoneMessages } from './facts.js';
import { findPending } from './defeat.repo.js';
import { leadFactRows } from './facts.repo.js';
import * as repo from './funnel.repo.js';
import {
  CLOSED_STATUSES,
  OPEN_STATUSES,
  ORDER_STEPS,
  allowedTargets,
  asLeadStatus,
  checkTransition,
  funnelRank,
  impliedMilestones,
  type LeadStatus,
  type MilestoneColumn,
  type TransitionContext,
} from './statuses.js';

/**
 * Status changes of a lead after routing: by hand (staff), by orders, by an approved defeat. A
 * store visit and a test drive enter the person's timeline as standard events in the same
 * transaction; orders and deliveries do so from the sales module.
 */

export interface FunnelDeps {
  db: Db;
  /** The store behind `db`: event partitions are made outside the transaction. */
  store: Store;
  clock: Clock;
}

/** Moves that record a fact on the person's timeline (they take the identity lock first). */
const RECORDED_STEPS: readonly LeadStatus[] = ['visited', 'test_drive'];

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function leadFunnelView(l: repo.LeadRow): LeadFunnel {
  return {
    id: l.id,
    profileId: l.profile_id,
    dealerId: l.dealer_id,
    consultantId: l.consultant_id,
    status: asLeadStatus(l.status),
    invalidReason: l.invalid_reason,
    defeatReason: l.defeat_reason,
    nextFollowUpAt: iso(l.next_follow_up_at),
    milestones: {
      assignedAt: iso(l.assigned_at),
      firstFollowUpAt: iso(l.first_follow_up_at),
      contactedAt: iso(l.contacted_at),
      invitedAt: iso(l.invited_at),
      visitedAt: iso(l.visited_at),
      testDriveAt: iso(l.test_drive_at),
      orderedAt: iso(l.ordered_at),
      invoicedAt: iso(l.invoiced_at),
      deliveredAt: iso(l.delivered_at),
      closedAt: iso(l.closed_at),
    },
    updatedAt: l.updated_at.toISOString(),
  };
}

export function transitionView(t: repo.TransitionRow): LeadTransition {
  return {
    id: String(t.id),
    leadId: t.lead_id,
    from: t.from_status === null ? null : asLeadStatus(t.from_status),
    to: asLeadStatus(t.to_status),
    at: t.at.toISOString(),
    actor: t.actor,
    reason: t.reason,
    remark: t.remark,
    details: t.details ?? null,
  };
}

export function noLead(id: string): AppError {
  return new AppError('not_found', `no lead ${id}`, { leadId: id });
}

/** A time a person reports (`at`): not in the future, not before the lead existed. */
export function checkReportedTime(at: Date, now: Date, lead: repo.LeadRow, field = 'at'): void {
  if (at.getTime() > now.getTime()) throw new AppError('invalid_request', `${field} (${at.toISOString()}) is in the future`, { field });
  if (at.getTime() < lead.created_at.getTime()) {
    throw new AppError('invalid_request', `${field} (${at.toISOString()}) is before the lead was created (${lead.created_at.toISOString()})`, { field });
  }
}

/** The lead locked for a change, or 404 when it does not exist or is outside the caller's scope. */
export async function lockVisibleLead(trx: Db, principal: Principal, id: string): Promise<repo.LeadRow> {
  const lead = await repo.findLead(trx, principal, id, { forUpdate: true });
  if (!lead) throw noLead(id);
  return lead;
}

async function reload(trx: Db, tenantId: string, id: string): Promise<repo.LeadRow> {
  const lead = await repo.lockLeadById(trx, tenantId, id);
  if (!lead) throw noLead(id);
  return lead;
}

/**
 * Moves a lead by hand: forward to contacted / invited / visited / test_drive, to invalid with a
 * reason, or (managers) a closed lead back to where it was. The same status again changes nothing.
 */
export async function transitionLead(deps: FunnelDeps, principal: Principal, leadId: string, input: TransitionCreate): Promise<TransitionResult> {
  const now = deps.clock.now();
  const at = input.at ? new Date(input.at) : now;
  const to = input.to;
  const records = RECORDED_STEPS.includes(to);
  if (records) await ensureEventPartitions(deps.store, [now]);
  return deps.db.transaction().execute(async (trx) => {
    // The identity lock before the lead's row: the order in which a merge (which moves leads) locks.
    if (records) await lockIdentityGraph(trx, principal.tenantId);
    const lead = await lockVisibleLead(trx, principal, leadId);
    const from = asLeadStatus(lead.status);
    if (from === to) return { changed: false, lead: leadFunnelView(lead), transition: null };
    checkReportedTime(at, now, lead);
    const closed = CLOSED_STATUSES.includes(from);
    checkTransition(from, to, await transitionContext(trx, principal, leadId, from));
    const t = principal.tenantId;
    let reason = input.reason ?? null;
    if (closed) {
      await repo.updateLead(trx, t, leadId, { status: to, at, closedAt: null, invalidReason: null, defeatReason: null, updatedAt: now });
      reason ??= 'reopened';
    } else if (to === 'invalid') {
      await repo.updateLead(trx, t, leadId, { status: to, at, closedAt: at, invalidReason: input.reason ?? null, updatedAt: now });
    } else {
      // Contacting the customer (or anything after it) counts as the first follow-up for the SLA.
      await repo.updateLead(trx, t, leadId, { status: to, at, milestones: impliedMilestones(to), firstFollowUpAt: at, updatedAt: now });
      if (records) {
        const facts = (await leadFactRows(trx, t, [leadId])).flatMap((l) => milestoneMessages(l, lead, to, at));
        await recordFacts(trx, t, facts, now);
      }
    }
    const row = await repo.insertTransition(trx, t, { leadId, from, to, at, actor: principal.actor, reason, remark: input.remark ?? null });
    return { changed: true, lead: leadFunnelView(await reload(trx, t, leadId)), transition: transitionView(row) };
  });
}

/** Who may ask for a defeat: the lead's consultant (their own leads only) or a manager. */
export const DEFEAT_REQUESTERS: readonly Role[] = [...MANAGER_ROLES, 'consultant'];

/** What the caller's moves on a lead in `from` are checked against: their role and, for a closed lead, where it was. */
async function transitionContext(db: Db, principal: Principal, leadId: string, from: LeadStatus): Promise<TransitionContext> {
  const before = CLOSED_STATUSES.includes(from) ? await repo.statusBefore(db, principal.tenantId, leadId, from) : null;
  return { manager: hasRole(principal, MANAGER_ROLES), reopenTo: before === null ? null : asLeadStatus(before) };
}

/**
 * The moves the caller may make on a lead now (404 outside their scope): what `transitionLead` would
 * accept, so a client offers exactly those; and whether `requestDefeat` would file a new request (a
 * requester's role, an open lead, none pending). Roles that may not write get none.
 */
export async function allowedTransitions(db: Db, principal: Principal, leadId: string): Promise<AllowedTransitions> {
  const lead = await repo.findLead(db, principal, leadId);
  if (!lead) throw noLead(leadId);
  const from = asLeadStatus(lead.status);
  if (!hasRole(principal, WRITER_ROLES)) return { from, allowed: [], defeatable: false };
  const allowed = allowedTargets(from, await transitionContext(db, principal, leadId, from));
  const defeatable = hasRole(principal, DEFEAT_REQUESTERS) && OPEN_STATUSES.includes(from) && !(await findPending(db, principal, leadId));
  return { from, allowed, defeatable };
}

/** A lead's status history, oldest first (404 outside the caller's scope). */
export async function leadTransitions(db: Db, principal: Principal, leadId: string): Promise<LeadTransition[]> {
  const lead = await repo.findLead(db, principal, leadId);
  if (!lead) throw noLead(leadId);
  return (await repo.listTransitions(db, principal.tenantId, leadId)).map(transitionView);
}

/** The lead's funnel view (404 outside the caller's scope). */
export async function leadFunnel(db: Db, principal: Principal, leadId: string): Promise<LeadFunnel> {
  const lead = await repo.findLead(db, principal, leadId);
  if (!lead) throw noLead(leadId);
  return leadFunnelView(lead);
}

// ---- moves made by orders (sales module), inside its transaction ----------------------------

export type OrderStep = 'ordered' | 'invoiced' | 'delivered';

/**
 * An order of the lead reached `step`: the lead moves there unless it is already there or beyond
 * (a second order). A closed (defeated / invalid) lead whose customer orders after all is reopened
 * by the order. Locks the lead row. Returns whether the lead moved.
 */
export async function applyOrderStep(
  trx: Db,
  tenantId: string,
  leadId: string,
  step: OrderStep,
  at: Date,
  actor: string,
  details: Record<string, unknown>,
  now: Date,
): Promise<boolean> {
  const lead = await repo.lockLeadById(trx, tenantId, leadId);
  if (!lead) return false;
  const from = asLeadStatus(lead.status);
  const closed = CLOSED_STATUSES.includes(from);
  if (!closed && funnelRank(from) >= funnelRank(step)) return false;
  await repo.updateLead(trx, tenantId, leadId, { status: step, at, milestones: impliedMilestones(step), ...(closed ? { closedAt: null } : {}), updatedAt: now });
  await repo.insertTransition(trx, tenantId, { leadId, from, to: step, at, actor, reason: 'order', details });
  return true;
}

/**
 * The lead's order was cancelled and it has no other live order: the lead returns to the status it
 * had before the order, and its order milestones are cleared (order KPIs count live orders only).
 */
export async function undoOrderSteps(trx: Db, tenantId: string, leadId: string, at: Date, actor: string, details: Record<string, unknown>, now: Date): Promise<boolean> {
  const lead = await repo.lockLeadById(trx, tenantId, leadId);
  if (!lead) return false;
  const from = asLeadStatus(lead.status);
  if (!ORDER_STEPS.includes(from)) return false;
  const before = await repo.statusBefore(trx, tenantId, leadId, 'ordered');
  const back: LeadStatus = before !== null && !ORDER_STEPS.includes(asLeadStatus(before)) ? asLeadStatus(before) : fallbackStatus(lead);
  const clear: MilestoneColumn[] = ['ordered_at', 'invoiced_at', 'delivered_at'];
  await repo.updateLead(trx, tenantId, leadId, { status: back, at, clear, ...(CLOSED_STATUSES.includes(back) ? { closedAt: at } : {}), updatedAt: now });
  await repo.insertTransition(trx, tenantId, { leadId, from, to: back, at, actor, reason: 'order_cancelled', details });
  return true;
}

/** The furthest step a lead had reached before any order, from its milestones. */
function fallbackStatus(l: repo.LeadRow): LeadStatus {
  if (l.test_drive_at) return 'test_drive';
  if (l.visited_at) return 'visited';
  if (l.invited_at) return 'invited';
  if (l.contacted_at) return 'contacted';
  return l.consultant_id ? 'assigned' : 'new';
}

// ---- reads for the sales module (orders of a lead) ------------------------------------------

export type FunnelLeadRow = repo.LeadRow;

/** The lead if the caller may see it (no lock). */
export async function findVisibleLeadRow(db: Db, principal: Principal, id: string): Promise<FunnelLeadRow | null> {
  return (await repo.findLead(db, principal, id)) ?? null;
}

/** Locks the lead (an order changes it); the caller has checked the scope. */
export async function lockLeadForOrder(trx: Db, tenantId: string, id: string): Promise<FunnelLeadRow> {
  return reload(trx, tenantId, id);
}
