import { sql, type Expression } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import { leadVisible, type Principal } from '../tenancy/index.js';
import type { MilestoneColumn } from './statuses.js';

/** SQL for the funnel: the lead row (locked while it changes) and its transition history. */

const LEAD_COLUMNS = [
  'l.id',
  'l.profile_id',
  'l.dealer_id',
  'l.consultant_id',
  'l.status',
  'l.invalid_reason',
  'l.defeat_reason',
  'l.next_follow_up_at',
  'l.assigned_at',
  'l.first_follow_up_at',
  'l.contacted_at',
  'l.invited_at',
  'l.visited_at',
  'l.test_drive_at',
  'l.ordered_at',
  'l.invoiced_at',
  'l.delivered_at',
  'l.closed_at',
  'l.created_at',
  'l.updated_at',
] as const;

export interface LeadRow {
  id: string;
  profile_id: string | null;
  dealer_id: string | null;
  consultant_id: string | null;
  status: string;
  invalid_reason: string | null;
  defeat_reason: string | null;
  next_follow_up_at: Date | null;
  assigned_at: Date | null;
  first_follow_up_at: Date | null;
  contacted_at: Date | null;
  invited_at: Date | null;
  visited_at: Date | null;
  test_drive_at: Date | null;
  ordered_at: Date | null;
  invoiced_at: Date | null;
  delivered_at: Date | null;
  closed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * The lead if the principal may see it (null otherwise: the caller answers 404). With `forUpdate`
 * the row stays locked until the transaction ends (every status change locks it first).
 */
export async function findLead(db: Db, principal: Principal, id: string, options: { forUpdate?: boolean } = {}): Promise<LeadRow | undefined> {
  const q = db
    .selectFrom('leads as l')
    .select(LEAD_COLUMNS)
    .where('l.tenant_id', '=', principal.tenantId)
    .where('l.id', '=', id)
    .where(leadVisible(principal, sql.ref('l.dealer_id'), sql.ref('l.consultant_id')));
  return (options.forUpdate ? q.forUpdate() : q).executeTakeFirst();
}

/** A lead by id whatever the caller's scope (callers that already checked it, inside their transaction). */
export async function lockLeadById(db: Db, tenantId: string, id: string): Promise<LeadRow | undefined> {
  return db.selectFrom('leads as l').select(LEAD_COLUMNS).where('l.tenant_id', '=', tenantId).where('l.id', '=', id).forUpdate().executeTakeFirst();
}

export interface LeadChange {
  status?: string;
  /** Milestones to fill when still empty. */
  milestones?: readonly MilestoneColumn[];
  /** Milestones to clear (an order cancelled). */
  clear?: readonly MilestoneColumn[];
  at: Date;
  invalidReason?: string | null;
  defeatReason?: string | null;
  closedAt?: Date | null;
  firstFollowUpAt?: Date;
  nextFollowUpAt?: Date | null;
  updatedAt: Date;
}

export async function updateLead(db: Db, tenantId: string, id: string, change: LeadChange): Promise<void> {
  const set: Record<string, Expression<unknown> | Date | string | null> = { updated_at: change.updatedAt };
  if (change.status !== undefined) set['status'] = change.status;
  for (const c of change.milestones ?? []) set[c] = sql`COALESCE(${sql.ref(c)}, ${change.at})`;
  for (const c of change.clear ?? []) set[c] = null;
  if (change.invalidReason !== undefined) set['invalid_reason'] = change.invalidReason;
  if (change.defeatReason !== undefined) set['defeat_reason'] = change.defeatReason;
  if (change.closedAt !== undefined) set['closed_at'] = change.closedAt;
  if (change.firstFollowUpAt !== undefined) set['first_follow_up_at'] = sql`COALESCE(first_follow_up_at, ${change.firstFollowUpAt})`;
  if (change.nextFollowUpAt !== undefined) set['next_follow_up_at'] = change.nextFollowUpAt;
  await db.updateTable('leads').set(set).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

const TRANSITION_COLUMNS = ['id', 'lead_id', 'from_status', 'to_status', 'at', 'actor', 'reason', 'remark', 'details'] as const;
export interface TransitionRow {
  id: string;
  lead_id: string;
  from_status: string | null;
  to_status: string;
  at: Date;
  actor: string;
  reason: string | null;
  remark: string | null;
  details: unknown;
}

export interface TransitionInsert {
  leadId: string;
  from: string | null;
  to: string;
  at: Date;
  actor: string;
  reason?: string | null;
  remark?: string | null;
  details?: Record<string, unknown> | null;
}

export async function insertTransition(db: Db, tenantId: string, t: TransitionInsert): Promise<TransitionRow> {
  return db
    .insertInto('lead_transitions')
    .values({
      tenant_id: tenantId,
      lead_id: t.leadId,
      from_status: t.from,
      to_status: t.to,
      at: t.at,
      actor: t.actor,
      reason: t.reason ?? null,
      remark: t.remark ?? null,
      details: t.details ? JSON.stringify(t.details) : null,
    })
    .returning(TRANSITION_COLUMNS)
    .executeTakeFirstOrThrow();
}

/** A lead's transitions, oldest first. */
export async function listTransitions(db: Db, tenantId: string, leadId: string): Promise<TransitionRow[]> {
  return db.selectFrom('lead_transitions').select(TRANSITION_COLUMNS).where('tenant_id', '=', tenantId).where('lead_id', '=', leadId).orderBy('id').execute();
}

/** The status the lead had before its latest move into `status` (reopening a closed lead, undoing an order). */
export async function statusBefore(db: Db, tenantId: string, leadId: string, status: string): Promise<string | null> {
  const row = await db
    .selectFrom('lead_transitions')
    .select('from_status')
    .where('tenant_id', '=', tenantId)
    .where('lead_id', '=', leadId)
    .where('to_status', '=', status)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.from_status ?? null;
}
