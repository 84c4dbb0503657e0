import type { IdentityLag } from '../../contracts/status.js';
import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import { loadIdentityConfig } from './config.repo.js';
import { preferIndexes } from './lock.js';
import { backlogOf, claimQueued, deleteQueued, queuedSeqs, recordResolved, setEventProfiles, type QueuedBatch } from './queue.repo.js';
import { extractIdentity } from './extract.js';
import { eventsByIds } from './split.repo.js';
import { decodeQueuedIdentity } from './queued-identity.js';
import { resolveEvents, type ResolveHooks, type ResolveItem } from './resolve.js';
import type { IdentityConfig } from './types.js';

/** Resolution of queued events also needs to tell segments, tags and stages who changed. */
export interface BacklogHooks extends ResolveHooks {
  markChanged(trx: Db, tenantId: string, profileIds: readonly (string | null)[], now: Date): Promise<void>;
}

export interface ResolvedBatch {
  /** Events resolved (those with no usable identifier included). */
  events: number;
  /** Queue rows (ingest batches) taken. */
  batches: number;
  /** Distinct profiles the events now belong to. */
  profiles: number;
  /**
   * Events a queue row listed that could be read neither from the row (it did not decode) nor from
   * the stored events (ids or time damaged, or the events gone): the row is dropped all the same, so
   * the tenant's resolution goes on, and such events, if they exist, keep no person until a rebuild.
   */
  missing: number;
}

/** Events per transaction of the resolver: large enough for set-based work, small enough not to hold PGlite's one connection long. */
export const RESOLVE_BATCH_EVENTS = 5_000;

/**
 * Resolves the tenant's oldest queued events (about `maxEvents`; only batches in `among` when given)
 * in the caller's transaction, which must hold the tenant's identity lock: the queue rows carry what
 * resolution reads of each event, so one read of every profile holding an identifier they mention,
 * resolution in memory in arrival order, bulk writes of the graph and of `events.profile_id`, the
 * queue rows deleted, the profiles marked changed.
 */
export async function resolveQueuedBatch(
  trx: Db,
  tenantId: string,
  hooks: BacklogHooks,
  now: Date,
  options: { maxEvents?: number; among?: readonly string[]; config?: IdentityConfig } = {},
): Promise<ResolvedBatch> {
  const started = performance.now();
  await preferIndexes(trx);
  const batches = await claimQueued(trx, tenantId, options.maxEvents ?? RESOLVE_BATCH_EVENTS, options.among);
  if (batches.length === 0) return { events: 0, batches: 0, profiles: 0, missing: 0 };
  const config = options.config ?? (await loadIdentityConfig(trx, tenantId));
  const items: ResolveItem[] = [];
  const events: Array<{ id: string; receivedAt: Date }> = [];
  let missing = 0;
  for (const b of batches) {
    const queued = await queuedItems(trx, tenantId, b, config);
    missing += b.eventIds.length - queued.length;
    for (const [i, q] of queued.entries()) {
      // A value blocklisted after the event was acknowledged identifies nobody now.
      const identifiers = q.extracted.identifiers.filter((id) => !config.blocklist.has(`${id.type}\u0001${id.value}`));
      items.push({ ...q, extracted: { ...q.extracted, identifiers } });
      events.push({ id: q.eventId ?? b.eventIds[i]!, receivedAt: b.receivedAt });
    }
  }
  const { profiles: profileIds, alsoChanged } = await resolveEvents(trx, tenantId, config, items, hooks);
  const stamped = events.flatMap((e, i) => {
    const profileId = profileIds[i];
    return profileId ? [{ ...e, profileId }] : [];
  });
  await setEventProfiles(trx, tenantId, stamped);
  await deleteQueued(trx, tenantId, batches.map((b) => b.seq));
  await hooks.markChanged(trx, tenantId, [...profileIds, ...alsoChanged], now);
  await recordResolved(trx, tenantId, items.length, performance.now() - started, now);
  return { events: items.length, batches: batches.length, profiles: new Set(stamped.map((s) => s.profileId)).size, missing };
}

/**
 * A queue row's events as resolution reads them: from the row, or, when the row does not decode (a
 * process of another version wrote it, or it was damaged), from the stored events themselves, read
 * as a rebuild reads them. Either way the tenant's resolution goes on.
 */
async function queuedItems(trx: Db, tenantId: string, b: QueuedBatch, config: IdentityConfig): Promise<Array<ResolveItem & { eventId?: string }>> {
  const decoded = decodeQueuedIdentity(b.identity);
  if (decoded && decoded.items.length === b.eventIds.length) {
    return decoded.items.map((q) => ({ extracted: q.extracted, messageId: q.messageId, at: q.at, sourceId: decoded.sourceId }));
  }
  const stored = await eventsByIds(trx, tenantId, b.receivedAt, b.eventIds);
  return stored.map((e) => ({ extracted: extractIdentity(e, config, { strict: false, path: '' }), messageId: e.messageId, at: e.timestamp, sourceId: e.sourceId, eventId: String(e.id) }));
}

/**
 * Tracked events a request resolves before it answers, at most. Beyond, the resolver is far behind
 * (a bulk import, an outage): the request is refused with 503 and a Retry-After rather than holding
 * the tenant's identity lock, and its client, for the minutes the backlog takes.
 */
export const SYNC_BACKLOG_LIMIT = 20_000;

/**
 * Resolves every batch acknowledged before this call, in the caller's transaction under the identity
 * lock: what a write that resolves synchronously (lead intake, split, erasure) does first, so that
 * its answer is the one it would give had the tracking events been resolved already. Batches that
 * commit meanwhile are left to the resolver. Returns how many events were resolved. More than
 * `limit` events waiting: AppError 'unavailable' (details: waitingEvents, retryAfterSeconds), and
 * nothing is resolved.
 */
export async function resolveAcknowledged(trx: Db, tenantId: string, hooks: BacklogHooks, now: Date, limit = SYNC_BACKLOG_LIMIT): Promise<number> {
  const backlog = await backlogOf(trx, tenantId);
  const waiting = Number(backlog.waiting_events ?? 0);
  if (waiting === 0) return 0;
  if (waiting > limit) {
    // How long the resolver needs at its recent pace (at least a second, at most a minute).
    const rate = backlog.events_per_second ?? 0;
    const retryAfterSeconds = Math.min(60, Math.max(1, Math.ceil(rate > 0 ? (waiting - limit) / rate : 10)));
    throw new AppError('unavailable', `One ID is catching up with ${waiting} tracked events not yet resolved (more than ${limit} are not resolved within a request); try again in ${retryAfterSeconds} s`, {
      waitingEvents: waiting,
      retryAfterSeconds,
    });
  }
  const among = await queuedSeqs(trx, tenantId);
  if (among.length === 0) return 0;
  const config = await loadIdentityConfig(trx, tenantId);
  let total = 0;
  // Under the lock nobody else takes queue rows, so each batch is the oldest rows still in `left`.
  for (let left = among; left.length > 0; ) {
    const done = await resolveQueuedBatch(trx, tenantId, hooks, now, { among: left, config });
    if (done.batches === 0) break;
    total += done.events;
    left = left.slice(done.batches);
  }
  return total;
}

/** The tenant's resolution lag as GET /api/v1/status shows it. */
export async function identityLag(db: Db, tenantId: string, now: Date): Promise<IdentityLag> {
  const b = await backlogOf(db, tenantId);
  return {
    waitingEvents: Number(b.waiting_events ?? 0),
    waitingBatches: Number(b.waiting_batches),
    oldestWaitingAt: b.oldest ? b.oldest.toISOString() : null,
    oldestWaitingSeconds: b.oldest ? Math.max(0, (now.getTime() - b.oldest.getTime()) / 1000) : null,
    resolvedTotal: Number(b.resolved_total ?? 0),
    eventsPerSecond: Math.round(b.events_per_second ?? 0),
    lastResolvedAt: b.last_batch_at ? b.last_batch_at.toISOString() : null,
  };
}
