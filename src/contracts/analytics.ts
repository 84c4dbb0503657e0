import { z } from 'zod';
import { dateOrDateTime } from './segments.js';
import { DOMAIN_CLASSES } from './tenancy.js';

/**
 * The analytics API (issue 4, first pieces): stage distribution now and at a past date, flows between
 * two dates (Sankey), the stage-model funnel of a first-touch cohort, and the reachable pool.
 * Every figure is computed in the database; see docs/analytics.md for the semantics.
 */

/** A stage model key. Looser than the stored pattern so that an unknown key answers "no such model". */
const modelKey = z
  .string({ error: 'must be a string' })
  .regex(/^[A-Za-z0-9_]{1,63}$/, 'must be a stage model key: 1-63 letters, digits or "_"')
  .describe('A stage model key, e.g. aarrr; default: the tenant\'s default model');

const instant = dateOrDateTime.describe('A date (2026-11-22, the start of that day in the tenant\'s time zone) or an ISO-8601 date-time with a zone');

export const stageDistributionQuerySchema = z.strictObject({
  model: modelKey.optional(),
  at: instant.optional().describe('The stages held at this time (from the stage transitions); default: the current stages'),
});
export type StageDistributionQuery = z.infer<typeof stageDistributionQuerySchema>;

export const stageFlowsQuerySchema = z.strictObject({
  model: modelKey.optional(),
  from: instant,
  to: instant.optional().describe('Default: now'),
});
export type StageFlowsQuery = z.infer<typeof stageFlowsQuerySchema>;

export const FUNNEL_SPLITS = ['source', 'domain_class'] as const;
export const funnelQuerySchema = z.strictObject({
  model: modelKey.optional().describe('Default: aarrr'),
  from: instant.describe('Cohort: profiles whose first touch is at or after this time …'),
  to: instant.optional().describe('… and before this time (default: now); stages count when reached before it'),
  splitBy: z.enum(FUNNEL_SPLITS, { error: `splitBy must be one of ${FUNNEL_SPLITS.join(', ')}` }).optional(),
});
export type FunnelQuery = z.infer<typeof funnelQuerySchema>;

const stageLabel = {
  key: z.string(),
  name: z.string(),
  nameZh: z.string().nullable(),
};

export const stageDistributionSchema = z
  .object({
    model: z.string(),
    at: z.string().nullable().describe('The time of the snapshot; null: the current stages'),
    total: z.int().describe('Profiles in any stage of the model'),
    stages: z.array(z.object({ ...stageLabel, count: z.int(), share: z.number().describe('count / total, 4 decimals; 0 when total is 0') })),
  })
  .meta({ id: 'StageDistribution' });
export type StageDistribution = z.infer<typeof stageDistributionSchema>;

export const flowNodeSchema = z.object({
  id: z.string().describe('from:<stage> | to:<stage> | from:none | to:none'),
  stage: z.string().nullable().describe('null: in no stage of the model'),
  side: z.enum(['from', 'to']),
  name: z.string(),
  nameZh: z.string().nullable(),
});

export const flowLinkSchema = z.object({
  from: z.string().nullable(),
  to: z.string().nullable(),
  source: z.string().describe('The id of the "from" node'),
  target: z.string().describe('The id of the "to" node'),
  count: z.int(),
});

export const stageFlowsSchema = z
  .object({
    model: z.string(),
    from: z.string(),
    to: z.string(),
    total: z.int().describe('Profiles in some stage at either date'),
    nodes: z.array(flowNodeSchema),
    links: z.array(flowLinkSchema),
  })
  .meta({ id: 'StageFlows' });
export type StageFlows = z.infer<typeof stageFlowsSchema>;
export type FlowNode = z.infer<typeof flowNodeSchema>;
export type FlowLink = z.infer<typeof flowLinkSchema>;

export const funnelStepSchema = z.object({
  ...stageLabel,
  count: z.int().describe('Cohort members who reached this stage or a later one before `to`'),
  ofCohort: z.number().nullable().describe('count / cohort; null when the cohort is empty'),
  fromPrevious: z.number().nullable().describe('count / previous step\'s count; null for the first step or a 0 denominator'),
  fromFirst: z.number().nullable().describe('count / first step\'s count; null when that is 0'),
});
export type FunnelStep = z.infer<typeof funnelStepSchema>;

export const funnelGroupSchema = z.object({
  sourceId: z.string().nullable().optional().describe('splitBy=source: the first source (null: unknown)'),
  sourceName: z.string().nullable().optional(),
  sourceKind: z.string().nullable().optional(),
  domainClass: z.string().optional().describe('splitBy=domain_class: absolute … public, or unknown'),
  cohort: z.int(),
  steps: z.array(funnelStepSchema),
});
export type FunnelGroup = z.infer<typeof funnelGroupSchema>;

export const funnelSchema = z
  .object({
    model: z.string(),
    from: z.string(),
    to: z.string(),
    splitBy: z.enum(FUNNEL_SPLITS).nullable(),
    cohort: z.int().describe('Live profiles whose first touch is in [from, to)'),
    steps: z.array(funnelStepSchema),
    groups: z.array(funnelGroupSchema).optional().describe('With splitBy: one entry per source or domain class, largest cohort first'),
    truncated: z.boolean().optional().describe('With splitBy=source: true when only the largest groups are listed'),
  })
  .meta({ id: 'Funnel' });
export type Funnel = z.infer<typeof funnelSchema>;

export const POOL_DOMAIN_CLASSES = [...DOMAIN_CLASSES, 'unknown'] as const;

const poolCounts = {
  total: z.int().describe('Live profiles'),
  wecom_friend: z.int().describe('With at least one active WeCom friendship'),
  sms: z.int().describe('With SMS consent granted for marketing'),
  oa_follower: z.int().describe('Following at least one official account'),
  any: z.int().describe('Reachable through at least one of these channels'),
};

export const reachablePoolSchema = z
  .object({
    at: z.string().describe('When the pool was counted'),
    ...poolCounts,
    byDomainClass: z.array(z.object({ domainClass: z.enum(POOL_DOMAIN_CLASSES), ...poolCounts })).describe('By domain class of the first touch; unknown: no first touch known'),
  })
  .meta({ id: 'ReachablePool' });
export type ReachablePool = z.infer<typeof reachablePoolSchema>;
export type PoolCounts = Omit<ReachablePool, 'at' | 'byDomainClass'>;
