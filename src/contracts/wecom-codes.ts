import { z } from 'zod';
import { documentAs, uuidString } from './common.js';

/**
 * WeCom channel codes (渠道活码) with their welcome messages, their daily precipitation figures, and
 * the churn list (customers who deleted their consultant).
 */

/** WeCom returns a contact way's state in the add event; it takes at most 30 characters. */
export const WECOM_STATE_MAX_LENGTH = 30;

const state = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.:-]{1,30}$/, `state must be 1 to ${WECOM_STATE_MAX_LENGTH} letters, digits or _ . : - (WeCom returns it in the add event)`)
  .describe('Comes back in the add event and attributes the new friend to this code; generated when left out');

const linkAttachment = z.strictObject({
  type: z.literal('link'),
  title: z.string().trim().min(1).max(128),
  url: z.url({ protocol: /^https?$/ }).max(2048),
  desc: z.string().max(512).optional(),
  picUrl: z.url({ protocol: /^https?$/ }).max(2048).optional(),
});

const miniprogramAttachment = z.strictObject({
  type: z.literal('miniprogram'),
  title: z.string().trim().min(1).max(64),
  appId: z.string().trim().min(1).max(64).describe('The mini-program\'s AppID; it must be linked to the corp'),
  page: z.string().trim().min(1).max(512).describe('The page path, ending in .html as WeCom requires'),
  picMediaId: z.string().trim().min(1).max(256).describe('The cover\'s media_id (uploaded to WeCom as temporary material)'),
});

export const wecomWelcomeSchema = z
  .strictObject({
    text: z
      .string()
      .max(4000, 'text takes at most 4,000 characters (WeCom\'s limit)')
      .optional()
      .describe('The greeting; {name} (the customer\'s WeChat name), {consultant} and {series} are filled in'),
    attachment: z.discriminatedUnion('type', [linkAttachment, miniprogramAttachment]).optional().describe('One material: a link card or a mini-program card'),
  })
  .refine((w) => w.text !== undefined || w.attachment !== undefined, 'a welcome message needs a text, an attachment or both')
  .meta({ id: 'WecomWelcome' });
export type WecomWelcome = z.infer<typeof wecomWelcomeSchema>;

const codeFields = {
  name: z.string().trim().min(1).max(100).describe('What the operators call it, e.g. 成都车展 A 馆'),
  source: z.string().trim().min(1).max(64).describe('The source the friends it brings are credited to, e.g. autohome, exhibition, showroom'),
  campaign: z.string().trim().min(1).max(100).optional(),
  series: z.string().trim().min(1).max(64).optional().describe('The series it promotes; {series} in the welcome text'),
  dealerCode: z.string().trim().min(1).max(64).optional().describe('The dealer credited with the friends (org unit code)'),
  consultantIds: z.array(uuidString).min(1).max(100).describe('The consultants (staff with a WeCom user id) WeCom shares the adds among'),
  backupIds: z.array(uuidString).max(100).default([]).describe('Taken instead when none of the consultants is active'),
  skipVerify: z.boolean().default(true).describe('Add without the consultant confirming'),
  welcome: wecomWelcomeSchema.optional(),
};

export const wecomChannelCodeCreateSchema = z
  .strictObject({
    connectorId: uuidString,
    kind: z.enum(['contact_way', 'link']).default('contact_way').describe('contact_way: Siyu makes a 「联系我」 QR code; link: a 获客链接 made in WeCom, its customer_channel carrying the state'),
    state: state.optional(),
    linkUrl: z.url({ protocol: /^https$/ }).max(1000).optional().describe('For kind link: the 获客链接 URL WeCom gave'),
    ...codeFields,
  })
  .refine((c) => c.kind !== 'link' || c.linkUrl !== undefined, { message: 'a link code needs linkUrl: the 获客链接 made in WeCom\'s admin console', path: ['linkUrl'] })
  .meta({ id: 'WecomChannelCodeCreate' });
export type WecomChannelCodeCreate = z.infer<typeof wecomChannelCodeCreateSchema>;

export const wecomChannelCodeUpdateSchema = z.strictObject(codeFields).meta({ id: 'WecomChannelCodeUpdate' });
export type WecomChannelCodeUpdate = z.infer<typeof wecomChannelCodeUpdateSchema>;

export const wecomChannelCodeSchema = z
  .object({
    id: z.string(),
    connectorId: z.string(),
    kind: z.enum(['contact_way', 'link']),
    name: z.string(),
    state: z.string(),
    configId: z.string().nullable().describe('WeCom\'s config_id of the contact way'),
    qrCode: z.string().nullable().describe('The QR code image URL (contact_way)'),
    url: z.string().nullable().describe('The acquisition link with its customer_channel (link)'),
    source: z.string(),
    campaign: z.string().nullable(),
    series: z.string().nullable(),
    dealerCode: z.string().nullable(),
    consultantIds: z.array(z.string()),
    backupIds: z.array(z.string()),
    activeUserIds: z.array(z.string()).describe('The WeCom user ids the code hands adds to now'),
    skipVerify: z.boolean(),
    welcome: wecomWelcomeSchema.nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'WecomChannelCode' });
export type WecomChannelCode = z.infer<typeof wecomChannelCodeSchema>;

export const wecomChannelCodeListSchema = z.object({ data: z.array(wecomChannelCodeSchema) }).meta({ id: 'WecomChannelCodeList' });
export const wecomChannelCodeParams = z.object({ id: uuidString });

/** GET /api/v1/wecom/channel-codes/{id}/qr answers the image bytes WeCom serves (PNG or JPEG). */
const qrImageBytes = z.string().describe("The QR image as WeCom serves it").meta({ format: 'binary' });
export const wecomChannelCodeQrSchema = documentAs(z.unknown(), { 'image/png': qrImageBytes, 'image/jpeg': qrImageBytes });

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day as YYYY-MM-DD');
export const wecomCodeStatsQuerySchema = z.object({
  from: day.optional().describe('First day (tenant time zone); default 30 days ago'),
  to: day.optional().describe('Last day; default today'),
});

const retention = {
  adds: z.number().int().describe('Friendships begun through the code'),
  matured7: z.number().int().describe('Adds at least 7 days old'),
  alive7: z.number().int().describe('Of those, still friends 7 days after the add'),
  matured30: z.number().int(),
  alive30: z.number().int(),
  deletedByCustomer: z.number().int().describe('Adds the customer deleted the consultant of, so far'),
  deletedByCustomerRate: z.number().nullable(),
  alive7Rate: z.number().nullable().describe('alive7 / matured7: the precipitation efficiency'),
  alive30Rate: z.number().nullable(),
};

export const wecomCodeStatsSchema = z
  .object({
    codeId: z.string(),
    from: z.string(),
    to: z.string(),
    timeZone: z.string(),
    totals: z.object(retention),
    days: z.array(z.object({ day: z.string(), ...retention })),
    byLeadSource: z.array(z.object({ leadSource: z.string().nullable().describe('The first lead\'s source; null: not a lead'), ...retention })),
    welcome: z.object({ sent: z.number().int(), expired: z.number().int(), failed: z.number().int(), pending: z.number().int() }),
  })
  .meta({ id: 'WecomCodeStats' });
export type WecomCodeStats = z.infer<typeof wecomCodeStatsSchema>;
export type WecomRetention = z.infer<z.ZodObject<typeof retention>>;

export const wecomChurnQuerySchema = z.object({
  from: z.iso.datetime({ offset: true }).optional().describe('Deleted at or after; default 30 days ago'),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const wecomChurnSchema = z
  .object({
    data: z.array(
      z.object({
        friendshipId: z.string(),
        profileId: z.string().nullable(),
        customerName: z.string().nullable().describe('The WeChat name, masked unless the role may see PII'),
        consultantId: z.string().nullable(),
        consultantName: z.string().nullable(),
        wecomUserId: z.string(),
        dealerCode: z.string().nullable(),
        channelCodeId: z.string().nullable(),
        addedAt: z.string(),
        removedAt: z.string(),
        daysAsFriend: z.number(),
      }),
    ),
  })
  .meta({ id: 'WecomChurn' });
export type WecomChurn = z.infer<typeof wecomChurnSchema>;
