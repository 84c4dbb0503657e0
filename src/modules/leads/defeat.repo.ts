import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import { leadVisible, type Principal } from '../tenancy/index.js';

/** SQL for defeat (战败) requests; reads join the lead so that the caller's lead scope applies. */

const COLUMNS = [
  'd.id',
  'd.lead_id',
  'd.reason_code',
  'd.remark',
  'd.previous_status',
  'd.requested_by',
  'd.requested_at',
  'd.state',
  'd.decided_by',
  'd.decided_at',
  'd.decision_note',
  'l.dealer_id',
  'l.consultant_id',
] as const;

export interface DefeatRow {
  id: string;
  lead_id: string;
  reason_code: string;
  remark: string;
  previous_status: string;
  requested_by: string;
  requested_at: Date;
  state: string;
  decided_by: string | null;
  decided_at: Date | null;
  decision_note: string | null;
  dealer_id: string | null;
  consultant_id: string | null;
}

function visible(db: Db, principal: Principal) {
  return db
    .selectFrom('defeat_requests as d')
    .innerJoin('leads as l', (j) => j.onRef('l.tenant_id', '=', 'd.tenant_id').onRef('l.id', '=', 'd.lead_id'))
    .select(COLUMNS)
    .where('d.tenant_id', '=', principal.tenantId)
    .where(leadVisible(principal, sql.ref('l.dealer_id'), sql.ref('l.consultant_id')));
}

/** A request whose lead the principal may see. */
export async function findRequest(db: Db, principal: Principal, id: string): Promise<DefeatRow | undefined> {
  return visible(db, principal).where('d.id', '=', id).executeTakeFirst();
}

/** Locks the request (after its lead: the order every status change takes). */
export async function lockRequest(db: Db, principal: Principal, id: string): Promise<DefeatRow | undefined> {
  return visible(db, principal).where('d.id', '=', id).forUpdate('d').executeTakeFirst();
}

export async function findPending(db: Db, principal: Principal, leadId: string): Promise<DefeatRow | undefined> {
  return visible(db, principal).where('d.lead_id', '=', leadId).where('d.state', '=', 'pending').executeTakeFirst();
}

export async function insertRequest(
  db: Db,
  tenantId: string,
  r: { id: string; leadId: string; reasonCode: string; remark: string; previousStatus: string; requestedBy: string; requestedAt: Date },
): Promise<void> {
  await db
    .insertInto('defeat_requests')
    .values({
      tenant_id: tenantId,
      id: r.id,
      lead_id: r.leadId,
      reason_code: r.reasonCode,
      remark: r.remark,
      previous_status: r.previousStatus,
      requested_by: r.requestedBy,
      requested_at: r.requestedAt,
      state: 'pending',
    })
    .execute();
}

export async function decideRequest(db: Db, tenantId: string, id: string, d: { state: string; by: string; at: Date; note: string | null }): Promise<void> {
  await db
    .updateTable('defeat_requests')
    .set({ state: d.state, decided_by: d.by, decided_at: d.at, decision_note: d.note })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

/** Requests whose leads the principal may see, newest first. */
export async function listRequests(db: Db, principal: Principal, q: { state?: string | undefined; leadId?: string | undefined; limit: number }): Promise<DefeatRow[]> {
  let query = visible(db, principal);
  if (q.state) query = query.where('d.state', '=', q.state);
  if (q.leadId) query = query.where('d.lead_id', '=', q.leadId);
  return query.orderBy('d.requested_at', 'desc').orderBy('d.id').limit(q.limit).execute();
}
