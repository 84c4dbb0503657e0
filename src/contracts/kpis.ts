import { z } from 'zod';
import { uuidString } from './common.js';
import { orgUnitCode } from './org.js';
import { dateOrDateTime } from './segments.js';

/**
 * The leads KPIs API (issue 5, item 9): DOMAIN.md's 4S funnel KPIs over the leads created in a period,
 * per org unit, consultant, source or calendar bucket. Every rate comes with its numerator and
 * denominator; docs/kpis.md defines each figure.
 */

export const KPI_GROUP_BY = ['none', 'org_unit', 'consultant', 'source', 'day', 'week', 'month'] as const;
export const kpiGroupBySchema = z.enum(KPI_GROUP_BY, { error: `groupBy must be one of ${KPI_GROUP_BY.join(', ')}` });
export type KpiGroupBy = z.infer<typeof kpiGroupBySchema>;

const instant = dateOrDateTime.describe("A date (2026-11-22: the start of that day in the tenant's time zone) or an ISO-8601 date-time with a zone");

export const kpiQuerySchema = z.strictObject({
  from: instant.describe('Leads created at or after this time …'),
  to: instant.optional().describe('… and before this time (default: now). to=2026-12-01 ends with the last day of November'),
  orgUnitCode: orgUnitCode.optional().describe("An org unit and everything under it (default: HQ roles the whole tenant, dealer staff their dealer)"),
  consultantId: uuidString.optional().describe("One consultant's leads (a consultant sees only their own)"),
  groupBy: kpiGroupBySchema.optional().describe('Rows per dealer (org_unit), consultant, source or calendar bucket of the lead time; default none'),
});
export type KpiQuery = z.infer<typeof kpiQuerySchema>;

export const kpiRateSchema = z
  .object({
    numerator: z.int(),
    denominator: z.int(),
    rate: z.number().nullable().describe('numerator / denominator to 4 decimals; null when the denominator is 0'),
  })
  .meta({ id: 'KpiRate' });
export type KpiRate = z.infer<typeof kpiRateSchema>;

export const kpiCountsSchema = z
  .object({
    received: z.int().describe('Leads created in the period, duplicates included'),
    duplicates: z.int().describe('dedup = duplicate'),
    leads: z.int().describe('Leads that are not duplicates: the base of every other figure'),
    invalid: z.int().describe('Leads closed as invalid'),
    valid: z.int().describe('Leads neither invalid nor duplicate'),
    assigned: z.int().describe('Leads assigned to a dealer or consultant'),
    followedUpWithinSla: z.int().describe('Assigned leads first followed up within slaHours of the (first) assignment'),
    followUpPending: z.int().describe('Assigned leads not followed up yet whose window is still open'),
    prospects: z.int().describe('Valid leads that reached contacted (profiled 建档) or a later stage'),
    visits: z.int().describe('Valid leads that reached visited (or test drive, order, invoice, delivery)'),
    testDrives: z.int().describe('Valid leads with a test drive'),
    orders: z.int().describe('Valid leads that reached ordered (or invoiced, delivered)'),
    deliveries: z.int().describe('Valid leads delivered'),
    defeatRequests: z.int().describe('Defeat requests on the leads'),
    defeatsApproved: z.int(),
    defeatsPending: z.int(),
    referredDeliveries: z.int().describe('Deliveries whose delivered order names a referrer (referred_by)'),
    reachableWithin7d: z.int().describe('Leads whose person became reachable (WeCom friend or marketing consent) within 7 days'),
  })
  .meta({ id: 'KpiCounts' });
export type KpiCounts = z.infer<typeof kpiCountsSchema>;

export const kpiFiguresSchema = z
  .object({
    counts: kpiCountsSchema,
    followUpRate: kpiRateSchema.describe('48 h follow-up rate: followedUpWithinSla / assigned'),
    visitRate: kpiRateSchema.describe('邀约到店率: visits / valid'),
    testDriveRate: kpiRateSchema.describe('试乘试驾率: testDrives / prospects'),
    orderConversion: kpiRateSchema.describe('订单转化率: orders / prospects'),
    deliveryRate: kpiRateSchema.describe('订单交车率: deliveries / orders'),
    defeatClarity: kpiRateSchema.describe('战败明确率: defeatsApproved / defeatRequests'),
    referralRate: kpiRateSchema.describe('转介绍率: referredDeliveries / deliveries'),
    precipitation: kpiRateSchema.describe('Precipitation efficiency: reachableWithin7d / leads'),
    avgDaysToOrder: z
      .object({
        totalDays: z.number().describe('Sum over the orders of (order time − lead time) in days'),
        orders: z.int(),
        average: z.number().nullable().describe('totalDays / orders to 2 decimals; null without orders'),
      })
      .describe('Average days lead → order'),
  })
  .meta({ id: 'KpiFigures' });
export type KpiFigures = z.infer<typeof kpiFiguresSchema>;

export const kpiGroupSchema = kpiFiguresSchema
  .extend({
    key: z
      .string()
      .nullable()
      .describe('org_unit: the dealer id; consultant: the staff id; source: the source; day/week/month: the first day (YYYY-MM-DD). null: leads without a dealer / consultant'),
    code: z.string().nullable().describe('org_unit: the dealer code'),
    name: z.string().nullable().describe('org_unit: the dealer name; consultant: the staff name (masked for analysts)'),
  })
  .meta({ id: 'KpiGroup' });
export type KpiGroup = z.infer<typeof kpiGroupSchema>;

export const kpiSourcePrecipitationSchema = z.object({ source: z.string(), precipitation: kpiRateSchema }).meta({ id: 'KpiSourcePrecipitation' });

export const leadKpisSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    timeZone: z.string().describe('The tenant time zone that dates and day/week/month buckets are read in'),
    slaHours: z.int().describe('The first follow-up window (lead settings; default 48)'),
    orgUnit: z.object({ id: z.string(), code: z.string(), name: z.string(), type: z.string() }).nullable().describe('The unit the figures cover (with its subtree); null: the whole tenant'),
    consultantId: z.string().nullable(),
    groupBy: kpiGroupBySchema,
    total: kpiFiguresSchema,
    groups: z.array(kpiGroupSchema).describe('groupBy none: empty. Largest first for org_unit/consultant/source; in time order for buckets (empty buckets included)'),
    precipitationBySource: z.array(kpiSourcePrecipitationSchema).describe('Precipitation efficiency per lead source, largest source first'),
  })
  .meta({ id: 'LeadKpis' });
export type LeadKpis = z.infer<typeof leadKpisSchema>;
