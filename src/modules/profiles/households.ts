import type { Household, HouseholdCreate, HouseholdMemberInput } from '../../contracts/households.js';
import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { requireLiveProfile } from '../identity/index.js';
import * as repo from './households.repo.js';
import { requireLiveProfileRef, type ProfilesDeps } from './vehicles.js';

/** Households link people (family members sharing cars and phones) without merging them (DOMAIN.md). */

async function findHouseholdView(db: Db, tenantId: string, id: string): Promise<Household | null> {
  const h = await repo.findHousehold(db, tenantId, id);
  if (!h) return null;
  const members = await repo.listMembers(db, tenantId, id);
  return {
    id: h.id,
    name: h.name,
    members: members.map((m) => ({ profileId: m.profile_id, relation: m.relation, addedAt: m.added_at.toISOString() })),
    createdAt: h.created_at.toISOString(),
    updatedAt: h.updated_at.toISOString(),
  };
}

async function householdView(db: Db, tenantId: string, id: string): Promise<Household> {
  const h = await findHouseholdView(db, tenantId, id);
  if (!h) throw new AppError('not_found', `no household ${id}`, { householdId: id });
  return h;
}

function alreadyElsewhere(profileId: string, householdId: string, field: string): AppError {
  return new AppError('conflict', `${field}: profile ${profileId} is already in household ${householdId}; a person is in one household at most (remove them there first)`, {
    field,
    profileId,
    householdId,
  });
}

/** A household of live profiles that are in no household yet. */
export async function createHousehold(deps: ProfilesDeps, tenantId: string, input: HouseholdCreate): Promise<Household> {
  const seen = new Set<string>();
  input.members.forEach((m, i) => {
    if (seen.has(m.profileId)) throw new AppError('invalid_request', `members[${i}].profileId: profile ${m.profileId} is listed twice`, { field: `members[${i}].profileId` });
    seen.add(m.profileId);
  });
  return deps.db.transaction().execute(async (trx) => {
    // Lock the people in id order: two requests sharing people wait for each other instead of deadlocking.
    const order = input.members.map((m, i) => ({ m, i })).sort((a, b) => (a.m.profileId < b.m.profileId ? -1 : 1));
    for (const { m, i } of order) await requireLiveProfileRef(trx, tenantId, m.profileId, `members[${i}].profileId`);
    const existing = await repo.membershipsOf(trx, tenantId, [...seen]);
    const first = existing[0];
    if (first) {
      const i = input.members.findIndex((m) => m.profileId === first.profile_id);
      throw alreadyElsewhere(first.profile_id, first.household_id, `members[${i}].profileId`);
    }
    const id = newId();
    await repo.insertHousehold(trx, tenantId, { id, name: input.name ?? null });
    await repo.insertMembers(trx, tenantId, id, input.members.map((m) => ({ profileId: m.profileId, relation: m.relation ?? null })));
    return householdView(trx, tenantId, id);
  });
}

export async function getHousehold(db: Db, tenantId: string, id: string): Promise<Household> {
  return householdView(db, tenantId, id);
}

/**
 * Adds a live profile (idempotent: a member stays, with the relation updated when one is given);
 * a profile in another household is a 409 naming it.
 */
export async function addHouseholdMember(
  deps: ProfilesDeps,
  tenantId: string,
  householdId: string,
  input: HouseholdMemberInput,
): Promise<{ household: Household; added: boolean }> {
  return deps.db.transaction().execute(async (trx) => {
    const profileId = await requireLiveProfileRef(trx, tenantId, input.profileId, 'profileId');
    if (!(await repo.findHousehold(trx, tenantId, householdId, { forUpdate: true }))) {
      throw new AppError('not_found', `no household ${householdId}`, { householdId });
    }
    const [membership] = await repo.membershipsOf(trx, tenantId, [profileId]);
    let added = false;
    if (!membership) {
      await repo.insertMembers(trx, tenantId, householdId, [{ profileId, relation: input.relation ?? null }]);
      added = true;
    } else if (membership.household_id !== householdId) {
      throw alreadyElsewhere(profileId, membership.household_id, 'profileId');
    } else if (input.relation !== undefined && input.relation !== membership.relation) {
      await repo.setMemberRelation(trx, tenantId, profileId, input.relation);
    } else {
      return { household: await householdView(trx, tenantId, householdId), added };
    }
    await repo.touchHousehold(trx, tenantId, householdId);
    return { household: await householdView(trx, tenantId, householdId), added };
  });
}

/**
 * Removes a member (idempotent: removing a live profile that is not a member changes nothing). An id
 * merged away answers `profile_merged`, so the caller removes the survivor instead. The household
 * stays, also when empty.
 */
export async function removeHouseholdMember(deps: ProfilesDeps, tenantId: string, householdId: string, profileId: string): Promise<Household> {
  return deps.db.transaction().execute(async (trx) => {
    if (!(await repo.findHousehold(trx, tenantId, householdId, { forUpdate: true }))) {
      throw new AppError('not_found', `no household ${householdId}`, { householdId });
    }
    if (await repo.deleteMember(trx, tenantId, householdId, profileId)) await repo.touchHousehold(trx, tenantId, householdId);
    else await requireLiveProfile(trx, tenantId, profileId);
    return householdView(trx, tenantId, householdId);
  });
}

/** The household of a profile, or null (customer 360). */
export async function householdOfProfile(db: Db, tenantId: string, profileId: string): Promise<Household | null> {
  const [membership] = await repo.membershipsOf(db, tenantId, [profileId]);
  // Gone between the two reads (the last member erased): no household.
  return membership ? findHouseholdView(db, tenantId, membership.household_id) : null;
}

/** `GET /api/v1/households?profileId=`: the profile's household as a list of zero or one. */
export async function householdsOfProfile(db: Db, tenantId: string, profileId: string): Promise<Household[]> {
  await requireLiveProfile(db, tenantId, profileId);
  const household = await householdOfProfile(db, tenantId, profileId);
  return household ? [household] : [];
}
