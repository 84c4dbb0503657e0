import { randomUUID } from 'node:crypto';
import type { Db } from '../../platform/db/index.js';
import type { CompactGraph } from './compact-graph.js';
import { jsonbText } from './jsonb-text.js';
import { jsonEqual } from '../../platform/json.js';
import type { RebuildOptions, Resolved } from './rebuild-types.js';
import * as repo from './rebuild.repo.js';
import { parseIdentifierKey, type Identifier } from './types.js';

/**
 * Rebuild, matching: the clusters the new graph ended with, the stored live profiles read once, and
 * which stored id each cluster takes (the rest merged away or deleted). Writes nothing.
 */

/** An event record's cluster when the event resolved to no profile. */
export const NO_PROFILE = 0;

const nibble = (c: number): number => (c <= 57 ? c - 48 : (c | 32) - 87);

/** Writes a uuid's 16 bytes at `off`, without building a string (rows by the million). */
export function writeUuid(buf: Buffer, off: number, uuid: string): void {
  let o = off;
  for (let i = 0; i < uuid.length; i++) {
    const c = uuid.charCodeAt(i);
    if (c === 45) continue; // '-'
    buf[o++] = (nibble(c) << 4) | nibble(uuid.charCodeAt(++i));
  }
}

/** A growable column of numbers (8 bytes each, no objects for the garbage collector). */
class Column {
  private a = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.length++] = v;
  }
  get(i: number): number {
    return this.a[i]!;
  }
}

/** A growable column of uuids, 16 bytes each. */
class UuidColumn {
  private b = Buffer.alloc(16 * 1024);
  length = 0;
  push(uuid: string): void {
    if ((this.length + 1) * 16 > this.b.length) {
      const n = Buffer.alloc(this.b.length * 2);
      this.b.copy(n);
      this.b = n;
    }
    writeUuid(this.b, this.length++ * 16, uuid);
  }
  hex(i: number): string {
    return this.b.toString('hex', i * 16, i * 16 + 16);
  }
  get(i: number): string {
    const h = this.hex(i);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  compare(i: number, j: number): number {
    return this.b.compare(this.b, j * 16, j * 16 + 16, i * 16, i * 16 + 16);
  }
}

/** The clusters the graph ended with. */
export interface Clusters {
  graph: CompactGraph;
  /** profile → the root of the cluster it ended in */
  final: Int32Array;
  /** the roots, in creation order */
  ids: number[];
}

export function clustersOf(r: Resolved): Clusters {
  const { graph } = r;
  const final = new Int32Array(graph.profileCount + 1);
  const ids: number[] = [];
  for (let k = 1; k <= graph.profileCount; k++) {
    final[k] = graph.find(k);
    if (final[k] === k) ids.push(k);
  }
  return { graph, final, ids };
}

/**
 * Whether stored jsonb text holds this value: compared as printed (no parsing), and only when the
 * texts differ (a number stored as 1.50 prints so; JavaScript prints 1.5) parsed and compared.
 */
function sameJson(stored: string | null, value: Record<string, unknown>): boolean {
  const text = stored ?? '{}';
  if (text === jsonbText(value)) return true;
  const parsed: unknown = JSON.parse(text);
  return jsonEqual(parsed, value);
}

/** Cluster a was seen before cluster b (b may be none). */
const earlier = (cl: Clusters, a: number, b: number): boolean =>
  a !== 0 && (b === 0 || cl.graph.firstSeen(a) < cl.graph.firstSeen(b) || (cl.graph.firstSeen(a) === cl.graph.firstSeen(b) && a < b));

/** The stored live profiles, by ordinal (read order), and how their identifiers fell into the new clusters. */
export interface OldSide {
  ids: UuidColumn;
  firstMs: Column;
  /** Per old profile: the cluster that took most of its identifiers (0: none). */
  best: Column;
  /** Per old profile: 1 when its stored state (times, traits) equals that of its best cluster. */
  sameAsBest: Column;
  /** Pairs (cluster, old ordinal, identifiers in common). */
  pairs: { c: Column; k: Column; n: Column };
  /** Per identifier of the new graph: 1 when it is stored. */
  stored: Uint8Array;
  removed: Identifier[];
  /** Identifiers (ordinals) stored with other first/last seen times. */
  retimed: number[];
  /** Stored identifiers held by no live profile, still in the graph (ordinals): rewritten. */
  stray: number[];
  identifiers: number;
}

/**
 * Reads the stored live profiles and their identifiers once: per profile, which clusters took its
 * identifiers (and how many), which identifiers are gone or re-timed, and whether its stored state
 * already equals its most likely cluster's (so that, when it keeps that cluster, nothing is written).
 */
export async function readOldSide(trx: Db, tenantId: string, r: Resolved, cl: Clusters, total: number, o: RebuildOptions): Promise<OldSide> {
  const { graph } = r;
  const side: OldSide = {
    ids: new UuidColumn(),
    firstMs: new Column(),
    best: new Column(),
    sameAsBest: new Column(),
    pairs: { c: new Column(), k: new Column(), n: new Column() },
    stored: new Uint8Array(graph.identifierCount),
    removed: [],
    retimed: [],
    stray: [],
    identifiers: 0,
  };
  /** The cluster now holding a stored identifier (0: it is gone). */
  const take = (x: repo.StoredIdentifier, live: boolean): number => {
    side.identifiers++;
    const i = graph.ordinalOf(x[0]);
    if (i < 0) {
      side.removed.push(parseIdentifierKey(x[0]));
      return 0;
    }
    side.stored[i] = 1;
    if (graph.identFirst(i) !== x[1] || graph.identLast(i) !== x[2]) side.retimed.push(i);
    if (!live) side.stray.push(i);
    return graph.holderOfOrdinal(i);
  };
  const lc: number[] = [];
  const ln: number[] = [];
  const apply = (rows: repo.StoredProfileRow[]) => {
    for (const row of rows) {
      if (row.id === null) {
        for (const x of row.identifiers ?? []) take(x, false);
        continue;
      }
      const k = side.ids.length;
      side.ids.push(row.id);
      side.firstMs.push(Number(row.first_ms));
      lc.length = 0;
      ln.length = 0;
      for (const x of row.identifiers ?? []) {
        const c = take(x, true);
        if (c === 0) continue;
        const at = lc.indexOf(c);
        if (at < 0) {
          lc.push(c);
          ln.push(1);
        } else ln[at]!++;
      }
      let best = 0;
      let bestN = 0;
      for (let i = 0; i < lc.length; i++) {
        const c = lc[i]!;
        const n = ln[i]!;
        side.pairs.c.push(c);
        side.pairs.k.push(k);
        side.pairs.n.push(n);
        if (n > bestN || (n === bestN && earlier(cl, c, best))) {
          best = c;
          bestN = n;
        }
      }
      side.best.push(best);
      const same =
        best !== 0 &&
        Number(row.first_ms) === graph.firstSeen(best) &&
        Number(row.last_ms) === graph.lastSeen(best) &&
        sameJson(row.traits, graph.traitState(best).traits) &&
        sameJson(row.trait_meta, graph.traitState(best).meta);
      side.sameAsBest.push(same ? 1 : 0);
    }
  };
  o.onProgress?.({ phase: 'resolving', unit: 'stored profiles', done: 0, total });
  await repo.openStoredCursor(trx, tenantId);
  let next = repo.fetchStored(trx, STORED_PAGE);
  for (;;) {
    const page = next;
    const rows = await page;
    if (rows.length === 0) break;
    next = repo.fetchStored(trx, STORED_PAGE);
    next.catch(() => undefined);
    apply(rows);
    o.onProgress?.({ phase: 'resolving', unit: 'stored profiles', done: side.ids.length, total });
  }
  await repo.closeStoredCursor(trx);
  return side;
}

/** Live profiles per stored page: small enough for a page's rows to die young. */
const STORED_PAGE = 500;

/** Which stored id each cluster takes. */
export interface Matching {
  /** cluster → old ordinal, -1: none */
  clusterOld: Int32Array;
  /** old ordinal → 1 when a cluster took its id */
  taken: Uint8Array;
}

/**
 * Assigns stored ids to clusters, greedily by what they have in common (most first; ties: the old
 * profile's first_seen, then its id; then the cluster seen first). A pair whose cluster and profile
 * appear in no other pair is assigned directly; only contested pairs are sorted.
 */
function matchPairs(cl: Clusters, old: OldSide, m: Matching, pc: ArrayLike<number>, pk: ArrayLike<number>, pn: ArrayLike<number>, count: number): void {
  const cDeg = new Int32Array(m.clusterOld.length);
  const kDeg = new Int32Array(m.taken.length);
  for (let i = 0; i < count; i++) {
    cDeg[pc[i]!]!++;
    kDeg[pk[i]!]!++;
  }
  const contested: number[] = [];
  for (let i = 0; i < count; i++) {
    const c = pc[i]!;
    const k = pk[i]!;
    if (cDeg[c] === 1 && kDeg[k] === 1) {
      if (m.clusterOld[c] === -1 && m.taken[k] === 0) {
        m.clusterOld[c] = k;
        m.taken[k] = 1;
      }
    } else contested.push(i);
  }
  contested.sort((a, b) => {
    const ka = pk[a]!;
    const kb = pk[b]!;
    return pn[b]! - pn[a]! || old.firstMs.get(ka) - old.firstMs.get(kb) || old.ids.compare(ka, kb) || (earlier(cl, pc[a]!, pc[b]!) ? -1 : 1);
  });
  for (const i of contested) {
    const c = pc[i]!;
    const k = pk[i]!;
    if (m.clusterOld[c] === -1 && m.taken[k] === 0) {
      m.clusterOld[c] = k;
      m.taken[k] = 1;
    }
  }
}

/** The pairs of a column triple as plain arrays (matchPairs reads them by index). */
const view = (col: { c: Column; k: Column; n: Column }) => {
  const n = col.c.length;
  const pc = new Float64Array(n);
  const pk = new Float64Array(n);
  const pn = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    pc[i] = col.c.get(i);
    pk[i] = col.k.get(i);
    pn[i] = col.n.get(i);
  }
  return { pc, pk, pn, n };
};


/**
 * Clusters that took no stored id may take the id most of their events had, if no cluster took it;
 * returns, per old profile no cluster took, the clusters its events went to (for its merge target).
 */
async function matchByEvents(r: Resolved, cl: Clusters, old: OldSide, m: Matching): Promise<Map<number, Map<number, number>>> {
  const eventPairs = new Map<number, Map<number, number>>();
  const untaken = new Map<string, number>();
  for (let k = 0; k < old.ids.length; k++) if (m.taken[k] === 0) untaken.set(old.ids.hex(k), k);
  if (untaken.size === 0) return eventPairs;
  await r.spill.scan((buf, off) => {
    const temp = buf.readUInt32LE(off + 16);
    if (temp === NO_PROFILE || buf[off + 36] !== 1) return;
    const k = untaken.get(buf.toString('hex', off + 20, off + 36));
    if (k === undefined) return;
    const c = cl.final[temp]!;
    let counts = eventPairs.get(k);
    if (!counts) eventPairs.set(k, (counts = new Map()));
    counts.set(c, (counts.get(c) ?? 0) + 1);
  });
  const pc: number[] = [];
  const pk: number[] = [];
  const pn: number[] = [];
  for (const [k, counts] of eventPairs) {
    for (const [c, n] of counts) {
      if (m.clusterOld[c] !== -1) continue;
      pc.push(c);
      pk.push(k);
      pn.push(n);
    }
  }
  matchPairs(cl, old, m, pc, pk, pn, pc.length);
  return eventPairs;
}

/** The ids the clusters end with, and what becomes of the stored profiles no cluster took. */
export interface Assignment {
  m: Matching;
  /** cluster → its final profile id */
  finalUuid: string[];
  /** the same, 16 bytes per cluster (at c * 16) */
  finalHex: Buffer;
  /** old ordinal → the cluster that took its id (when one did) */
  oldCluster: Int32Array;
  /** clusters that took no stored id: new profiles */
  created: number;
  mergedAway: Array<{ from: string; to: string }>;
  /** Old profiles no cluster took and none can be merged into: deleted when left with nothing. */
  orphans: string[];
}

/** Matches clusters to stored ids (by identifiers, then by events) and gives every cluster its final id. */
export async function matchProfiles(r: Resolved, cl: Clusters, old: OldSide): Promise<Assignment> {
  const nOld = old.ids.length;
  const m: Matching = { clusterOld: new Int32Array(r.graph.profileCount + 1).fill(-1), taken: new Uint8Array(nOld) };
  const byIdentifiers = view(old.pairs);
  matchPairs(cl, old, m, byIdentifiers.pc, byIdentifiers.pk, byIdentifiers.pn, byIdentifiers.n);
  const eventPairs = await matchByEvents(r, cl, old, m);

  const finalUuid = new Array<string>(r.graph.profileCount + 1);
  const finalHex = Buffer.alloc(16 * (r.graph.profileCount + 1));
  const oldCluster = new Int32Array(nOld);
  let created = 0;
  for (const c of cl.ids) {
    const k = m.clusterOld[c]!;
    const uuid = k >= 0 ? old.ids.get(k) : randomUUID();
    if (k >= 0) oldCluster[k] = c;
    else created++;
    finalUuid[c] = uuid;
    writeUuid(finalHex, c * 16, uuid);
  }
  // Old profiles no cluster took: merged into the cluster with most of their identifiers, else of their events.
  const mergedAway: Array<{ from: string; to: string }> = [];
  const orphans: string[] = [];
  for (let k = 0; k < nOld; k++) {
    if (m.taken[k] === 1) continue;
    let target = old.best.get(k);
    if (target === 0) {
      let bestN = 0;
      for (const [c, n] of eventPairs.get(k) ?? []) {
        if (n > bestN || (n === bestN && earlier(cl, c, target))) {
          target = c;
          bestN = n;
        }
      }
    }
    if (target === 0) orphans.push(old.ids.get(k));
    else mergedAway.push({ from: old.ids.get(k), to: finalUuid[target]! });
  }
  return { m, finalUuid, finalHex, oldCluster, created, mergedAway, orphans };
}
