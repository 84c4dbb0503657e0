import {
  vehicleRoleSchema,
  type ProfileVehicle,
  type Vehicle,
  type VehiclePut,
  type VehicleRelation,
  type VehicleRelationCreate,
  type VehicleRelationEnd,
  type VehicleRelationWithVin,
  type VehicleRole,
} from '../../contracts/vehicles.js';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { requireLiveProfile, requireVin, type VehicleLink } from '../identity/index.js';
import * as repo from './vehicles.repo.js';
import { markProfilesDirty } from '../segments/index.js';
import type { Principal } from '../tenancy/index.js';
import { profileRefError, requireVisibleProfileRef } from './visible.js';

/**
 * Vehicles keyed by VIN, and people's time-bounded roles on them (DOMAIN.md: a VIN is a vehicle, not a person).
 * Data scope: a vehicle is visible to a caller when anybody related to it (current or past) is in
 * their scope, or nobody is related to it yet; only the relations of people in scope are shown, and
 * staff relate and un-relate people in their scope only. Other vehicles answer like unknown VINs.
 */

export interface ProfilesDeps {
  db: Db;
  clock: Clock;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function relationView(r: repo.RelationRow): VehicleRelation {
  return {
    id: r.id,
    profileId: r.profile_id,
    role: vehicleRoleSchema.parse(r.role),
    validFrom: r.valid_from.toISOString(),
    validTo: iso(r.valid_to),
    source: r.source,
  };
}

const relationWithVin = (r: repo.RelationRow): VehicleRelationWithVin => ({ ...relationView(r), vin: r.vin });

/**
 * A live profile named in a request body. A merged-away id is a 409 naming the survivor (a redirect
 * would resend the same body); an unknown one is a 404 naming the field.
 */
export async function requireLiveProfileRef(db: Db, tenantId: string, id: string, field: string): Promise<string> {
  try {
    return await requireLiveProfile(db, tenantId, id, { forUpdate: true });
  } catch (err) {
    throw profileRefError(err, id, field);
  }
}

const noVehicle = (vin: string, hint = '') => new AppError('not_found', `no vehicle with VIN ${vin}${hint}`, { vin });

/** The vehicle with the relations `viewer` may see (all of them without a viewer). */
async function vehicleView(db: Db, tenantId: string, vin: string, viewer?: Principal): Promise<Vehicle> {
  const v = await repo.findVehicle(db, tenantId, vin);
  if (!v) throw noVehicle(vin);
  const relations = viewer ? await repo.listVisibleRelationsOfVehicle(db, viewer, vin) : await repo.listRelationsOfVehicle(db, tenantId, vin);
  return {
    vin: v.vin,
    series: v.series,
    model: v.model,
    modelYear: v.model_year,
    relations: relations.map(relationView),
    createdAt: v.created_at.toISOString(),
    updatedAt: v.updated_at.toISOString(),
  };
}

/** 404 when the vehicle is unknown, or stored but not visible to the caller. */
async function requireVisibleVehicle(db: Db, principal: Principal, vin: string, hint = ''): Promise<void> {
  const v = await repo.vehicleVisibility(db, principal, vin);
  if (!v?.visible) throw noVehicle(vin, hint);
}

export async function getVehicle(db: Db, principal: Principal, rawVin: string): Promise<Vehicle> {
  const vin = requireVin(rawVin);
  await requireVisibleVehicle(db, principal, vin);
  return vehicleView(db, principal.tenantId, vin, principal);
}

/** Everyone related to the vehicle (its attributes or owners changed): segments re-evaluate them. */
async function markHoldersChanged(trx: Db, tenantId: string, vin: string, now: Date): Promise<void> {
  const holders = await trx.selectFrom('vehicle_relations').select('profile_id').distinct().where('tenant_id', '=', tenantId).where('vin', '=', vin).execute();
  await markProfilesDirty(trx, tenantId, holders.map((h) => h.profile_id), now);
}

/**
 * Creates or updates a vehicle (idempotent): attributes absent keep their value, null clears them.
 * A stored vehicle the caller may not see answers 404.
 */
export async function putVehicle(deps: ProfilesDeps, principal: Principal, rawVin: string, input: VehiclePut): Promise<Vehicle> {
  const vin = requireVin(rawVin);
  const tenantId = principal.tenantId;
  return deps.db.transaction().execute(async (trx) => {
    const stored = await repo.vehicleVisibility(trx, principal, vin);
    if (stored && !stored.visible) throw noVehicle(vin);
    await putVehicleInTransaction(trx, tenantId, vin, input, deps.clock.now());
    return vehicleView(trx, tenantId, vin, principal);
  });
}

/** putVehicle inside the caller's transaction (an order's delivery creates the vehicle in its own). */
export async function putVehicleInTransaction(trx: Db, tenantId: string, rawVin: string, input: VehiclePut, now: Date): Promise<Vehicle> {
  const vin = requireVin(rawVin);
  await repo.upsertVehicle(trx, tenantId, vin, input);
  await markHoldersChanged(trx, tenantId, vin, now);
  return vehicleView(trx, tenantId, vin);
}

/**
 * Relates a live profile to an existing vehicle. Repeating a request returns the relation it made
 * (200, `created: false`). A new owner ends everybody else's current ownership at its validFrom (a
 * resale); an ownership learnt late, older than somebody else's current one, ends where that starts.
 */
export async function addVehicleRelation(
  deps: ProfilesDeps,
  principal: Principal,
  rawVin: string,
  input: VehicleRelationCreate,
): Promise<{ relation: VehicleRelationWithVin; created: boolean }> {
  const vin = requireVin(rawVin);
  const now = deps.clock.now();
  checkRelationTimes(input, now);
  return deps.db.transaction().execute(async (trx) => {
    // The person and the vehicle (and so its other people's ownership a resale ends) in the caller's scope.
    await requireVisibleProfileRef(trx, principal, input.profileId, 'profileId');
    const stored = await repo.vehicleVisibility(trx, principal, vin);
    if (stored && !stored.visible) throw noVehicle(vin, `; create it with PUT /api/v1/vehicles/${vin} first`);
    return addVehicleRelationInTransaction(trx, principal.tenantId, vin, input, now);
  });
}

function checkRelationTimes(input: VehicleRelationCreate, now: Date): { validFrom: Date; requestedTo: Date | null } {
  const validFrom = input.validFrom ? new Date(input.validFrom) : now;
  const requestedTo = input.validTo ? new Date(input.validTo) : null;
  if (requestedTo && requestedTo < validFrom) {
    throw new AppError('invalid_request', `validTo (${requestedTo.toISOString()}) is before validFrom (${validFrom.toISOString()})`, { field: 'validTo' });
  }
  return { validFrom, requestedTo };
}

/**
 * addVehicleRelation inside the caller's transaction (an order's delivery relates the buyer in its
 * own). Locks the profile, then the vehicle: callers that lock other rows first must lock the
 * profile before them too.
 */
export async function addVehicleRelationInTransaction(
  trx: Db,
  tenantId: string,
  rawVin: string,
  input: VehicleRelationCreate,
  now: Date,
): Promise<{ relation: VehicleRelationWithVin; created: boolean }> {
  const vin = requireVin(rawVin);
  const { validFrom, requestedTo } = checkRelationTimes(input, now);
  // Profile before vehicle: the order ingestion and merges lock them in.
  const profileId = await requireLiveProfileRef(trx, tenantId, input.profileId, 'profileId');
  if (!(await repo.lockVehicle(trx, tenantId, vin))) {
    throw new AppError('not_found', `no vehicle with VIN ${vin}; create it with PUT /api/v1/vehicles/${vin} first`, { vin });
  }
  const role: VehicleRole = input.role;
  const same = await repo.findSameRelation(trx, tenantId, { vin, profileId, role, validFrom, open: requestedTo === null });
  if (same) return { relation: relationWithVin(same), created: false };
  let validTo = requestedTo;
  if (role === 'owner') {
    await repo.closeOtherOwners(trx, tenantId, vin, profileId, validFrom);
    if (validTo === null) validTo = await repo.nextOwnerStart(trx, tenantId, vin, profileId, validFrom);
  }
  const row = await repo.insertRelation(trx, tenantId, { id: newId(), vin, profileId, role, validFrom, validTo, source: input.source ?? null });
  await markHoldersChanged(trx, tenantId, vin, now);
  return { relation: relationWithVin(row), created: true };
}

/** Ends a relation (default now). Ending an ended relation again is a no-op; at another time, a 409. */
export async function endVehicleRelation(
  deps: ProfilesDeps,
  principal: Principal,
  rawVin: string,
  relationId: string,
  input: VehicleRelationEnd,
): Promise<VehicleRelationWithVin> {
  const vin = requireVin(rawVin);
  const tenantId = principal.tenantId;
  return deps.db.transaction().execute(async (trx) => {
    const visible = await repo.findVisibleRelation(trx, principal, vin, relationId);
    const r = visible ? await repo.findRelation(trx, tenantId, vin, relationId, { forUpdate: true }) : undefined;
    if (!r) throw new AppError('not_found', `vehicle ${vin} has no relation ${relationId}`, { vin, relationId });
    const validTo = input.validTo ? new Date(input.validTo) : null;
    if (r.valid_to !== null) {
      if (validTo === null || validTo.getTime() === r.valid_to.getTime()) return relationWithVin(r);
      throw new AppError('conflict', `relation ${relationId} already ended at ${r.valid_to.toISOString()}`, { relationId, validTo: r.valid_to.toISOString() });
    }
    const end = validTo ?? deps.clock.now();
    if (end < r.valid_from) {
      throw new AppError('invalid_request', `validTo (${end.toISOString()}) is before the relation's validFrom (${r.valid_from.toISOString()})`, { field: 'validTo' });
    }
    const ended = await repo.endRelation(trx, tenantId, relationId, end);
    await markHoldersChanged(trx, tenantId, vin, deps.clock.now());
    return relationWithVin(ended);
  });
}

/** The profile's vehicles through its relations, current and past (customer 360). */
export async function vehiclesOfProfile(db: Db, tenantId: string, profileId: string): Promise<ProfileVehicle[]> {
  const rows = await repo.listVehiclesOfProfile(db, tenantId, profileId);
  return rows.map((r) => ({
    ...relationView(r),
    vin: r.vin,
    series: r.series,
    model: r.model,
    modelYear: r.model_year,
  }));
}

// ---- ingestion --------------------------------------------------------------------------------


const validYear = (y: number | null | undefined): number | null => (typeof y === 'number' && Number.isInteger(y) && y >= 1950 && y <= 2100 ? y : null);

/** Per VIN, each attribute from the latest link that carries it. */
function vehicleRows(sorted: readonly VehicleLink[]): repo.VehicleUpsertRow[] {
  const byVin = new Map<string, repo.VehicleUpsertRow>();
  for (const l of sorted) {
    const row = byVin.get(l.vin) ?? { vin: l.vin, series: null, model: null, model_year: null };
    if (l.series) row.series = l.series;
    if (l.model) row.model = l.model;
    row.model_year = validYear(l.modelYear) ?? row.model_year;
    byVin.set(l.vin, row);
  }
  return [...byVin.values()];
}

/**
 * Relations the links establish. Buyer, driver, payer: one current relation per (vin, profile, role)
 * from its first link. Owner: the links of a VIN in time order form runs of one profile; every run
 * but the last ends where the next one (another person) starts.
 */
function relationRows(sorted: readonly VehicleLink[]): repo.RelationInsertRow[] {
  const rows = new Map<string, repo.RelationInsertRow>();
  const owners = new Map<string, VehicleLink[]>();
  for (const l of sorted) {
    if (l.role === 'owner') {
      const list = owners.get(l.vin) ?? [];
      list.push(l);
      owners.set(l.vin, list);
      continue;
    }
    const key = `${l.vin}\u0001${l.profileId}\u0001${l.role}`;
    if (!rows.has(key)) {
      rows.set(key, { id: newId(), vin: l.vin, profile_id: l.profileId, role: l.role, valid_from: l.at.toISOString(), valid_to: null, source: l.source });
    }
  }
  const result = [...rows.values()];
  for (const links of owners.values()) {
    const runs: VehicleLink[] = [];
    for (const l of links) if (runs[runs.length - 1]?.profileId !== l.profileId) runs.push(l);
    runs.forEach((run, i) => {
      const next = runs[i + 1];
      // Two claims at the same instant: neither ends the other.
      const validTo = next && next.at > run.at ? next.at.toISOString() : null;
      result.push({ id: newId(), vin: run.vin, profile_id: run.profileId, role: 'owner', valid_from: run.at.toISOString(), valid_to: validTo, source: run.source });
    });
  }
  return result;
}

/**
 * Vehicles and relations seen in ingested events, inside the ingest transaction (canonical VINs,
 * live profile ids). Set-based: a few statements per call whatever the number of links. Vehicles are
 * upserted (non-null attributes overwrite); each relation is ensured; an ownership claim ends other
 * people's current ownership of the VIN at its time, if theirs started before it. Returns the
 * profiles whose ownership ended (the previous owners of a resale: they changed too).
 */
export async function linkVehiclesFromEvents(trx: Db, tenantId: string, links: readonly VehicleLink[]): Promise<string[]> {
  if (links.length === 0) return [];
  const sorted = [...links].sort((a, b) => a.at.getTime() - b.at.getTime() || (a.profileId < b.profileId ? -1 : a.profileId > b.profileId ? 1 : 0));
  await repo.upsertVehicles(trx, tenantId, vehicleRows(sorted));
  const claims = sorted.filter((l) => l.role === 'owner').map((l) => ({ vin: l.vin, profile_id: l.profileId, at: l.at.toISOString() }));
  const ended = await repo.closeOwnersClaimedByOthers(trx, tenantId, claims);
  await repo.insertRelationsIfUncovered(trx, tenantId, relationRows(sorted));
  return ended;
}
