import {
  ensureScheduledPass,
  MATERIALIZE_JOB,
  materializeSegment,
  newestDirtyMark,
  REFRESH_JOB,
  refreshRollupsFor,
  refreshSegmentsFor,
  refreshSegmentsFull,
  SCHEDULED_PASS_INTERVAL_MS,
  SCHEDULED_PASS_JOB,
} from '../modules/segments/index.js';
import { refreshReachabilityFor, SLA_JOB, slaJobHandler } from '../modules/leads/index.js';
import { refreshStagesFor, refreshStagesFull } from '../modules/stages/index.js';
import { refreshRuleTagsFor, refreshRuleTagsFull, runTagOperation, TAG_OPERATION_JOB } from '../modules/tags/index.js';
import { refreshChanged, refreshScheduled, type RefreshDeps, type RefreshSteps } from './refresh.js';
import { createWorker, type JobHandler, type Worker, type WorkerDeps } from './runner.js';
import { leadConnectorHandlers } from './lead-connectors.js';
import { wecomHandlers } from './wecom.js';
import type { Store } from '../platform/db/index.js';
import type { ProcessDeps } from '../modules/wecom/index.js';

export { createWorker, type JobHandler, type Worker, type WorkerDeps } from './runner.js';
export { createResolver, drainIdentityQueue, type Resolver, type ResolverDeps, type ResolverOptions } from './resolver.js';

/** The shortest pause between two refreshes of a tenant while changes keep coming. */
const REFRESH_PAUSE_MS = 250;

/** Dependency order: rollups feed every condition; rule tags feed stages; both feed segments. Leads' reachable_at feeds the KPIs. */
export const refreshSteps: RefreshSteps = {
  forProfiles: [
    (trx, ctx, ids) => refreshRollupsFor(trx, ctx.tenantId, ids, ctx.now),
    refreshRuleTagsFor,
    refreshStagesFor,
    refreshSegmentsFor,
    (trx, ctx, ids) => refreshReachabilityFor(trx, ctx.tenantId, ids),
  ],
  full: [refreshRuleTagsFull, refreshStagesFull, refreshSegmentsFull],
};

/** Re-evaluates the tenant's changed profiles now (what the refresh job does). */
export function refreshChangedProfiles(deps: RefreshDeps, tenantId: string): Promise<{ profiles: number; batches: number }> {
  return refreshChanged(deps, refreshSteps, tenantId);
}

/** The runner's needs, plus the store (lead intake) and SIYU_SECRET_KEY (connector tokens) for the lead connectors' jobs. */
export interface SiyuWorkerDeps extends WorkerDeps {
  store?: Store;
  secretKey?: Buffer | undefined;
  /** How the WeCom jobs call WeCom (default: WeCom's own host limits); the demo's in-process fake WeCom has no rate limits. */
  wecomClient?: ProcessDeps['client'];
  /** Run only these job kinds (default: all). */
  kinds?: readonly string[];
}

/** The worker with every job Siyu runs (the connectors' jobs only when given the store). */
export function siyuWorker(deps: SiyuWorkerDeps): Worker {
  const handlers: Record<string, JobHandler> = {
    [REFRESH_JOB]: async (job) => {
      const started = performance.now();
      await refreshChangedProfiles(deps, job.tenantId);
      await ensureScheduledPass(deps.db, job.tenantId, deps.clock.now());
      // Marks made while this ran: run again after a pause as long as this run took (at least
      // REFRESH_PAUSE_MS), so refreshes take about half the store's time at most under load and each
      // run takes more at once; light traffic finds no marks left and the job ends.
      if ((await newestDirtyMark(deps.db, job.tenantId)) !== null) return new Date(deps.clock.now().getTime() + Math.max(REFRESH_PAUSE_MS, performance.now() - started));
    },
    // A saved segment's members, after it was created or its definition changed.
    [MATERIALIZE_JOB]: async (job) => {
      await materializeSegment(deps, job.tenantId, job.key);
    },
    // A bulk tag apply or remove over a segment or a definition, queued by the request as an operation.
    [TAG_OPERATION_JOB]: async (job) => {
      await runTagOperation(deps, job.tenantId, job.key);
    },
    [SCHEDULED_PASS_JOB]: async (job) => {
      await refreshScheduled(deps, refreshSteps, job.tenantId, { all: false });
      return new Date(deps.clock.now().getTime() + SCHEDULED_PASS_INTERVAL_MS);
    },
    // Follow-up SLA of assigned leads: reclaim and reassign when it runs out.
    [SLA_JOB]: slaJobHandler(deps),
    ...(deps.store ? leadConnectorHandlers({ store: deps.store, clock: deps.clock, secretKey: deps.secretKey }) : {}),
    ...(deps.store ? wecomHandlers({ store: deps.store, clock: deps.clock, secretKey: deps.secretKey, logger: deps.logger, ...(deps.wecomClient ? { client: deps.wecomClient } : {}) }) : {}),
  };
  const only = deps.kinds;
  return createWorker(deps, only ? Object.fromEntries(Object.entries(handlers).filter(([kind]) => only.includes(kind))) : handlers);
}
