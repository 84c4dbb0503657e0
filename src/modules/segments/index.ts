// Segments (issue 4): the segment DSL compiled to SQL, previews, saved segments with materialised
// membership, incremental refresh of changed profiles, and the rollups segments read.
export { compileCondition, type CompileContext, type CompileMode } from './compile.repo.js';
export { conditionFacts, type ConditionFacts } from './facts.js';
export { checkReferences, type ReferenceRules } from './references.repo.js';
export { dayIn, evaluationContext, tenantTimeZone } from './context.js';
export { refreshRollupsFor } from './rollups.repo.js';
export { claimDirtyProfiles, deleteDerivedRows, withMergedAway, ensureScheduledPass, markProfilesDirty, REFRESH_DELAY_MS, REFRESH_JOB, SCHEDULED_PASS_INTERVAL_MS, SCHEDULED_PASS_JOB } from './dirty.repo.js';
export {
  createSegment,
  deleteSegment,
  getSegment,
  listSegments,
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
