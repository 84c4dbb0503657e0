import { CALLBACKS_JOB, processCallbacks, type ProcessDeps } from '../modules/wecom/index.js';
import type { JobHandler } from './runner.js';

/** WeCom's jobs: a connector's stored callbacks, a batch per run, again at once while more are waiting. */
export function wecomHandlers(deps: ProcessDeps): Record<string, JobHandler> {
  return {
    [CALLBACKS_JOB]: async (job) => {
      const { more } = await processCallbacks(deps, job.tenantId, job.key);
      if (more) return deps.clock.now();
    },
  };
}
