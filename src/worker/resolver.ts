import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db/index.js';
import type { Logger } from '../platform/logger.js';
import { backlogOf, lockIdentityGraph, resolveQueuedBatch, RESOLVE_BATCH_EVENTS, tenantsWithBacklog, tryLockIdentityGraph, type ResolvedBatch } from '../modules/identity/index.js';
import { resolutionHooks } from '../modules/profiles/index.js';
import { onEventsQueued } from '../modules/ingest/index.js';

/**
 * The One ID resolver: consumes the events the tracking API stored, per tenant, in arrival order, a
 * few thousand per transaction. Any number of resolvers may run against one PostgreSQL: a tenant is
 * worked on by whoever gets its identity lock first, the others move on to other tenants, and every
 * round gives each tenant with a backlog one batch, so one tenant's backlog never holds up another's.
 * In a process that also serves HTTP, it yields to waiting requests between batches.
 */
export interface ResolverDeps {
  db: Db;
  clock: Clock;
  logger?: Logger;
  /** Only these tenants (tests; an operator draining some tenants). */
  onlyTenants?: ReadonlySet<string>;
}

export interface ResolverOptions {
  /** Events per transaction (default RESOLVE_BATCH_EVENTS). */
  batchEvents?: number;
  /** How long to wait for work when there was none (default 250 ms); events stored by this process wake it at once. */
  pollMs?: number;
  /** A tenant whose oldest waiting event is older than this is logged as lagging (default 30 s), at most once a minute. */
  lagWarnMs?: number;
  /** Called after a batch was resolved (and its profiles marked changed): e.g. wake the job worker, so segments follow at once. */
  onResolved?: (tenantId: string, batch: ResolvedBatch) => void;
}

export interface Resolver {
  /** One round: a batch for each tenant with a backlog (whose lock is free). Returns the events resolved. */
  round(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

/** Resolves one batch of the tenant's queue if no other transaction holds its identity lock. */
export async function resolveTenantBatch(db: Db, clock: Clock, tenantId: string, maxEvents = RESOLVE_BATCH_EVENTS, wait = false): Promise<ResolvedBatch> {
  return db.transaction().execute(async (trx) => {
    if (wait) await lockIdentityGraph(trx, tenantId);
    else if (!(await tryLockIdentityGraph(trx, tenantId))) return { events: 0, batches: 0, profiles: 0, missing: 0 };
    return resolveQueuedBatch(trx, tenantId, resolutionHooks, clock.now(), { maxEvents });
  });
}

/** Resolves the tenant's whole queue now, waiting for its lock (tests, the CLI). Returns the events resolved. */
export async function drainIdentityQueue(db: Db, clock: Clock, tenantId: string): Promise<number> {
  let total = 0;
  for (;;) {
    const done = await resolveTenantBatch(db, clock, tenantId, RESOLVE_BATCH_EVENTS, true);
    if (done.batches === 0) return total;
    total += done.events;
  }
}

const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createResolver(deps: ResolverDeps, options: ResolverOptions = {}): Resolver {
  const batchEvents = options.batchEvents ?? RESOLVE_BATCH_EVENTS;
  const pollMs = options.pollMs ?? 250;
  const lagWarnMs = options.lagWarnMs ?? 30_000;
  const warnedAt = new Map<string, number>();
  let stopped = true;
  let stopRequested = false;
  let running: Promise<void> = Promise.resolve();
  let wake: (() => void) | undefined;
  let woken = false;
  let unsubscribe: (() => void) | undefined;

  async function warnIfLagging(tenantId: string, oldest: Date): Promise<void> {
    const now = deps.clock.now().getTime();
    if (!deps.logger || now - oldest.getTime() < lagWarnMs || now - (warnedAt.get(tenantId) ?? 0) < 60_000) return;
    warnedAt.set(tenantId, now);
    const b = await backlogOf(deps.db, tenantId);
    deps.logger.warn(
      { tenantId, waitingEvents: Number(b.waiting_events ?? 0), oldestAgeSeconds: Math.round((now - oldest.getTime()) / 1000), eventsPerSecond: Math.round(b.events_per_second ?? 0) },
      'identity resolution is lagging behind ingest',
    );
  }

  /** Tenants whose last batch failed, and until when they are left alone. */
  const failing = new Map<string, { until: number; failures: number }>();

  async function round(): Promise<number> {
    const now = deps.clock.now().getTime();
    const tenants = (await tenantsWithBacklog(deps.db)).filter(
      (t) => (deps.onlyTenants === undefined || deps.onlyTenants.has(t.tenantId)) && (failing.get(t.tenantId)?.until ?? 0) <= now,
    );
    let total = 0;
    for (const t of tenants) {
      if (stopRequested) break;
      try {
        await warnIfLagging(t.tenantId, t.oldest);
        const done = await resolveTenantBatch(deps.db, deps.clock, t.tenantId, batchEvents);
        failing.delete(t.tenantId);
        if (done.missing > 0) deps.logger?.warn({ tenantId: t.tenantId, missing: done.missing }, 'queued events could not be read and were left unresolved; `siyu identity rebuild` attributes them');
        if (done.batches > 0) options.onResolved?.(t.tenantId, done);
        total += done.events;
      } catch (err) {
        // One tenant's failing batch must not hold up the others: leave it alone for a while (2^n s, at most 5 min).
        const failures = (failing.get(t.tenantId)?.failures ?? 0) + 1;
        const retryInMs = Math.min(2 ** failures, 300) * 1000;
        failing.set(t.tenantId, { until: deps.clock.now().getTime() + retryInMs, failures });
        deps.logger?.error({ err, tenantId: t.tenantId, failures, retryInMs }, 'identity resolution failed for a tenant; the others go on');
      }
      await yieldToIo();
    }
    return total;
  }

  async function loop(): Promise<void> {
    while (!stopped) {
      woken = false;
      let n = 0;
      try {
        n = await round();
      } catch (err) {
        deps.logger?.error({ err }, 'identity resolution failed; retrying');
      }
      // News that arrived during the round is not lost: look again at once.
      if (n > 0 || woken || stopped) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, pollMs);
        function done() {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        }
        wake = done;
      });
    }
  }

  return {
    round,
    start() {
      if (!stopped) return;
      stopped = false;
      stopRequested = false;
      unsubscribe = onEventsQueued(() => {
        woken = true;
        wake?.();
      });
      // A loop still finishing after stop() ends before this one starts.
      const previous = running;
      running = previous.then(loop);
    },
    async stop() {
      stopped = true;
      stopRequested = true;
      unsubscribe?.();
      wake?.();
      await running;
    },
  };
}
