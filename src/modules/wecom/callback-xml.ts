import { z } from 'zod';
import { WecomCallbackError } from './errors.js';
import { parseWecomXml, type WecomXmlFields } from './xml-tree.js';

// The XML WeCom posts to a callback URL and the event XML inside its `Encrypt`. Field names stay
// WeCom's own (ToUserName, ExternalUserID, …) so that they read against its documentation; every
// value stays a string, lists become arrays of strings.

/** The POST body: `<xml><ToUserName/><Encrypt/><AgentID/></xml>`. */
const envelopeSchema = z.object({
  ToUserName: z.string(),
  Encrypt: z.string().min(1),
  AgentID: z.string().optional(),
});
export type CallbackEnvelope = z.infer<typeof envelopeSchema>;

/** A list such as `<MemChangeList><Item>…</Item></MemChangeList>`; an empty element is an empty list. */
const stringList = z.union([z.array(z.string()), z.literal('').transform((): string[] => [])]);

const eventHeader = {
  ToUserName: z.string(),
  FromUserName: z.string(),
  // Unix seconds; at most 12 digits, so that it is always a valid date.
  CreateTime: z.string().regex(/^\d{1,12}$/, 'Unix seconds (at most 12 digits)'),
  MsgType: z.literal('event'),
};

/** 客户变更: add/edit/del_external_contact, add_half_external_contact, del_follow_user, transfer_fail. */
const externalContactSchema = z.object({
  ...eventHeader,
  Event: z.literal('change_external_contact'),
  ChangeType: z.string().min(1),
  UserID: z.string(),
  ExternalUserID: z.string(),
  State: z.string().optional(),
  WelcomeCode: z.string().optional(),
  Source: z.string().optional(),
  FailReason: z.string().optional(),
});

/** 客户群变更: create, update (with UpdateDetail such as add_member, del_member), dismiss. */
const externalChatSchema = z.object({
  ...eventHeader,
  Event: z.literal('change_external_chat'),
  ChatId: z.string().min(1),
  ChangeType: z.string().min(1),
  UpdateDetail: z.string().optional(),
  JoinScene: z.string().optional(),
  QuitScene: z.string().optional(),
  MemChangeCnt: z.string().optional(),
  MemChangeList: stringList.optional(),
  LastMemVer: z.string().optional(),
  CurMemVer: z.string().optional(),
});

/** 企业客户标签变更: create, update, delete, shuffle (of a tag or tag group, optionally of a strategy). */
const externalTagSchema = z.object({
  ...eventHeader,
  Event: z.literal('change_external_tag'),
  Id: z.string(),
  TagType: z.string().optional(),
  ChangeType: z.string().min(1),
  StrategyId: z.string().optional(),
});

export type ExternalContactEvent = z.infer<typeof externalContactSchema>;
export type ExternalChatEvent = z.infer<typeof externalChatSchema>;
export type ExternalTagEvent = z.infer<typeof externalTagSchema>;

/**
 * A decrypted callback: one of the customer-contact events, validated field by field, or any other
 * event or message WeCom may send to the same URL, passed on unvalidated so a route can acknowledge
 * and ignore it (refusing it would only make WeCom retry).
 */
export type WecomCallbackEvent =
  | { kind: 'change_external_contact'; fields: ExternalContactEvent }
  | { kind: 'change_external_chat'; fields: ExternalChatEvent }
  | { kind: 'change_external_tag'; fields: ExternalTagEvent }
  | { kind: 'other'; fields: WecomXmlFields };

function checked<T>(schema: z.ZodType<T>, fields: WecomXmlFields, what: string): T {
  const result = schema.safeParse(fields);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 10).map((i) => ({ path: i.path.join('.'), message: i.message }));
  const first = issues[0];
  throw new WecomCallbackError('malformed_xml', `the ${what} does not have WeCom's shape${first ? `: ${first.path}: ${first.message}` : ''}`, { issues });
}

/** Parses the XML body WeCom POSTs to the callback URL (see parseWecomXml for what is refused). */
export function parseCallbackEnvelope(body: string | Uint8Array): CallbackEnvelope {
  return checked(envelopeSchema, parseWecomXml(body), 'callback body');
}

/** Parses the decrypted event XML. */
export function parseCallbackEvent(xml: string | Uint8Array): WecomCallbackEvent {
  return callbackEventOf(parseWecomXml(xml));
}

/** The event in parsed XML fields (as stored in the callback inbox). */
export function callbackEventOf(fields: WecomXmlFields): WecomCallbackEvent {
  switch (fields['Event']) {
    case 'change_external_contact':
      return { kind: 'change_external_contact', fields: checked(externalContactSchema, fields, 'change_external_contact event') };
    case 'change_external_chat':
      return { kind: 'change_external_chat', fields: checked(externalChatSchema, fields, 'change_external_chat event') };
    case 'change_external_tag':
      return { kind: 'change_external_tag', fields: checked(externalTagSchema, fields, 'change_external_tag event') };
    default:
      return { kind: 'other', fields };
  }
}
