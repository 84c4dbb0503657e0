import type { Household, HouseholdCreate, HouseholdMemberInput } from '../../contracts/households.js';
import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { systemPrincipal, type Principal } from '../tenancy/index.js';
import * as repo from './households.repo.js';
import { maskHousehold } from './mask.js';
import { requireLiveProfileRef, type ProfilesDeps } from './vehicles.js';
import { requireVisibleProfile, requireVisibleProfileRef } from './visible.js';

/**
 * Households link people (family members sharing cars and phones) without merging them (DOMAIN.md).
 * Data scope: a household is visible to a caller when one of its members is in their scope, and only
 * the members in scope are listed; staff change memberships of people in their scope only.
 */

const notFound = (id: string) => new AppError('not_found', `no household ${id}`, { householdId: id });

/** The household as `principal` sees it; with `requireVisible`, null unless a member is in their scope. */
async function findHouseholdView(db: Db, principal: Principal, id: string, requireVisible: boolean): Promise<Household | null> {
  const h = await repo.findHousehold(db, principal.tenantId, id, requireVisible ? { visibleTo: principal } : {});
  if (!h) return null;
  const members = await repo.listMembers(db, principal, id);
  const view: Household = {
    id: h.id,
    name: h.name,
    members: members.map((m) => ({ profileId: m.profile_id, relation: m.relation, addedAt: m.added_at.toISOString() })),
    createdAt: h.created_at.toISOString(),
    updatedAt: h.updated_at.toISOString(),
  };
  return principal.maskPii ? maskHousehold(view) : view;
}

/** The household after the caller changed it (visible to them whatever members remain). */
async function householdView(db: Db, principal: Principal, id: string): Promise<Household> {
  const h = await findHouseholdView(db, principal, id, false);
  if (!h) throw notFound(id);
  return h;
}

/** Locks the household for a change by the caller: 404 when unknown or none of its members is in their scope. */
async function lockVisibleHousehold(trx: Db, principal: Principal, id: string): Promise<void> {
  if (!(await repo.findHousehold(trx, principal.tenantId, id, { forUpdate: true, visibleTo: principal }))) throw notFound(id);
}

function alreadyElsewhere(profileId: string, householdId: string, field: string): AppError {
  return new AppError('conflict', `${field}: profile ${profileId} is already in household ${householdId}; a person is in one household at most (remove them there first)`, {
    field,
    profileId,
    householdId,
  });
}

/** A household of live profiles (in the caller's scope) that are in no household yet. */
export async function createHousehold(deps: ProfilesDeps, principal: Principal, input: HouseholdCreate): Promise<Household> {
  const tenantId = principal.tenantId;
  const seen = new Set<string>();
  input.members.forEach((m, i) => {
    if (seen.has(m.profileId)) throw new AppError('invalid_request', `members[${i}].profileId: profile ${m.profileId} is listed twice`, { field: `members[${i}].profileId` });
    seen.add(m.profileId);
  });
  return deps.db.transaction().execute(async (trx) => {
    // Lock the people in id order: two requests sharing people wait for each other instead of deadlocking.
    const order = input.members.map((m, i) => ({ m, i })).sort((a, b) => (a.m.profileId < b.m.profileId ? -1 : 1));
    for (const { m, i } of order) {
      await requireVisibleProfileRef(trx, principal, m.profileId, `members[${i}].profileId`);
      await requireLiveProfileRef(trx, tenantId, m.profileId, `members[${i}].profileId`);
    }
    const existing = await repo.membershipsOf(trx, tenantId, [...seen]);
    const first = existing[0];
    if (first) {
      const i = input.members.findIndex((m) => m.profileId === first.profile_id);
      throw alreadyElsewhere(first.profile_id, first.household_id, `members[${i}].profileId`);
    }
    const id = newId();
    await repo.insertHousehold(trx, tenantId, { id, name: input.name ?? null });
    await repo.insertMembers(trx, tenantId, id, input.members.map((m) => ({ profileId: m.profileId, relation: m.relation ?? null })));
    return householdView(trx, principal, id);
  });
}

/** A household with one of its members in the caller's scope (404 otherwise), listing those members. */
export async function getHousehold(db: Db, principal: Principal, id: string): Promise<Household> {
  const h = await findHouseholdView(db, principal, id, true);
  if (!h) throw notFound(id);
  return h;
}

/**
 * Adds a live profile (idempotent: a member stays, with the relation updated when one is given);
 * a profile in another household is a 409 naming it.
 */
export async function addHouseholdMember(
  deps: ProfilesDeps,
  principal: Principal,
  householdId: string,
  input: HouseholdMemberInput,
): Promise<{ household: Household; added: boolean }> {
  const tenantId = principal.tenantId;
  return deps.db.transaction().execute(async (trx) => {
    await requireVisibleProfileRef(trx, principal, input.profileId, 'profileId');
    const profileId = await requireLiveProfileRef(trx, tenantId, input.profileId, 'profileId');
    await lockVisibleHousehold(trx, principal, householdId);
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
      return { household: await householdView(trx, principal, householdId), added };
    }
    await repo.touchHousehold(trx, tenantId, householdId);
    return { household: await householdView(trx, principal, householdId), added };
  });
}

/**
 * Removes a member (idempotent: removing a live profile that is not a member changes nothing). An id
 * merged away answers `profile_merged`, so the caller removes the survivor instead. The household
 * stays, also when empty.
 */
export async function removeHouseholdMember(deps: ProfilesDeps, principal: Principal, householdId: string, profileId: string): Promise<Household> {
  const tenantId = principal.tenantId;
  return deps.db.transaction().execute(async (trx) => {
    await lockVisibleHousehold(trx, principal, householdId);
    // Unknown, out of scope (404) or merged away (308: remove the survivor instead).
    await requireVisibleProfile(trx, principal, profileId);
    if (await repo.deleteMember(trx, tenantId, householdId, profileId)) await repo.touchHousehold(trx, tenantId, householdId);
    return householdView(trx, principal, householdId);
  });
}

/** The household of a profile with all its members, or null. */
export async function householdOfProfile(db: Db, tenantId: string, profileId: string): Promise<Household | null> {
  return visibleHouseholdOfProfile(db, systemPrincipal(tenantId, 'profiles'), profileId);
}

/** The household of a profile as the caller sees it (members in their scope, masked for analysts), or null (customer 360). */
export async function visibleHouseholdOfProfile(db: Db, principal: Principal, profileId: string): Promise<Household | null> {
  const [membership] = await repo.membershipsOf(db, principal.tenantId, [profileId]);
  // Gone between the two reads (the last member erased): no household.
  return membership ? findHouseholdView(db, principal, membership.household_id, false) : null;
}

/** `GET /api/v1/households?profileId=`: the household of a profile in the caller's scope, as a list of zero or one. */
export async function householdsOfProfile(db: Db, principal: Principal, profileId: string): Promise<Household[]> {
  await requireVisibleProfile(db, principal, profileId);
  const household = await visibleHouseholdOfProfile(db, principal, profileId);
  return household ? [household] : [];
}
