import { z } from 'zod';
import { documentAs, uuidString } from './common.js';

/**
 * WeCom (企业微信) connectors: one per corp a tenant connects, holding the self-built app's
 * credentials and the callback's token and EncodingAESKey. docs/wecom.md explains the setup.
 */

/** WeCom's API host; tests point a connector at the fake server instead. */
export const WECOM_API_BASE_URL = 'https://qyapi.weixin.qq.com';

/** A CorpID: `ww` + 16 hex digits for corps created today, older ones differ; kept to safe characters. */
const corpId = z
  .string({ error: 'corpId must be a string' })
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'corpId must be the CorpID shown under 我的企业 → 企业信息 (e.g. ww + 16 hex digits): 1 to 64 letters, digits, _ or -')
  .describe('The CorpID (企业ID), e.g. ww0123456789abcdef: also the receive id of every callback');

/** The AgentId of the self-built app, digits (WeCom shows it as a number). */
const agentId = z
  .union([z.string(), z.number().int().nonnegative()], { error: 'agentId must be the app\'s AgentId (digits)' })
  .transform((v) => String(v).trim())
  .pipe(z.string().regex(/^\d{1,20}$/, 'agentId must be the app\'s AgentId: digits, e.g. 1000002'))
  .describe('The AgentId of the self-built app (应用管理 → the app), e.g. 1000002');

const secret = z
  .string({ error: 'secret must be a string' })
  .trim()
  .regex(/^[\x21-\x7e]{1,128}$/, 'secret must be the app\'s Secret as WeCom shows it: 1 to 128 visible ASCII characters, no spaces')
  .describe('The app\'s Secret; stored encrypted with SIYU_SECRET_KEY, never shown again');

/** WeCom allows an English letter or digit token of at most 32 characters (3 at least). */
const token = z
  .string({ error: 'token must be a string' })
  .trim()
  .regex(/^[A-Za-z0-9]{3,32}$/, 'token must be 3 to 32 letters or digits, as set under 接收消息 → 设置API接收')
  .describe('The callback Token (接收消息 → Token); stored encrypted, never shown again');

const encodingAESKey = z
  .string({ error: 'encodingAESKey must be a string' })
  .trim()
  .regex(/^[A-Za-z0-9+/]{43}$/, 'encodingAESKey must be the 43 letters and digits shown as EncodingAESKey under 接收消息 → 设置API接收')
  .describe('The callback EncodingAESKey (43 characters); stored encrypted, never shown again');

const apiBaseUrl = z
  .url({ protocol: /^https?$/, error: `apiBaseUrl must be an http(s) URL such as ${WECOM_API_BASE_URL}` })
  .max(500, 'apiBaseUrl must be at most 500 characters')
  .transform((u) => u.replace(/\/+$/, ''))
  .describe(`WeCom's API host (default ${WECOM_API_BASE_URL}); only a test or proxy setup changes it`);

export const wecomConnectorCreateSchema = z
  .strictObject({
    corpId,
    agentId,
    secret,
    token,
    encodingAESKey,
    apiBaseUrl: apiBaseUrl.default(WECOM_API_BASE_URL),
  })
  .meta({ id: 'WecomConnectorCreate' });
export type WecomConnectorCreate = z.infer<typeof wecomConnectorCreateSchema>;

export const wecomConnectorUpdateSchema = z
  .strictObject({
    corpId,
    agentId,
    secret: secret.optional().describe('Leave out to keep the stored Secret (required when apiBaseUrl moves to another host)'),
    token: token.optional().describe('Leave out to keep the stored Token'),
    encodingAESKey: encodingAESKey.optional().describe('Leave out to keep the stored EncodingAESKey'),
    apiBaseUrl: apiBaseUrl.optional().describe('Leave out to keep the stored apiBaseUrl'),
  })
  .meta({ id: 'WecomConnectorUpdate' });
export type WecomConnectorUpdate = z.infer<typeof wecomConnectorUpdateSchema>;

export const wecomConnectorSchema = z
  .object({
    id: z.string(),
    corpId: z.string(),
    agentId: z.string(),
    apiBaseUrl: z.string(),
    callbackUrl: z.string().describe('The URL to enter under 接收消息 → 设置API接收 → URL'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'WecomConnector' });
export type WecomConnector = z.infer<typeof wecomConnectorSchema>;

export const wecomConnectorListSchema = z.object({ data: z.array(wecomConnectorSchema) }).meta({ id: 'WecomConnectorList' });

export const wecomConnectorParams = z.object({ id: uuidString });

export const wecomHealthSchema = z
  .object({
    ok: z.boolean(),
    errcode: z.number().int().describe('WeCom\'s errcode of gettoken (0: the corp id and secret work); -1 when WeCom could not be reached'),
    message: z.string().describe('What the answer means and what to do about it'),
  })
  .meta({ id: 'WecomHealth' });
export type WecomHealth = z.infer<typeof wecomHealthSchema>;

/** The query of WeCom's URL verification (GET on the callback URL). */
export const wecomUrlVerificationQuerySchema = z.object({
  msg_signature: z.string().min(1).max(64).describe('SHA-1 signature over token, timestamp, nonce and echostr'),
  timestamp: z.string().min(1).max(20),
  nonce: z.string().min(1).max(128),
  echostr: z.string().min(1).max(4096).describe('The encrypted text to decrypt and answer'),
});

/** The query of an event WeCom POSTs to the callback URL (the signature covers the body's Encrypt). */
export const wecomCallbackQuerySchema = z.object({
  msg_signature: z.string().min(1).max(64).describe('SHA-1 signature over token, timestamp, nonce and the Encrypt element'),
  timestamp: z.string().min(1).max(20),
  nonce: z.string().min(1).max(128),
});

/** The body WeCom POSTs: `<xml><ToUserName/><Encrypt/><AgentID/></xml>`, read as bytes and checked by the route. */
export const wecomCallbackBodySchema = documentAs(z.unknown(), {
  'text/xml': z.string().describe('<xml><ToUserName>corp id</ToUserName><Encrypt>base64</Encrypt><AgentID>…</AgentID></xml>, at most 64 KB'),
  'application/xml': z.string(),
});

/** The answer to URL verification: the decrypted echostr, exactly, as text. */
export const wecomEchoSchema = documentAs(z.unknown(), { 'text/plain': z.string().describe('The decrypted echostr, exactly (no quotes, BOM or newline)') });

/** A connector's callback inbox, for an admin checking that WeCom's events arrive and are applied. */
export const wecomInboxSchema = z
  .object({
    pending: z.number().int().describe('Callbacks stored and not applied yet'),
    oldestPendingAt: z.string().nullable().describe('When the oldest of them arrived: how far behind the worker is'),
    last24h: z
      .object({ applied: z.number().int(), ignored: z.number().int(), failed: z.number().int() })
      .describe('Callbacks processed in the last 24 hours by outcome (ignored: events Siyu does not act on)'),
    failures: z
      .array(z.object({ receivedAt: z.string(), event: z.string(), changeType: z.string().nullable(), error: z.string().nullable() }))
      .describe('The latest callbacks that could not be applied, newest first (kept 7 days)'),
  })
  .meta({ id: 'WecomInbox' });
export type WecomInbox = z.infer<typeof wecomInboxSchema>;
