import type { Db, Store } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import { loadIdentityConfig } from './config.repo.js';
import { extractIdentity } from './extract.js';
import { CompactGraph } from './compact-graph.js';
import { lockIdentityGraph, stopAppends } from './lock.js';
import { deleteQueued, queuedSeqs } from './queue.repo.js';
import { clustersOf, matchProfiles, NO_PROFILE, readOldSide, writeUuid } from './rebuild-match.js';
import { isRecord } from '../../platform/json.js';
import * as repo from './rebuild.repo.js';
import { EventSpill, RECORD } from './rebuild-spill.js';
import type { RebuildOptions, RebuildSummary, Resolved } from './rebuild-types.js';
import { moveMergedBelongings, writeEvents, writeFormer, writeIdentifiers, writeProfiles } from './rebuild-write.js';
import { previousIdentifier } from './resolve.js';
import type { IdentityConfig } from './types.js';

/**
 * `siyu identity rebuild`: recomputes a tenant's whole identity graph from its stored events under
 * the current rules (after a rule change: a new blocklist value, another cap or priority, a new
 * identifier type), and writes only the difference.
 *
 * - One transaction under the tenant's identity lock and its append lock: resolution and ingestion
 *   for that tenant wait until it commits (on PGlite, the store's one connection is busy meanwhile: every request waits).
 * - Events are read in (timestamp, id) order through a cursor, with only the columns extraction needs,
 *   and run through a fresh CompactGraph (IdentityGraph's rules over typed arrays). Per event only a
 *   40-byte record (its key, its old and its new profile) is kept, in a temporary file: memory is
 *   bounded by the graph, not by the events.
 * - Profile ids stay stable: each new cluster takes the id of the live profile that held most of its
 *   identifiers (ties: earliest first_seen, then smallest id; an id goes to one cluster at most; a
 *   cluster that holds no stored identifier may take the id most of its events had). A live profile
 *   whose id no cluster took is merged into the cluster that took most of its identifiers (or events)
 *   and its belongings move there; one left with nothing at all (no identifier, no event, and nothing
 *   that names it: lead, order, consent, tag ...) is deleted. Changed profiles are marked changed.
 *
 * This file reads and resolves the events and runs the steps; matching clusters to stored ids is in
 * rebuild-match.ts, writing the difference in rebuild-write.ts, SQL in rebuild.repo.ts, the shared
 * types in rebuild-types.ts.
 */

/** Events per FETCH. */
const EVENT_PAGE = 1_000;

async function resolveAll(trx: Db, tenantId: string, config: IdentityConfig, total: number, o: RebuildOptions, t: Timer): Promise<Resolved> {
  const graph = new CompactGraph(config);
  const spill = new EventSpill();
  const out: Resolved = { graph, spill, former: graph.reassigned, withoutProfile: 0 };
  const pageSize = o.pageSize ?? EVENT_PAGE;
  try {
    await repo.openEventCursor(trx, tenantId);
    let next = repo.fetchEvents(trx, pageSize);
    for (;;) {
      const page = next;
      const rows = await t.time('read', () => page);
      if (rows.length === 0) break;
      // The next page is asked for before this one is resolved: the database reads while we resolve
      // ('read' is the time spent waiting for it). Should resolving fail, the rollback ends the fetch.
      next = repo.fetchEvents(trx, pageSize);
      next.catch(() => undefined);
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
        const profile = graph.resolveEvent(ids, ms, r.source_id, ex.traits);
        const off = i * RECORD;
        buf.writeDoubleLE(Number(r.id), off);
        buf.writeDoubleLE(Number(r.r_us), off + 8);
        buf.writeUInt32LE(profile, off + 16);
        if (r.profile_id !== null) {
          writeUuid(buf, off + 20, r.profile_id);
          buf[off + 36] = 1;
        }
        if (profile === NO_PROFILE) out.withoutProfile++;
      });
      spill.write(buf);
      t.stop('resolve');
      o.onProgress?.({ phase: 'reading', unit: 'events', done: spill.count, total });
    }
    await repo.closeEventCursor(trx);
  } catch (err) {
    spill.close();
    throw err;
  }
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

export async function rebuildIdentityGraph(store: Store, tenantId: string, options: RebuildOptions): Promise<RebuildSummary> {
  const t = new Timer();
  t.start('total');
  if (!(await repo.tenantExists(store.db, tenantId))) throw new AppError('not_found', `no tenant ${tenantId}`, { tenantId });
  // Planner statistics as the tables are now: a tenant's first rebuild, or the one after it, would
  // otherwise read its stored graph with plans made for nearly empty tables (PGlite never analyses).
  // Each ANALYZE commits on its own, before any lock: inside the rebuild's transaction it would hold
  // its table lock (and so block another rebuild's ANALYZE, and autovacuum) until the end.
  await t.time('analyze', () => repo.analyzeStaleTables(store.db));
  const summary = await store.db.transaction().execute(async (trx) => {
    // Appends of tracked events wait until the rebuild commits (those in flight finish first), so every
    // event it reads is one whose queue row it sees, and it clears exactly those rows.
    await t.time('lock', async () => {
      await stopAppends(trx, tenantId);
      await lockIdentityGraph(trx, tenantId);
    });
    const config = await loadIdentityConfig(trx, tenantId);
    // Events acknowledged but not yet resolved are read like the rest: their queue rows go when the
    // rebuild commits.
    const queued = await queuedSeqs(trx, tenantId);
    const before = await t.time('count', () => repo.tenantCounts(trx, tenantId));
    options.onProgress?.({ phase: 'reading', unit: 'events', done: 0, total: before.events });
    const r = await resolveAll(trx, tenantId, config, before.events, options, t);
    try {
      const done = await applyRebuild(trx, tenantId, r, before, options, t);
      await deleteQueued(trx, tenantId, queued);
      return done;
    } finally {
      r.spill.close();
    }
  });
  t.stop('total');
  summary.timings = Object.fromEntries(Object.entries(t.ms).map(([k, v]) => [k, Math.round(v)]));
  return summary;
}

/** Matches the new clusters to the stored profiles, writes the difference and logs the rebuild. */
async function applyRebuild(trx: Db, tenantId: string, r: Resolved, before: repo.TenantCounts, o: RebuildOptions, t: Timer): Promise<RebuildSummary> {
  const cl = t.sync('match', () => clustersOf(r));
  const old = await t.time('readStored', () => readOldSide(trx, tenantId, r, cl, before.liveProfiles, o));
  const a = await t.time('match', () => matchProfiles(r, cl, old));
  const { finalUuid, created, mergedAway, orphans } = a;
  const nOld = old.ids.length;

  const written = await t.time('profiles', () => writeProfiles(trx, tenantId, cl, old, a, o));
  const updated = written.updated.length;
  const identifiers = await t.time('identifiers', () => writeIdentifiers(trx, tenantId, r, old, a.m, finalUuid, o));
  const events = await t.time('events', () => writeEvents(trx, tenantId, r, cl, finalUuid, a.finalHex, o));
  // Belongings of the profiles merged away, then profiles left with nothing.
  await t.time('belongings', () => moveMergedBelongings(trx, tenantId, mergedAway, o));
  const deleted = orphans.length === 0 ? [] : await t.time('profiles', async () => repo.deleteEmptyProfiles(trx, tenantId, orphans, await o.withBelongings(trx, tenantId, orphans)));
  // Everyone whose identifiers, events or traits changed, the survivors of merges and the profiles
  // that went: their tags, stages and segments follow.
  await t.time('mark', () => o.markChanged(trx, tenantId, [...written.updated, ...written.created, ...mergedAway.map((x) => x.to), ...deleted], new Date()));
  const former = await t.time('former', () => writeFormer(trx, tenantId, r, finalUuid));

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
    merges: r.graph.merges,
    blockedMerges: r.graph.blocked,
    reassignments: r.former.length,
    identifiersBefore: old.identifiers,
    identifiersAfter: r.graph.identifierCount,
    ...identifiers,
    ...former,
    eventWrite: events.mode,
    timings: {},
  };
  const { identityLogId: _l, timings: _t, tenantId: _i, ...counts } = summary;
  summary.identityLogId = await repo.logRebuild(trx, tenantId, o.actor, counts);
  return summary;
}
