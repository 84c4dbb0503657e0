// Operating models (issue 4): stage models (5A, AARRR, AIPL or the tenant's own), each profile's
// current stage in each model, and the transitions between stages with their times.
export { PRESETS } from './presets.js';
export { refreshStagesFor, refreshStagesFull } from './refresh.js';
export {
  deleteProfileStages,
  deleteStageModel,
  ensureDefaultModels,
  getStageModel,
  installPreset,
  listStageModels,
  profileStageHistory,
  profileStages,
  putStageModel,
  type StagesDeps,
} from './stages.js';
