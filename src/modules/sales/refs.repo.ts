import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import { customerVisible, type Principal } from '../tenancy/index.js';

/** SQL the sales module shares: dealers by code, profiles as the caller may see them, customer links, origins. */

export interface UnitRow {
  id: string;
  code: string;
  name: string;
  type: string;
}

export async function findUnitByCode(db: Db, tenantId: string, code: string): Promise<UnitRow | undefined> {
  return db.selectFrom('org_units').select(['id', 'code', 'name', 'type']).where('tenant_id', '=', tenantId).where('code', '=', code).executeTakeFirst();
}

export async function findUnitById(db: Db, tenantId: string, id: string): Promise<UnitRow | undefined> {
  return db.selectFrom('org_units').select(['id', 'code', 'name', 'type']).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

/** The top unit among `unitIds` (a consultant's dealer: their units are the dealer and its teams). */
export async function topUnitOf(db: Db, tenantId: string, unitIds: readonly string[]): Promise<string | null> {
  if (unitIds.length === 0) return null;
  const row = await db
    .selectFrom('org_units')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', [...unitIds])
    .orderBy(sql`cardinality(path)`)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row?.id ?? null;
}

/** The profile row with whether the caller may see it (and, merged away, whether they may see the survivor). */
export async function profileForCaller(db: Db, principal: Principal, id: string) {
  return db
    .selectFrom('profiles as p')
    .select([
      'p.id',
      'p.merged_into',
      customerVisible(principal, sql.ref('p.id')).as('visible'),
      customerVisible(principal, sql.ref('p.merged_into')).as('survivor_visible'),
    ])
    .where('p.tenant_id', '=', principal.tenantId)
    .where('p.id', '=', id)
    .executeTakeFirst();
}

export async function profileExists(db: Db, tenantId: string, id: string): Promise<boolean> {
  const row = await db.selectFrom('profiles').select('id').where('tenant_id', '=', tenantId).where('id', '=', id).where('merged_into', 'is', null).executeTakeFirst();
  return row !== undefined;
}

/** Lets the unit's staff see the customer (idempotent: the first link's reason and time stay). */
export async function linkCustomer(db: Db, tenantId: string, profileId: string, unitId: string, reason: 'order' | 'after_sales', since: Date): Promise<void> {
  await db
    .insertInto('customer_links')
    .values({ tenant_id: tenantId, profile_id: profileId, org_unit_id: unitId, reason, since })
    .onConflict((oc) => oc.columns(['tenant_id', 'profile_id', 'org_unit_id']).doNothing())
    .execute();
}

/** Records the unit that first brought the person in, unless one is recorded; returns the recorded unit. */
export async function ensureOrigin(
  db: Db,
  tenantId: string,
  o: { profileId: string; unitId: string | null; source: string; leadId: string | null; at: Date },
): Promise<string | null> {
  await db
    .insertInto('profile_origins')
    .values({ tenant_id: tenantId, profile_id: o.profileId, org_unit_id: o.unitId, source: o.source, lead_id: o.leadId, at: o.at })
    .onConflict((oc) => oc.columns(['tenant_id', 'profile_id']).doNothing())
    .execute();
  const row = await db.selectFrom('profile_origins').select('org_unit_id').where('tenant_id', '=', tenantId).where('profile_id', '=', o.profileId).executeTakeFirstOrThrow();
  return row.org_unit_id;
}

/**
 * Whether the vehicle has a current owner other than `profileId` whom the principal may not see: a
 * delivery must not end another dealer's customer's ownership (or reveal who they are).
 */
export async function hasHiddenOwner(db: Db, principal: Principal, vin: string, profileId: string): Promise<boolean> {
  const row = await db
    .selectFrom('vehicle_relations as vr')
    .select('vr.id')
    .where('vr.tenant_id', '=', principal.tenantId)
    .where('vr.vin', '=', vin)
    .where('vr.role', '=', 'owner')
    .where('vr.valid_to', 'is', null)
    .where('vr.profile_id', '!=', profileId)
    .where(sql<boolean>`NOT ${customerVisible(principal, sql.ref('vr.profile_id'))}`)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
