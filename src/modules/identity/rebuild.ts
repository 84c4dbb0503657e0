import { randomUUID } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Db, Store } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import { loadIdentityConfig } from './config.repo.js';
import { extractIdentity } from './extract.js';
import { IdentityGraph, type LinkInfo, type ProfileNode } from './graph.js';
import { lockIdentityGraph } from './lock.js';
import * as repo from './rebuild.repo.js';
import { previousIdentifier } from './resolve.js';
import { parseIdentifierKey, type Identifier, type IdentityConfig } from './types.js';

/**
 * `siyu identity rebuild`: recomputes a tenant's whole identity graph from its stored events under
 * the current rules (after a rule change: a new blocklist value, another cap or priority, a new
 * identifier type), and writes only the difference.
 *
 * - One transaction under the tenant's identity lock: ingestion for that tenant waits until it
 *   commits (on PGlite, the store's one connection is busy meanwhile: every request waits).
 * - Events are read in (timestamp, id) order, in keyset pages, with only the columns extraction needs,
 *   and run through a fresh IdentityGraph. Per event only a 40-byte record (its key, its old and its
 *   new profile) is kept, in a temporary file: memory is bounded by the graph, not by the events.
 * - Profile ids stay stable: each new cluster takes the id of the live profile that held most of its
 *   identifiers (ties: earliest first_seen, then smallest id; an id goes to one cluster at most; a
 *   cluster that holds no stored identifier may take the id most of its events had). A live profile
 *   whose id no cluster took is merged into the cluster that took most of its identifiers (or events)
 *   and its belongings move there; one left with nothing at all is deleted.
 */
export type RebuildPhase = 'reading' | 'resolving' | 'writing';

export interface RebuildProgress {
  phase: RebuildPhase;
  /** What is being counted, e.g. "events", "profiles", "identifiers". */
  unit: string;
  done: number;
  total: number;
}

export type EventWriteMode = 'auto' | 'unnest' | 'copy';

export interface RebuildOptions {
  /** Who asked (audit_log.actor, identity_log.actor). */
  actor: string;
  /** Moves consents, household and vehicle relations of a profile merged away (profiles module). */
  moveBelongings: (trx: Db, tenantId: string, from: string, to: string) => Promise<unknown>;
  /**
   * Locks the vehicles of these profiles' relations (profiles module), taken after the profile rows
   * and before moving belongings: the lock order every writer of belongings follows.
   */
  lockVehicles?: (trx: Db, tenantId: string, profileIds: readonly string[], vins: readonly string[]) => Promise<void>;
  onProgress?: (p: RebuildProgress) => void;
  /** Events per page (default 10,000). */
  pageSize?: number;
  /** How moved events are written: 'unnest' statements, 'copy' into a temporary table and one join, or 'auto' (default): copy from 50,000 moves on. */
  eventWrite?: EventWriteMode;
}

export interface RebuildSummary {
  tenantId: string;
  identityLogId: string;
  events: number;
  eventsWithoutProfile: number;
  eventsMoved: number;
  profilesBefore: number;
  profilesAfter: number;
  profilesKept: number;
  profilesCreated: number;
  profilesUpdated: number;
  profilesMergedAway: number;
  profilesDeleted: number;
  merges: number;
  blockedMerges: number;
  reassignments: number;
  identifiersBefore: number;
  identifiersAfter: number;
  identifiersAdded: number;
  identifiersRemoved: number;
  identifiersMoved: number;
  identifiersRetimed: number;
  formerAdded: number;
  formerRemoved: number;
  identifierWrite: 'none' | 'diff' | 'replace';
  eventWrite: 'none' | 'unnest' | 'copy';
  /** Milliseconds per step; read + resolve interleave page by page. */
  timings: Record<string, number>;
}

const RECORD = 40;
const NO_PROFILE = 0;

/** Per-event records in a temporary file: id, received_at (µs), new cluster, old profile id. */
class EventSpill {
  private readonly dir = mkdtempSync(join(tmpdir(), 'siyu-rebuild-'));
  private readonly fd = openSync(join(this.dir, 'events'), 'w+');
  count = 0;

  write(buf: Buffer): void {
    writeSync(this.fd, buf, 0, buf.length, this.count * RECORD);
    this.count += buf.length / RECORD;
  }

  /** Calls `fn(buf, offset)` for every record, in order; `afterBlock` (awaited) after each block of records. */
  async scan(fn: (buf: Buffer, off: number) => void, afterBlock?: () => Promise<void>): Promise<void> {
    const per = 16_384;
    const buf = Buffer.allocUnsafe(per * RECORD);
    for (let start = 0; start < this.count; start += per) {
      const n = Math.min(per, this.count - start);
      readSync(this.fd, buf, 0, n * RECORD, start * RECORD);
      for (let i = 0; i < n; i++) fn(buf, i * RECORD);
      if (afterBlock) await afterBlock();
    }
  }

  close(): void {
    closeSync(this.fd);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const hexOf = (uuid: string) => uuid.replaceAll('-', '');
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Former {
  identifier: Identifier;
  holder: string;
  firstMs: number;
  lastMs: number;
  validToMs: number;
}

/** Counts and side records gathered while the graph is built. */
interface Resolved {
  graph: IdentityGraph;
  /** Temporary cluster ids are "1".."maxTemp". */
  maxTemp: number;
  spill: EventSpill;
  former: Former[];
  merges: number;
  blocked: number;
  withoutProfile: number;
}

async function resolveAll(trx: Db, tenantId: string, config: IdentityConfig, total: number, o: RebuildOptions, t: Timer): Promise<Resolved> {
  let next = 0;
  const graph = new IdentityGraph(config, () => String(++next));
  const spill = new EventSpill();
  const out: Resolved = { graph, maxTemp: 0, spill, former: [], merges: 0, blocked: 0, withoutProfile: 0 };
  const pageSize = o.pageSize ?? 10_000;
  let cursor: repo.EventCursor | null = null;
  try {
    for (;;) {
      const rows = await t.time('read', () => repo.readEventPage(trx, tenantId, cursor, pageSize));
      if (rows.length === 0) break;
      t.start('resolve');
      const buf = Buffer.alloc(rows.length * RECORD);
      rows.forEach((r, i) => {
        const ex = extractIdentity(
          {
            type: r.type,
            userId: r.user_id,
            anonymousId: r.anonymous_id,
            previousId: r.previous_id,
            traits: isRecord(r.traits) ? r.traits : null,
            contextTraits: r.context_traits,
            properties: isRecord(r.vin_properties) ? r.vin_properties : null,
            externalIds: r.external_ids,
          },
          config,
          { strict: false, path: '' },
        );
        const ids = ex.identifiers;
        const prev = ex.previousId === null ? null : previousIdentifier(graph, config, ex.previousId);
        if (prev) ids.push(prev);
        const ms = Math.floor(Number(r.ts_us) / 1000);
        const profile = graph.resolveEvent(ids, { messageId: null, at: new Date(ms), sourceId: r.source_id }, ex.traits);
        const off = i * RECORD;
        buf.writeDoubleLE(Number(r.id), off);
        buf.writeDoubleLE(Number(r.r_us), off + 8);
        buf.writeUInt32LE(profile === null ? NO_PROFILE : Number(profile), off + 16);
        if (r.profile_id !== null) {
          buf.write(hexOf(r.profile_id), off + 20, 16, 'hex');
          buf[off + 36] = 1;
        }
        if (profile === null) out.withoutProfile++;
      });
      for (const e of graph.changes.log) {
        if (e.kind === 'merge') out.merges++;
        else if (e.kind === 'blocked_merge') out.blocked++;
      }
      // Recycled numbers: the old holder keeps a former identifier (as online resolution writes it).
      for (const x of graph.changes.reassigned) {
        out.former.push({ identifier: x.link.identifier, holder: x.from, firstMs: x.link.firstSeen, lastMs: x.link.lastSeen, validToMs: x.at });
      }
      // The rebuild writes from the graph itself: what resolveEvent notes for an incremental write only costs memory here.
      graph.changes.log.length = 0;
      graph.changes.reassigned.length = 0;
      graph.changes.newLinks.clear();
      graph.changes.newProfiles.clear();
      spill.write(buf);
      t.stop('resolve');
      const last = rows[rows.length - 1]!;
      cursor = { tsUs: last.ts_us, id: last.id };
      o.onProgress?.({ phase: 'reading', unit: 'events', done: spill.count, total });
    }
  } catch (err) {
    spill.close();
    throw err;
  }
  out.maxTemp = next;
  return out;
}

/** Wall time per named step. */
class Timer {
  readonly ms: Record<string, number> = {};
  private readonly open = new Map<string, number>();
  start(name: string): void {
    this.open.set(name, performance.now());
  }
  stop(name: string): void {
    const began = this.open.get(name);
    if (began !== undefined) this.ms[name] = (this.ms[name] ?? 0) + performance.now() - began;
    this.open.delete(name);
  }
  sync<T>(name: string, fn: () => T): T {
    this.start(name);
    try {
      return fn();
    } finally {
      this.stop(name);
    }
  }
  async time<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.start(name);
    try {
      return await fn();
    } finally {
      this.stop(name);
    }
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
    this.b.write(hexOf(uuid), this.length++ * 16, 16, 'hex');
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

const NOT_PRINTABLE_ASCII = /[^ -~]/;

/** jsonb's order of object keys: shorter first (in UTF-8 bytes), then bytewise. */
function jsonbKeyOrder(a: string, b: string): number {
  if (!NOT_PRINTABLE_ASCII.test(a) && !NOT_PRINTABLE_ASCII.test(b)) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  return Buffer.byteLength(a) - Buffer.byteLength(b) || Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * A JSON value as PostgreSQL prints a jsonb (keys by length, then bytes; ", " and ": "), so that a
 * stored profile's traits compare with the graph's as text. A value printed differently (a number
 * such as 1.0 or 1e21) only makes the profile look changed: it is rewritten, and matches afterwards.
 */
export function jsonbText(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  let out: string;
  if (Array.isArray(v)) {
    out = '[';
    for (let i = 0; i < v.length; i++) out += (i === 0 ? '' : ', ') + jsonbText(v[i]);
    return `${out}]`;
  }
  if (!isRecord(v)) return 'null';
  const o = v;
  const keys = Object.keys(o);
  if (keys.length > 1) keys.sort(jsonbKeyOrder);
  out = '{';
  let first = true;
  for (const k of keys) {
    const x = o[k];
    if (x === undefined) continue;
    out += `${first ? '' : ', '}${JSON.stringify(k)}: ${jsonbText(x)}`;
    first = false;
  }
  return `${out}}`;
}

/** The clusters the graph ended with, by temporary id. */
interface Clusters {
  /** temporary id → the id of the cluster it ended in */
  final: Int32Array;
  /** final temporary id → its node */
  node: Array<ProfileNode | undefined>;
  /** final temporary ids, in the graph's order */
  ids: number[];
}

function clustersOf(r: Resolved): Clusters {
  const final = new Int32Array(r.maxTemp + 1);
  for (let k = 1; k <= r.maxTemp; k++) final[k] = Number(r.graph.finalId(String(k)));
  const node = new Array<ProfileNode | undefined>(r.maxTemp + 1);
  const ids: number[] = [];
  for (const [id, n] of r.graph.profiles) {
    node[Number(id)] = n;
    ids.push(Number(id));
  }
  return { final, node, ids };
}

/** Cluster a was seen before cluster b (b may be none). */
const earlier = (cl: Clusters, a: number, b: number): boolean => {
  const na = cl.node[a];
  const nb = cl.node[b];
  return na !== undefined && (nb === undefined || na.firstSeen < nb.firstSeen || (na.firstSeen === nb.firstSeen && a < b));
};

/** The stored live profiles, by ordinal (id order), and how their identifiers fell into the new clusters. */
interface OldSide {
  ids: UuidColumn;
  firstMs: Column;
  /** Per old profile: the cluster that took most of its identifiers (0: none). */
  best: Column;
  /** Per old profile: 1 when its stored state (times, traits) equals that of its best cluster. */
  sameAsBest: Column;
  /** Pairs (cluster, old ordinal, identifiers in common). */
  pairs: { c: Column; k: Column; n: Column };
  removed: Identifier[];
  retimed: string[];
  /** Stored identifiers held by no live profile, still in the graph: rewritten. */
  stray: string[];
  identifiers: number;
}

/**
 * Reads the stored live profiles and their identifiers once: per profile, which clusters took its
 * identifiers (and how many), which identifiers are gone or re-timed, and whether its stored state
 * already equals its most likely cluster's (so that, when it keeps that cluster, nothing is written).
 */
async function readOldSide(trx: Db, tenantId: string, r: Resolved, cl: Clusters, total: number, o: RebuildOptions): Promise<OldSide> {
  const side: OldSide = {
    ids: new UuidColumn(),
    firstMs: new Column(),
    best: new Column(),
    sameAsBest: new Column(),
    pairs: { c: new Column(), k: new Column(), n: new Column() },
    removed: [],
    retimed: [],
    stray: [],
    identifiers: 0,
  };
  const links = r.graph.links;
  const lc: number[] = [];
  const ln: number[] = [];
  const take = (row: repo.StoredIdentifierRow): number => {
    side.identifiers++;
    const link = links.get(row.key);
    if (!link) {
      side.removed.push(parseIdentifierKey(row.key));
      return 0;
    }
    link.persisted = true; // it exists in the store
    if (link.firstSeen !== Number(row.first_ms) || link.lastSeen !== Number(row.last_ms)) side.retimed.push(row.key);
    return cl.final[Number(link.profileId)]!;
  };
  let after: string | null = null;
  o.onProgress?.({ phase: 'resolving', unit: 'stored profiles', done: 0, total });
  for (;;) {
    const page = await repo.readStoredPage(trx, tenantId, after, STORED_PAGE);
    const held = page.identifiers;
    let j = 0;
    for (const row of page.profiles) {
      const k = side.ids.length;
      side.ids.push(row.id);
      side.firstMs.push(Number(row.first_ms));
      lc.length = 0;
      ln.length = 0;
      for (; j < held.length && held[j]!.profile_id <= row.id; j++) {
        const c = take(held[j]!);
        if (held[j]!.profile_id !== row.id) {
          if (c !== 0) side.stray.push(held[j]!.key);
        } else if (c !== 0) {
          const at = lc.indexOf(c);
          if (at < 0) {
            lc.push(c);
            ln.push(1);
          } else ln[at]!++;
        }
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
      const node = cl.node[best];
      const same =
        node !== undefined &&
        Number(row.first_ms) === node.firstSeen &&
        Number(row.last_ms) === node.lastSeen &&
        row.traits === jsonbText(node.traits.traits) &&
        row.trait_meta === jsonbText(node.traits.meta);
      side.sameAsBest.push(same ? 1 : 0);
    }
    // Identifiers in the range whose holder is no live profile (and, after the last page, all later ones).
    for (; j < held.length; j++) if (take(held[j]!) !== 0) side.stray.push(held[j]!.key);
    if (page.profiles.length === 0) break;
    after = page.profiles[page.profiles.length - 1]!.id;
    o.onProgress?.({ phase: 'resolving', unit: 'stored profiles', done: side.ids.length, total });
  }
  return side;
}

/** Live profiles per stored page: small enough for a page's rows to die young. */
const STORED_PAGE = 5_000;

/** Which stored id each cluster takes. */
interface Matching {
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

export async function rebuildIdentityGraph(store: Store, tenantId: string, options: RebuildOptions): Promise<RebuildSummary> {
  const t = new Timer();
  t.start('total');
  const summary = await store.db.transaction().execute(async (trx) => {
    if (!(await repo.tenantExists(trx, tenantId))) throw new AppError('not_found', `no tenant ${tenantId}`, { tenantId });
    await t.time('lock', () => lockIdentityGraph(trx, tenantId));
    if (store.engine === 'pglite') await t.time('analyze', () => repo.analyzeTables(trx));
    const config = await loadIdentityConfig(trx, tenantId);
    const before = await t.time('count', () => repo.tenantCounts(trx, tenantId));
    options.onProgress?.({ phase: 'reading', unit: 'events', done: 0, total: before.events });
    const r = await resolveAll(trx, tenantId, config, before.events, options, t);
    try {
      return await applyRebuild(trx, tenantId, r, before, options, t);
    } finally {
      r.spill.close();
    }
  });
  t.stop('total');
  summary.timings = Object.fromEntries(Object.entries(t.ms).map(([k, v]) => [k, Math.round(v)]));
  return summary;
}

async function applyRebuild(trx: Db, tenantId: string, r: Resolved, before: repo.TenantCounts, o: RebuildOptions, t: Timer): Promise<RebuildSummary> {
  const cl = t.sync('match', () => clustersOf(r));
  const old = await t.time('readStored', () => readOldSide(trx, tenantId, r, cl, before.liveProfiles, o));
  t.start('match');
  const nOld = old.ids.length;
  const m: Matching = { clusterOld: new Int32Array(r.maxTemp + 1).fill(-1), taken: new Uint8Array(nOld) };
  const byIdentifiers = view(old.pairs);
  matchPairs(cl, old, m, byIdentifiers.pc, byIdentifiers.pk, byIdentifiers.pn, byIdentifiers.n);
  const eventPairs = await matchByEvents(r, cl, old, m);

  const finalUuid = new Array<string>(r.maxTemp + 1);
  const finalHex = Buffer.alloc(16 * (r.maxTemp + 1));
  const oldCluster = new Int32Array(nOld);
  let created = 0;
  for (const c of cl.ids) {
    const k = m.clusterOld[c]!;
    const uuid = k >= 0 ? old.ids.get(k) : randomUUID();
    if (k >= 0) oldCluster[k] = c;
    else created++;
    finalUuid[c] = uuid;
    finalHex.write(hexOf(uuid), c * 16, 16, 'hex');
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
  t.stop('match');

  const stateOf = (c: number): repo.ProfileState => {
    const node = cl.node[c]!;
    return { id: finalUuid[c]!, firstMs: node.firstSeen, lastMs: node.lastSeen, traits: JSON.stringify(node.traits.traits), meta: JSON.stringify(node.traits.meta) };
  };
  const updated = await t.time('profiles', async () => {
    const changed: repo.ProfileState[] = [];
    for (let k = 0; k < nOld; k++) {
      if (m.taken[k] === 0) continue;
      const c = oldCluster[k]!;
      if (c !== old.best.get(k) || old.sameAsBest.get(k) !== 1) changed.push(stateOf(c));
    }
    await repo.updateProfiles(trx, tenantId, changed);
    o.onProgress?.({ phase: 'writing', unit: 'new profiles', done: 0, total: created });
    const fresh: repo.ProfileState[] = [];
    let written = 0;
    const flush = async () => {
      await repo.copyProfiles(trx, tenantId, fresh);
      written += fresh.length;
      fresh.length = 0;
      o.onProgress?.({ phase: 'writing', unit: 'new profiles', done: written, total: created });
    };
    for (const c of cl.ids) {
      if (m.clusterOld[c] !== -1) continue;
      fresh.push(stateOf(c));
      if (fresh.length === 50_000) await flush();
    }
    if (fresh.length > 0) await flush();
    if (mergedAway.length > 0) await repo.redirectProfiles(trx, tenantId, mergedAway);
    return changed.length;
  });

  const identifiers = await t.time('identifiers', () => writeIdentifiers(trx, tenantId, r, cl, old, m, finalUuid, o));
  const events = await t.time('events', () => writeEvents(trx, tenantId, r, cl, finalUuid, finalHex, o));
  // Belongings of the profiles merged away, then profiles left with nothing.
  await t.time('belongings', async () => {
    if (mergedAway.length === 0) return;
    const participants = [...new Set(mergedAway.flatMap((x) => [x.from, x.to]))].sort();
    await repo.lockProfiles(trx, tenantId, participants);
    await o.lockVehicles?.(trx, tenantId, participants, []);
    for (const x of mergedAway) await o.moveBelongings(trx, tenantId, x.from, x.to);
  });
  const deleted = orphans.length === 0 ? [] : await t.time('profiles', () => repo.deleteEmptyProfiles(trx, tenantId, orphans));
  const former = await t.time('former', () => writeFormer(trx, tenantId, r, cl, finalUuid));

  const summary: RebuildSummary = {
    tenantId,
    identityLogId: '',
    events: r.spill.count,
    eventsWithoutProfile: r.withoutProfile,
    eventsMoved: events.moved,
    profilesBefore: nOld,
    profilesAfter: cl.ids.length + orphans.length - deleted.length,
    profilesKept: cl.ids.length - created,
    profilesCreated: created,
    profilesUpdated: updated,
    profilesMergedAway: mergedAway.length,
    profilesDeleted: deleted.length,
    merges: r.merges,
    blockedMerges: r.blocked,
    reassignments: r.former.length,
    identifiersBefore: old.identifiers,
    identifiersAfter: r.graph.links.size,
    ...identifiers,
    ...former,
    eventWrite: events.mode,
    timings: {},
  };
  const { identityLogId: _l, timings: _t, tenantId: _i, ...counts } = summary;
  summary.identityLogId = await repo.logRebuild(trx, tenantId, o.actor, counts);
  return summary;
}

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

async function writeIdentifiers(
  trx: Db,
  tenantId: string,
  r: Resolved,
  cl: Clusters,
  old: OldSide,
  m: Matching,
  finalUuid: string[],
  o: RebuildOptions,
): Promise<{ identifiersAdded: number; identifiersRemoved: number; identifiersMoved: number; identifiersRetimed: number; identifierWrite: RebuildSummary['identifierWrite'] }> {
  const { graph } = r;
  const stateOf = (l: LinkInfo): repo.LinkState => ({ ...l.identifier, profileId: finalUuid[cl.final[Number(l.profileId)]!]!, firstMs: l.firstSeen, lastMs: l.lastSeen });
  // Keys whose holder changes: every stored key of a cluster that took identifiers from another id.
  const movedClusters = new Set<number>();
  let moved = old.stray.length;
  for (let i = 0; i < old.pairs.c.length; i++) {
    const c = old.pairs.c.get(i);
    if (m.clusterOld[c] !== old.pairs.k.get(i)) {
      movedClusters.add(c);
      moved += old.pairs.n.get(i);
    }
  }
  let added = 0;
  for (const link of graph.links.values()) if (!link.persisted) added++;
  const retimed = new Set(old.retimed);
  const changes = added + old.removed.length + moved + retimed.size;
  const result = { identifiersAdded: added, identifiersRemoved: old.removed.length, identifiersMoved: moved, identifiersRetimed: retimed.size };
  if (changes === 0) return { ...result, identifierWrite: 'none' };

  const total = graph.links.size;
  if (changes * 2 > Math.max(old.identifiers, total)) {
    // Most rows change: replace them all (one DELETE, then COPY in chunks).
    await repo.deleteAllIdentifiers(trx, tenantId);
    const chunk: repo.LinkState[] = [];
    let done = 0;
    const flush = async () => {
      await repo.copyIdentifiers(trx, tenantId, chunk);
      done += chunk.length;
      chunk.length = 0;
      o.onProgress?.({ phase: 'writing', unit: 'identifiers', done, total });
    };
    for (const link of graph.links.values()) {
      chunk.push(stateOf(link));
      if (chunk.length === 50_000) await flush();
    }
    if (chunk.length > 0) await flush();
    return { ...result, identifierWrite: 'replace' };
  }

  await repo.deleteIdentifiers(trx, tenantId, old.removed);
  const keys = new Set([...retimed, ...old.stray]);
  for (const [key, link] of graph.links) if (!link.persisted) keys.add(key);
  for (const c of movedClusters) for (const set of cl.node[c]!.idents.values()) for (const key of set) keys.add(key);
  await repo.upsertIdentifiers(trx, tenantId, [...keys].map((key) => stateOf(graph.links.get(key)!)));
  return { ...result, identifierWrite: 'diff' };
}

async function writeEvents(
  trx: Db,
  tenantId: string,
  r: Resolved,
  cl: Clusters,
  finalUuid: string[],
  finalHex: Buffer,
  o: RebuildOptions,
): Promise<{ moved: number; mode: RebuildSummary['eventWrite'] }> {
  const clusterOf = (buf: Buffer, off: number) => {
    const temp = buf.readUInt32LE(off + 16);
    return temp === NO_PROFILE ? 0 : cl.final[temp]!;
  };
  const changed = (buf: Buffer, off: number, c: number) =>
    buf[off + 36] === 1 ? c === 0 || finalHex.compare(buf, off + 20, off + 36, c * 16, c * 16 + 16) !== 0 : c !== 0;
  let moved = 0;
  await r.spill.scan((buf, off) => {
    if (changed(buf, off, clusterOf(buf, off))) moved++;
  });
  if (moved === 0) return { moved, mode: 'none' };
  const mode = o.eventWrite === 'copy' || (o.eventWrite !== 'unnest' && moved >= 50_000) ? 'copy' : 'unnest';
  const moves: repo.EventMove[] = [];
  let written = 0;
  const flush = async (force: boolean) => {
    if (moves.length === 0 || (!force && moves.length < 50_000)) return;
    if (mode === 'copy') await repo.stageEventMoves(trx, moves, written === 0);
    else await repo.moveEventsUnnest(trx, tenantId, moves);
    written += moves.length;
    moves.length = 0;
    o.onProgress?.({ phase: 'writing', unit: 'events', done: written, total: moved });
  };
  await r.spill.scan(
    (buf, off) => {
      const c = clusterOf(buf, off);
      if (changed(buf, off, c)) moves.push({ rUs: buf.readDoubleLE(off + 8), id: buf.readDoubleLE(off), profileId: c === 0 ? null : finalUuid[c]! });
    },
    () => flush(false),
  );
  await flush(true);
  if (mode === 'copy') await repo.applyStagedEventMoves(trx, tenantId);
  return { moved, mode };
}

async function writeFormer(trx: Db, tenantId: string, r: Resolved, cl: Clusters, finalUuid: string[]): Promise<{ formerAdded: number; formerRemoved: number }> {
  const want: repo.FormerRow[] = r.former.map((f) => ({
    ...f.identifier,
    profileId: finalUuid[cl.final[Number(f.holder)]!]!,
    firstMs: f.firstMs,
    lastMs: f.lastMs,
    validToMs: f.validToMs,
  }));
  const key = (f: repo.FormerRow) => [f.profileId, f.type, f.scope, f.value, f.firstMs, f.lastMs, f.validToMs].join('\u0001');
  const have = await repo.readReassignedFormer(trx, tenantId);
  const haveKeys = new Set(have.map(key));
  const wantKeys = new Set(want.map(key));
  const add = want.filter((f) => !haveKeys.has(key(f)));
  const remove = have.filter((f) => !wantKeys.has(key(f)));
  await repo.deleteReassignedFormer(trx, tenantId, remove);
  await repo.insertReassignedFormer(trx, tenantId, add);
  return { formerAdded: add.length, formerRemoved: remove.length };
}
