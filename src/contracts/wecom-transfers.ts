import { z } from 'zod';
import { storableText, uuidString } from './common.js';

/**
 * Customer transfers between consultants through WeCom: on-the-job (在职继承, the customer has 24
 * hours to refuse, at most twice per customer in 90 days) and resigned (离职继承, a departed member's
 * customers). A transfer is one request: its customers go to WeCom in batches of 100, and each
 * customer's outcome is followed until WeCom has settled it.
 */

/** The most customers one on-the-job request names. */
export const TRANSFER_REQUEST_MAX = 1000;
/** WeCom's cap on the message the customer receives after a successful transfer (transfer_success_msg). */
export const TRANSFER_MESSAGE_MAX = 200;

export const TRANSFER_KINDS = ['on_job', 'resigned'] as const;
export type TransferKind = (typeof TRANSFER_KINDS)[number];

/**
 * What became of one customer of a transfer.
 * - pending: not sent to WeCom yet (or WeCom did not answer; Siyu sends it again);
 * - waiting: WeCom accepted it, the customer is still with the old consultant (status 2);
 * - taken_over: the new consultant has the customer (status 1);
 * - refused: the customer refused (status 3, or a transfer_fail callback customer_refused);
 * - limit_exceeded: the new consultant has reached WeCom's customer limit (status 4, customer_limit_exceed);
 * - not_found: WeCom knows no such transfer (status 5);
 * - failed: WeCom refused to start it (its errcode: not a friend, already transferring, …);
 * - over_quota: refused by Siyu before calling: WeCom allows two on-the-job transfers per customer in 90 days;
 * - in_transfer: refused by Siyu before calling: the customer is already waiting in another transfer.
 */
export const TRANSFER_OUTCOMES = ['pending', 'waiting', 'taken_over', 'refused', 'limit_exceeded', 'not_found', 'failed', 'over_quota', 'in_transfer'] as const;
export type TransferOutcome = (typeof TRANSFER_OUTCOMES)[number];
/** Outcomes that may still change. */
export const OPEN_TRANSFER_OUTCOMES: readonly TransferOutcome[] = ['pending', 'waiting'];

const externalUserId = storableText
  .pipe(z.string().trim().min(1, 'an external_userid must not be empty').max(255, 'an external_userid is at most 255 characters'))
  .describe("A customer's external_userid in the connector's corp");

const idempotencyKey = storableText
  .pipe(z.string().trim().min(1, 'idempotencyKey must not be empty').max(100, 'idempotencyKey must be at most 100 characters'))
  .describe('Makes the request safe to repeat: the same key with the same request answers the stored transfer (200); with another request, 409');

const connectorId = uuidString.describe('The WeCom connector (corp) whose members and customers these are');

export const wecomTransferCreateSchema = z
  .strictObject({
    connectorId,
    fromStaffId: uuidString.describe('The consultant handing the customers over (handover_userid: their WeCom user id)'),
    toStaffId: uuidString.describe('The consultant taking them over (takeover_userid: their WeCom user id)'),
    externalUserIds: z
      .array(externalUserId)
      .max(TRANSFER_REQUEST_MAX, `externalUserIds takes at most ${TRANSFER_REQUEST_MAX} customers per request`)
      .optional()
      .describe('The customers by external_userid'),
    profileIds: z
      .array(uuidString)
      .max(TRANSFER_REQUEST_MAX, `profileIds takes at most ${TRANSFER_REQUEST_MAX} customers per request`)
      .optional()
      .describe("The customers by profile: each profile's external_userid in the connector's corp"),
    message: storableText
      .pipe(z.string().trim().min(1, 'message must not be empty').max(TRANSFER_MESSAGE_MAX, `message must be at most ${TRANSFER_MESSAGE_MAX} characters`))
      .optional()
      .describe("What the customer receives once taken over (transfer_success_msg); WeCom's default text otherwise"),
    idempotencyKey: idempotencyKey.optional(),
  })
  .superRefine((b, ctx) => {
    const count = (b.externalUserIds?.length ?? 0) + (b.profileIds?.length ?? 0);
    if (count === 0) ctx.addIssue({ code: 'custom', path: ['externalUserIds'], message: 'name the customers to transfer: externalUserIds or profileIds' });
    if (count > TRANSFER_REQUEST_MAX) ctx.addIssue({ code: 'custom', path: ['profileIds'], message: `a request takes at most ${TRANSFER_REQUEST_MAX} customers in all` });
    if (b.fromStaffId === b.toStaffId) ctx.addIssue({ code: 'custom', path: ['toStaffId'], message: 'toStaffId must be another consultant than fromStaffId' });
  })
  .meta({ id: 'WecomTransferCreate' });
export type WecomTransferCreate = z.infer<typeof wecomTransferCreateSchema>;

export const wecomResignedTransferCreateSchema = z
  .strictObject({
    connectorId,
    fromWecomUserId: storableText
      .pipe(z.string().trim().min(1, 'fromWecomUserId must not be empty').max(64, 'fromWecomUserId must be at most 64 characters'))
      .optional()
      .describe("The departed member's WeCom user id (handover_userid)"),
    fromStaffId: uuidString.optional().describe('Or the departed member as staff (their WeCom user id is used)'),
    toStaffId: uuidString.describe('The consultant taking the customers over'),
    idempotencyKey: idempotencyKey.optional(),
  })
  .superRefine((b, ctx) => {
    if ((b.fromWecomUserId === undefined) === (b.fromStaffId === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['fromWecomUserId'], message: 'give exactly one of fromWecomUserId and fromStaffId' });
    }
    if (b.fromStaffId !== undefined && b.fromStaffId === b.toStaffId) ctx.addIssue({ code: 'custom', path: ['toStaffId'], message: 'toStaffId must be another member than fromStaffId' });
  })
  .meta({ id: 'WecomResignedTransferCreate' });
export type WecomResignedTransferCreate = z.infer<typeof wecomResignedTransferCreateSchema>;

export const transferOutcomeSchema = z.enum(TRANSFER_OUTCOMES);

export const wecomTransferCustomerSchema = z
  .object({
    externalUserId: z.string(),
    profileId: z.string().nullable().describe('The person behind the external_userid, when Siyu knows them'),
    outcome: transferOutcomeSchema,
    reason: z.string().nullable().describe('Why it was refused or failed, in words'),
    errcode: z.number().int().nullable().describe("WeCom's errcode for this customer when it refused to start the transfer"),
    batch: z.number().int().nullable().describe('The WeCom call (1, 2, …) that carried the customer; null when never sent'),
    takenOverAt: z.string().nullable(),
    settledAt: z.string().nullable().describe('When the outcome became final'),
  })
  .meta({ id: 'WecomTransferCustomer' });
export type WecomTransferCustomer = z.infer<typeof wecomTransferCustomerSchema>;

const count = z.number().int();
/** Customers per outcome, every outcome (0 included). */
const transferCountsSchema = z
  .object({
    pending: count,
    waiting: count,
    taken_over: count,
    refused: count,
    limit_exceeded: count,
    not_found: count,
    failed: count,
    over_quota: count,
    in_transfer: count,
  } satisfies Record<TransferOutcome, z.ZodNumber>)
  .describe('Customers per outcome (every outcome, 0 included)');

const memberSchema = z.object({
  wecomUserId: z.string(),
  staffId: z.string().nullable().describe('null: a WeCom member without a staff account in Siyu'),
});

export const wecomTransferSummarySchema = z
  .object({
    id: z.string(),
    connectorId: z.string(),
    kind: z.enum(TRANSFER_KINDS),
    from: memberSchema,
    to: memberSchema,
    message: z.string().nullable(),
    status: z.enum(['open', 'settled']).describe('settled: every customer has a final outcome'),
    counts: transferCountsSchema,
    batches: z
      .array(z.object({ batch: z.number().int(), customers: z.number().int() }))
      .describe('The WeCom calls made (at most 100 customers each) and how many customers each carried'),
    requestedBy: z.string().describe('Who asked: staff:<id>, admin_token:<id>'),
    createdAt: z.string(),
    settledAt: z.string().nullable(),
  })
  .meta({ id: 'WecomTransferSummary' });
export type WecomTransferSummary = z.infer<typeof wecomTransferSummarySchema>;

export const wecomTransferSchema = wecomTransferSummarySchema
  .extend({ customers: z.array(wecomTransferCustomerSchema).describe('Every customer of the transfer, in the order asked') })
  .meta({ id: 'WecomTransfer' });
export type WecomTransfer = z.infer<typeof wecomTransferSchema>;

export const wecomTransferParams = z.object({ id: uuidString });

export const wecomTransferListQuerySchema = z.strictObject({
  connectorId: uuidString.optional(),
  status: z.enum(['open', 'settled'], { error: 'status must be open or settled' }).optional(),
  cursor: z.string().max(300).optional().describe('nextCursor of the previous page'),
  limit: z.coerce.number({ error: 'limit must be a number' }).int('limit must be a whole number').min(1, 'limit must be at least 1').max(200, 'limit must be at most 200').default(50),
});
export type WecomTransferListQuery = z.infer<typeof wecomTransferListQuerySchema>;

export const wecomTransferPageSchema = z
  .object({ data: z.array(wecomTransferSummarySchema), nextCursor: z.string().nullable().describe('Pass as cursor for the next (older) page; null at the end') })
  .meta({ id: 'WecomTransferPage' });
