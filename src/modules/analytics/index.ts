// Analytics (issue 4, first pieces): stage distribution now and at a past date, stage flows between two
// dates, the stage-model funnel of a first-touch cohort, and the reachable pool. All evaluated in SQL.
export { funnel, reachablePool, stageDistribution, stageFlows } from './analytics.js';
export { MAX_FUNNEL_GROUPS } from './analytics.repo.js';
