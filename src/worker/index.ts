import {
  ensureScheduledPass,
  REFRESH_JOB,
  refreshRollupsFor,
  refreshSegmentsFor,
  refreshSegmentsFull,
  SCHEDULED_PASS_INTERVAL_MS,
  SCHEDULED_PASS_JOB,
} from '../modules/segments/index.js';
import { refreshStagesFor, refreshStagesFull } from '../modules/stages/index.js';
import { refreshRuleTagsFor, refreshRuleTagsFull } from '../modules/tags/index.js';
import { refreshChanged, refreshScheduled, type RefreshDeps, type RefreshSteps } from './refresh.js';
import { createWorker, type Worker, type WorkerDeps } from './runner.js';

export { createWorker, type JobHandler, type Worker, type WorkerDeps } from './runner.js';

/** Dependency order: rollups feed every condition; rule tags feed stages; both feed segments. */
export const refreshSteps: RefreshSteps = {
  forProfiles: [(trx, ctx, ids) => refreshRollupsFor(trx, ctx.tenantId, ids, ctx.now), refreshRuleTagsFor, refreshStagesFor, refreshSegmentsFor],
  full: [refreshRuleTagsFull, refreshStagesFull, refreshSegmentsFull],
};

/** Re-evaluates the tenant's changed profiles now (what the refresh job does). */
export function refreshChangedProfiles(deps: RefreshDeps, tenantId: string): Promise<{ profiles: number; batches: number }> {
  return refreshChanged(deps, refreshSteps, tenantId);
}

/** The worker with every job Siyu runs. */
export function siyuWorker(deps: WorkerDeps): Worker {
  return createWorker(deps, {
    [REFRESH_JOB]: async (job) => {
      await refreshChangedProfiles(deps, job.tenantId);
      await ensureScheduledPass(deps.db, job.tenantId, deps.clock.now());
    },
    [SCHEDULED_PASS_JOB]: async (job) => {
      await refreshScheduled(deps, refreshSteps, job.tenantId, { all: false });
      return new Date(deps.clock.now().getTime() + SCHEDULED_PASS_INTERVAL_MS);
    },
  });
}
