import { FUNNEL_STATUSES, LEAD_STATUSES, type LeadStatus } from '../../contracts/funnel.js';
import { AppError } from '../../platform/errors.js';

/**
 * The funnel's transition rules (docs/funnel.md):
 * - Forward only. Staff move an assigned lead forward to contacted, invited, visited or test_drive,
 *   skipping steps if they like; `new` and `assigned` belong to routing (a `new` lead is claimed or
 *   assigned first), ordered/invoiced/delivered to orders, `defeated` to an approved defeat request.
 * - `invalid` (with a reason) from any status before an order.
 * - defeated and invalid are terminal, except that a manager may reopen such a lead: it returns to
 *   the status it had before it was closed.
 */

export { FUNNEL_STATUSES, LEAD_STATUSES, type LeadStatus };

/** Statuses a staff member may set by hand (POST /leads/{id}/transitions) as forward moves. */
export const MANUAL_STEPS: readonly LeadStatus[] = ['contacted', 'invited', 'visited', 'test_drive'];
/** Statuses set by orders. */
export const ORDER_STEPS: readonly LeadStatus[] = ['ordered', 'invoiced', 'delivered'];
/** Before an order and not closed: the lead may still be worked, found invalid or defeated. */
export const OPEN_STATUSES: readonly LeadStatus[] = ['new', 'assigned', 'contacted', 'invited', 'visited', 'test_drive'];
export const CLOSED_STATUSES: readonly LeadStatus[] = ['defeated', 'invalid'];

export function isLeadStatus(value: string): value is LeadStatus {
  return (LEAD_STATUSES as readonly string[]).includes(value);
}

export function asLeadStatus(value: string): LeadStatus {
  if (!isLeadStatus(value)) throw new Error(`unknown lead status ${value}`);
  return value;
}

/** Position in the funnel (defeated / invalid: -1). */
export function funnelRank(status: LeadStatus): number {
  return (FUNNEL_STATUSES as readonly string[]).indexOf(status);
}

/** The milestone column each status sets the first time the lead reaches it. */
export const MILESTONE_COLUMN = {
  assigned: 'assigned_at',
  contacted: 'contacted_at',
  invited: 'invited_at',
  visited: 'visited_at',
  test_drive: 'test_drive_at',
  ordered: 'ordered_at',
  invoiced: 'invoiced_at',
  delivered: 'delivered_at',
} as const;
export type MilestoneStatus = keyof typeof MILESTONE_COLUMN;
export type MilestoneColumn = (typeof MILESTONE_COLUMN)[MilestoneStatus];

function isMilestoneStatus(status: LeadStatus): status is MilestoneStatus {
  return status in MILESTONE_COLUMN;
}

/**
 * Milestones a status implies (filled with the same time when still empty): every step after
 * `contacted` means the customer was contacted; a test drive happens at the store (a visit).
 * An invitation is never implied (walk-ins are not invited).
 */
export function impliedMilestones(to: LeadStatus): MilestoneColumn[] {
  const rank = funnelRank(to);
  const columns: MilestoneColumn[] = [];
  if (rank >= funnelRank('contacted')) columns.push('contacted_at');
  if (to === 'test_drive') columns.push('visited_at');
  if (isMilestoneStatus(to)) columns.push(MILESTONE_COLUMN[to]);
  return [...new Set(columns)];
}

export interface TransitionContext {
  /** The caller may reopen closed leads (MANAGER_ROLES). */
  manager: boolean;
  /** For a closed lead: the status it had before it was closed. */
  reopenTo: LeadStatus | null;
}

/** The statuses the caller may move a lead in `from` to by hand. */
export function allowedTargets(from: LeadStatus, ctx: TransitionContext): LeadStatus[] {
  if (CLOSED_STATUSES.includes(from)) return ctx.manager && ctx.reopenTo ? [ctx.reopenTo] : [];
  if (!OPEN_STATUSES.includes(from)) return [];
  // A lead nobody works yet (the pool) is claimed or assigned first; it may only be found invalid.
  if (from === 'new') return ['invalid'];
  const forward = MANUAL_STEPS.filter((s) => funnelRank(s) > funnelRank(from));
  return [...forward, 'invalid'];
}

function hint(to: LeadStatus): string {
  if (ORDER_STEPS.includes(to)) return `; ${to} is set by orders (POST /api/v1/orders and its invoice / deliver actions)`;
  if (to === 'defeated') return '; a defeat goes through a defeat request (POST /api/v1/leads/{id}/defeat-requests) approved by a manager';
  if (to === 'new' || to === 'assigned') return `; ${to} is set by routing`;
  return '';
}

/** Throws 409 invalid_transition naming the allowed targets unless `from → to` is allowed. */
export function checkTransition(from: LeadStatus, to: LeadStatus, ctx: TransitionContext): void {
  const allowed = allowedTargets(from, ctx);
  if (allowed.includes(to)) return;
  const list = allowed.length ? `allowed: ${allowed.join(', ')}` : 'no status may be set by hand now';
  throw new AppError('invalid_transition', `a lead in status ${from} cannot move to ${to} (${list})${hint(to)}`, { from, to, allowed });
}

/** Throws 409 invalid_transition unless the lead may still be defeated (open, before an order). */
export function checkDefeatable(from: LeadStatus): void {
  if (OPEN_STATUSES.includes(from)) return;
  throw new AppError('invalid_transition', `a lead in status ${from} cannot be defeated; only leads before an order that are not closed can`, {
    from,
    to: 'defeated',
    allowed: [],
  });
}
