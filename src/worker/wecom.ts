import {
  CALLBACKS_JOB,
  collectMassResults,
  MASS_RESULTS_JOB,
  MASS_SEND_JOB,
  processCallbacks,
  runTransferJob,
  sendMassMessage,
  TRANSFERS_JOB,
  type ProcessDeps,
} from '../modules/wecom/index.js';
import type { JobHandler } from './runner.js';

/** WeCom's jobs: callbacks, customer transfers and mass messages, each per connector or task. */
export function wecomHandlers(deps: ProcessDeps): Record<string, JobHandler> {
  return {
    // A connector's stored callbacks, a batch per run, again at once while more are waiting.
    [CALLBACKS_JOB]: async (job) => {
      const { more } = await processCallbacks(deps, job.tenantId, job.key);
      if (more) return deps.clock.now();
    },
    // A customer transfer: what is left to send, then WeCom's results until every customer is settled.
    [TRANSFERS_JOB]: async (job) => (await runTransferJob(deps, job.tenantId, job.key)) ?? undefined,
    // A mass message: choose its recipients and hand the consultants' shares to WeCom; then read WeCom's send results.
    [MASS_SEND_JOB]: (job) => sendMassMessage(deps, job.tenantId, job.key),
    [MASS_RESULTS_JOB]: (job) => collectMassResults(deps, job.tenantId, job.key),
  };
}
