import type { Db } from '../../platform/db/index.js';
import type { RebuildOptions, RebuildSummary, Resolved } from './rebuild-types.js';
import { NO_PROFILE, type Assignment, type Clusters, type Matching, type OldSide } from './rebuild-match.js';
import * as repo from './rebuild.repo.js';
import { parseIdentifierKey } from './types.js';

/**
 * Rebuild, writing: only the difference between the stored graph and the new one (profiles,
 * identifiers, events' profile ids, former identifiers) and the belongings of profiles merged away.
 */

/** Rows per COPY: a chunk dies young, before the garbage collector promotes it. */
const WRITE_CHUNK = 10_000;

/** Rewrites kept profiles whose state changed, inserts the new ones, redirects those merged away; returns the ids rewritten and created. */
export async function writeProfiles(trx: Db, tenantId: string, cl: Clusters, old: OldSide, a: Assignment, o: RebuildOptions): Promise<{ updated: string[]; created: string[] }> {
  const { m, finalUuid, oldCluster, created, mergedAway } = a;
  const nOld = old.ids.length;
  const g = cl.graph;
  const stateOf = (c: number): repo.ProfileState => ({ id: finalUuid[c]!, firstMs: g.firstSeen(c), lastMs: g.lastSeen(c), traits: JSON.stringify(g.traitState(c).traits), meta: JSON.stringify(g.traitState(c).meta) });
  const changed: repo.ProfileState[] = [];
  for (let k = 0; k < nOld; k++) {
    if (m.taken[k] === 0) continue;
    const c = oldCluster[k]!;
    if (c !== old.best.get(k) || old.sameAsBest.get(k) !== 1) changed.push(stateOf(c));
  }
  await repo.updateProfiles(trx, tenantId, changed);
  o.onProgress?.({ phase: 'writing', unit: 'new profiles', done: 0, total: created });
  const fresh: repo.ProfileState[] = [];
  const createdIds: string[] = [];
  let written = 0;
  const flush = async () => {
    await repo.copyProfiles(trx, tenantId, fresh);
    written += fresh.length;
    fresh.length = 0;
    o.onProgress?.({ phase: 'writing', unit: 'new profiles', done: written, total: created });
  };
  for (const c of cl.ids) {
    if (m.clusterOld[c] !== -1) continue;
    const state = stateOf(c);
    fresh.push(state);
    createdIds.push(state.id);
    if (fresh.length === WRITE_CHUNK) await flush();
  }
  if (fresh.length > 0) await flush();
  if (mergedAway.length > 0) await repo.redirectProfiles(trx, tenantId, mergedAway);
  return { updated: changed.map((p) => p.id), created: createdIds };
}

/** Moves the belongings of the profiles merged away (profiles and vehicles locked first). */
export async function moveMergedBelongings(trx: Db, tenantId: string, mergedAway: Assignment['mergedAway'], o: RebuildOptions): Promise<void> {
  if (mergedAway.length === 0) return;
  const participants = [...new Set(mergedAway.flatMap((x) => [x.from, x.to]))].sort();
  await repo.lockProfiles(trx, tenantId, participants);
  await o.lockVehicles?.(trx, tenantId, participants, []);
  for (const x of mergedAway) await o.moveBelongings(trx, tenantId, x.from, x.to);
}

export async function writeIdentifiers(
  trx: Db,
  tenantId: string,
  r: Resolved,
  old: OldSide,
  m: Matching,
  finalUuid: string[],
  o: RebuildOptions,
): Promise<{ identifiersAdded: number; identifiersRemoved: number; identifiersMoved: number; identifiersRetimed: number; identifierWrite: RebuildSummary['identifierWrite'] }> {
  const { graph } = r;
  const total = graph.identifierCount;
  const stateOf = (i: number): repo.LinkState => ({ ...parseIdentifierKey(graph.keyOf(i)), profileId: finalUuid[graph.holderOfOrdinal(i)]!, firstMs: graph.identFirst(i), lastMs: graph.identLast(i) });
  // Keys whose holder changes: every stored key of a cluster that took identifiers from another id.
  const movedCluster = new Uint8Array(graph.profileCount + 1);
  let moved = old.stray.length;
  for (let i = 0; i < old.pairs.c.length; i++) {
    const c = old.pairs.c.get(i);
    if (m.clusterOld[c] !== old.pairs.k.get(i)) {
      movedCluster[c] = 1;
      moved += old.pairs.n.get(i);
    }
  }
  let added = 0;
  for (let i = 0; i < total; i++) if (old.stored[i] === 0) added++;
  const retimed = new Set(old.retimed);
  const changes = added + old.removed.length + moved + retimed.size;
  const result = { identifiersAdded: added, identifiersRemoved: old.removed.length, identifiersMoved: moved, identifiersRetimed: retimed.size };
  if (changes === 0) return { ...result, identifierWrite: 'none' };

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
    for (let i = 0; i < total; i++) {
      chunk.push(stateOf(i));
      if (chunk.length === WRITE_CHUNK) await flush();
    }
    if (chunk.length > 0) await flush();
    return { ...result, identifierWrite: 'replace' };
  }

  await repo.deleteIdentifiers(trx, tenantId, old.removed);
  const write: repo.LinkState[] = [];
  for (let i = 0; i < total; i++) {
    if (old.stored[i] === 0 || retimed.has(i) || movedCluster[graph.holderOfOrdinal(i)] === 1) write.push(stateOf(i));
  }
  for (const i of old.stray) if (old.stored[i] === 1 && !retimed.has(i) && movedCluster[graph.holderOfOrdinal(i)] !== 1) write.push(stateOf(i));
  await repo.upsertIdentifiers(trx, tenantId, write);
  return { ...result, identifierWrite: 'diff' };
}

export async function writeEvents(
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
    if (moves.length === 0 || (!force && moves.length < WRITE_CHUNK)) return;
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

export async function writeFormer(trx: Db, tenantId: string, r: Resolved, finalUuid: string[]): Promise<{ formerAdded: number; formerRemoved: number }> {
  const { graph } = r;
  const want: repo.FormerRow[] = r.former.map((f) => ({
    ...parseIdentifierKey(graph.keyOf(f.ident)),
    profileId: finalUuid[graph.find(f.from)]!,
    firstMs: f.firstSeen,
    lastMs: f.lastSeen,
    validToMs: f.at,
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
