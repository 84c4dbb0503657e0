// One ID: identifier types and normalisation, the identity graph, merges, splits, rebuild.
export { normalizePhone } from './normalize.js';
export { requireVin, vinCheckDigit } from './vin.js';
export { normalizeValue, requireIdentifier, type Identifier, type IdentifierType, type IdentityConfig, type TraitStrategy } from './types.js';
export { loadIdentityConfig } from './config.repo.js';
export { lockIdentityGraph, tryLockIdentityGraph } from './lock.js';
export { requireLiveProfile } from './profile-ref.js';
export { profileAddresses, strongestFirst } from './address.js';
export { extractIdentity, type Extracted, type IdentityInput } from './extract.js';
export { resolveEvents, type ResolveHooks, type ResolveItem, type VehicleLink } from './resolve.js';
export { splitProfile, type SplitResult } from './split.js';
export { blockValue, listBlocked, listIdentifierTypes, putIdentifierType, removeIdentifierType, setTraitStrategy, unblockValue } from './config.js';
export { rebuildIdentityGraph } from './rebuild.js';
export type { EventWriteMode, RebuildOptions, RebuildPhase, RebuildProgress, RebuildSummary } from './rebuild-types.js';
export { identityLag, RESOLVE_BATCH_EVENTS, resolveAcknowledged, resolveQueuedBatch, SYNC_BACKLOG_LIMIT, type BacklogHooks, type ResolvedBatch } from './backlog.js';
export { backlogOf, enqueueEvents, tenantsWithBacklog } from './queue.repo.js';
export { encodeQueuedIdentity } from './queued-identity.js';
