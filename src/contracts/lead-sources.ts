import { z } from 'zod';
import { documentAs, isoDateTime, requiredText, storableText } from './common.js';
import { DEDUP_OUTCOMES, LEAD_STATUSES, PHONE_HASH, leadSourceSchema } from './leads.js';

/**
 * Lead source adapters (issue 5): website / mini-program forms, an Autohome-style feed, the Ocean
 * Engine (巨量引擎, Douyin ads) clue poller and the DMS CSV import. docs/lead-sources.md explains them.
 */

const optionalText = (max: number) =>
  z
    .string({ error: 'must be a string' })
    .trim()
    .max(max, `must be at most ${max} characters`)
    .pipe(storableText)
    .transform((s) => (s === '' ? undefined : s))
    .optional();

/** Platform ids arrive as numbers or strings; kept as text. */
const platformId = z
  .union([z.string(), z.number().int().nonnegative()], { error: 'must be an id (digits or text)' })
  .transform((v) => String(v).trim())
  .pipe(z.string().min(1, 'must not be empty').max(100, 'must be at most 100 characters').pipe(storableText));

// --- Ocean Engine ----------------------------------------------------------------------------------

export const oceanEngineRemarkFieldsSchema = z
  .strictObject({
    series: requiredText(100).optional(),
    model: requiredText(100).optional(),
    dealerCode: requiredText(100).optional(),
  })
  .describe('Which remark_dict keys (the form fields the advertiser defined) hold the series, model and dealer code, e.g. {"series":"意向车型"}');

const httpUrl = z
  .url({ protocol: /^https?$/, error: 'baseUrl must be an http(s) URL such as https://ad.oceanengine.com' })
  .max(500)
  .transform((u) => u.replace(/\/+$/, ''));

const advertiserIds = z
  .array(platformId.pipe(z.string().regex(/^\d{1,20}$/, 'advertiser ids are digits')), { error: 'advertiserIds must be an array of advertiser ids' })
  .min(1, 'advertiserIds must name at least one advertiser')
  .max(100, 'advertiserIds may name at most 100 advertisers');

const int = (name: string, min: number, max: number) =>
  z
    .number({ error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .min(min, `${name} must be at least ${min}`)
    .max(max, `${name} must be at most ${max}`);

export const oceanEngineConfigPutSchema = z
  .strictObject({
    baseUrl: httpUrl.describe('The Marketing API host, e.g. https://ad.oceanengine.com (the path /open_api/2/tools/clue/get/ is added)'),
    advertiserIds,
    accessToken: requiredText(1000)
      .optional()
      .describe('The Access-Token; stored encrypted with SIYU_SECRET_KEY, never shown again. Required the first time; leave out to keep the stored one'),
    pollIntervalSeconds: int('pollIntervalSeconds', 30, 86_400).default(300),
    lookBackMinutes: int('lookBackMinutes', 10, 1_440).default(30).describe('Each poll re-reads this far before the cursor: late clues and late fields (about 10 minutes) are picked up'),
    pageSize: int('pageSize', 1, 100).default(100),
    remarkFields: oceanEngineRemarkFieldsSchema.optional(),
  })
  .meta({ id: 'OceanEngineConfigPut' });
export type OceanEngineConfigPut = z.infer<typeof oceanEngineConfigPutSchema>;

/** What is stored in lead_connectors.config (the token is in secret_enc). */
export const oceanEngineStoredConfigSchema = oceanEngineConfigPutSchema.omit({ accessToken: true });
export type OceanEngineConfig = z.infer<typeof oceanEngineStoredConfigSchema>;

export const pollStatsSchema = z.object({
  pages: z.number().int(),
  clues: z.number().int(),
  created: z.number().int(),
  existing: z.number().int(),
  completed: z.number().int().describe('Stored leads whose missing fields (name, city, …) a later read filled in'),
  waitingForPhone: z.number().int().describe('Clues without a telephone yet: read again on later polls'),
  rejected: z.array(z.object({ clueId: z.string(), message: z.string() })).describe('Clues that are not valid leads (kept out)'),
});
export type PollStats = z.infer<typeof pollStatsSchema>;

export const oceanEngineConnectorSchema = z
  .object({
    kind: z.literal('ocean_engine'),
    baseUrl: z.string(),
    advertiserIds: z.array(z.string()),
    pollIntervalSeconds: z.number().int(),
    lookBackMinutes: z.number().int(),
    pageSize: z.number().int(),
    remarkFields: oceanEngineRemarkFieldsSchema.nullable(),
    hasAccessToken: z.boolean(),
    cursor: z.string().nullable().describe('Clues created up to this time are read; the next poll starts lookBackMinutes before it'),
    lastRunAt: z.string().nullable(),
    lastError: z.string().nullable().describe('The last poll failure (cleared by a successful poll); the job retries with back-off'),
    lastRun: pollStatsSchema.nullable(),
    nextRunAt: z.string().nullable(),
    updatedAt: z.string(),
  })
  .meta({ id: 'OceanEngineConnector' });
export type OceanEngineConnector = z.infer<typeof oceanEngineConnectorSchema>;

export const pollRequestedSchema = z.object({ nextRunAt: z.string() }).meta({ id: 'PollRequested' });

// --- Autohome-style feed ---------------------------------------------------------------------------

const idMap = (what: string, valueMax: number) =>
  z
    .record(z.string().trim().min(1).max(100), requiredText(valueMax), { error: `${what} must be an object of id → value` })
    .refine((m) => Object.keys(m).length <= 10_000, `${what} may hold at most 10000 entries`)
    .default({});

export const autohomeConfigPutSchema = z
  .strictObject({
    dealers: idMap('dealers', 64).describe("Autohome dealer_id → our dealer code (org unit code); an unmapped id routes by city"),
    series: idMap('series', 100).describe('Autohome series_id → our series name, e.g. {"4242": "汉"}'),
    models: idMap('models', 200).describe('Autohome spec_id → our model name'),
  })
  .meta({ id: 'AutohomeConfigPut' });
export type AutohomeConfig = z.infer<typeof autohomeConfigPutSchema>;

export const autohomeConnectorSchema = z
  .object({
    kind: z.literal('autohome'),
    dealers: z.record(z.string(), z.string()),
    series: z.record(z.string(), z.string()),
    models: z.record(z.string(), z.string()),
    updatedAt: z.string().nullable(),
  })
  .meta({ id: 'AutohomeConnector' });

export const autohomeClueSchema = z
  .looseObject({
    clue_id: platformId.optional(),
    order_id: platformId.optional().describe('Used as the id when there is no clue_id'),
    mobile_md5: z.string().trim().regex(PHONE_HASH, 'mobile_md5 must be 32 or 64 hex digits').optional(),
    phone_md5: z.string().trim().regex(PHONE_HASH, 'phone_md5 must be 32 or 64 hex digits').optional(),
    mobile: optionalText(64).describe('A masked number (138****1234), when the feed sends one instead of a hash'),
    dealer_id: platformId.optional(),
    series_id: platformId.optional(),
    spec_id: platformId.optional(),
    series_name: optionalText(100),
    spec_name: optionalText(200),
    user_name: optionalText(100),
    province_name: optionalText(100),
    city_name: optionalText(100),
    create_time: requiredText(40).describe('yyyy-MM-dd HH:mm:ss (China time) or ISO-8601 with a zone'),
  })
  .superRefine((c, ctx) => {
    if (c.clue_id === undefined && c.order_id === undefined) ctx.addIssue({ code: 'custom', path: ['clue_id'], message: 'clue_id (or order_id) is required: it makes re-sending safe' });
    if (c.mobile_md5 === undefined && c.phone_md5 === undefined && c.mobile === undefined) {
      ctx.addIssue({ code: 'custom', path: ['mobile_md5'], message: 'mobile_md5 (or phone_md5, or a masked mobile) is required' });
    }
  });
export type AutohomeClue = z.infer<typeof autohomeClueSchema>;

export const autohomeFeedSchema = z
  .strictObject({
    clues: z.array(autohomeClueSchema, { error: 'clues must be an array' }).min(1, 'clues must hold at least one clue').max(500, 'clues may hold at most 500; split the feed'),
  })
  .meta({ id: 'AutohomeFeed' });

const leadOutcome = z.object({ id: z.string(), status: z.enum(LEAD_STATUSES), dedup: z.enum(DEDUP_OUTCOMES), created: z.boolean() });

export const autohomeFeedResultSchema = z
  .object({
    results: z.array(leadOutcome.extend({ externalId: z.string() })),
    unmapped: z.object({ dealerIds: z.array(z.string()), seriesIds: z.array(z.string()), specIds: z.array(z.string()) }).describe('Ids missing from the connector mapping (PUT /api/v1/lead-connectors/autohome)'),
  })
  .meta({ id: 'AutohomeFeedResult' });

// --- Website / mini-program forms ------------------------------------------------------------------

export const leadFormSchema = z
  .strictObject({
    name: optionalText(100),
    phone: requiredText(64),
    city: optionalText(100),
    province: optionalText(100),
    series: optionalText(100),
    model: optionalText(200),
    dealerCode: optionalText(64),
    campaign: optionalText(200),
    utm: z
      .strictObject({ source: optionalText(100), medium: optionalText(100), campaign: optionalText(200), term: optionalText(200), content: optionalText(200) })
      .optional(),
    formId: optionalText(100),
    submissionId: optionalText(150).describe("The form system's id of this submission: sending it again is safe. Without it one is derived from the content"),
    submittedAt: isoDateTime.optional().describe('Defaults to the time Siyu receives it'),
  })
  .meta({ id: 'LeadForm' });
export type LeadForm = z.infer<typeof leadFormSchema>;

/** Only the id: a public form must not tell a visitor whether a phone number is a known customer. */
export const leadFormResultSchema = z.object({ id: z.string() }).meta({ id: 'LeadFormResult' });

// --- DMS CSV import --------------------------------------------------------------------------------

export const IMPORT_FIELDS = ['externalId', 'channel', 'campaign', 'name', 'phone', 'city', 'province', 'series', 'model', 'dealerCode', 'consultant', 'createdAt'] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

export const csvMappingSchema = z
  .strictObject({
    columns: z
      .record(z.string().trim().min(1, 'a column name must not be empty'), z.enum(IMPORT_FIELDS, { error: `a column maps to one of ${IMPORT_FIELDS.join(', ')}` }), {
        error: 'columns must be an object of CSV header → lead field',
      })
      .superRefine((cols, ctx) => {
        const seen = new Map<string, string>();
        for (const [column, field] of Object.entries(cols)) {
          const other = seen.get(field);
          if (other !== undefined) ctx.addIssue({ code: 'custom', path: [column], message: `columns "${other}" and "${column}" both map to ${field}` });
          seen.set(field, column);
        }
        if (!seen.has('phone')) ctx.addIssue({ code: 'custom', message: 'map a column to phone: every lead needs one' });
      }),
    source: leadSourceSchema.default('dms'),
    dealerCode: optionalText(64).describe('For rows without a mapped dealer code'),
    channel: optionalText(100).describe('For rows without a mapped channel'),
    campaign: optionalText(200).describe('For rows without a mapped campaign'),
  })
  .meta({ id: 'CsvMapping' });
export type CsvMapping = z.infer<typeof csvMappingSchema>;

export const MAX_IMPORT_ROWS = 100_000;

export const leadImportJsonSchema = z
  .strictObject({
    mapping: csvMappingSchema,
    csv: z.string({ error: 'csv must be the CSV text' }).min(1, 'csv must not be empty'),
  })
  .meta({ id: 'LeadImport' });

const leadImportCsvText = z
  .string()
  .describe('The CSV file, header row first, UTF-8 or GB18030 (say charset=gb18030 in the Content-Type); the column mapping goes in the mapping query parameter');

export type LeadImportBody = { kind: 'csv'; text: string } | { kind: 'json'; mapping: CsvMapping; csv: string };

/**
 * POST /api/v1/leads/import: the CSV itself (Content-Type text/csv, the mapping in the `mapping` query
 * parameter) or JSON `{ mapping, csv }`. Checked as the one or the other, so that a bad mapping is
 * reported with its path.
 */
export const leadImportBodySchema = documentAs(
  z
    .unknown()
    .transform((body, ctx): LeadImportBody => {
      if (typeof body === 'string') return { kind: 'csv', text: body };
      const parsed = leadImportJsonSchema.safeParse(body);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: [...issue.path] });
        return z.NEVER;
      }
      return { kind: 'json', ...parsed.data };
    })
    .describe('text/csv: the CSV (UTF-8 or GB18030), the mapping in ?mapping=; application/json: { "mapping": CsvMapping, "csv": "<the CSV text>" }'),
  { 'application/json': leadImportJsonSchema, 'text/csv': leadImportCsvText, 'text/plain': leadImportCsvText },
);

export const leadImportQuerySchema = z.strictObject({
  mapping: z.string().optional().describe('With Content-Type text/csv: the mapping as JSON'),
});

export const leadImportResultSchema = z
  .object({
    rows: z.number().int(),
    created: z.number().int().describe('Leads stored by this import (new + merged + duplicates)'),
    new: z.number().int(),
    merged: z.number().int(),
    duplicates: z.number().int(),
    existing: z.number().int().describe('Rows whose (source, externalId) was already stored: nothing changed'),
  })
  .meta({ id: 'LeadImportResult' });
export type LeadImportResult = z.infer<typeof leadImportResultSchema>;
