import { z } from 'zod';
import { storableText, uuidString } from './common.js';
import { leadStatusSchema } from './funnel.js';
import { profileStageSchema } from './stages.js';
import { profileTagSchema } from './tags.js';

/**
 * What the consultant sidebar (a page of the WeCom app shown beside a chat, 聊天工具栏) asks the
 * server: the `wx.agentConfig` signature that unlocks the JS-SDK's chat APIs on that page, and the
 * summary of the person the consultant is chatting with.
 */

/** The longest page URL signed: longer ones are no page of ours. */
export const JSAPI_URL_MAX = 2000;

const connectorId = uuidString
  .optional()
  .describe("The WeCom connector (corp) of the chat; may be left out while the tenant has exactly one");

/** An absolute http(s) URL without whitespace (a browser's location.href never has any). */
function isPageUrl(s: string): boolean {
  if (!/^\S+$/.test(s)) return false;
  try {
    return /^https?:$/.test(new URL(s).protocol);
  } catch {
    return false;
  }
}

/** A page URL as the browser shows it (location.href): http(s), no whitespace, at most 2000 characters. */
const pageUrl = z
  .string({ error: 'url must be the page URL (location.href)' })
  .max(JSAPI_URL_MAX, `url must be at most ${JSAPI_URL_MAX} characters`)
  .refine(isPageUrl, 'url must be the http(s) URL of the page calling wx.agentConfig (location.href)')
  .describe('The full URL of the page that calls wx.agentConfig (location.href); a #fragment is left out of the signature, as WeCom requires');

export const wecomJsapiSignatureQuerySchema = z.strictObject({ url: pageUrl, connectorId });
export type WecomJsapiSignatureQuery = z.infer<typeof wecomJsapiSignatureQuerySchema>;

export const wecomJsapiSignatureSchema = z
  .object({
    corpId: z.string().describe('wx.agentConfig corpid'),
    agentId: z.string().describe('wx.agentConfig agentid: the AgentId of the connector\'s app'),
    timestamp: z.number().int().describe('wx.agentConfig timestamp: seconds since the epoch, as signed'),
    nonceStr: z.string().describe('wx.agentConfig nonceStr, as signed'),
    signature: z.string().describe('wx.agentConfig signature: hex SHA-1 of jsapi_ticket=…&noncestr=…&timestamp=…&url=… (the URL without its #fragment)'),
  })
  .meta({ id: 'WecomJsapiSignature' });
export type WecomJsapiSignature = z.infer<typeof wecomJsapiSignatureSchema>;

export const wecomSidebarQuerySchema = z.strictObject({
  externalUserId: storableText
    .pipe(z.string().trim().min(1, 'externalUserId must not be empty').max(255, 'externalUserId must be at most 255 characters'))
    .describe('The external_userid of the chat\'s customer, from wx.invoke("getCurExternalContact")'),
  connectorId,
});
export type WecomSidebarQuery = z.infer<typeof wecomSidebarQuerySchema>;

export const sidebarPersonSchema = z.object({
  id: z.string().describe('The profile id (GET /api/v1/profiles/{id} for the full 360)'),
  name: z.string().nullable(),
  phone: z.string().nullable().describe('The most recently seen phone; masked (134****1234) for roles that see personal data masked'),
  lastSeen: z.string(),
});

export const sidebarLeadSchema = z.object({
  id: z.string(),
  status: leadStatusSchema,
  series: z.string().nullable(),
  model: z.string().nullable(),
  dealerId: z.string().nullable(),
  dealerCode: z.string().nullable(),
  consultantId: z.string().nullable(),
  consultantName: z.string().nullable(),
  nextFollowUpAt: z.string().nullable().describe('When the next follow-up is due, as the latest follow-up planned it'),
  slaDueAt: z.string().nullable().describe('When the first follow-up is due (an assigned lead not yet followed up)'),
});
export type SidebarLead = z.infer<typeof sidebarLeadSchema>;

export const sidebarEventSchema = z.object({
  id: z.string(),
  type: z.enum(['track', 'page', 'screen']),
  name: z.string().nullable().describe('The track event name, or the page or screen name'),
  at: z.string().describe('When it happened (the event timestamp)'),
  properties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).describe('A few of its plain properties'),
});
export type SidebarEvent = z.infer<typeof sidebarEventSchema>;

export const wecomSidebarSchema = z
  .object({
    connectorId: z.string(),
    corpId: z.string(),
    externalUserId: z.string(),
    person: sidebarPersonSchema,
    stages: z.array(profileStageSchema).describe('The current stage in each operating model that has one for the person'),
    openLead: sidebarLeadSchema.nullable().describe('The open lead you can see (before delivery, not closed): yours first, then the latest; null when there is none'),
    recentEvents: z.array(sidebarEventSchema).describe('The last 20 track, page and screen events, newest first'),
    tags: z.array(profileTagSchema),
  })
  .meta({ id: 'WecomSidebar' });
export type WecomSidebar = z.infer<typeof wecomSidebarSchema>;
