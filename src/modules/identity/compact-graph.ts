import { KeyTable } from './key-table.js';
import { applyTraits, emptyTraits, mergeTraits, type TraitState } from './traits.js';
import { identifierKey, type Identifier, type IdentifierType, type IdentityConfig } from './types.js';

/**
 * The identity graph of a whole tenant, for `siyu identity rebuild`: the same rules as IdentityGraph
 * (graph.ts, which online resolution uses on the part of the graph a batch touches), kept in a form
 * whose memory grows by tens of bytes per identifier instead of hundreds, and that the garbage
 * collector barely sees:
 * - identifier keys are interned once, off the heap (KeyTable), and numbered; everything else about
 *   an identifier (holder, first/last seen, type) lives in typed arrays by ordinal;
 * - profiles are numbers 1..n; merges are a union-find (an identifier keeps the profile it joined and
 *   its holder is that profile's root), so a merge touches two profiles, not their identifiers;
 * - a profile's identifiers are counted per type (what caps and conflicts need), not listed;
 * - a profile without traits has no trait state.
 *
 * Equivalence with IdentityGraph, event for event, is tested on random streams (compact-graph.test.ts).
 */

/** A recycled identifier taken from its holder: what the holder keeps as a former identifier. */
export interface Reassigned {
  /** identifier ordinal */
  ident: number;
  /** the profile (root at the time) it was taken from */
  from: number;
  firstSeen: number;
  lastSeen: number;
  at: number;
}

const UNKNOWN = (name: string): IdentifierType => ({
  type: name, priority: -1, maxPerProfile: Number.MAX_SAFE_INTEGER, merges: false, scoped: false, normalizer: 'exact', traitNames: [], reassignAfterDays: null, builtIn: false,
});

const NO_TRAITS: TraitState = Object.freeze({ traits: Object.freeze({}), meta: Object.freeze({}) });

const grow = <T extends Float64Array | Int32Array | Uint8Array | Uint16Array>(a: T, need: number, make: (n: number) => T): T => {
  if (need <= a.length) return a;
  const b = make(Math.max(need, a.length * 2));
  b.set(a);
  return b;
};

interface Item {
  key: string;
  id: Identifier;
  t: IdentifierType;
  ti: number;
  /** the identifier's ordinal, -1 while it is held by nobody */
  ord: number;
  reassign: boolean;
}

export class CompactGraph {
  /** identifier keys by ordinal */
  private readonly keys = new KeyTable();
  private holder = new Int32Array(1 << 16);
  /** per identifier: [first seen, last seen] (side by side: read together) */
  private iSeen = new Float64Array(2 << 16);

  /** profiles are 1..profileCount; 0 is none */
  profileCount = 0;
  private parent = new Int32Array(1 << 16);
  /** per profile: [first seen, last seen] */
  private pSeen = new Float64Array(2 << 16);
  private counts: Uint16Array;
  /** per profile (index 0 unused), kept dense: a write far past the end would turn the array into a dictionary */
  private readonly states: Array<TraitState | undefined> = [undefined];

  /** Types by index (the config's, then any other name seen) and the check order of conflicts. */
  private readonly types: IdentifierType[] = [];
  private readonly typeIndex = new Map<string, number>();
  private readonly stride: number;
  private byPriority: number[] = [];

  merges = 0;
  blocked = 0;
  /** Recycled identifiers taken since the caller last emptied this list. */
  readonly reassigned: Reassigned[] = [];

  constructor(readonly config: IdentityConfig) {
    for (const t of config.types.values()) this.addType(t);
    // Room for types that are not configured (stored data names them; they never join profiles).
    this.stride = this.types.length + 2;
    this.counts = new Uint16Array((1 << 16) * this.stride);
  }

  private addType(t: IdentifierType): number {
    const i = this.types.length;
    this.types.push(t);
    this.typeIndex.set(t.type, i);
    this.byPriority = this.types.map((_, k) => k).sort((a, b) => {
      const x = this.types[a]!;
      const y = this.types[b]!;
      return y.priority - x.priority || (x.type < y.type ? -1 : 1);
    });
    return i;
  }

  private typeOf(name: string): number {
    const i = this.typeIndex.get(name);
    if (i !== undefined) return i;
    if (this.types.length >= this.stride) throw new Error(`more than ${this.stride} identifier types`);
    return this.addType(UNKNOWN(name));
  }

  /** Identifiers held (ever attached; a recycled one counts once). */
  get identifierCount(): number {
    return this.keys.count;
  }

  /** The identifier's key (identifierKey()). */
  keyOf(i: number): string {
    return this.keys.key(i);
  }

  /** The root of a profile (the surviving profile after merges). */
  find(p: number): number {
    let r = p;
    while (this.parent[r] !== r) r = this.parent[r]!;
    let x = p;
    while (this.parent[x] !== r) {
      const next = this.parent[x]!;
      this.parent[x] = r;
      x = next;
    }
    return r;
  }

  isRoot(p: number): boolean {
    return this.parent[p] === p;
  }

  firstSeen(p: number): number {
    return this.pSeen[2 * p]!;
  }

  lastSeen(p: number): number {
    return this.pSeen[2 * p + 1]!;
  }

  /** The profile's traits (do not change them). */
  traitState(p: number): TraitState {
    return this.states[p] ?? NO_TRAITS;
  }

  /** The ordinal of an identifier key, -1 when nobody holds it. */
  ordinalOf(key: string): number {
    return this.keys.find(key);
  }

  /** The identifier's holder (a root). */
  holderOfOrdinal(i: number): number {
    return this.find(this.holder[i]!);
  }

  identFirst(i: number): number {
    return this.iSeen[2 * i]!;
  }

  identLast(i: number): number {
    return this.iSeen[2 * i + 1]!;
  }

  holderOf(identifier: Identifier): number | undefined {
    const i = this.keys.find(identifierKey(identifier));
    return i < 0 ? undefined : this.find(this.holder[i]!);
  }

  private count(p: number, ti: number): number {
    return p === 0 ? 0 : this.counts[p * this.stride + ti]!;
  }

  private createProfile(at: number): number {
    const p = ++this.profileCount;
    this.parent = grow(this.parent, p + 1, (n) => new Int32Array(n));
    this.pSeen = grow(this.pSeen, 2 * (p + 1), (n) => new Float64Array(n));
    this.counts = grow(this.counts, (p + 1) * this.stride, (n) => new Uint16Array(n));
    this.parent[p] = p;
    this.pSeen[2 * p] = at;
    this.pSeen[2 * p + 1] = at;
    this.states.push(undefined);
    return p;
  }

  /** Resolves one event; returns its profile (a root), or 0 when it carries no usable identifier. */
  resolveEvent(identifiers: readonly Identifier[], at: number, sourceId: string, traits: Record<string, unknown> | null): number {
    const seen = new Set<string>();
    const ordered: Item[] = [];
    for (const id of identifiers) {
      const key = identifierKey(id);
      if (seen.has(key)) continue;
      seen.add(key);
      const ti = this.typeOf(id.type);
      ordered.push({ key, id, t: this.types[ti]!, ti, ord: this.keys.find(key), reassign: false });
    }
    if (ordered.length === 0) return 0;
    ordered.sort((a, b) => b.t.priority - a.t.priority || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

    let target = 0;
    const pending: Item[] = [];
    for (const item of ordered) {
      if (item.ord < 0) {
        if (target !== 0 || pending.length > 0) {
          if (this.capReached(target, pending, item)) {
            this.blocked++;
            continue;
          }
        }
        pending.push(item);
        continue;
      }
      const holder = this.find(this.holder[item.ord]!);
      if (holder === target) continue;
      if (target === 0 && pending.length === 0) {
        target = holder;
        continue;
      }
      if (this.mayJoin(target, pending, holder, item.t)) {
        target = target === 0 ? holder : this.merge(target, holder);
        continue;
      }
      const days = item.t.reassignAfterDays;
      const staleBefore = days === null ? null : at - days * 86_400_000;
      // Recycled only if neither the number nor its holder has been seen since the cut-off.
      if (staleBefore !== null && this.iSeen[2 * item.ord + 1]! < staleBefore && this.pSeen[2 * holder + 1]! < staleBefore && !this.capReached(target, pending, item)) {
        item.reassign = true;
        pending.push(item);
        continue;
      }
      this.blocked++;
    }

    if (target === 0) target = this.createProfile(at);
    for (const p of pending) this.attach(target, p, at);
    for (const item of ordered) {
      const i = item.ord;
      if (i >= 0 && this.find(this.holder[i]!) === target && at > this.iSeen[2 * i + 1]!) this.iSeen[2 * i + 1] = at;
    }
    if (at > this.pSeen[2 * target + 1]!) this.pSeen[2 * target + 1] = at;
    if (at < this.pSeen[2 * target]!) this.pSeen[2 * target] = at;
    if (traits) {
      let s = this.states[target];
      if (s === undefined) this.states[target] = s = emptyTraits();
      applyTraits(s, traits, new Date(at), sourceId, this.config.traitStrategies);
    }
    return target;
  }

  private capReached(target: number, pending: readonly Item[], item: Item): boolean {
    let n = this.count(target, item.ti);
    for (const p of pending) if (p.ti === item.ti) n++;
    return n >= item.t.maxPerProfile;
  }

  /** Whether the event's profile (target + pending new identifiers) may join `holder`: IdentityGraph's joinReason. */
  private mayJoin(target: number, pending: readonly Item[], holder: number, link: IdentifierType): boolean {
    if (!link.merges && target !== 0) return false;
    for (const ti of this.byPriority) {
      const t = this.types[ti]!;
      let a = this.count(target, ti);
      for (const p of pending) if (p.ti === ti) a++;
      const b = this.count(holder, ti);
      if (a === 0 && b === 0) continue;
      if (a > 0 && b > 0 && t.maxPerProfile === 1) return false;
      if (a + b > t.maxPerProfile) return false;
      if (a > 0 && b > 0 && t.priority > link.priority) return false;
    }
    return true;
  }

  private attach(target: number, item: Item, at: number): void {
    let i = item.ord;
    if (item.reassign && i >= 0) {
      const from = this.find(this.holder[i]!);
      this.counts[from * this.stride + item.ti]!--;
      this.reassigned.push({ ident: i, from, firstSeen: this.iSeen[2 * i]!, lastSeen: this.iSeen[2 * i + 1]!, at });
    } else {
      i = this.keys.add(item.key);
      this.holder = grow(this.holder, i + 1, (n) => new Int32Array(n));
      this.iSeen = grow(this.iSeen, 2 * (i + 1), (n) => new Float64Array(n));
      item.ord = i;
    }
    this.holder[i] = target;
    this.iSeen[2 * i] = at;
    this.iSeen[2 * i + 1] = at;
    this.counts[target * this.stride + item.ti]!++;
  }

  /** Joins two profiles; the one seen first survives (ties: the smaller id as text, as IdentityGraph's ids compare). */
  private merge(a: number, b: number): number {
    const fa = this.pSeen[2 * a]!;
    const fb = this.pSeen[2 * b]!;
    const aFirst = fa < fb || (fa === fb && String(a) < String(b));
    const survivor = aFirst ? a : b;
    const loser = aFirst ? b : a;
    for (let ti = 0; ti < this.stride; ti++) this.counts[survivor * this.stride + ti]! += this.counts[loser * this.stride + ti]!;
    if (this.states[loser] !== undefined || this.states[survivor] !== undefined) {
      this.states[survivor] = mergeTraits(this.traitState(survivor), this.traitState(loser), this.config.traitStrategies);
    }
    this.states[loser] = undefined;
    this.pSeen[2 * survivor] = Math.min(fa, fb);
    this.pSeen[2 * survivor + 1] = Math.max(this.pSeen[2 * a + 1]!, this.pSeen[2 * b + 1]!);
    this.parent[loser] = survivor;
    this.merges++;
    return survivor;
  }
}
