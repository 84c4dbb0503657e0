import { z } from 'zod';
import { documentAs, isoDateTime, requiredText, storableText, uuidString } from './common.js';
import { LEAD_STATUSES, type LeadStatus } from './funnel.js';

/**
 * Leads (issue 5): intake from public platforms, forms and dealer systems, dedup through One ID,
 * scoring, routing to dealers and consultants, the lead pool (公海) and the follow-up SLA.
 * docs/leads.md explains the rules.
 */

export { LEAD_STATUSES, type LeadStatus };
/** A consultant's open leads (their load): assigned up to invoiced. */
export const OPEN_LEAD_STATUSES = ['assigned', 'contacted', 'invited', 'visited', 'test_drive', 'ordered', 'invoiced'] as const;
export const DEDUP_OUTCOMES = ['new', 'merged', 'duplicate'] as const;
export type DedupOutcome = (typeof DEDUP_OUTCOMES)[number];
/** Why a lead waits in a pool: HQ pool (no dealer) or a dealer's pool (no consultant). */
export const POOL_REASONS = ['unknown_dealer', 'no_route', 'dealers_full', 'no_capacity', 'sla_expired', 'manual'] as const;
export type PoolReason = (typeof POOL_REASONS)[number];

/** Well-known lead sources; any other lower-case token is accepted (its events come from a source of kind `other`). */
export const LEAD_SOURCES = ['website', 'mini_program', 'app', 'call_center', 'dms', 'offline_store', 'douyin', 'autohome', 'yiche', 'dongchedi', 'xiaohongshu', 'other'] as const;
export const MAX_LEADS_PER_BATCH = 500;
/** A lead's createdAt may be this far ahead of our clock (platform clocks drift), no further. */
export const CREATED_AT_SKEW_MS = 5 * 60_000;

const text = (max: number) => requiredText(max);
const optionalText = (max: number) =>
  z
    .string({ error: 'must be a string' })
    .trim()
    .max(max, `must be at most ${max} characters`)
    .pipe(storableText)
    .transform((s) => (s === '' ? undefined : s))
    .nullish()
    .transform((s) => s ?? undefined);

/** 32 or 64 hex digits: a platform's MD5 / SHA-256 of the phone number (Autohome). */
export const PHONE_HASH = /^(?:[0-9a-f]{32}|[0-9a-f]{64})$/i;
/** A masked number keeps some digits and hides the rest behind * (134****1234). */
export const PHONE_MASKED = /[*＊]/;

export const leadSourceSchema = z
  .string({ error: 'source is required: where the lead comes from, e.g. autohome, douyin, website' })
  .trim()
  .regex(/^[a-z][a-z0-9_]{1,31}$/, 'source must be a lower-case token of 2 to 32 letters, digits or _, e.g. autohome, douyin, website, mini_program, dms');

export const leadInputSchema = z
  .strictObject({
    source: leadSourceSchema,
    externalId: optionalText(200).describe("The platform's id of the lead: (source, externalId) makes re-sending safe"),
    channel: optionalText(100).describe('Sub-channel, e.g. the form or ad placement'),
    campaign: optionalText(200),
    name: optionalText(100),
    phone: z
      .string({ error: 'phone must be a string' })
      .trim()
      .min(1, 'phone must not be empty')
      .max(64, 'phone must be at most 64 characters')
      .refine((s) => PHONE_HASH.test(s) || PHONE_MASKED.test(s) || /^[+\d][\d\s\-().]{4,24}$/.test(s), {
        message: 'phone must be a phone number (13412341234, +86 134 1234 1234), a masked number (134****1234) or a 32/64-hex hash',
      })
      .describe('Full, masked (134****1234) or a 32/64-hex hash of the number'),
    city: optionalText(100),
    province: optionalText(100),
    series: optionalText(100).describe('Car series the person asked about, e.g. 汉'),
    model: optionalText(200),
    dealerCode: optionalText(64).describe('Route to this dealer (org unit code); an unknown code lands in the HQ pool'),
    consultant: optionalText(64).describe("A consultant's user name or WeCom user id: assigned when they work at the lead's dealer and are under their load cap"),
    createdAt: isoDateTime.optional().describe('When the person left the lead (platform time); required without externalId'),
    raw: z.record(z.string(), z.unknown(), { error: 'raw must be a JSON object' }).optional().describe('The payload as received, kept with the lead'),
  })
  .superRefine((l, ctx) => {
    if (l.externalId === undefined && l.createdAt === undefined) {
      ctx.addIssue({ code: 'custom', path: ['createdAt'], message: 'createdAt is required when there is no externalId (the lead is recognised by source, phone, createdAt and series)' });
    }
  })
  .meta({ id: 'LeadCreate' });
export type LeadInput = z.infer<typeof leadInputSchema>;
export type LeadInputRaw = z.input<typeof leadInputSchema>;

export const leadBatchSchema = z
  .strictObject({
    leads: z
      .array(leadInputSchema, { error: 'leads must be an array of leads' })
      .min(1, 'leads must hold at least one lead')
      .max(MAX_LEADS_PER_BATCH, `leads must hold at most ${MAX_LEADS_PER_BATCH} leads; split the batch`),
  })
  .meta({ id: 'LeadBatch' });

export type LeadCreateBody = { single: true; leads: LeadInput[] } | { single: false; leads: LeadInput[] };

/**
 * POST /api/v1/leads: one lead, or `{ leads: [...] }`. Checked as the one or the other (not as a
 * union), so that a bad item is reported with its path, e.g. `leads[3].phone`.
 */
export const leadCreateBodySchema = documentAs(
  z
    .unknown()
    .transform((body, ctx): LeadCreateBody => {
      const batch = typeof body === 'object' && body !== null && !Array.isArray(body) && 'leads' in body;
      const parsed = batch ? leadBatchSchema.safeParse(body) : leadInputSchema.safeParse(body);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: [...issue.path] });
        return z.NEVER;
      }
      return 'leads' in parsed.data ? { single: false, leads: parsed.data.leads } : { single: true, leads: [parsed.data] };
    })
    .describe('One LeadCreate object, or { "leads": [LeadCreate, ...] } (at most 500)'),
  { 'application/json': z.union([leadInputSchema, leadBatchSchema]).meta({ id: 'LeadCreateBody' }) },
);

/** GET /api/v1/exports/leads.csv answers CSV text. */
const leadsCsvText = z.string().describe('UTF-8 CSV with a BOM, header row first');
export const leadsCsvSchema = documentAs(z.unknown(), { 'text/csv': leadsCsvText });

export const scoreFactorSchema = z.object({
  factor: z.string().describe('source, completeness, intent, recency, repeat_inquiry'),
  points: z.number().int(),
  detail: z.string(),
});
export type ScoreFactor = z.infer<typeof scoreFactorSchema>;

export const leadIntakeResultSchema = z
  .object({
    id: z.string(),
    profileId: z.string().nullable(),
    status: z.enum(LEAD_STATUSES),
    dedup: z.enum(DEDUP_OUTCOMES),
    duplicateOf: z.string().nullable(),
    score: z.number().int(),
    scoreFactors: z.array(scoreFactorSchema),
    dealerId: z.string().nullable(),
    dealerCode: z.string().nullable(),
    consultantId: z.string().nullable(),
    inPool: z.boolean(),
    poolReason: z.string().nullable(),
    created: z.boolean().describe('false: (source, externalId) was already stored; the stored lead is answered and nothing changed'),
  })
  .meta({ id: 'LeadIntakeResult' });
export type LeadIntakeResult = z.infer<typeof leadIntakeResultSchema>;

export const leadIntakeBatchResultSchema = z.object({ results: z.array(leadIntakeResultSchema) }).meta({ id: 'LeadIntakeBatchResult' });

export const leadSchema = z
  .object({
    id: z.string(),
    profileId: z.string().nullable(),
    source: z.string(),
    externalId: z.string().nullable(),
    channel: z.string().nullable(),
    campaign: z.string().nullable(),
    name: z.string().nullable(),
    phone: z.string().nullable().describe('E.164, or the masked number when only that is known (masked for analysts)'),
    phoneHash: z.string().nullable(),
    city: z.string().nullable(),
    province: z.string().nullable(),
    series: z.string().nullable(),
    model: z.string().nullable(),
    dealerId: z.string().nullable(),
    dealerCode: z.string().nullable(),
    consultantId: z.string().nullable(),
    consultantName: z.string().nullable(),
    status: z.enum(LEAD_STATUSES),
    dedup: z.enum(DEDUP_OUTCOMES),
    duplicateOf: z.string().nullable(),
    score: z.number().int(),
    scoreFactors: z.array(scoreFactorSchema),
    inPool: z.boolean(),
    poolReason: z.string().nullable(),
    invalidReason: z.string().nullable(),
    defeatReason: z.string().nullable(),
    reassignCount: z.number().int(),
    createdAt: z.string(),
    receivedAt: z.string(),
    updatedAt: z.string(),
    assignedAt: z.string().nullable(),
    firstFollowUpAt: z.string().nullable(),
    slaDueAt: z.string().nullable(),
    nextFollowUpAt: z.string().nullable(),
    milestones: z
      .object({
        contactedAt: z.string().nullable(),
        invitedAt: z.string().nullable(),
        visitedAt: z.string().nullable(),
        testDriveAt: z.string().nullable(),
        orderedAt: z.string().nullable(),
        invoicedAt: z.string().nullable(),
        deliveredAt: z.string().nullable(),
        closedAt: z.string().nullable(),
        reachableAt: z.string().nullable(),
      })
      .describe('First time the lead reached each status'),
    raw: z.unknown().describe('The payload as received (null for analysts)'),
  })
  .meta({ id: 'Lead' });
export type Lead = z.infer<typeof leadSchema>;

const boolString = z
  .enum(['true', 'false'], { error: 'must be true or false' })
  .transform((s) => s === 'true');

export const leadListQuerySchema = z.strictObject({
  status: z
    .string()
    .trim()
    .transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x !== ''))
    .pipe(z.array(z.enum(LEAD_STATUSES, { error: `status must be one or more (comma-separated) of ${LEAD_STATUSES.join(', ')}` })).max(11))
    .optional()
    .describe(`One or more statuses, comma-separated: ${LEAD_STATUSES.join(', ')}`),
  source: leadSourceSchema.optional(),
  dealerCode: text(64).optional(),
  dealerId: uuidString.optional(),
  consultantId: uuidString.optional(),
  inPool: boolString.optional(),
  dedup: z.enum(DEDUP_OUTCOMES, { error: `dedup must be one of ${DEDUP_OUTCOMES.join(', ')}` }).optional(),
  from: isoDateTime.optional().describe('createdAt at or after'),
  to: isoDateTime.optional().describe('createdAt before'),
  cursor: z.string().max(300).optional().describe('nextCursor of the previous page'),
  limit: z.coerce.number({ error: 'limit must be a number' }).int('limit must be a whole number').min(1, 'limit must be at least 1').max(200, 'limit must be at most 200').default(50),
});
export type LeadListQuery = z.infer<typeof leadListQuerySchema>;

export const leadPageSchema = z
  .object({ data: z.array(leadSchema), nextCursor: z.string().nullable().describe('Pass as cursor for the next (older) page; null at the end') })
  .meta({ id: 'LeadPage' });
export type LeadPage = z.infer<typeof leadPageSchema>;

export const leadPoolQuerySchema = leadListQuerySchema.pick({ source: true, dealerCode: true, from: true, to: true, cursor: true, limit: true });
export type LeadPoolQuery = z.infer<typeof leadPoolQuerySchema>;

export const leadAssignSchema = z
  .strictObject({
    dealerCode: text(64).optional().describe("Move the lead to this dealer (its pool unless a consultant is given)"),
    consultantId: uuidString.optional().describe('Assign to this consultant (of the dealer)'),
  })
  .refine((a) => a.dealerCode !== undefined || a.consultantId !== undefined, { message: 'give dealerCode, consultantId or both' })
  .meta({ id: 'LeadAssign' });
export type LeadAssign = z.infer<typeof leadAssignSchema>;

export const leadParams = z.object({ id: uuidString });

// --- Settings and routing rules -----------------------------------------------------------------

export const leadSettingsSchema = z
  .object({
    duplicateWindowDays: z.number().int(),
    slaHours: z.number().int(),
    defaultMaxOpenLeads: z.number().int(),
    updatedAt: z.string().nullable(),
  })
  .meta({ id: 'LeadSettings' });
export type LeadSettings = z.infer<typeof leadSettingsSchema>;

const int = (name: string, min: number, max: number) =>
  z
    .number({ error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .min(min, `${name} must be at least ${min}`)
    .max(max, `${name} must be at most ${max}`);

export const leadSettingsPutSchema = z
  .strictObject({
    duplicateWindowDays: int('duplicateWindowDays', 0, 365).optional().describe('0 turns duplicate detection off'),
    slaHours: int('slaHours', 1, 720).optional(),
    defaultMaxOpenLeads: int('defaultMaxOpenLeads', 0, 100_000).optional(),
  })
  .meta({ id: 'LeadSettingsPut' });
export type LeadSettingsPut = z.infer<typeof leadSettingsPutSchema>;

const textList = (max: number) => z.array(text(100), { error: 'must be an array of strings' }).min(1, 'must hold at least one value (leave it out to match any)').max(max).nullish();

export const routingRuleInputSchema = z
  .strictObject({
    name: text(200),
    priority: int('priority', 0, 1_000_000).default(100).describe('Lower numbers are tried first'),
    cities: textList(500),
    provinces: textList(100),
    series: textList(200),
    sources: z.array(leadSourceSchema).min(1).max(50).nullish(),
    dealerCodes: z.array(text(64), { error: 'dealerCodes must be an array of dealer codes' }).min(1, 'dealerCodes must name at least one dealer').max(200),
    active: z.boolean().default(true),
  })
  .meta({ id: 'RoutingRuleWrite' });
export type RoutingRuleInput = z.infer<typeof routingRuleInputSchema>;

export const routingRuleSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    priority: z.number().int(),
    cities: z.array(z.string()).nullable(),
    provinces: z.array(z.string()).nullable(),
    series: z.array(z.string()).nullable(),
    sources: z.array(z.string()).nullable(),
    dealerCodes: z.array(z.string()),
    active: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'RoutingRule' });
export type RoutingRule = z.infer<typeof routingRuleSchema>;
