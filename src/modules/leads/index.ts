// Leads (issue 5): intake, dedup and routing, the 4S funnel, orders, KPIs. Each part adds its exports.
export { leadKpis, kpiFigures, MAX_BUCKETS, type KpiDeps } from './kpis.js';
export { refreshReachabilityFor } from './reachability.repo.js';
// Funnel after routing (H2): transitions, follow-ups, defeat requests; order moves for the sales module.
export {
  applyOrderStep,
  findVisibleLeadRow,
  leadFunnel,
  leadTransitions,
  lockLeadForOrder,
  allowedTransitions,
  DEFEAT_REQUESTERS,
  transitionLead,
  undoOrderSteps,
  type FunnelDeps,
  type FunnelLeadRow,
  type OrderStep,
} from './funnel.js';
export { addFollowUp, listFollowUps } from './follow-ups.js';
export { decideDefeat, getDefeatRequest, listDefeatRequests, requestDefeat } from './defeat.js';
export { FUNNEL_STATUSES, LEAD_STATUSES, allowedTargets, type LeadStatus } from './statuses.js';
export { intakeLeads, leadIdFor, type LeadsDeps } from './intake.js';
export { assignLead, claimLead, getLead, leadView, listLeads, listPool } from './leads.js';
export { createRoutingRule, deleteRoutingRule, getLeadSettings, listRoutingRules, putLeadSettings, updateRoutingRule } from './settings.js';
export { runSlaCheck, scheduleSla, slaJobHandler, SLA_JOB, type SlaOutcome } from './sla.js';
export { EXPORT_MAX_ROWS, exportLeadsCsv } from './export.js';
