import { CompiledQuery, sql, type Insertable, type Selectable } from 'kysely';
import { CopySource, toCopyText, type Db } from '../../platform/db/index.js';
import type { LeadTransitionsTable, LeadsTable } from '../../platform/db/schema-leads.js';
import { leadVisible, unitVisible, type Principal } from '../tenancy/index.js';

/** SQL for reading and changing leads. Every statement names its tenant and, for callers, their scope. */

export type LeadRow = Selectable<LeadsTable>;
export type LeadViewRow = LeadRow & { unit_code: string | null; consultant_name: string | null };
export type NewTransition = Omit<Insertable<LeadTransitionsTable>, 'id'>;

function viewQuery(db: Db, tenantId: string) {
  return db
    .selectFrom('leads as l')
    .leftJoin('org_units as d', (j) => j.onRef('d.tenant_id', '=', 'l.tenant_id').onRef('d.id', '=', 'l.dealer_id'))
    .leftJoin('staff as s', (j) => j.onRef('s.tenant_id', '=', 'l.tenant_id').onRef('s.id', '=', 'l.consultant_id'))
    .selectAll('l')
    .select(['d.code as unit_code', 's.name as consultant_name'])
    .where('l.tenant_id', '=', tenantId);
}

/** One lead as the principal may see it (undefined when it does not exist or is out of their scope). */
export async function findVisibleLead(db: Db, principal: Principal, id: string): Promise<LeadViewRow | undefined> {
  return viewQuery(db, principal.tenantId)
    .where('l.id', '=', id)
    .where(leadVisible(principal, sql.ref('l.dealer_id'), sql.ref('l.consultant_id')))
    .executeTakeFirst();
}

/** Which of these leads the principal may see (scope in SQL). */
export async function visibleLeadIds(db: Db, principal: Principal, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('leads as l')
    .select('l.id')
    .where('l.tenant_id', '=', principal.tenantId)
    .where('l.id', 'in', [...ids])
    .where(leadVisible(principal, sql.ref('l.dealer_id'), sql.ref('l.consultant_id')))
    .execute();
  return new Set(rows.map((r) => r.id));
}

/** Leads by id, unscoped: callers check visibility (visibleLeadIds) before answering with them. */
export async function findLeadViews(db: Db, tenantId: string, ids: readonly string[]): Promise<LeadViewRow[]> {
  if (ids.length === 0) return [];
  return viewQuery(db, tenantId).where('l.id', 'in', [...ids]).execute();
}

export interface LeadFilter {
  statuses?: readonly string[] | undefined;
  source?: string | undefined;
  dealerCode?: string | undefined;
  dealerId?: string | undefined;
  consultantId?: string | undefined;
  inPool?: boolean | undefined;
  dedup?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** (created_at, id) of the last row of the previous page. */
  after?: { at: string; id: string } | undefined;
  limit: number;
  /** Pool listing: pool leads of the principal's units (HQ: all pool leads). */
  pool?: boolean;
}

/** Newest first (created_at, id); `limit + 1` rows so the caller knows whether there is a next page. */
export async function listVisibleLeads(db: Db, principal: Principal, f: LeadFilter): Promise<LeadViewRow[]> {
  let q = viewQuery(db, principal.tenantId);
  q = f.pool
    ? q.where('l.in_pool', '=', true).where(unitVisible(principal, sql.ref('l.dealer_id')))
    : q.where(leadVisible(principal, sql.ref('l.dealer_id'), sql.ref('l.consultant_id')));
  if (f.statuses && f.statuses.length > 0) q = q.where('l.status', 'in', [...f.statuses]);
  if (f.source) q = q.where('l.source', '=', f.source);
  if (f.dealerCode) q = q.where('d.code', '=', f.dealerCode);
  if (f.dealerId) q = q.where('l.dealer_id', '=', f.dealerId);
  if (f.consultantId) q = q.where('l.consultant_id', '=', f.consultantId);
  if (f.inPool !== undefined) q = q.where('l.in_pool', '=', f.inPool);
  if (f.dedup) q = q.where('l.dedup', '=', f.dedup);
  if (f.from) q = q.where('l.created_at', '>=', new Date(f.from));
  if (f.to) q = q.where('l.created_at', '<', new Date(f.to));
  if (f.after) {
    const a = f.after;
    q = q.where(sql<boolean>`(l.created_at, l.id) < (${a.at}::timestamptz, ${a.id}::uuid)`);
  }
  return q.orderBy('l.created_at', 'desc').orderBy('l.id', 'desc').limit(f.limit + 1).execute();
}

/** Locks the lead row for a change (the caller's scope is checked by the caller). */
export async function lockLead(db: Db, tenantId: string, id: string): Promise<LeadRow | undefined> {
  return db.selectFrom('leads').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Transitions in their order (ids follow it): a multi-row INSERT for a few, COPY for a batch. */
export async function insertTransitions(db: Db, rows: readonly NewTransition[]): Promise<void> {
  if (rows.length === 0) return;
  if (rows.length < 64) {
    await db.insertInto('lead_transitions').values([...rows]).execute();
    return;
  }
  const text = toCopyText(rows.map((r) => [r.tenant_id, r.lead_id, r.from_status ?? null, r.to_status, r.at, r.actor, r.reason ?? null, r.remark ?? null, r.details ?? null]));
  await db.executeQuery(CompiledQuery.raw('COPY lead_transitions (tenant_id, lead_id, from_status, to_status, at, actor, reason, remark, details) FROM STDIN', [new CopySource(text)]));
}

export interface AssignmentChange {
  status: string;
  dealerId: string | null;
  consultantId: string | null;
  inPool: boolean;
  poolReason: string | null;
  /** Set when the lead reaches `assigned` for the first time (kept afterwards). */
  assignedAt: Date | null;
  slaDueAt: Date | null;
  reassigned: boolean;
  at: Date;
}

export async function updateAssignment(db: Db, tenantId: string, id: string, c: AssignmentChange): Promise<void> {
  await db
    .updateTable('leads')
    .set((eb) => ({
      status: c.status,
      dealer_id: c.dealerId,
      consultant_id: c.consultantId,
      in_pool: c.inPool,
      pool_reason: c.poolReason,
      assigned_at: c.assignedAt === null ? eb.ref('assigned_at') : sql<Date>`COALESCE(assigned_at, ${c.assignedAt.toISOString()}::timestamptz)`,
      sla_due_at: c.slaDueAt,
      reassign_count: c.reassigned ? sql<number>`reassign_count + 1` : eb.ref('reassign_count'),
      updated_at: c.at,
    }))
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

/** Dealer staff see the customers of their units: link the person to the dealer the lead went to. */
export async function linkCustomers(db: Db, tenantId: string, links: ReadonlyArray<{ profileId: string; unitId: string }>, at: Date): Promise<void> {
  if (links.length === 0) return;
  await sql`
    INSERT INTO customer_links (tenant_id, profile_id, org_unit_id, reason, since)
    SELECT ${tenantId}::uuid, p, u, 'lead', ${at.toISOString()}::timestamptz
    FROM unnest(${links.map((l) => l.profileId)}::uuid[], ${links.map((l) => l.unitId)}::uuid[]) AS x(p, u)
    ON CONFLICT DO NOTHING`.execute(db);
}

/** A unit (dealer, team …) of the tenant by id or code. */
export async function findUnit(db: Db, tenantId: string, by: { id?: string; code?: string }) {
  let q = db.selectFrom('org_units').select(['id', 'code', 'type', 'active', 'path']).where('tenant_id', '=', tenantId);
  if (by.id !== undefined) q = q.where('id', '=', by.id);
  if (by.code !== undefined) q = q.where('code', '=', by.code);
  return q.executeTakeFirst();
}

/** The dealer a unit belongs to: the unit itself, or its nearest ancestor of type dealer. */
export async function dealerOfUnit(db: Db, tenantId: string, unitId: string): Promise<{ id: string; code: string; active: boolean } | undefined> {
  const { rows } = await sql<{ id: string; code: string; active: boolean }>`
    SELECT d.id, d.code, d.active FROM org_units u
    JOIN org_units d ON d.tenant_id = u.tenant_id AND d.type = 'dealer' AND d.id = ANY(u.path)
    WHERE u.tenant_id = ${tenantId} AND u.id = ${unitId}
    ORDER BY cardinality(d.path) DESC LIMIT 1`.execute(db);
  return rows[0];
}

/** A staff member with the dealer they work for (null for HQ staff). */
export async function findStaffWithDealer(db: Db, tenantId: string, staffId: string) {
  const { rows } = await sql<{ id: string; role: string; active: boolean; dealer_id: string | null }>`
    SELECT s.id, s.role, s.active,
      (SELECT d.id FROM org_units u JOIN org_units d ON d.tenant_id = u.tenant_id AND d.type = 'dealer' AND d.id = ANY(u.path)
       WHERE u.tenant_id = s.tenant_id AND u.id = s.org_unit_id ORDER BY cardinality(d.path) DESC LIMIT 1) AS dealer_id
    FROM staff s WHERE s.tenant_id = ${tenantId} AND s.id = ${staffId}`.execute(db);
  return rows[0];
}
