/**
 * Who is calling the management API and what they may see. Admin tokens act as the tenant's admin;
 * staff act within their role and org unit (DOMAIN.md, "Organisation").
 */
export const ROLES = ['admin', 'hq_ops', 'analyst', 'dealer_manager', 'consultant', 'service_advisor'] as const;
export type Role = (typeof ROLES)[number];

/** Roles that see every customer of the tenant. */
export const HQ_ROLES: readonly Role[] = ['admin', 'hq_ops', 'analyst'];
/** Roles that change tenant-wide configuration (credentials, identity rules, staff, permissions). */
export const ADMIN_ROLES: readonly Role[] = ['admin'];
/** Roles that run operations for the whole brand (segments, tags, models, routing, org units). */
export const OPS_ROLES: readonly Role[] = ['admin', 'hq_ops'];
/** Roles that work customers in a dealer (scoped to their units or, consultants, to their own). */
export const DEALER_ROLES: readonly Role[] = ['dealer_manager', 'consultant', 'service_advisor'];
/** Roles that approve defeats and see their dealer's pool. */
export const MANAGER_ROLES: readonly Role[] = ['admin', 'hq_ops', 'dealer_manager'];
/** Every role but the analyst, who reads (masked) and never writes customer data. */
export const WRITER_ROLES: readonly Role[] = ['admin', 'hq_ops', 'dealer_manager', 'consultant', 'service_advisor'];

/**
 * Which customers (profiles) and leads a principal sees.
 * - all: the whole tenant (admin tokens, admin, hq_ops, analyst).
 * - units: customers linked to these org units (the staff's dealer and everything under it) or WeCom
 *   friends of staff in them; leads routed to these units.
 * - own: customers of leads assigned to this consultant or who are their WeCom friends; their leads.
 */
export type CustomerScope =
  | { kind: 'all' }
  | { kind: 'units'; rootUnitId: string; unitIds: string[]; wecomUserIds: string[] }
  | { kind: 'own'; staffId: string; unitIds: string[]; wecomUserId: string | null };

export interface Principal {
  tenantId: string;
  kind: 'admin_token' | 'staff' | 'system';
  /** Who the audit log and histories name: `admin_token:<id>`, `staff:<id>` or `system:<what>`. */
  actor: string;
  role: Role;
  /** Set for staff. */
  staffId: string | null;
  orgUnitId: string | null;
  scope: CustomerScope;
  /** Analysts see names, phones, e-mails and identifier values masked. */
  maskPii: boolean;
  /** The admin token's id (admin tokens only). */
  tokenId: string | null;
}

export function hasRole(principal: Principal, roles: readonly Role[]): boolean {
  return roles.includes(principal.role);
}

export function seesAll(principal: Principal): boolean {
  return principal.scope.kind === 'all';
}

/** Siyu itself acting (connectors, timers): the whole tenant, named in histories as `system:<what>`. */
export function systemPrincipal(tenantId: string, what: string): Principal {
  return { tenantId, kind: 'system', actor: `system:${what}`, role: 'admin', staffId: null, orgUnitId: null, scope: { kind: 'all' }, maskPii: false, tokenId: null };
}
