import type { StaffCreate, StaffUpdate, StaffView } from '../../contracts/org.js';
import { staffRoleSchema } from '../../contracts/org.js';
import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import { hashSecret, newId, newSecret } from '../../platform/ids.js';
import { maskName, maskPhone, maskValue } from '../../platform/pii.js';
import * as orgRepo from './org.repo.js';
import { dummyHash, hashPassword, verifyPassword } from './password.js';
import { ADMIN_ROLES, type Principal, type Role } from './principal.js';
import { insertAudit } from './repo.js';
import type { TenancyDeps } from './service.js';
import * as repo from './staff.repo.js';

/** Consecutive failed logins that lock an account, and for how long. */
export const MAX_FAILED_LOGINS = 5;
export const LOCK_MINUTES = 15;
/** How long a staff session token lives. */
export const SESSION_HOURS = 12;

/** Where each role may sit in the tree. */
const ROLE_UNITS: Record<Role, readonly string[]> = {
  admin: ['hq', 'region'],
  hq_ops: ['hq', 'region'],
  analyst: ['hq', 'region'],
  dealer_manager: ['region', 'dealer_group', 'dealer'],
  consultant: ['dealer', 'team'],
  service_advisor: ['dealer', 'team'],
};
/** Roles a dealer manager may give to people of their own units. */
const MANAGED_ROLES: readonly Role[] = ['consultant', 'service_advisor'];

/**
 * A staff record as the caller sees it. Analysts (`maskPii`) see the directory like customers:
 * the name and phone masked, and the user name and WeCom user id masked as identifier values (both
 * are usually spelt from the person's name, e.g. zhang.san, ZhangSan); the id, role, unit and dates
 * stay readable so that KPIs and leads (which name staff by id) can be read per person. Without a
 * principal (login, /auth/me: the caller's own record) nothing is masked.
 */
export function staffView(r: repo.StaffRow, principal?: Principal): StaffView {
  const mask = principal?.maskPii === true;
  return {
    id: r.id,
    username: mask ? maskValue(r.username) : r.username,
    name: mask ? maskName(r.name) : r.name,
    role: staffRoleSchema.parse(r.role),
    orgUnitCode: r.org_unit_code,
    orgUnitId: r.org_unit_id,
    wecomUserId: r.wecom_user_id === null ? null : mask ? maskValue(r.wecom_user_id) : r.wecom_user_id,
    phone: r.phone === null ? null : mask ? maskPhone(r.phone) : r.phone,
    maxOpenLeads: r.max_open_leads,
    active: r.active,
    lockedUntil: r.locked_until ? r.locked_until.toISOString() : null,
    lastLoginAt: r.last_login_at ? r.last_login_at.toISOString() : null,
    createdAt: r.created_at.toISOString(),
  };
}

/**
 * Binding a WeCom user id widens a scope (that user's WeCom friends become visible): admins only,
 * or a dealer manager could make any customer of the brand theirs.
 */
function requireMayBindWecom(principal: Principal, wecomUserId: string | null | undefined) {
  if (wecomUserId && !ADMIN_ROLES.includes(principal.role)) {
    throw new AppError('forbidden', 'only an admin binds WeCom user ids (it decides whose WeCom friends a person sees)', { field: 'wecomUserId' });
  }
}

/** Who may give `role` at `unitId`: admins anything; a dealer manager consultants and advisors in their units. */
function requireMayGrant(principal: Principal, role: Role, unitId: string) {
  if (ADMIN_ROLES.includes(principal.role)) return;
  if (principal.role === 'dealer_manager' && MANAGED_ROLES.includes(role) && principal.scope.kind !== 'all' && principal.scope.unitIds.includes(unitId)) return;
  throw new AppError('forbidden', `your role (${principal.role}) may not give the role ${role} in that unit`, { role });
}

async function requirePlacement(db: Db, tenantId: string, role: Role, orgUnitCode: string) {
  const unit = await orgRepo.findUnitByCode(db, tenantId, orgUnitCode);
  if (!unit) throw new AppError('invalid_request', `orgUnitCode ${orgUnitCode} names no org unit`, { field: 'orgUnitCode' });
  if (!ROLE_UNITS[role].includes(unit.type)) {
    throw new AppError('invalid_request', `a ${role} belongs to a unit of type ${ROLE_UNITS[role].join(' or ')}, not ${unit.type}`, { field: 'orgUnitCode', unitType: unit.type });
  }
  return unit;
}

async function requireFreeWecom(db: Db, tenantId: string, wecomUserId: string | null | undefined, exceptId?: string) {
  if (wecomUserId && (await repo.wecomTaken(db, tenantId, wecomUserId, exceptId))) {
    throw new AppError('conflict', `WeCom user ${wecomUserId} is already bound to another staff member`, { field: 'wecomUserId' });
  }
}

/**
 * Creates a staff member. Idempotent: repeating the same request (same fields and password) answers
 * the existing person (`created: false`); a user name taken otherwise is a 409 (user names are unique
 * across tenants, as login names no tenant).
 */
export async function createStaff(deps: TenancyDeps, principal: Principal, input: StaffCreate): Promise<{ staff: StaffView; created: boolean }> {
  const tenantId = principal.tenantId;
  // Who may grant what is decided first: nothing below may answer differently for a caller who may not.
  const placement = await requirePlacement(deps.db, tenantId, input.role, input.orgUnitCode);
  requireMayGrant(principal, input.role, placement.id);
  requireMayBindWecom(principal, input.wecomUserId);
  const taken = await repo.usernameTaken(deps.db, input.username);
  if (taken) {
    // A replay of the same request answers the person; the password is never compared (no oracle).
    const existing = taken.tenant_id === tenantId ? await repo.findVisibleStaff(deps.db, principal, taken.id) : undefined;
    if (
      existing &&
      existing.name === input.name &&
      existing.role === input.role &&
      existing.org_unit_code === input.orgUnitCode &&
      existing.wecom_user_id === (input.wecomUserId ?? null)
    ) {
      return { staff: staffView(existing, principal), created: false };
    }
    throw new AppError('conflict', `the user name ${input.username} is taken; choose another`, { field: 'username' });
  }
  const passwordHash = await hashPassword(input.password);
  return deps.db.transaction().execute(async (trx) => {
    const unit = await requirePlacement(trx, tenantId, input.role, input.orgUnitCode);
    requireMayGrant(principal, input.role, unit.id);
    await requireFreeWecom(trx, tenantId, input.wecomUserId);
    const id = newId();
    const inserted = await repo.insertStaff(trx, {
      tenantId,
      id,
      username: input.username,
      name: input.name,
      role: input.role,
      orgUnitId: unit.id,
      passwordHash,
      wecomUserId: input.wecomUserId ?? null,
      phone: input.phone ?? null,
      maxOpenLeads: input.maxOpenLeads ?? null,
    });
    if (!inserted) throw new AppError('conflict', `the user name ${input.username} (or WeCom user) was taken at the same time; choose another`, { field: 'username' });
    await insertAudit(trx, {
      tenantId,
      actor: principal.actor,
      action: 'staff.create',
      targetType: 'staff',
      targetId: id,
      details: { username: input.username, role: input.role, orgUnitCode: input.orgUnitCode },
    });
    const row = await repo.findStaff(trx, tenantId, id);
    if (!row) throw new AppError('internal', 'the staff member was not read back');
    return { staff: staffView(row, principal), created: true };
  });
}

/**
 * Changes a staff member. Role, unit and activation are permission changes: audited with before and
 * after; deactivation and role or unit changes end the person's sessions (they log in again).
 */
export async function updateStaff(deps: TenancyDeps, principal: Principal, id: string, input: StaffUpdate): Promise<StaffView> {
  const tenantId = principal.tenantId;
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const visible = await repo.findVisibleStaff(trx, principal, id);
    const current = visible ? await repo.lockStaff(trx, tenantId, id) : undefined;
    if (!visible || !current) throw new AppError('not_found', `no staff member ${id}`);
    const currentRole = staffRoleSchema.parse(current.role);
    requireMayGrant(principal, currentRole, current.org_unit_id);
    const role = input.role ?? currentRole;
    const unit = input.orgUnitCode !== undefined || input.role !== undefined ? await requirePlacement(trx, tenantId, role, input.orgUnitCode ?? visible.org_unit_code) : null;
    if (unit) requireMayGrant(principal, role, unit.id);
    if (input.wecomUserId !== undefined) {
      requireMayBindWecom(principal, input.wecomUserId ?? 'unbind');
      await requireFreeWecom(trx, tenantId, input.wecomUserId, id);
    }

    const set: Parameters<typeof repo.updateStaff>[3] = {};
    if (input.name !== undefined) set.name = input.name;
    if (input.role !== undefined) set.role = input.role;
    if (unit) set.org_unit_id = unit.id;
    if (input.wecomUserId !== undefined) set.wecom_user_id = input.wecomUserId;
    if (input.phone !== undefined) set.phone = input.phone;
    if (input.maxOpenLeads !== undefined) set.max_open_leads = input.maxOpenLeads;
    if (input.active !== undefined) set.active = input.active;
    await repo.updateStaff(trx, tenantId, id, set, now);

    const before = { role: current.role, orgUnitCode: visible.org_unit_code, active: current.active, wecomUserId: current.wecom_user_id };
    const after = { role, orgUnitCode: unit?.code ?? visible.org_unit_code, active: input.active ?? current.active, wecomUserId: input.wecomUserId === undefined ? current.wecom_user_id : input.wecomUserId };
    const changed = (Object.keys(before) as Array<keyof typeof before>).filter((k) => before[k] !== after[k]);
    if (changed.length > 0) {
      const ended = before.role !== after.role || before.orgUnitCode !== after.orgUnitCode || !after.active ? await repo.revokeSessionsOf(trx, tenantId, id, now) : 0;
      await insertAudit(trx, { tenantId, actor: principal.actor, action: 'staff.permission_change', targetType: 'staff', targetId: id, details: { changed, before, after, sessionsEnded: ended } });
    }
    const row = await repo.findStaff(trx, tenantId, id);
    if (!row) throw new AppError('internal', 'the staff member was not read back');
    return staffView(row, principal);
  });
}

/** An admin sets a new password: the account unlocks and every session ends. */
export async function resetPassword(deps: TenancyDeps, principal: Principal, id: string, password: string): Promise<StaffView> {
  const tenantId = principal.tenantId;
  const now = deps.clock.now();
  const passwordHash = await hashPassword(password);
  return deps.db.transaction().execute(async (trx) => {
    const visible = await repo.findVisibleStaff(trx, principal, id);
    if (!visible || !(await repo.lockStaff(trx, tenantId, id))) throw new AppError('not_found', `no staff member ${id}`);
    requireMayGrant(principal, staffRoleSchema.parse(visible.role), visible.org_unit_id);
    await repo.updateStaff(trx, tenantId, id, { password_hash: passwordHash, failed_logins: 0, locked_until: null }, now);
    const ended = await repo.revokeSessionsOf(trx, tenantId, id, now);
    await insertAudit(trx, { tenantId, actor: principal.actor, action: 'staff.password_reset', targetType: 'staff', targetId: id, details: { sessionsEnded: ended } });
    const row = await repo.findStaff(trx, tenantId, id);
    if (!row) throw new AppError('internal', 'the staff member was not read back');
    return staffView(row, principal);
  });
}

export async function getStaff(db: Db, principal: Principal, id: string): Promise<StaffView> {
  const row = await repo.findVisibleStaff(db, principal, id);
  if (!row) throw new AppError('not_found', `no staff member ${id}`);
  return staffView(row, principal);
}

export async function listStaff(db: Db, principal: Principal, q: { orgUnitCode?: string | undefined; role?: string | undefined }): Promise<StaffView[]> {
  let underUnitId: string | undefined;
  if (q.orgUnitCode) {
    const unit = await orgRepo.findUnitByCode(db, principal.tenantId, q.orgUnitCode);
    if (!unit || (principal.scope.kind !== 'all' && !principal.scope.unitIds.includes(unit.id))) throw new AppError('not_found', `no org unit with code ${q.orgUnitCode}`);
    underUnitId = unit.id;
  }
  return (await repo.listStaff(db, principal, { underUnitId, role: q.role })).map((r) => staffView(r, principal));
}

const WRONG = 'wrong user name or password';

/**
 * Logs a staff member in: a session token valid for SESSION_HOURS. After MAX_FAILED_LOGINS wrong
 * passwords in a row the account locks for LOCK_MINUTES (423 with `lockedUntil`); an unknown user name
 * costs the same time as a wrong password and answers the same 401. Every attempt is audited.
 */
export async function login(deps: TenancyDeps, input: { username: string; password: string }): Promise<{ token: string; expiresAt: string; staff: StaffView }> {
  const now = deps.clock.now();
  const account = await repo.findLogin(deps.db, input.username);
  if (!account) {
    await verifyPassword(input.password, await dummyHash());
    throw new AppError('unauthorized', WRONG);
  }
  const tenantId = account.tenant_id;
  if (account.locked_until && account.locked_until > now) {
    await insertAudit(deps.db, { tenantId, actor: `staff:${account.id}`, action: 'auth.login_refused', targetType: 'staff', targetId: account.id, details: { reason: 'locked' } });
    throw new AppError('account_locked', `too many wrong passwords: the account is locked until ${account.locked_until.toISOString()}; try again then or ask an admin to reset the password`, {
      lockedUntil: account.locked_until.toISOString(),
    });
  }
  const ok = await verifyPassword(input.password, account.password_hash);
  if (!ok || !account.active) {
    const result = await deps.db.transaction().execute(async (trx) => {
      const r = ok ? undefined : await repo.recordFailedLogin(trx, tenantId, account.id, MAX_FAILED_LOGINS, new Date(now.getTime() + LOCK_MINUTES * 60_000), now);
      const locked = r?.locked_until && r.locked_until > now ? r.locked_until : null;
      await insertAudit(trx, {
        tenantId,
        actor: `staff:${account.id}`,
        action: 'auth.login_failed',
        targetType: 'staff',
        targetId: account.id,
        details: { reason: ok ? 'inactive' : 'wrong_password', failures: r?.failed_logins ?? null, lockedUntil: locked ? locked.toISOString() : null },
      });
      return locked;
    });
    if (result) {
      throw new AppError('account_locked', `too many wrong passwords: the account is locked until ${result.toISOString()}`, { lockedUntil: result.toISOString() });
    }
    throw new AppError('unauthorized', WRONG);
  }
  return deps.db.transaction().execute(async (trx) => {
    // Re-read under a row lock: a lock-out or deactivation by a parallel attempt wins over this one.
    const current = await repo.lockLogin(trx, tenantId, account.id);
    if (!current?.active) throw new AppError('unauthorized', WRONG);
    if (current.locked_until && current.locked_until > now) {
      throw new AppError('account_locked', `too many wrong passwords: the account is locked until ${current.locked_until.toISOString()}`, { lockedUntil: current.locked_until.toISOString() });
    }
    await repo.recordLogin(trx, tenantId, account.id, now);
    return openSession(trx, tenantId, account.id, now, { method: 'password' });
  });
}

/**
 * A new session of SESSION_HOURS for a staff member whose sign-in succeeded, audited as
 * `auth.login` with `details` (how they signed in); inside the caller's transaction.
 */
export async function openSession(trx: Db, tenantId: string, staffId: string, now: Date, details: Record<string, unknown>): Promise<{ token: string; expiresAt: string; staff: StaffView }> {
  const token = newSecret('st');
  const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3_600_000);
  const sessionId = newId();
  await repo.insertSession(trx, { tenantId, id: sessionId, staffId, tokenHash: hashSecret(token), createdAt: now, expiresAt });
  await insertAudit(trx, { tenantId, actor: `staff:${staffId}`, action: 'auth.login', targetType: 'staff', targetId: staffId, details: { sessionId, ...details } });
  const row = await repo.findStaff(trx, tenantId, staffId);
  if (!row) throw new AppError('internal', 'the staff member was not read back');
  return { token, expiresAt: expiresAt.toISOString(), staff: staffView(row) };
}

/** Ends the session of the token (idempotent). */
export async function logout(deps: TenancyDeps, principal: Principal, token: string): Promise<void> {
  if (principal.kind !== 'staff') return;
  await repo.revokeSessionByHash(deps.db, principal.tenantId, hashSecret(token), deps.clock.now());
}
