import { localeSchema, type Locale } from '../../contracts/org.js';
import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import * as orgRepo from './org.repo.js';
import type { Principal } from './principal.js';
import { findTenant } from './repo.js';
import type { TenancyDeps } from './service.js';
import { staffView } from './staff.js';
import * as repo from './staff.repo.js';

/** Admin tokens (and Siyu itself) have no staff row: they read the console in its default language. */
const DEFAULT_LOCALE: Locale = 'zh-CN';

/** The caller as they are seen: role, scope (unit codes), masking, their tenant and console language. */
export async function whoAmI(db: Db, principal: Principal) {
  const unitIds = principal.scope.kind === 'all' ? [] : principal.scope.unitIds;
  const [staff, codes, tenant] = await Promise.all([
    principal.staffId ? repo.findStaff(db, principal.tenantId, principal.staffId) : undefined,
    orgRepo.codesOf(db, principal.tenantId, unitIds),
    findTenant(db, principal.tenantId),
  ]);
  if (!tenant) throw new AppError('unauthorized', 'the tenant of this token no longer exists');
  return {
    kind: principal.kind,
    actor: principal.actor,
    role: principal.role,
    staff: staff ? staffView(staff) : null,
    scope: { kind: principal.scope.kind, orgUnitCodes: unitIds.map((id) => codes.get(id) ?? id).sort() },
    maskPii: principal.maskPii,
    tenant: { id: tenant.id, name: tenant.name, timeZone: tenant.time_zone },
    locale: staff ? localeSchema.parse(staff.locale) : DEFAULT_LOCALE,
  };
}

/** A staff member chooses their console language; answers who they are afterwards. */
export async function updateMe(deps: TenancyDeps, principal: Principal, input: { locale: Locale }) {
  if (!principal.staffId) {
    throw new AppError('forbidden', 'the console language is a setting of a staff member; admin tokens have none: sign in as a staff member to choose it');
  }
  if (!(await repo.setStaffLocale(deps.db, principal.tenantId, principal.staffId, input.locale, deps.clock.now()))) {
    throw new AppError('unauthorized', 'the staff member of this session no longer exists; sign in again');
  }
  return whoAmI(deps.db, principal);
}

/** The tenant's audit log, newest first (admins). */
export async function auditLog(db: Db, principal: Principal, q: Parameters<typeof repo.auditPage>[2]) {
  const rows = await repo.auditPage(db, principal.tenantId, q);
  const page = rows.slice(0, q.limit);
  return {
    data: page.map((r) => ({
      id: String(r.id),
      at: r.at.toISOString(),
      actor: r.actor,
      action: r.action,
      targetType: r.target_type,
      targetId: r.target_id,
      details: r.details,
    })),
    nextCursor: rows.length > q.limit ? String(page[page.length - 1]?.id) : null,
  };
}

const notificationView = (r: { id: string; kind: string; payload: unknown; created_at: Date; read_at: Date | null }) => ({
  id: r.id,
  kind: r.kind,
  payload: r.payload,
  createdAt: r.created_at.toISOString(),
  readAt: r.read_at ? r.read_at.toISOString() : null,
});

function requireStaff(principal: Principal): string {
  if (!principal.staffId) throw new AppError('forbidden', 'notifications belong to staff; log in as a staff member (admin tokens have none)');
  return principal.staffId;
}

export async function myNotifications(db: Db, principal: Principal, q: { unread: boolean; limit: number }) {
  const rows = await repo.notificationsOf(db, principal.tenantId, requireStaff(principal), q.unread, q.limit);
  return { data: rows.map(notificationView) };
}

export async function readNotification(db: Db, principal: Principal, id: string, now: Date) {
  const row = await repo.markNotificationRead(db, principal.tenantId, requireStaff(principal), id, now);
  if (!row) throw new AppError('not_found', `no notification ${id}`);
  return notificationView(row);
}
