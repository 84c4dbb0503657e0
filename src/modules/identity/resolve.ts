import type { Db } from '../../platform/db/index.js';
import { previousIdCandidates, type Extracted, type VehicleMention } from './extract.js';
import { IdentityGraph } from './graph.js';
import { lockIdentityGraph, preferIndexes } from './lock.js';
import { loadGraphFor, persistGraphChanges } from './resolve.repo.js';
import { identifierKey, type Identifier, type IdentityConfig } from './types.js';

export interface ResolveItem {
  extracted: Extracted;
  messageId: string;
  at: Date;
  sourceId: string;
}

export interface VehicleLink extends VehicleMention {
  profileId: string;
  at: Date;
  source: string;
}

/** What resolution needs from modules that own a profile's belongings (profiles module). */
export interface ResolveHooks {
  moveBelongings(trx: Db, tenantId: string, from: string, to: string): Promise<unknown>;
  /** Which of these profiles own anything moveBelongings moves (leads, orders, consents, tags ...). */
  withBelongings(trx: Db, tenantId: string, ids: readonly string[]): Promise<Set<string>>;
  lockVehicles(trx: Db, tenantId: string, profileIds: readonly string[], vins: readonly string[]): Promise<void>;
  /** Returns the profiles whose ownership a resale in the links ended. */
  linkVehicles(trx: Db, tenantId: string, links: VehicleLink[]): Promise<readonly string[]>;
}

/** alias previousId: a user id when somebody holds it as one, otherwise an anonymous id. */
export function previousIdentifier(graph: { holderOf(identifier: Identifier): unknown }, config: IdentityConfig, previousId: string): Identifier | null {
  const options = previousIdCandidates(config, previousId);
  return options.find((id) => id.type === 'user_id' && graph.holderOf(id) !== undefined) ?? options.find((id) => id.type === 'anonymous_id') ?? null;
}

/** Every identifier the items mention, once (a returning visitor's id would otherwise be looked up per event). */
function candidates(items: readonly ResolveItem[], config: IdentityConfig): Identifier[] {
  const out = new Map<string, Identifier>();
  for (const item of items) {
    for (const id of item.extracted.identifiers) out.set(identifierKey(id), id);
    if (item.extracted.previousId !== null) for (const id of previousIdCandidates(config, item.extracted.previousId)) out.set(identifierKey(id), id);
  }
  return [...out.values()];
}

export interface Resolution {
  /** Each event's profile id (null: no usable identifier). */
  profiles: Array<string | null>;
  /** Other profiles the batch changed: previous owners whose ownership a resale ended. */
  alsoChanged: readonly string[];
}

/**
 * Resolves a batch of events to profiles, in order, and writes the graph changes, in the caller's
 * transaction; takes the tenant's identity lock.
 */
export async function resolveEvents(trx: Db, tenantId: string, config: IdentityConfig, items: readonly ResolveItem[], hooks: ResolveHooks): Promise<Resolution> {
  if (items.length === 0) return { profiles: [], alsoChanged: [] };
  await lockIdentityGraph(trx, tenantId);
  await preferIndexes(trx);
  const graph = new IdentityGraph(config);
  await loadGraphFor(trx, tenantId, candidates(items, config), graph);

  const resolved = items.map((item) => {
    const ids = [...item.extracted.identifiers];
    const prev = item.extracted.previousId === null ? null : previousIdentifier(graph, config, item.extracted.previousId);
    if (prev) ids.push(prev);
    return graph.resolveEvent(ids, { messageId: item.messageId, at: item.at, sourceId: item.sourceId }, item.extracted.traits);
  });
  const final = resolved.map((id) => (id === null ? null : graph.finalId(id)));
  const vins = [...new Set(items.flatMap((item) => item.extracted.vehicles.map((v) => v.vin)))];
  await persistGraphChanges(trx, tenantId, graph, { moveBelongings: hooks.moveBelongings, withBelongings: hooks.withBelongings, lockVehicles: hooks.lockVehicles, vins });

  const vehicles: VehicleLink[] = [];
  items.forEach((item, i) => {
    const profileId = final[i];
    if (profileId) for (const v of item.extracted.vehicles) vehicles.push({ ...v, profileId, at: item.at, source: item.sourceId });
  });
  const alsoChanged = vehicles.length > 0 ? await hooks.linkVehicles(trx, tenantId, vehicles) : [];
  return { profiles: final, alsoChanged };
}
