// Customer 360: profiles as people see them, vehicles, households, consent, erasure.
export {
  addVehicleRelation,
  endVehicleRelation,
  getVehicle,
  linkVehiclesFromEvents,
  putVehicle,
  vehiclesOfProfile,
  addVehicleRelationInTransaction,
  putVehicleInTransaction,
  type ProfilesDeps,
} from './vehicles.js';
export { addHouseholdMember, createHousehold, getHousehold, householdOfProfile, householdsOfProfile, removeHouseholdMember } from './households.js';
export { consentHistory, currentConsents, listConsents, recordConsent } from './consents.js';
export { lockVehiclesOf } from './vehicles.repo.js';
export { moveProfileBelongings } from './belongings.repo.js';
export { getProfile, lookupProfile, profileEvents, profileMerges, searchProfiles } from './profiles.js';
export { eraseProfile, type PersonalDataEraser } from './erase.js';
export { requireVisibleProfile, requireVisibleProfileRef } from './visible.js';
export { maskEvent, maskHousehold, maskIdentifierValue, maskPersonTraits, maskProfile, maskProfileSummary } from './mask.js';
export { resolutionHooks } from './resolution.js';
export { recordFacts } from './facts.js';
