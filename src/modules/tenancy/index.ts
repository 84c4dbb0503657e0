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
  type AdminPrincipal,
  type TenancyDeps,
  type WriteKeyPrincipal,
} from './service.js';
export { insertAudit } from './repo.js';
