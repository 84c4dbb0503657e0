import { z } from 'zod';
import { requiredText, uuidString } from './common.js';
import { wecomWelcomeSchema } from './wecom-codes.js';

/**
 * WeCom mass messages (企业群发) to a saved segment or a tag: each person gets the message once,
 * through the consultant of their most recent live friendship, who confirms the send in WeCom.
 */

/** WeCom's limits of 创建企业群发: text length, attachments, customers per call. */
export const WECOM_MASS_TEXT_MAX = 4000;
export const WECOM_MASS_ATTACHMENTS_MAX = 9;

/** Why a person of the audience was not handed to WeCom. */
export const MASS_SKIP_REASONS = ['no_friendship', 'consultant_inactive', 'no_consent', 'cap_reached', 'wecom_refused'] as const;
export type MassSkipReason = (typeof MASS_SKIP_REASONS)[number];

/**
 * A recipient's status: skipped (with a reason); queued (chosen, not yet handed to WeCom); waiting
 * (WeCom has it, the consultant has not sent it yet); sent; not_friend and wecom_cap (WeCom did not
 * deliver: no friendship any more, or WeCom's own cap); unsent (the consultant never sent it while
 * Siyu looked); failed (WeCom refused the consultant's whole share, or its answer was lost).
 */
export const MASS_RECIPIENT_STATUSES = ['skipped', 'queued', 'waiting', 'sent', 'not_friend', 'wecom_cap', 'unsent', 'failed'] as const;
export type MassRecipientStatus = (typeof MASS_RECIPIENT_STATUSES)[number];

export const MASS_STATES = ['queued', 'sending', 'sent', 'completed', 'failed'] as const;
export type MassState = (typeof MASS_STATES)[number];

export const MASS_CAP_PERIODS = ['month', 'week', 'day'] as const;
export type MassCapPeriod = (typeof MASS_CAP_PERIODS)[number];

/** A link card or a mini-program card, as in a channel code's welcome message. */
const attachment = wecomWelcomeSchema.shape.attachment.unwrap();

export const wecomMassContentSchema = z
  .strictObject({
    text: z
      .string()
      .trim()
      .min(1, 'text must not be empty; leave it out to send attachments only')
      .max(WECOM_MASS_TEXT_MAX, `text takes at most ${WECOM_MASS_TEXT_MAX} characters (WeCom's limit)`)
      .optional()
      .describe('The message text, the same for everyone'),
    attachments: z
      .array(attachment)
      .min(1)
      .max(WECOM_MASS_ATTACHMENTS_MAX, `at most ${WECOM_MASS_ATTACHMENTS_MAX} attachments (WeCom's limit)`)
      .optional()
      .describe('Link and mini-program cards, sent after the text'),
  })
  .refine((c) => c.text !== undefined || c.attachments !== undefined, 'a mass message needs a text, attachments or both')
  .meta({ id: 'WecomMassContent' });
export type WecomMassContent = z.infer<typeof wecomMassContentSchema>;

export const wecomMassAudienceSchema = z
  .union([z.strictObject({ segmentId: uuidString }), z.strictObject({ tagId: uuidString })], {
    error: 'audience must be { "segmentId": … } (a saved segment\'s members) or { "tagId": … } (the people holding a tag)',
  })
  .meta({ id: 'WecomMassAudience' });
export type WecomMassAudience = z.infer<typeof wecomMassAudienceSchema>;

export const wecomMassCreateSchema = z
  .strictObject({
    connectorId: uuidString.describe('The WeCom connector (corp) whose consultants send it'),
    name: requiredText(100).describe('What the operators call it, e.g. 五一试驾邀约'),
    audience: wecomMassAudienceSchema,
    content: wecomMassContentSchema,
    idempotencyKey: z
      .string()
      .regex(/^[\w.:-]{1,100}$/, 'idempotencyKey must be 1 to 100 letters, digits or _ . : -')
      .optional()
      .describe('The same key again answers the task made with it (200); with another request, 409. Without one, the same request on the same day (tenant time zone) is the same task'),
  })
  .meta({ id: 'WecomMassCreate' });
export type WecomMassCreate = z.infer<typeof wecomMassCreateSchema>;

const count = z.number().int();

export const wecomMassCountsSchema = z
  .object({
    audience: count.describe('People of the audience in the creator\'s scope when the recipients were chosen'),
    queued: count,
    waiting: count.describe('Handed to WeCom; the consultant has not sent it yet'),
    sent: count,
    notFriend: count.describe('WeCom: the customer is not the consultant\'s friend any more (status 2)'),
    wecomCap: count.describe('WeCom: the customer had already received the most mass messages WeCom allows (status 3)'),
    unsent: count.describe('The consultant had not sent it when Siyu stopped looking'),
    failed: count,
    skipped: z.object({
      no_friendship: count,
      consultant_inactive: count,
      no_consent: count,
      cap_reached: count,
      wecom_refused: count,
    }),
  })
  .meta({ id: 'WecomMassCounts' });
export type WecomMassCounts = z.infer<typeof wecomMassCountsSchema>;

export const wecomMassConsultantSchema = z.object({
  wecomUserId: z.string(),
  staffId: z.string().nullable(),
  msgids: z.array(z.string()).describe('WeCom\'s msgid of each add_msg_template call (a call takes at most 10,000 customers)'),
  recipients: count,
  waiting: count,
  sent: count,
  notFriend: count,
  wecomCap: count,
  unsent: count,
  failed: count,
  refused: count.describe('In WeCom\'s fail_list'),
  errors: z.array(z.string()).describe('Why WeCom refused a call, in words'),
});

export const wecomMassCapSchema = z
  .object({
    period: z.enum(MASS_CAP_PERIODS),
    limit: count.describe('Mass messages a customer may receive from the corp in the period'),
    from: z.string(),
    until: z.string(),
  })
  .meta({ id: 'WecomMassCapApplied' });

export const wecomMassMessageSchema = z
  .object({
    id: z.string(),
    connectorId: z.string(),
    name: z.string(),
    audience: z.object({ segmentId: z.string().nullable(), tagId: z.string().nullable() }),
    content: wecomMassContentSchema,
    state: z.enum(MASS_STATES),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    createdBy: z.string(),
    cap: wecomMassCapSchema.nullable().describe('The cap that applied when the recipients were chosen'),
    counts: wecomMassCountsSchema,
    createdAt: z.string(),
    preparedAt: z.string().nullable(),
    sentAt: z.string().nullable().describe('When every consultant\'s share had been handed to WeCom'),
    resultsUntil: z.string().nullable().describe('Results are read from WeCom until they are final, or until this time'),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'WecomMassMessage' });
export type WecomMassMessage = z.infer<typeof wecomMassMessageSchema>;

export const wecomMassDetailSchema = wecomMassMessageSchema
  .extend({ byConsultant: z.array(wecomMassConsultantSchema) })
  .meta({ id: 'WecomMassMessageDetail' });
export type WecomMassDetail = z.infer<typeof wecomMassDetailSchema>;

export const wecomMassListQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: uuidString.optional().describe('nextCursor of the previous page'),
});

export const wecomMassListSchema = z
  .object({ data: z.array(wecomMassMessageSchema), nextCursor: z.string().nullable() })
  .meta({ id: 'WecomMassMessageList' });
export type WecomMassList = z.infer<typeof wecomMassListSchema>;

export const wecomMassParams = z.object({ id: uuidString });

export const wecomMassRecipientsQuerySchema = z.strictObject({
  status: z.enum(MASS_RECIPIENT_STATUSES).optional(),
  reason: z.enum(MASS_SKIP_REASONS).optional(),
  wecomUserId: z.string().trim().min(1).max(64).optional().describe('Only the recipients of this consultant'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: uuidString.optional().describe('nextCursor of the previous page'),
});
export type WecomMassRecipientsQuery = z.infer<typeof wecomMassRecipientsQuerySchema>;

export const wecomMassRecipientSchema = z.object({
  profileId: z.string(),
  externalUserid: z.string().nullable().describe('Masked for roles that see personal data masked'),
  wecomUserId: z.string().nullable().describe('The consultant it goes through'),
  staffId: z.string().nullable(),
  status: z.enum(MASS_RECIPIENT_STATUSES),
  reason: z.enum(MASS_SKIP_REASONS).nullable(),
  wecomStatus: z.number().int().nullable().describe('WeCom\'s send status as last read: 0 not sent, 1 sent, 2 not a friend, 3 WeCom\'s cap'),
  sentAt: z.string().nullable(),
});

export const wecomMassRecipientsSchema = z
  .object({ data: z.array(wecomMassRecipientSchema), nextCursor: z.string().nullable() })
  .meta({ id: 'WecomMassRecipients' });
export type WecomMassRecipients = z.infer<typeof wecomMassRecipientsSchema>;

export const wecomMassCapUpdateSchema = z
  .strictObject({
    connectorId: uuidString.nullish().describe('The connector this applies to; left out or null: the tenant\'s default'),
    period: z.enum(MASS_CAP_PERIODS).describe('The calendar period in the tenant\'s time zone (a week starts on Monday)'),
    limit: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .nullish()
      .describe('Mass messages per customer and period; left out or null: WeCom\'s figure (the days of the month, 7 a week, 1 a day)'),
  })
  .meta({ id: 'WecomMassCapUpdate' });
export type WecomMassCapUpdate = z.infer<typeof wecomMassCapUpdateSchema>;

export const wecomMassCapSettingSchema = z
  .object({
    connectorId: z.string().nullable().describe('null: the tenant\'s default'),
    period: z.enum(MASS_CAP_PERIODS),
    limit: z.number().int().nullable().describe('null: WeCom\'s figure for the period'),
    updatedAt: z.string().nullable().describe('null: never set, WeCom\'s default applies'),
  })
  .meta({ id: 'WecomMassCapSetting' });
export type WecomMassCapSetting = z.infer<typeof wecomMassCapSettingSchema>;

export const wecomMassCapListSchema = z.object({ data: z.array(wecomMassCapSettingSchema) }).meta({ id: 'WecomMassCapList' });
