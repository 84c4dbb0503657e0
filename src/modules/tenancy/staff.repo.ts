import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import type { Principal } from './principal.js';
import { unitVisible } from './scope.repo.js';

/** SQL for staff, their sessions, the audit log's reading side and staff notifications. */

export type StaffRow = {
  id: string;
  username: string;
  name: string;
  role: string;
  org_unit_id: string;
  org_unit_code: string;
  wecom_user_id: string | null;
  phone: string | null;
  max_open_leads: number | null;
  active: boolean;
  locale: string;
  failed_logins: number;
  locked_until: Date | null;
  last_login_at: Date | null;
  created_at: Date;
};

function staffQuery(db: Db, tenantId: string) {
  return db
    .selectFrom('staff as s')
    .innerJoin('org_units as u', (j) => j.onRef('u.tenant_id', '=', 's.tenant_id').onRef('u.id', '=', 's.org_unit_id'))
    .select([
      's.id', 's.username', 's.name', 's.role', 's.org_unit_id', 'u.code as org_unit_code', 's.wecom_user_id', 's.phone', 's.max_open_leads',
      's.active', 's.locale', 's.failed_logins', 's.locked_until', 's.last_login_at', 's.created_at',
    ])
    .where('s.tenant_id', '=', tenantId);
}

export async function findStaff(db: Db, tenantId: string, id: string): Promise<StaffRow | undefined> {
  return staffQuery(db, tenantId).where('s.id', '=', id).executeTakeFirst();
}

/** A staff member the principal may see: HQ roles everyone, dealer-side staff those of their units. */
export async function findVisibleStaff(db: Db, principal: Principal, id: string): Promise<StaffRow | undefined> {
  return staffQuery(db, principal.tenantId).where('s.id', '=', id).where(unitVisible(principal, sql.ref('s.org_unit_id'))).executeTakeFirst();
}

export async function listStaff(db: Db, principal: Principal, filter: { underUnitId?: string | undefined; role?: string | undefined }): Promise<StaffRow[]> {
  let q = staffQuery(db, principal.tenantId).where(unitVisible(principal, sql.ref('s.org_unit_id')));
  if (filter.underUnitId) q = q.where(sql<boolean>`u.path @> ARRAY[${filter.underUnitId}]::uuid[]`);
  if (filter.role) q = q.where('s.role', '=', filter.role);
  return q.orderBy('u.code').orderBy('s.username').execute();
}

/** Login looks across tenants: user names are unique in the whole installation. */
export async function findLogin(db: Db, username: string) {
  return db
    .selectFrom('staff')
    .select(['tenant_id', 'id', 'password_hash', 'active', 'locked_until', 'failed_logins'])
    .where(sql<boolean>`lower(username) = ${username}`)
    .executeTakeFirst();
}

export async function lockLogin(db: Db, tenantId: string, id: string) {
  return db.selectFrom('staff').select(['active', 'locked_until']).where('tenant_id', '=', tenantId).where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function usernameTaken(db: Db, username: string): Promise<{ tenant_id: string; id: string; password_hash: string } | undefined> {
  return db.selectFrom('staff').select(['tenant_id', 'id', 'password_hash']).where(sql<boolean>`lower(username) = ${username}`).executeTakeFirst();
}

export async function insertStaff(
  db: Db,
  s: { tenantId: string; id: string; username: string; name: string; role: string; orgUnitId: string; passwordHash: string; wecomUserId: string | null; phone: string | null; maxOpenLeads: number | null },
): Promise<boolean> {
  const row = await sql<{ id: string }>`
    INSERT INTO staff (tenant_id, id, username, name, role, org_unit_id, password_hash, wecom_user_id, phone, max_open_leads)
    VALUES (${s.tenantId}, ${s.id}, ${s.username}, ${s.name}, ${s.role}, ${s.orgUnitId}, ${s.passwordHash}, ${s.wecomUserId}, ${s.phone}, ${s.maxOpenLeads})
    ON CONFLICT DO NOTHING RETURNING id`.execute(db);
  return row.rows.length === 1;
}

/** The staff member a WeCom user id is bound to in the tenant (at most one: the binding is unique), other than `exceptId`. */
export async function wecomTaken(db: Db, tenantId: string, wecomUserId: string, exceptId?: string) {
  let q = db.selectFrom('staff').select('id').where('tenant_id', '=', tenantId).where('wecom_user_id', '=', wecomUserId);
  if (exceptId) q = q.where('id', '!=', exceptId);
  return q.executeTakeFirst();
}

export async function lockStaff(db: Db, tenantId: string, id: string) {
  return db.selectFrom('staff').select(['id', 'role', 'org_unit_id', 'active', 'wecom_user_id']).where('tenant_id', '=', tenantId).where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function updateStaff(
  db: Db,
  tenantId: string,
  id: string,
  set: { name?: string; role?: string; org_unit_id?: string; wecom_user_id?: string | null; phone?: string | null; max_open_leads?: number | null; active?: boolean; password_hash?: string; failed_logins?: number; locked_until?: Date | null },
  now: Date,
) {
  await db.updateTable('staff').set({ ...set, updated_at: now }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

/** The staff member's console language; whether they exist. */
export async function setStaffLocale(db: Db, tenantId: string, id: string, locale: string, now: Date): Promise<boolean> {
  const r = await db.updateTable('staff').set({ locale, updated_at: now }).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** One more failed login; at `max` failures in a row the account locks until `lockUntil`. Atomic. */
export async function recordFailedLogin(db: Db, tenantId: string, id: string, max: number, lockUntil: Date, now: Date) {
  const r = await sql<{ failed_logins: number; locked_until: Date | null }>`
    UPDATE staff SET failed_logins = failed_logins + 1,
      locked_until = CASE WHEN failed_logins + 1 >= ${max} THEN ${lockUntil.toISOString()}::timestamptz ELSE locked_until END,
      updated_at = ${now.toISOString()}::timestamptz
    WHERE tenant_id = ${tenantId} AND id = ${id}
    RETURNING failed_logins, locked_until`.execute(db);
  return r.rows[0];
}

export async function recordLogin(db: Db, tenantId: string, id: string, now: Date) {
  await db.updateTable('staff').set({ failed_logins: 0, locked_until: null, last_login_at: now, updated_at: now }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

/** A sign-in that used no password: only when it happened; the password's failure count and lock stay. */
export async function recordSignIn(db: Db, tenantId: string, id: string, now: Date) {
  await db.updateTable('staff').set({ last_login_at: now, updated_at: now }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

export async function insertSession(db: Db, s: { tenantId: string; id: string; staffId: string; tokenHash: string; createdAt: Date; expiresAt: Date }) {
  await db
    .insertInto('staff_sessions')
    .values({ tenant_id: s.tenantId, id: s.id, staff_id: s.staffId, token_hash: s.tokenHash, created_at: s.createdAt, expires_at: s.expiresAt })
    .execute();
}

export async function revokeSessionByHash(db: Db, tenantId: string, tokenHash: string, now: Date) {
  await db.updateTable('staff_sessions').set({ revoked_at: now }).where('tenant_id', '=', tenantId).where('token_hash', '=', tokenHash).where('revoked_at', 'is', null).execute();
}

export async function revokeSessionsOf(db: Db, tenantId: string, staffId: string, now: Date): Promise<number> {
  const r = await db
    .updateTable('staff_sessions')
    .set({ revoked_at: now })
    .where('tenant_id', '=', tenantId)
    .where('staff_id', '=', staffId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function auditPage(
  db: Db,
  tenantId: string,
  q: { action?: string | undefined; actor?: string | undefined; from?: string | undefined; to?: string | undefined; cursor?: string | undefined; limit: number },
) {
  let query = db.selectFrom('audit_log').select(['id', 'at', 'actor', 'action', 'target_type', 'target_id', 'details']).where('tenant_id', '=', tenantId);
  if (q.action) query = q.action.endsWith('.') ? query.where('action', 'like', `${q.action.replace(/[%_\\]/g, '\\$&')}%`) : query.where('action', '=', q.action);
  if (q.actor) query = query.where('actor', '=', q.actor);
  if (q.from) query = query.where('at', '>=', new Date(q.from));
  if (q.to) query = query.where('at', '<', new Date(q.to));
  if (q.cursor) query = query.where('id', '<', q.cursor);
  return query.orderBy('id', 'desc').limit(q.limit + 1).execute();
}

export async function notificationsOf(db: Db, tenantId: string, staffId: string, unreadOnly: boolean, limit: number) {
  let q = db.selectFrom('notifications').select(['id', 'kind', 'payload', 'created_at', 'read_at']).where('tenant_id', '=', tenantId).where('staff_id', '=', staffId);
  if (unreadOnly) q = q.where('read_at', 'is', null);
  return q.orderBy('created_at', 'desc').orderBy('id').limit(limit).execute();
}

export async function markNotificationRead(db: Db, tenantId: string, staffId: string, id: string, now: Date) {
  await db.updateTable('notifications').set({ read_at: now }).where('tenant_id', '=', tenantId).where('staff_id', '=', staffId).where('id', '=', id).where('read_at', 'is', null).execute();
  return db.selectFrom('notifications').select(['id', 'kind', 'payload', 'created_at', 'read_at']).where('tenant_id', '=', tenantId).where('staff_id', '=', staffId).where('id', '=', id).executeTakeFirst();
}
