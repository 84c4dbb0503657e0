import {
  CALLBACKS_JOB,
  CALLBACKS_PRUNE_JOB,
  collectMassResults,
  enableWecomTagSync,
  MASS_RESULTS_JOB,
  MASS_SEND_JOB,
  processCallbacks,
  pruneCallbacks,
  runTagSync,
  runTransferJob,
  sendMassMessage,
  TAG_SYNC_JOB,
  TRANSFERS_JOB,
  type ProcessDeps,
} from '../modules/wecom/index.js';
import type { JobHandler } from './runner.js';

/** WeCom's jobs: callbacks, customer transfers, mass messages and tag sync, each per connector or task. */
export function wecomHandlers(deps: ProcessDeps): Record<string, JobHandler> {
  // Siyu tag changes made by this worker's jobs reach the tag sync's queue.
  enableWecomTagSync();
  return {
    // A connector's stored callbacks, a batch per run, again at once while more are waiting.
    [CALLBACKS_JOB]: async (job) => {
      const { more } = await processCallbacks(deps, job.tenantId, job.key);
      if (more) return deps.clock.now();
    },
    // Once a day: callbacks processed more than a week ago go.
    [CALLBACKS_PRUNE_JOB]: (job) => pruneCallbacks(deps, job.tenantId, job.key),
    // A customer transfer: what is left to send, then WeCom's results until every customer is settled.
    [TRANSFERS_JOB]: async (job) => (await runTransferJob(deps, job.tenantId, job.key)) ?? undefined,
    // A mass message: choose its recipients and hand the consultants' shares to WeCom; then read WeCom's send results.
    [MASS_SEND_JOB]: (job) => sendMassMessage(deps, job.tenantId, job.key),
    [MASS_RESULTS_JOB]: (job) => collectMassResults(deps, job.tenantId, job.key),
    // A connector's tag sync: the definitions, then a batch of waiting customers; again at once while more wait.
    [TAG_SYNC_JOB]: async (job) => {
      const { more } = await runTagSync(deps, job.tenantId, job.key);
      if (more) return deps.clock.now();
    },
  };
}
