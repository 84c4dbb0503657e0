import type { BacklogHooks } from '../identity/index.js';
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
