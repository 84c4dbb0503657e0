import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import { hashSecret } from '../../platform/ids.js';
import { HQ_ROLES, ROLES, type CustomerScope, type Principal, type Role } from './principal.js';

const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

interface StaffRow {
  tenant_id: string;
  id: string;
  role: string;
  org_unit_id: string;
  wecom_user_id: string | null;
  unit_type: string;
  parent_id: string | null;
  parent_type: string | null;
}

/**
 * The units a dealer-side staff member works in: their own unit and everything under it; a team's
 * staff work for the team's dealer (they serve the dealer's customers).
 */
async function scopeOf(db: Db, s: StaffRow, role: Role): Promise<CustomerScope> {
  if (HQ_ROLES.includes(role)) return { kind: 'all' };
  const root = s.unit_type === 'team' && s.parent_id !== null && s.parent_type === 'dealer' ? s.parent_id : s.org_unit_id;
  // One query per request: the units under the root and the WeCom ids of the staff who work in them.
  const { rows } = await sql<{ unit_ids: string[] | null; wecom_ids: string[] | null }>`
    SELECT array_agg(DISTINCT u.id) AS unit_ids, array_agg(DISTINCT st.wecom_user_id) FILTER (WHERE st.wecom_user_id IS NOT NULL) AS wecom_ids
    FROM org_units u
    LEFT JOIN staff st ON st.tenant_id = u.tenant_id AND st.org_unit_id = u.id
    WHERE u.tenant_id = ${s.tenant_id} AND u.path @> ARRAY[${root}]::uuid[]`.execute(db);
  const unitIds = rows[0]?.unit_ids ?? [];
  if (role === 'consultant') return { kind: 'own', staffId: s.id, unitIds, wecomUserId: s.wecom_user_id };
  return { kind: 'units', rootUnitId: root, unitIds, wecomUserIds: rows[0]?.wecom_ids ?? [] };
}

/** The principal of a staff member (active), with the data scope their role and unit give. */
export async function staffPrincipal(db: Db, tenantId: string, staffId: string): Promise<Principal | null> {
  const s = await db
    .selectFrom('staff as s')
    .innerJoin('org_units as u', (j) => j.onRef('u.tenant_id', '=', 's.tenant_id').onRef('u.id', '=', 's.org_unit_id'))
    .leftJoin('org_units as pu', (j) => j.onRef('pu.tenant_id', '=', 'u.tenant_id').onRef('pu.id', '=', 'u.parent_id'))
    .select(['s.tenant_id', 's.id', 's.role', 's.org_unit_id', 's.wecom_user_id', 'u.type as unit_type', 'u.parent_id', 'pu.type as parent_type'])
    .where('s.tenant_id', '=', tenantId)
    .where('s.id', '=', staffId)
    .where('s.active', '=', true)
    // Staff of a closed unit (a dealer that left the network) act no more.
    .where('u.active', '=', true)
    .executeTakeFirst();
  if (!s || !isRole(s.role)) return null;
  return {
    tenantId: s.tenant_id,
    kind: 'staff',
    actor: `staff:${s.id}`,
    role: s.role,
    staffId: s.id,
    orgUnitId: s.org_unit_id,
    scope: await scopeOf(db, s, s.role),
    maskPii: s.role === 'analyst',
    tokenId: null,
  };
}

/** A staff session token → its principal, while the session is neither expired nor revoked. */
export async function sessionPrincipal(db: Db, token: string, now: Date): Promise<Principal | null> {
  const session = await db
    .selectFrom('staff_sessions')
    .select(['tenant_id', 'staff_id'])
    .where('token_hash', '=', hashSecret(token))
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return session ? staffPrincipal(db, session.tenant_id, session.staff_id) : null;
}

export function adminTokenPrincipal(tenantId: string, tokenId: string): Principal {
  return {
    tenantId,
    kind: 'admin_token',
    actor: `admin_token:${tokenId}`,
    role: 'admin',
    staffId: null,
    orgUnitId: null,
    scope: { kind: 'all' },
    maskPii: false,
    tokenId,
  };
}
