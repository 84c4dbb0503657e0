import { z } from 'zod';
import { documentAs, isoDateTime, requiredText, uuidString } from './common.js';

/**
 * Orders and deliveries, after-sales records, lifetime value and origin credit (issue 5, items 7
 * and 8). Money is integer fen. See docs/funnel.md.
 */

const fen = z
  .number({ error: 'must be a number of fen (1 yuan = 100 fen)' })
  .int('must be a whole number of fen (1 yuan = 100 fen)')
  .min(0, 'must not be negative')
  .max(Number.MAX_SAFE_INTEGER, 'is too large');

/** The VIN is checked (length, alphabet, check digit) by the module, which names the problem. */
const vin = z.string().max(64, 'a VIN has 17 characters').describe('17-character VIN (ISO 3779 / GB 16735), any case');
const code = requiredText(64);

export const ORDER_STATUSES = ['ordered', 'invoiced', 'delivered', 'cancelled'] as const;
export const orderStatusSchema = z.enum(ORDER_STATUSES, { error: `status must be one of ${ORDER_STATUSES.join(', ')}` });

export const orderNoParams = z.object({ orderNo: code });

export const orderCreateSchema = z
  .strictObject({
    orderNo: code.describe('The DMS order number: the idempotency key (same body → the same order, 200)'),
    leadId: uuidString.optional().describe('The lead the order comes from: it moves to ordered'),
    profileId: uuidString.optional().describe("The buyer; defaults to the lead's person"),
    dealerCode: code.optional().describe("The selling dealer; defaults to the lead's dealer; absent without a lead: an online order"),
    series: requiredText(200),
    model: requiredText(200).optional(),
    vin: vin.optional().describe('Known at order time (otherwise given at delivery)'),
    amountFen: fen,
    orderedAt: isoDateTime,
    referredByProfileId: uuidString.optional().describe('The owner who referred the buyer (转介绍)'),
  })
  .superRefine((b, ctx) => {
    if (b.leadId === undefined && b.profileId === undefined) ctx.addIssue({ code: 'custom', path: ['profileId'], message: 'give the leadId or the profileId of the buyer' });
  })
  .meta({ id: 'OrderCreate' });
export type OrderCreate = z.infer<typeof orderCreateSchema>;

export const orderInvoiceSchema = z.strictObject({ at: isoDateTime }).meta({ id: 'OrderInvoice' });
export const orderDeliverSchema = z.strictObject({ at: isoDateTime, vin }).meta({ id: 'OrderDeliver' });
export const orderCancelSchema = z.strictObject({ at: isoDateTime.optional().describe('Default now'), remark: requiredText(2000).optional() }).meta({ id: 'OrderCancel' });
export type OrderInvoice = z.infer<typeof orderInvoiceSchema>;
export type OrderDeliver = z.infer<typeof orderDeliverSchema>;
export type OrderCancel = z.infer<typeof orderCancelSchema>;

export const unitRefSchema = z.object({ id: z.string(), code: z.string(), name: z.string() }).meta({ id: 'OrgUnitRef' });
export type UnitRef = z.infer<typeof unitRefSchema>;

export const orderSchema = z
  .object({
    id: z.string(),
    orderNo: z.string(),
    leadId: z.string().nullable(),
    profileId: z.string(),
    dealer: unitRefSchema.nullable().describe('null: an online order'),
    consultantId: z.string().nullable(),
    series: z.string().nullable(),
    model: z.string().nullable(),
    vin: z.string().nullable(),
    amountFen: z.number().int(),
    status: orderStatusSchema,
    orderedAt: z.string(),
    invoicedAt: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    cancelledAt: z.string().nullable(),
    referredByProfileId: z.string().nullable(),
    originUnitId: z.string().nullable().describe('The unit that first brought the buyer in (credited with this order), as it was when the order was made'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Order' });
export type Order = z.infer<typeof orderSchema>;

export const orderListQuery = z.strictObject({
  profileId: uuidString.optional(),
  dealerCode: code.optional(),
  status: orderStatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type OrderListQuery = z.infer<typeof orderListQuery>;
export const orderPageSchema = z.object({ data: z.array(orderSchema) }).meta({ id: 'OrderList' });

export const AFTER_SALES_KINDS = ['first_maintenance', 'maintenance', 'repair', 'insurance_renewal', 'accessories', 'trade_in_appraisal'] as const;
export const afterSalesKindSchema = z.enum(AFTER_SALES_KINDS, { error: `kind must be one of ${AFTER_SALES_KINDS.join(', ')}` });
export type AfterSalesKind = z.infer<typeof afterSalesKindSchema>;

export const afterSalesCreateSchema = z
  .strictObject({
    externalId: code.optional().describe('The DMS record id: the idempotency key. Without it, an identical record (person, VIN, dealer, kind, amount, time) is the same one'),
    profileId: uuidString.optional(),
    vin: vin.optional().describe("Without profileId: the vehicle's current owner"),
    dealerCode: code.optional().describe("The servicing dealer; defaults to the caller's dealer"),
    kind: afterSalesKindSchema,
    amountFen: fen,
    at: isoDateTime,
    note: requiredText(2000).optional(),
  })
  .superRefine((b, ctx) => {
    if (b.profileId === undefined && b.vin === undefined) ctx.addIssue({ code: 'custom', path: ['vin'], message: 'give the vin (its current owner is the customer) or the profileId' });
  })
  .meta({ id: 'AfterSalesCreate' });
export type AfterSalesCreate = z.infer<typeof afterSalesCreateSchema>;

export const afterSalesSchema = z
  .object({
    id: z.string(),
    externalId: z.string().nullable(),
    profileId: z.string(),
    vin: z.string().nullable(),
    dealer: unitRefSchema.nullable(),
    kind: afterSalesKindSchema,
    amountFen: z.number().int(),
    at: z.string(),
    note: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'AfterSales' });
export type AfterSales = z.infer<typeof afterSalesSchema>;

/** CSV import: which column holds each field (query `map.<field>=<column header>`); unmapped fields are read from a column of their own name. */
export const AFTER_SALES_CSV_FIELDS = ['externalId', 'profileId', 'vin', 'dealerCode', 'kind', 'amountFen', 'amountYuan', 'at', 'note'] as const;
export type AfterSalesCsvField = (typeof AFTER_SALES_CSV_FIELDS)[number];

const column = requiredText(200).optional();
const afterSalesCsvText = z.string().describe('The CSV file (UTF-8), header row first');
/** POST /api/v1/after-sales/import: the CSV text itself (Content-Type text/csv or text/plain). */
export const afterSalesImportBodySchema = documentAs(z.string().describe('The CSV text'), { 'text/csv': afterSalesCsvText, 'text/plain': afterSalesCsvText });

export const afterSalesImportQuery = z
  .strictObject({
    'map.externalId': column,
    'map.profileId': column,
    'map.vin': column,
    'map.dealerCode': column,
    'map.kind': column,
    'map.amountFen': column,
    'map.amountYuan': column,
    'map.at': column,
    'map.note': column,
    delimiter: z.enum([',', ';', '\t', '|'], { error: 'delimiter must be one of , ; | or a tab' }).default(','),
  });
export type AfterSalesImportQuery = z.infer<typeof afterSalesImportQuery>;

export const afterSalesImportResultSchema = z
  .object({
    rows: z.number().int().describe('Data rows read'),
    created: z.number().int(),
    unchanged: z.number().int().describe('Rows already stored (same externalId and content)'),
    records: z.array(z.object({ row: z.number().int(), id: z.string(), created: z.boolean() })),
  })
  .meta({ id: 'AfterSalesImportResult' });
export type AfterSalesImportResult = z.infer<typeof afterSalesImportResultSchema>;

export const LTV_KINDS = ['new_car', ...AFTER_SALES_KINDS] as const;
export type LtvKind = (typeof LTV_KINDS)[number];

export const ltvSchema = z
  .object({
    profileId: z.string(),
    totalFen: z.number().int(),
    byKind: z.object({
      new_car: z.number().int().describe('Delivered orders'),
      first_maintenance: z.number().int(),
      maintenance: z.number().int(),
      repair: z.number().int(),
      insurance_renewal: z.number().int(),
      accessories: z.number().int(),
      trade_in_appraisal: z.number().int(),
    }),
    orders: z.number().int().describe('Delivered orders (new_car)'),
    afterSales: z.number().int().describe('After-sales records'),
  })
  .meta({ id: 'ProfileLtv' });
export type Ltv = z.infer<typeof ltvSchema>;

export const conversionSchema = z
  .object({
    kind: z.enum(['order', 'online']).describe('online: an order without a dealer'),
    orderNo: z.string(),
    status: orderStatusSchema,
    dealerCode: z.string().nullable(),
    at: z.string(),
    elsewhere: z.boolean().describe('Converted online or at another unit than the origin: the credit goes to the origin'),
    creditedTo: unitRefSchema.nullable(),
  })
  .meta({ id: 'OriginConversion' });

export const originSchema = z
  .object({
    profileId: z.string(),
    orgUnit: unitRefSchema.nullable().describe('The unit that first brought the person in; null when unknown or HQ-wide'),
    source: z.string().nullable(),
    leadId: z.string().nullable(),
    at: z.string().nullable(),
    conversions: z.array(conversionSchema).describe('Orders not cancelled, oldest first'),
  })
  .meta({ id: 'ProfileOrigin' });
export type Origin = z.infer<typeof originSchema>;
