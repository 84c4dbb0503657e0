import { OCEAN_ENGINE_POLL_JOB, runOceanEngineJob, type LeadSourceDeps } from '../connectors/lead-sources/index.js';
import type { JobHandler } from './runner.js';

/**
 * Jobs of the lead source adapters: the Ocean Engine clue poll (recurring; a failure is recorded on
 * the connector as last_error and retried by the job table with back-off).
 */
export function leadConnectorHandlers(deps: LeadSourceDeps): Record<string, JobHandler> {
  return {
    [OCEAN_ENGINE_POLL_JOB]: (job) => runOceanEngineJob(deps, job),
  };
}
