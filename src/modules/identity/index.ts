// One ID (issue 3): identifier types and normalisation, the identity graph, merges, splits, rebuild.
export { isJunkIdentifier, normalizeEmail, normalizePhone, type PhoneResult } from './normalize.js';
export { parseVin, requireVin, vinCheckDigit, type VinProblem } from './vin.js';
export {
  BUILT_IN_TYPES,
  identifierKey,
  normalizeValue,
  parseIdentifierKey,
  requireIdentifier,
  type Identifier,
  type IdentifierType,
  type IdentityConfig,
  type TraitStrategy,
} from './types.js';
export { loadIdentityConfig } from './config.repo.js';
export { lockIdentityGraph } from './lock.js';
export { requireLiveProfile } from './profile-ref.js';
export { extractIdentity, type Extracted, type IdentityInput, type VehicleMention, type VehicleRole } from './extract.js';
export { IdentityGraph } from './graph.js';
export { resolveEvents, type ResolveHooks, type ResolveItem, type VehicleLink } from './resolve.js';
export { applyTraits, emptyTraits, mergeTraits, type TraitState } from './traits.js';
export { splitProfile, type SplitResult } from './split.js';
export { blockValue, listBlocked, listIdentifierTypes, putIdentifierType, removeIdentifierType, setTraitStrategy, unblockValue } from './config.js';
export { rebuildIdentityGraph, type EventWriteMode, type RebuildOptions, type RebuildPhase, type RebuildProgress, type RebuildSummary } from './rebuild.js';
