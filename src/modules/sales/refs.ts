import type { UnitRef } from '../../contracts/sales.js';
import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import type { Principal } from '../tenancy/index.js';
import * as repo from './refs.repo.js';

/** Dealers and customers named in sales requests, checked against the caller's scope. */

export const unitRef = (u: { id: string; code: string; name: string }): UnitRef => ({ id: u.id, code: u.code, name: u.name });

function noDealer(code: string): AppError {
  return new AppError('not_found', `dealerCode: no dealer ${code}`, { field: 'dealerCode', dealerCode: code });
}

function inScope(principal: Principal, unitId: string): boolean {
  return principal.scope.kind === 'all' || principal.scope.unitIds.includes(unitId);
}

/** The caller's own dealer (dealer-side staff), null for HQ roles and admin tokens. */
export async function ownDealer(db: Db, principal: Principal): Promise<repo.UnitRow | null> {
  const scope = principal.scope;
  if (scope.kind === 'all') return null;
  const id = scope.kind === 'units' ? scope.rootUnitId : await repo.topUnitOf(db, principal.tenantId, scope.unitIds);
  return id ? ((await repo.findUnitById(db, principal.tenantId, id)) ?? null) : null;
}

/**
 * The dealer a record is made at: the one named (a dealer the caller may act for; others answer 404
 * like unknown codes), else the caller's own dealer, else none (HQ: an online record).
 */
export async function resolveDealer(db: Db, principal: Principal, code: string | undefined): Promise<repo.UnitRow | null> {
  if (code === undefined) return ownDealer(db, principal);
  const unit = await repo.findUnitByCode(db, principal.tenantId, code);
  if (!unit || !inScope(principal, unit.id)) throw noDealer(code);
  if (unit.type !== 'dealer') {
    throw new AppError('invalid_request', `dealerCode: ${code} is a ${unit.type}, not a dealer`, { field: 'dealerCode', dealerCode: code });
  }
  return unit;
}

/**
 * A profile the caller may see: 404 when unknown or outside their scope; merged away, `profile_merged`
 * (308 to the survivor) when they may see the survivor.
 */
export async function requireVisibleProfile(db: Db, principal: Principal, id: string): Promise<string> {
  const row = await repo.profileForCaller(db, principal, id);
  if (row && row.merged_into !== null && row.survivor_visible) {
    throw new AppError('profile_merged', `profile ${id} was merged into ${row.merged_into}`, { mergedId: id, profileId: row.merged_into });
  }
  if (!row || row.merged_into !== null || !row.visible) throw new AppError('not_found', `no profile ${id}`, { profileId: id });
  return id;
}

/**
 * A live profile named in a body (`field`), which the caller may see: 404 naming the field when
 * unknown or outside their scope, 409 naming the survivor when merged away.
 */
export async function requireProfileRef(db: Db, principal: Principal, id: string, field: string): Promise<string> {
  const row = await repo.profileForCaller(db, principal, id);
  if (row && row.merged_into !== null && row.survivor_visible) {
    throw new AppError('conflict', `${field}: profile ${id} was merged into ${row.merged_into}; use ${row.merged_into}`, { field, profileId: id, mergedInto: row.merged_into });
  }
  if (!row || row.merged_into !== null || !row.visible) throw new AppError('not_found', `${field}: no profile ${id}`, { field, profileId: id });
  return id;
}
