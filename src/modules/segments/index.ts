// Segments: the segment DSL compiled to SQL, previews, saved segments with materialised
// membership, incremental refresh of changed profiles, and the rollups segments read.
export { compileCondition, type CompileContext } from './compile.repo.js';
export { conditionFacts, type ConditionFacts } from './facts.js';
export { checkReferences, type ReferenceRules } from './references.repo.js';
export { dayIn, evaluationContext, tenantTimeZone } from './context.js';
export { refreshRollupsFor } from './rollups.repo.js';
export {
  claimDirtyProfiles,
  deleteDerivedRows,
  ensureScheduledPass,
  markProfilesDirty,
  newestDirtyMark,
  REFRESH_JOB,
  requestRefresh,
  SCHEDULED_PASS_INTERVAL_MS,
  SCHEDULED_PASS_JOB,
  withMergedAway,
} from './dirty.repo.js';
export {
  createSegment,
  deleteSegment,
  getSegment,
  listSegments,
  MATERIALIZE_JOB,
  materializeSegment,
  previewSegment,
  refreshSegmentsFor,
  refreshSegmentsFull,
  segmentChanges,
  segmentDailyCounts,
  segmentMembers,
  storedDefinition,
  updateSegment,
  type SegmentsDeps,
} from './segments.js';
