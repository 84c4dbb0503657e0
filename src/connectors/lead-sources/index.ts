// Lead source adapters (issue 5): forms, an Autohome-style feed, the Ocean Engine poller, DMS CSV import.
export { autohomeClueToLeadInput, intakeAutohomeFeed, AUTOHOME_SOURCE, type AutohomeFeedResult } from './autohome.js';
export {
  deleteOceanEngineConnector,
  getAutohomeConfig,
  getOceanEngineConnector,
  putAutohomeConfig,
  putOceanEngineConnector,
  requestOceanEnginePoll,
  type ConnectorConfigDeps,
} from './connectors.js';
export { completeLeadFields, tenantExists, type LateFields } from './connectors.repo.js';
export { decodeCsv, dmsTime, importLeadCsv, parseLeadCsv, type ImportPhase, type ImportProgress, type RowProblem } from './dms-csv.js';
export { FORM_SOURCE_KINDS, formExternalId, formToLeadInput, submitLeadForm } from './forms.js';
export { CLUE_GET_PATH, OCEAN_ENGINE_CODES, OceanEngineError, chinaTime, fetchCluePage, fromChinaTime, type OceanEngineClue } from './ocean-engine-api.js';
export { OCEAN_ENGINE_POLL_JOB, clueToLeadInput, pollOceanEngine, runOceanEngineJob, type PollOutcome } from './ocean-engine.js';
export type { LeadSourceDeps } from './types.js';
