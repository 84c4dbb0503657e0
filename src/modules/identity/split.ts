import { randomUUID } from 'node:crypto';
import type { Store } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import { loadIdentityConfig } from './config.repo.js';
import { extractIdentity, previousIdCandidates } from './extract.js';
import { resolveAcknowledged, type BacklogHooks } from './backlog.js';
import { lockIdentityGraph } from './lock.js';
import { requireLiveProfile } from './profile-ref.js';
import {
  copyRestrictiveConsents,
  eventsOfProfile,
  identifiersOfProfile,
  insertSplitProfile,
  lastSplitInto,
  logSplit,
  moveEvents,
  moveIdentifiers,
  updateProfileState,
  type StoredEventIdentity,
} from './split.repo.js';
import { applyTraits, emptyTraits } from './traits.js';
import { identifierKey, requireIdentifier, type Identifier, type IdentityConfig } from './types.js';

export interface SplitResult {
  profileId: string;
  newProfileId: string;
  identifiers: Identifier[];
  eventsMoved: number;
  consentsCopied: number;
  /** True when this split had already been done (a replayed request). */
  replayed: boolean;
}

/** The identifiers an event carries that a profile holds (alias previousId as user or anonymous id). */
function heldBy(e: StoredEventIdentity, config: IdentityConfig, held: ReadonlyMap<string, Identifier>): Identifier[] {
  const x = extractIdentity(e, config, { strict: false, path: '' });
  const ids = x.previousId === null ? x.identifiers : [...x.identifiers, ...previousIdCandidates(config, x.previousId)];
  return ids.filter((i) => held.has(identifierKey(i)));
}

function recompute(events: readonly StoredEventIdentity[], config: IdentityConfig) {
  const state = emptyTraits();
  for (const e of events) if (e.type === 'identify' && e.traits) applyTraits(state, e.traits, e.timestamp, e.sourceId, config.traitStrategies);
  return state;
}

const sameSet = (a: readonly Identifier[], b: unknown): boolean => {
  if (!Array.isArray(b) || a.length !== b.length) return false;
  const keys = new Set(a.map(identifierKey));
  return b.every((x: unknown) => typeof x === 'object' && x !== null && keys.has(identifierKey({ type: String(Reflect.get(x, 'type')), scope: String(Reflect.get(x, 'scope')), value: String(Reflect.get(x, 'value')) })));
};

/**
 * Moves identifiers out of a profile into a new one, with the events they brought: an event goes
 * with its highest-priority identifier the profile held. Both profiles' traits are recomputed from
 * their events. Audited in identity_log (kind split) and audit_log. Replaying the same split answers
 * the first one's result.
 */
export async function splitProfile(
  store: Store,
  tenantId: string,
  profileId: string,
  input: Array<{ type: string; value: string; scope?: string | undefined }>,
  actor: string,
  hooks: BacklogHooks,
  now: Date,
): Promise<SplitResult> {
  const config = await loadIdentityConfig(store.db, tenantId);
  const wanted = input.map((i, j) => requireIdentifier(config, i, `identifiers[${j}]`));
  const unique = [...new Map(wanted.map((w) => [identifierKey(w), w])).values()];
  if (unique.length === 0) throw new AppError('invalid_request', 'identifiers: name at least one identifier to move', { field: 'identifiers' });

  return store.db.transaction().execute(async (trx) => {
    await lockIdentityGraph(trx, tenantId);
    // Tracking events acknowledged before the split belong to the graph it splits.
    await resolveAcknowledged(trx, tenantId, hooks, now);
    await requireLiveProfile(trx, tenantId, profileId, { forUpdate: true });
    const held = await identifiersOfProfile(trx, tenantId, profileId);
    const heldKeys = new Map(held.map((h) => [identifierKey(h), h]));
    const missing = unique.filter((w) => !heldKeys.has(identifierKey(w)));
    if (missing.length > 0) {
      if (missing.length === unique.length) {
        for (const prior of await lastSplitInto(trx, tenantId, profileId)) {
          if (sameSet(unique, prior.identifiers)) {
            const n = (key: string) => (typeof prior.details === 'object' && prior.details !== null ? Number(Reflect.get(prior.details, key) ?? 0) : 0);
            return { profileId, newProfileId: prior.profileAfter, identifiers: unique, eventsMoved: n('eventsMoved'), consentsCopied: n('consentsCopied'), replayed: true };
          }
        }
      }
      throw new AppError('invalid_request', `profile ${profileId} does not hold ${missing.map((m) => `${m.type} ${m.value}`).join(', ')}; nothing was changed`, {
        field: 'identifiers',
        notHeld: missing,
      });
    }
    if (unique.length === held.length) {
      throw new AppError('invalid_request', 'identifiers: these are all the identifiers the profile holds; a split must leave at least one behind', { field: 'identifiers' });
    }

    const movingKeys = new Set(unique.map(identifierKey));
    const priority = (i: Identifier) => config.types.get(i.type)?.priority ?? 0;
    const events = await eventsOfProfile(trx, tenantId, profileId);
    const moving: StoredEventIdentity[] = [];
    const staying: StoredEventIdentity[] = [];
    for (const e of events) {
      const ids = heldBy(e, config, heldKeys).sort((a, b) => priority(b) - priority(a) || (identifierKey(a) < identifierKey(b) ? -1 : 1));
      (ids.length > 0 && movingKeys.has(identifierKey(ids[0]!)) ? moving : staying).push(e);
    }

    const newId = randomUUID();
    const span = (evs: readonly StoredEventIdentity[], ids: readonly { firstSeen: Date; lastSeen: Date }[]) => {
      let first = Infinity;
      let last = -Infinity;
      const see = (t: number) => {
        if (t < first) first = t;
        if (t > last) last = t;
      };
      if (evs.length > 0) for (const e of evs) see(e.timestamp.getTime());
      else {
        for (const i of ids) {
          see(i.firstSeen.getTime());
          see(i.lastSeen.getTime());
        }
      }
      return { firstSeen: new Date(first), lastSeen: new Date(last) };
    };
    const movedHeld = unique.map((u) => heldKeys.get(identifierKey(u))!);
    const keptHeld = held.filter((h) => !movingKeys.has(identifierKey(h)));
    const mine = recompute(moving, config);
    await insertSplitProfile(trx, tenantId, newId, { traits: mine.traits, meta: mine.meta, ...span(moving, movedHeld) });
    await moveIdentifiers(trx, tenantId, newId, unique);
    await moveEvents(trx, tenantId, profileId, newId, moving.map((e) => e.id));
    const theirs = recompute(staying, config);
    await updateProfileState(trx, tenantId, profileId, { traits: theirs.traits, meta: theirs.meta, ...span(staying, keptHeld) });
    const consentsCopied = await copyRestrictiveConsents(trx, tenantId, profileId, newId);
    await logSplit(trx, tenantId, { from: profileId, to: newId, identifiers: unique, actor, eventsMoved: moving.length, consentsCopied });
    // Both people changed: their tags, stages and segments follow.
    await hooks.markChanged(trx, tenantId, [profileId, newId], now);
    return { profileId, newProfileId: newId, identifiers: unique, eventsMoved: moving.length, consentsCopied, replayed: false };
  });
}
