import { z } from 'zod';
import { isoDateTime, requiredText, storableText, uuidString } from './common.js';
import { consentChannelSchema, consentPurposeSchema, consentStateSchema } from './consents.js';
import { SOURCE_KINDS, DOMAIN_CLASSES } from './tenancy.js';
import { VEHICLE_ROLES } from './vehicles.js';

/**
 * The segment DSL, version 1: one JSON tree shared by the API, the console and the CLI. Every node has
 * a `type`; `and` / `or` hold `conditions`, `not` holds one `condition`. Names (traits, property
 * paths) must match a safe pattern and every value reaches SQL as a bound parameter.
 * See docs/segments.md for the semantics of each operator.
 */
export const SEGMENT_DSL_VERSION = 1;

/** Trait and property names: letters (any script), digits, `_`, `$`, `-`; starting with a letter, `_` or `$`. */
const NAME = /^[\p{L}_$][\p{L}\p{N}_$-]{0,127}$/u;
export const fieldName = z
  .string({ error: 'must be a string' })
  .regex(NAME, 'must be 1-128 letters, digits, "_", "$" or "-", starting with a letter, "_" or "$"');
/** A property path: up to 5 names joined by dots, e.g. `vehicle.series`. */
export const propertyPath = z
  .string({ error: 'must be a string' })
  .refine((s) => {
    const parts = s.split('.');
    return parts.length <= 5 && parts.every((p) => NAME.test(p));
  }, 'must be up to 5 dot-separated names of letters, digits, "_", "$" or "-"');

/** A calendar date, YYYY-MM-DD, between 1900 and 2200. */
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
function isCalendarDate(s: string): boolean {
  const d = DATE_ONLY.exec(s);
  if (!d) return false;
  const [, y, m, day] = d;
  const c = new Date(Date.UTC(Number(y), Number(m) - 1, Number(day)));
  return c.getUTCMonth() === Number(m) - 1 && c.getUTCDate() === Number(day) && Number(y) >= 1900 && Number(y) <= 2200;
}
export const calendarDate = z.string({ error: 'must be a date, e.g. 2026-11-22' }).meta({ format: 'date' }).refine(isCalendarDate, 'must be a real calendar date (YYYY-MM-DD) between 1900 and 2200');

/** A calendar date (read in the tenant's time zone) or an ISO-8601 date-time with a zone. */
export const dateOrDateTime = z.string({ error: 'must be a date (2026-11-22) or an ISO-8601 date-time' }).transform((s, ctx) => {
  if (DATE_ONLY.test(s)) {
    if (isCalendarDate(s)) return s;
    ctx.addIssue({ code: 'custom', message: 'must be a real calendar date between 1900 and 2200' });
    return z.NEVER;
  }
  const parsed = isoDateTime.safeParse(s);
  if (parsed.success) return parsed.data;
  ctx.addIssue({ code: 'custom', message: 'must be a date (2026-11-22) or an ISO-8601 date-time with a zone (2026-11-22T08:00:00+08:00)' });
  return z.NEVER;
});

const scalarText = storableText.max(1000, 'must be at most 1000 characters');
const scalar = z.union([scalarText, z.number().finite(), z.boolean()], { error: 'must be a string, a number or a boolean' });
const orderable = z.union([z.number().finite(), dateOrDateTime], { error: 'must be a number or a date' });
const days = z.int({ error: 'must be a whole number of days' }).min(1, 'must be at least 1 day').max(36500, 'must be at most 36500 days');

const VALUE_OPS_ERROR =
  'op must be one of eq, neq, in, not_in, contains, exists, not_exists, gt, gte, lt, lte, between, within_last_days, within_next_days, before, after';

/** Comparisons of one value (a trait, an event property, a date), with `extra` fields on every variant. */
function valueTestWith<Extra extends z.core.$ZodLooseShape>(extra: Extra) {
  return z.discriminatedUnion(
    'op',
    [
      z.strictObject({ ...extra, op: z.enum(['eq', 'neq']), value: scalar }),
      z.strictObject({ ...extra, op: z.enum(['in', 'not_in']), values: z.array(scalar).min(1, 'must list at least one value').max(1000, 'must list at most 1000 values') }),
      z.strictObject({ ...extra, op: z.literal('contains'), value: scalarText }),
      z.strictObject({ ...extra, op: z.enum(['exists', 'not_exists']) }),
      z.strictObject({ ...extra, op: z.enum(['gt', 'gte', 'lt', 'lte']), value: orderable }),
      // That from and to are of one kind is checked on the whole definition (see checkTree).
      z.strictObject({ ...extra, op: z.literal('between'), from: orderable, to: orderable }),
      z.strictObject({ ...extra, op: z.enum(['within_last_days', 'within_next_days']), days }),
      z.strictObject({ ...extra, op: z.enum(['before', 'after']), value: dateOrDateTime }),
    ],
    { error: VALUE_OPS_ERROR },
  );
}

export const valueTest = valueTestWith({});
export type ValueTest = z.infer<typeof valueTest>;

const traitCondition = valueTestWith({ type: z.literal('trait'), trait: fieldName });
const propertyFilter = valueTestWith({ property: propertyPath });
export type PropertyFilter = z.infer<typeof propertyFilter>;

const eventName = requiredText(200).describe('The event name (track event); omit for any event');
/** When an event counts: in the last N days, or between two dates (inclusive from, exclusive to). */
const eventWindow = z.union(
  [
    z.strictObject({ lastDays: days }),
    z
      .strictObject({ from: dateOrDateTime.optional(), to: dateOrDateTime.optional() })
      .refine((w) => w.from !== undefined || w.to !== undefined, 'give from, to or both'),
  ],
  { error: 'window must be { "lastDays": N } or { "from": date, "to": date }' },
);
const eventCount = z.strictObject({
  op: z.enum(['at_least', 'at_most', 'exactly'], { error: 'op must be at_least, at_most or exactly' }),
  value: z.int({ error: 'must be a whole number' }).min(0, 'must be 0 or more').max(100000, 'must be at most 100000'),
});

const eventCondition = z.strictObject({
  type: z.literal('event'),
  event: eventName.optional(),
  count: eventCount.optional().describe('Default: at least 1'),
  window: eventWindow.optional().describe('Default: all time'),
  where: z.array(propertyFilter).max(20, 'at most 20 property filters').optional(),
});

const lastEventCondition = z
  .strictObject({
    type: z.literal('last_event'),
    event: eventName.optional(),
    op: z.enum(['before', 'after'], { error: 'op must be before or after' }),
    at: dateOrDateTime.optional(),
    daysAgo: z.int().min(0).max(36500).optional(),
    where: z.array(propertyFilter).max(20, 'at most 20 property filters').optional(),
  })
  .refine((c) => (c.at === undefined) !== (c.daysAgo === undefined), { message: 'give exactly one of at or daysAgo', path: ['at'] });

const tagCondition = z.strictObject({ type: z.literal('tag'), tag: uuidString, has: z.boolean().default(true) });

const stageKey = z.string().regex(/^[A-Za-z0-9_]{1,32}$/, 'must be 1-32 letters, digits or "_"');
const modelKey = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be lower-case letters, digits or "_", starting with a letter');
const stageCondition = z.strictObject({
  type: z.literal('stage'),
  model: modelKey,
  stages: z.array(stageKey).min(1).max(50),
  at: dateOrDateTime.optional().describe('The stage held at this time; default: now'),
});

const vehicleCondition = z.strictObject({
  type: z.literal('vehicle'),
  series: z.array(requiredText(100)).min(1).max(100).optional(),
  model: z.array(requiredText(100)).min(1).max(100).optional(),
  modelYear: z
    .strictObject({ from: z.int().min(1950).max(2100).optional(), to: z.int().min(1950).max(2100).optional() })
    .optional()
    .describe('Inclusive range of model years'),
  roles: z.array(z.enum(VEHICLE_ROLES)).min(1).optional().describe('Default: any role'),
  purchased: valueTest.optional().describe('Compared with the start of the buyer or owner relation (the purchase date)'),
  includePast: z.boolean().default(false).describe('Also relations that have ended (a sold car)'),
});

const wecomFriendCondition = z.strictObject({
  type: z.literal('wecom_friend'),
  staffUserId: requiredText(64).optional().describe('A given consultant (WeCom UserID); default: any'),
});
const oaFollowerCondition = z.strictObject({ type: z.literal('oa_follower'), appId: requiredText(64).optional() });
const consentCondition = z.strictObject({
  type: z.literal('consent'),
  channel: consentChannelSchema,
  purpose: consentPurposeSchema,
  state: consentStateSchema.default('granted'),
});
const firstTouchCondition = z
  .strictObject({
    type: z.literal('first_touch'),
    sourceIds: z.array(uuidString).min(1).max(100).optional(),
    sourceKinds: z.array(z.enum(SOURCE_KINDS)).min(1).optional(),
    domainClasses: z.array(z.enum(DOMAIN_CLASSES)).min(1).optional(),
    at: valueTest.optional().describe('Compared with the time of the first touch'),
  })
  .refine((c) => c.sourceIds ?? c.sourceKinds ?? c.domainClasses ?? c.at, 'give sourceIds, sourceKinds, domainClasses or at');

export type Condition =
  | { type: 'and'; conditions: Condition[] }
  | { type: 'or'; conditions: Condition[] }
  | { type: 'not'; condition: Condition }
  | z.infer<typeof traitCondition>
  | z.infer<typeof eventCondition>
  | z.infer<typeof lastEventCondition>
  | z.infer<typeof tagCondition>
  | z.infer<typeof stageCondition>
  | z.infer<typeof vehicleCondition>
  | z.infer<typeof wecomFriendCondition>
  | z.infer<typeof oaFollowerCondition>
  | z.infer<typeof consentCondition>
  | z.infer<typeof firstTouchCondition>;

const CONDITION_TYPES = ['and', 'or', 'not', 'trait', 'event', 'last_event', 'tag', 'stage', 'vehicle', 'wecom_friend', 'oa_follower', 'consent', 'first_touch'] as const;

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.discriminatedUnion(
    'type',
    [
      z.strictObject({ type: z.literal('and'), conditions: z.array(conditionSchema).max(50, 'at most 50 conditions per group') }),
      z.strictObject({ type: z.literal('or'), conditions: z.array(conditionSchema).min(1, 'an "or" needs at least one condition').max(50, 'at most 50 conditions per group') }),
      z.strictObject({ type: z.literal('not'), condition: conditionSchema }),
      traitCondition,
      eventCondition,
      lastEventCondition,
      tagCondition,
      stageCondition,
      vehicleCondition,
      wecomFriendCondition,
      oaFollowerCondition,
      consentCondition,
      firstTouchCondition,
    ],
    { error: `type must be one of ${CONDITION_TYPES.join(', ')}` },
  ),
).meta({ id: 'SegmentCondition' });

/** How deep and how large a definition may be: bounds the SQL it compiles to. */
export const MAX_DEPTH = 8;
export const MAX_NODES = 200;

interface TreeCheck {
  nodes: number;
  depth: number;
  issues: { path: PropertyKey[]; message: string }[];
}

function checkBetween(t: ValueTest | undefined, path: PropertyKey[], acc: TreeCheck): void {
  if (t?.op === 'between' && typeof t.from !== typeof t.to) acc.issues.push({ path: [...path, 'to'], message: 'from and to must both be numbers or both be dates' });
}

/** Size, depth and the cross-field rules a schema per node cannot express. */
function checkTree(c: Condition, path: PropertyKey[], depth: number, acc: TreeCheck): void {
  acc.nodes += 1;
  acc.depth = Math.max(acc.depth, depth);
  switch (c.type) {
    case 'and':
    case 'or':
      c.conditions.forEach((child, i) => checkTree(child, [...path, 'conditions', i], depth + 1, acc));
      break;
    case 'not':
      checkTree(c.condition, [...path, 'condition'], depth + 1, acc);
      break;
    case 'trait':
      checkBetween(c, path, acc);
      break;
    case 'event':
    case 'last_event':
      c.where?.forEach((f, i) => checkBetween(f, [...path, 'where', i], acc));
      break;
    case 'vehicle':
      checkBetween(c.purchased, [...path, 'purchased'], acc);
      break;
    case 'first_touch':
      checkBetween(c.at, [...path, 'at'], acc);
      break;
    default:
      break;
  }
}

export const segmentDefinitionSchema = z
  .strictObject({
    version: z.literal(SEGMENT_DSL_VERSION, { error: `version must be ${SEGMENT_DSL_VERSION}` }).default(SEGMENT_DSL_VERSION),
    condition: conditionSchema,
  })
  .superRefine((d, ctx) => {
    const acc: TreeCheck = { nodes: 0, depth: 0, issues: [] };
    checkTree(d.condition, ['condition'], 1, acc);
    for (const issue of acc.issues) ctx.addIssue({ code: 'custom', ...issue });
    if (acc.depth > MAX_DEPTH) ctx.addIssue({ code: 'custom', message: `conditions may nest at most ${MAX_DEPTH} levels deep`, path: ['condition'] });
    if (acc.nodes > MAX_NODES) ctx.addIssue({ code: 'custom', message: `a definition may hold at most ${MAX_NODES} conditions`, path: ['condition'] });
  })
  .meta({ id: 'SegmentDefinition' });
export type SegmentDefinition = z.infer<typeof segmentDefinitionSchema>;

// --- Segments API -------------------------------------------------------------------------------

export const segmentPreviewSchema = z.strictObject({ definition: segmentDefinitionSchema }).meta({ id: 'SegmentPreviewRequest' });

export const profileSampleSchema = z
  .object({ id: z.string(), traits: z.record(z.string(), z.unknown()), firstSeen: z.string(), lastSeen: z.string() })
  .meta({ id: 'ProfileSample' });
export type ProfileSample = z.infer<typeof profileSampleSchema>;

export const segmentPreviewResultSchema = z
  .object({
    count: z.number().int().describe('Live profiles matching now'),
    sample: z.array(profileSampleSchema).describe('Up to 20 of them, most recently seen first'),
    evaluatedAt: z.string(),
  })
  .meta({ id: 'SegmentPreview' });
export type SegmentPreviewResult = z.infer<typeof segmentPreviewResultSchema>;

export const segmentCreateSchema = z
  .strictObject({
    name: requiredText(200),
    description: requiredText(2000).nullish(),
    definition: segmentDefinitionSchema,
  })
  .meta({ id: 'SegmentCreate' });
export type SegmentCreate = z.infer<typeof segmentCreateSchema>;

export const segmentUpdateSchema = z
  .strictObject({
    name: requiredText(200).optional(),
    description: requiredText(2000).nullish(),
    definition: segmentDefinitionSchema.optional(),
  })
  .meta({ id: 'SegmentUpdate' });
export type SegmentUpdate = z.infer<typeof segmentUpdateSchema>;

export const segmentSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    definition: z.unknown().describe('The SegmentDefinition as saved'),
    revision: z.number().int().describe('Goes up by one with every change of the definition'),
    state: z
      .enum(['computing', 'ready'])
      .describe('computing: a job is working out the members of this revision (members and memberCount are those of the previous one, or none yet); ready: they are current'),
    timeDependent: z.boolean().describe('Has relative time windows: re-evaluated by the scheduled pass'),
    memberCount: z.number().int(),
    refreshedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Segment' });
export type Segment = z.infer<typeof segmentSchema>;

export const segmentChangeSchema = z
  .object({ id: z.string(), profileId: z.string(), kind: z.enum(['segment_entered', 'segment_exited']), at: z.string() })
  .meta({ id: 'SegmentChange' });
export type SegmentChange = z.infer<typeof segmentChangeSchema>;

export const segmentMemberSchema = z.object({ profileId: z.string(), enteredAt: z.string() }).meta({ id: 'SegmentMember' });
export type SegmentMember = z.infer<typeof segmentMemberSchema>;

export const dailyCountSchema = z.object({ day: z.string(), count: z.number().int() }).meta({ id: 'SegmentDailyCount' });
export type DailyCount = z.infer<typeof dailyCountSchema>;

export const cursorQuery = z.strictObject({
  after: z
    .string()
    .regex(/^\d{1,18}$/, 'must be the id of the last record you read')
    .optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const memberPageQuery = z.strictObject({
  after: uuidString.optional().describe('nextCursor of the previous page (a profile id)'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
