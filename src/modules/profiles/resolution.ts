import type { Db } from '../../platform/db/index.js';
import { resolveAcknowledged, type BacklogHooks } from '../identity/index.js';
import { markProfilesDirty } from '../segments/index.js';
import { moveProfileBelongings, profilesWithBelongings } from './belongings.repo.js';
import { linkVehiclesFromEvents } from './vehicles.js';
import { lockVehiclesOf } from './vehicles.repo.js';

/** What One ID resolution does to what a profile owns: belongings follow merges, vehicles link, segments hear of it. */
export const resolutionHooks: BacklogHooks = {
  moveBelongings: moveProfileBelongings,
  withBelongings: profilesWithBelongings,
  lockVehicles: lockVehiclesOf,
  linkVehicles: linkVehiclesFromEvents,
  markChanged: markProfilesDirty,
};

/**
 * Resolves the tracking events acknowledged before now, in the caller's transaction; the caller holds
 * the tenant's identity lock. Writes that resolve identifiers synchronously call it first.
 */
export function resolveAcknowledgedEvents(trx: Db, tenantId: string, now: Date): Promise<number> {
  return resolveAcknowledged(trx, tenantId, resolutionHooks, now);
}
