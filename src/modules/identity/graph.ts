import { randomUUID } from 'node:crypto';
import { applyTraits, emptyTraits, mergeTraits, type TraitState } from './traits.js';
import { identifierKey, type Identifier, type IdentifierType, type IdentityConfig } from './types.js';

/**
 * The identity graph in memory: which profile holds each identifier. Online resolution loads the part
 * an ingest batch touches; `siyu identity rebuild` builds the whole graph from stored events. Both run
 * the same rules (resolveEvent), documented in docs/identity.md:
 *
 * An event's identifiers are taken highest priority first. The first one that a profile holds (or,
 * if none is held, a new profile) is the event's profile. Every further identifier held by another
 * profile asks to join the two; the join is refused (a *blocked merge*, logged with its reason) when
 * - both hold different values of a single-valued type (two user ids: `single_value_conflict:<type>`),
 * - together they would hold more values of a type than its cap (`cap_exceeded:<type>`),
 * - both hold values of a type of higher priority than the linking identifier (`priority_conflict:<type>`:
 *   a shared tablet's anonymous id never joins two phone owners),
 * - the linking type may not merge (`non_merging_type:<type>`).
 * A refused identifier stays where it is — unless it is a reassignable type (phone) last seen on its
 * holder longer ago than the type's reassignAfterDays: then the number was recycled and moves to the
 * event's profile (`reassign`). A new identifier joins the event's profile unless that would exceed
 * its type's cap. In a merge the profile seen first survives.
 */
export interface ProfileNode {
  id: string;
  firstSeen: number;
  lastSeen: number;
  /** type → identifier keys */
  idents: Map<string, Set<string>>;
  traits: TraitState;
  persisted: boolean;
  traitsDirty: boolean;
  seenDirty: boolean;
}

export interface LinkInfo {
  profileId: string;
  firstSeen: number;
  lastSeen: number;
  persisted: boolean;
  identifier: Identifier;
}

export interface LogEntry {
  kind: 'merge' | 'blocked_merge' | 'reassign';
  reason: string | null;
  messageId: string | null;
  at: number;
  identifiers: Identifier[];
  profilesBefore: string[];
  profileAfter: string | null;
}

export interface EventContext {
  messageId: string | null;
  at: Date;
  sourceId: string;
}

export interface GraphChanges {
  newProfiles: Set<string>;
  /** Persisted profile `from` merged into `to`, in order. */
  merges: Array<{ from: string; to: string }>;
  /** Links taken from their holder (recycled phone numbers); `link` as it was on the old holder. */
  reassigned: Array<{ key: string; from: string; link: LinkInfo; at: number }>;
  /** Links to insert (new identifiers, or reassigned ones under their new holder). */
  newLinks: Set<string>;
  /** Persisted links whose last_seen moved. */
  seenLinks: Set<string>;
  log: LogEntry[];
}

export class IdentityGraph {
  readonly profiles = new Map<string, ProfileNode>();
  readonly links = new Map<string, LinkInfo>();
  /** Merged-away id → survivor (this session). */
  readonly mergedInto = new Map<string, string>();
  readonly changes: GraphChanges = { newProfiles: new Set(), merges: [], reassigned: [], newLinks: new Set(), seenLinks: new Set(), log: [] };

  constructor(
    readonly config: IdentityConfig,
    private readonly newId: () => string = randomUUID,
  ) {}

  /** Loads a stored profile (all its identifiers must follow through addStoredLink). */
  addStoredProfile(id: string, firstSeen: number, lastSeen: number, traits: TraitState): void {
    this.profiles.set(id, { id, firstSeen, lastSeen, idents: new Map(), traits, persisted: true, traitsDirty: false, seenDirty: false });
  }

  addStoredLink(identifier: Identifier, profileId: string, firstSeen: number, lastSeen: number): void {
    const key = identifierKey(identifier);
    this.links.set(key, { profileId, firstSeen, lastSeen, persisted: true, identifier });
    const p = this.profiles.get(profileId);
    if (p) addIdent(p, identifier.type, key);
  }

  /** The surviving profile for an id seen earlier in this session. */
  finalId(id: string): string {
    let cur = id;
    for (let next = this.mergedInto.get(cur); next !== undefined; next = this.mergedInto.get(cur)) cur = next;
    if (cur !== id && this.mergedInto.get(id) !== cur) this.mergedInto.set(id, cur); // path compression
    return cur;
  }

  holderOf(identifier: Identifier): string | undefined {
    return this.links.get(identifierKey(identifier))?.profileId;
  }

  /**
   * A type no longer configured (its identifiers are still stored) ranks last, has no cap and never
   * joins profiles: stored data never makes resolution fail.
   */
  private type(name: string): IdentifierType {
    return (
      this.config.types.get(name) ?? {
        type: name, priority: -1, maxPerProfile: Number.MAX_SAFE_INTEGER, merges: false, scoped: false, normalizer: 'exact', traitNames: [], reassignAfterDays: null, builtIn: false,
      }
    );
  }

  /** Resolves one event; returns its profile id (null when it carries no usable identifier). */
  resolveEvent(identifiers: readonly Identifier[], ctx: EventContext, traits: Record<string, unknown> | null): string | null {
    const at = ctx.at.getTime();
    const seen = new Set<string>();
    const ordered: Array<{ key: string; id: Identifier; t: IdentifierType }> = [];
    for (const id of identifiers) {
      const key = identifierKey(id);
      if (seen.has(key)) continue;
      seen.add(key);
      ordered.push({ key, id, t: this.type(id.type) });
    }
    if (ordered.length === 0) return null;
    ordered.sort((a, b) => b.t.priority - a.t.priority || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

    const logFrom = this.changes.log.length;
    let target: string | null = null;
    const pending: Array<{ key: string; id: Identifier; t: IdentifierType; reassignedFrom?: LinkInfo }> = [];

    for (const item of ordered) {
      const link = this.links.get(item.key);
      if (!link) {
        if (target !== null || pending.length > 0) {
          const reason = this.capReason(target, pending, item.t);
          if (reason) {
            this.log('blocked_merge', reason, ctx, [item.id], target ? [target] : [], target);
            continue;
          }
        }
        pending.push(item);
        continue;
      }
      const holder = link.profileId;
      if (holder === target) continue;
      if (target === null && pending.length === 0) {
        target = holder;
        continue;
      }
      const reason = this.joinReason(target, pending, holder, item.t);
      if (!reason) {
        target = target === null ? holder : this.merge(target, holder, ctx, item.id);
        continue;
      }
      const staleBefore = item.t.reassignAfterDays === null ? null : at - item.t.reassignAfterDays * 86_400_000;
      // Recycled only if neither the number nor its holder has been seen since the cut-off.
      const holderSeen = this.profiles.get(holder)?.lastSeen ?? link.lastSeen;
      if (staleBefore !== null && link.lastSeen < staleBefore && holderSeen < staleBefore && !this.capReason(target, pending, item.t)) {
        this.log('reassign', `not seen on its holder for over ${item.t.reassignAfterDays} days (recycled)`, ctx, [item.id], [holder], null);
        pending.push({ ...item, reassignedFrom: link });
        continue;
      }
      this.log('blocked_merge', reason, ctx, [item.id], target ? [holder, target] : [holder], target);
    }

    if (target === null) target = this.createProfile(at);
    const profile = this.profiles.get(target)!;
    for (const p of pending) this.attach(profile, p.id, p.key, at, p.reassignedFrom);
    for (const item of ordered) {
      const link = this.links.get(item.key);
      if (link && link.profileId === target) this.touchLink(item.key, link, at);
    }
    // Every entry of this event names the profile the event ended up with.
    for (let i = logFrom; i < this.changes.log.length; i++) this.changes.log[i]!.profileAfter = target;
    if (at > profile.lastSeen) {
      profile.lastSeen = at;
      profile.seenDirty = true;
    }
    if (at < profile.firstSeen) {
      profile.firstSeen = at;
      profile.seenDirty = true;
    }
    if (traits && applyTraits(profile.traits, traits, ctx.at, ctx.sourceId, this.config.traitStrategies)) profile.traitsDirty = true;
    return target;
  }

  private count(profileId: string | null, type: string): number {
    return profileId === null ? 0 : (this.profiles.get(profileId)?.idents.get(type)?.size ?? 0);
  }

  private capReason(target: string | null, pending: ReadonlyArray<{ t: IdentifierType }>, t: IdentifierType): string | null {
    const n = this.count(target, t.type) + pending.filter((p) => p.t.type === t.type).length;
    if (n < t.maxPerProfile) return null;
    return t.maxPerProfile === 1 ? `single_value_conflict:${t.type}` : `cap_exceeded:${t.type}`;
  }

  /** Why the event's profile (target + pending new identifiers) cannot join `holder`, or null. */
  private joinReason(target: string | null, pending: ReadonlyArray<{ t: IdentifierType }>, holder: string, link: IdentifierType): string | null {
    if (!link.merges && target !== null) return `non_merging_type:${link.type}`;
    const other = this.profiles.get(holder)!;
    const mine = new Map<string, number>();
    if (target !== null) for (const [type, keys] of this.profiles.get(target)!.idents) mine.set(type, keys.size);
    for (const p of pending) mine.set(p.t.type, (mine.get(p.t.type) ?? 0) + 1);
    // Deterministic: check types in priority order.
    const types = [...new Set([...mine.keys(), ...other.idents.keys()])].map((n) => this.type(n)).sort((a, b) => b.priority - a.priority || (a.type < b.type ? -1 : 1));
    for (const t of types) {
      const a = mine.get(t.type) ?? 0;
      const b = other.idents.get(t.type)?.size ?? 0;
      if (a > 0 && b > 0 && t.maxPerProfile === 1) return `single_value_conflict:${t.type}`;
      if (a + b > t.maxPerProfile) return `cap_exceeded:${t.type}`;
      if (a > 0 && b > 0 && t.priority > link.priority) return `priority_conflict:${t.type}`;
    }
    return null;
  }

  private createProfile(at: number): string {
    const id = this.newId();
    this.profiles.set(id, { id, firstSeen: at, lastSeen: at, idents: new Map(), traits: emptyTraits(), persisted: false, traitsDirty: true, seenDirty: true });
    this.changes.newProfiles.add(id);
    return id;
  }

  private attach(profile: ProfileNode, id: Identifier, key: string, at: number, reassignedFrom?: LinkInfo): void {
    if (reassignedFrom) {
      const old = this.profiles.get(reassignedFrom.profileId);
      old?.idents.get(id.type)?.delete(key);
      this.changes.reassigned.push({ key, from: reassignedFrom.profileId, link: { ...reassignedFrom }, at });
      this.changes.seenLinks.delete(key);
    }
    this.links.set(key, { profileId: profile.id, firstSeen: at, lastSeen: at, persisted: false, identifier: id });
    addIdent(profile, id.type, key);
    this.changes.newLinks.add(key);
  }

  private touchLink(key: string, link: LinkInfo, at: number): void {
    if (at > link.lastSeen) {
      link.lastSeen = at;
      if (link.persisted) this.changes.seenLinks.add(key);
    }
  }

  /** Joins two profiles; the one seen first survives. Returns the survivor. */
  private merge(a: string, b: string, ctx: EventContext, via: Identifier): string {
    const pa = this.profiles.get(a)!;
    const pb = this.profiles.get(b)!;
    const [survivor, loser] = pa.firstSeen < pb.firstSeen || (pa.firstSeen === pb.firstSeen && pa.id < pb.id) ? [pa, pb] : [pb, pa];
    for (const [type, keys] of loser.idents) {
      for (const key of keys) {
        addIdent(survivor, type, key);
        const link = this.links.get(key)!;
        link.profileId = survivor.id;
      }
    }
    survivor.traits = mergeTraits(survivor.traits, loser.traits, this.config.traitStrategies);
    survivor.traitsDirty = true;
    survivor.firstSeen = Math.min(survivor.firstSeen, loser.firstSeen);
    survivor.lastSeen = Math.max(survivor.lastSeen, loser.lastSeen);
    survivor.seenDirty = true;
    this.profiles.delete(loser.id);
    this.mergedInto.set(loser.id, survivor.id);
    if (loser.persisted) this.changes.merges.push({ from: loser.id, to: survivor.id });
    this.log('merge', null, ctx, [via], [a, b], survivor.id);
    return survivor.id;
  }

  private log(kind: LogEntry['kind'], reason: string | null, ctx: EventContext, identifiers: Identifier[], before: string[], after: string | null): void {
    this.changes.log.push({ kind, reason, messageId: ctx.messageId, at: ctx.at.getTime(), identifiers, profilesBefore: before, profileAfter: after });
  }
}

function addIdent(p: ProfileNode, type: string, key: string): void {
  let set = p.idents.get(type);
  if (!set) p.idents.set(type, (set = new Set()));
  set.add(key);
}
