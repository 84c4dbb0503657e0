import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';

/** SQL for households: people linked without being merged; a person is in at most one. */

export async function insertHousehold(db: Db, tenantId: string, h: { id: string; name: string | null }): Promise<void> {
  await db.insertInto('households').values({ tenant_id: tenantId, id: h.id, name: h.name }).execute();
}

export async function findHousehold(db: Db, tenantId: string, id: string, options: { forUpdate?: boolean } = {}) {
  const q = db.selectFrom('households').select(['id', 'name', 'created_at', 'updated_at']).where('tenant_id', '=', tenantId).where('id', '=', id);
  return (options.forUpdate ? q.forUpdate() : q).executeTakeFirst();
}

export async function touchHousehold(db: Db, tenantId: string, id: string): Promise<void> {
  await db.updateTable('households').set({ updated_at: sql<Date>`now()` }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

export async function listMembers(db: Db, tenantId: string, householdId: string) {
  return db
    .selectFrom('household_members')
    .select(['profile_id', 'relation', 'added_at'])
    .where('tenant_id', '=', tenantId)
    .where('household_id', '=', householdId)
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
