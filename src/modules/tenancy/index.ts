export {
  DEFAULT_DOMAIN_CLASS,
  authenticateAdminToken,
  authenticateWriteKey,
  createAdminToken,
  createSource,
  createTenant,
  createWriteKey,
  getSource,
  listAdminTokens,
  listSources,
  revokeAdminToken,
  revokeWriteKey,
  type Actor,
  type TenancyDeps,
  type WriteKeyPrincipal,
} from './service.js';
export { hasAnyTenant, insertAudit } from './repo.js';
export { ADMIN_ROLES, DEALER_ROLES, HQ_ROLES, MANAGER_ROLES, OPS_ROLES, ROLES, WRITER_ROLES, hasRole, seesAll, systemPrincipal, type CustomerScope, type Principal, type Role } from './principal.js';
export { sessionPrincipal, staffPrincipal } from './principal.repo.js';
export { customerVisible, leadVisible, unitVisible } from './scope.repo.js';
export { createOrgUnit, getOrgUnit, listOrgUnits, unitViews, updateOrgUnit } from './org.js';
export { findUnitByCode, type OrgUnitRow } from './org.repo.js';
export { LOCK_MINUTES, MAX_FAILED_LOGINS, SESSION_HOURS, createStaff, getStaff, listStaff, login, logout, resetPassword, staffView, updateStaff } from './staff.js';
export { loginWithWecom } from './wecom-sign-in.js';
export { auditLog, myNotifications, readNotification, updateMe, whoAmI } from './account.js';
export { hashPassword, verifyPassword } from './password.js';
export { eraseCustomerRecords, moveCustomerRecords, profilesWithCustomerRecords, type CustomerRecordsErased, type CustomerRecordsMoved } from './customer-records.repo.js';
