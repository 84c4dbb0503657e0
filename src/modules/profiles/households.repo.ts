import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import { customerVisible, seesAll, type Principal } from '../tenancy/index.js';

/** SQL for households: people linked without being merged; a person is in at most one. */

export async function insertHousehold(db: Db, tenantId: string, h: { id: string; name: string | null }): Promise<void> {
  await db.insertInto('households').values({ tenant_id: tenantId, id: h.id, name: h.name }).execute();
}

/**
 * A household; with `visibleTo`, only when one of its members is in that caller's scope (a caller
 * who sees the whole tenant also sees empty households).
 */
export async function findHousehold(db: Db, tenantId: string, id: string, options: { forUpdate?: boolean; visibleTo?: Principal } = {}) {
  let q = db.selectFrom('households as h').select(['h.id', 'h.name', 'h.created_at', 'h.updated_at']).where('h.tenant_id', '=', tenantId).where('h.id', '=', id);
  const viewer = options.visibleTo;
  if (viewer && !seesAll(viewer)) {
    q = q.where(
      sql<boolean>`EXISTS (SELECT 1 FROM household_members hm WHERE hm.tenant_id = h.tenant_id AND hm.household_id = h.id
        AND ${customerVisible(viewer, sql.ref('hm.profile_id'))})`,
    );
  }
  return (options.forUpdate ? q.forUpdate() : q).executeTakeFirst();
}

export async function touchHousehold(db: Db, tenantId: string, id: string): Promise<void> {
  await db.updateTable('households').set({ updated_at: sql<Date>`now()` }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

/** The members the caller may see. */
export async function listMembers(db: Db, principal: Principal, householdId: string) {
  return db
    .selectFrom('household_members')
    .select(['profile_id', 'relation', 'added_at'])
    .where('tenant_id', '=', principal.tenantId)
    .where('household_id', '=', householdId)
    .where(customerVisible(principal, sql.ref('household_members.profile_id')))
    .orderBy('added_at')
    .orderBy('profile_id')
    .execute();
}

/** The memberships of these profiles (each is in at most one household). */
export async function membershipsOf(db: Db, tenantId: string, profileIds: readonly string[]) {
  if (profileIds.length === 0) return [];
  return db
    .selectFrom('household_members')
    .select(['profile_id', 'household_id', 'relation'])
    .where('tenant_id', '=', tenantId)
    .where('profile_id', 'in', profileIds)
    .execute();
}

export async function insertMembers(db: Db, tenantId: string, householdId: string, members: readonly { profileId: string; relation: string | null }[]): Promise<void> {
  if (members.length === 0) return;
  await db
    .insertInto('household_members')
    .values(members.map((m) => ({ tenant_id: tenantId, household_id: householdId, profile_id: m.profileId, relation: m.relation })))
    .execute();
}

export async function setMemberRelation(db: Db, tenantId: string, profileId: string, relation: string | null): Promise<void> {
  await db.updateTable('household_members').set({ relation }).where('tenant_id', '=', tenantId).where('profile_id', '=', profileId).execute();
}

export async function deleteMember(db: Db, tenantId: string, householdId: string, profileId: string): Promise<boolean> {
  const rows = await db
    .deleteFrom('household_members')
    .where('tenant_id', '=', tenantId)
    .where('household_id', '=', householdId)
    .where('profile_id', '=', profileId)
    .returning('profile_id')
    .execute();
  return rows.length > 0;
}
