import { randomBytes } from 'node:crypto';
import * as tencent from '@wecom/crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { TenantCreated } from '../contracts/tenancy.js';
import { isRecord } from '../platform/json.js';
import { adminRequest } from './identity.js';

/**
 * Callbacks as WeCom sends them, encrypted and signed with Tencent's own library (@wecom/crypto), for
 * tests of the callback endpoint.
 */

export interface CallbackKeys {
  corpId: string;
  token: string;
  aesKey: string;
}

export type EventFields = Record<string, string | string[] | undefined>;

const cdata = (v: string) => `<![CDATA[${v.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;

/** The event XML WeCom encrypts: text in CDATA, lists as <Item> elements. */
export function eventXml(fields: EventFields): string {
  const parts = Object.entries(fields).flatMap(([name, value]) => {
    if (value === undefined) return [];
    if (Array.isArray(value)) return [`<${name}>${value.map((v) => `<Item>${cdata(v)}</Item>`).join('')}</${name}>`];
    return [`<${name}>${/^\d+$/.test(value) ? value : cdata(value)}</${name}>`];
  });
  return `<xml>${parts.join('')}</xml>`;
}

/** The body and query of a POST to the callback URL carrying `xml`. */
export function signedCallback(keys: CallbackKeys, xml: string, o: { timestamp: number; nonce?: string; receiveId?: string; token?: string }) {
  const timestamp = String(o.timestamp);
  const nonce = o.nonce ?? randomBytes(6).toString('hex');
  const encrypted = tencent.encrypt(keys.aesKey, xml, o.receiveId ?? keys.corpId);
  const body = `<xml><ToUserName>${cdata(keys.corpId)}</ToUserName><Encrypt>${cdata(encrypted)}</Encrypt><AgentID>${cdata('1000002')}</AgentID></xml>`;
  return { query: { msg_signature: tencent.getSignature(o.token ?? keys.token, timestamp, nonce, encrypted), timestamp, nonce }, body, encrypted };
}

export interface ContactChange {
  changeType: string;
  userId: string;
  externalUserId: string;
  /** Unix seconds. */
  createTime: number;
  state?: string;
  welcomeCode?: string;
  source?: string;
  failReason?: string;
}

/** A 客户变更 (change_external_contact) event. */
export function contactEvent(corpId: string, c: ContactChange): EventFields {
  return {
    ToUserName: corpId,
    FromUserName: 'sys',
    CreateTime: String(c.createTime),
    MsgType: 'event',
    Event: 'change_external_contact',
    ChangeType: c.changeType,
    UserID: c.userId,
    ExternalUserID: c.externalUserId,
    State: c.state,
    WelcomeCode: c.welcomeCode,
    Source: c.source,
    FailReason: c.failReason,
  };
}

/** POSTs a signed callback carrying `fields` to the connector's callback URL. */
export function postCallback(
  app: FastifyInstance,
  connectorId: string,
  keys: CallbackKeys,
  fields: EventFields,
  o: { timestamp: number; nonce?: string },
): Promise<LightMyRequestResponse> {
  const { query, body } = signedCallback(keys, eventXml(fields), o);
  return app.inject({
    method: 'POST',
    url: `/connectors/wecom/${connectorId}/callback?${new URLSearchParams(query).toString()}`,
    headers: { 'content-type': 'text/xml' },
    payload: body,
  });
}

/** The app's settings under which a test's fake corp is connected. */
export interface TestCorp extends CallbackKeys {
  secret: string;
}

/** Connects the fake corp at `apiBaseUrl` to the tenant through the admin API; answers the connector id. */
export async function connectWecom(app: FastifyInstance, tenant: TenantCreated, corp: TestCorp, apiBaseUrl: string): Promise<string> {
  const res = await adminRequest(app, tenant, 'POST', '/api/v1/connectors/wecom', {
    corpId: corp.corpId,
    agentId: '1000002',
    secret: corp.secret,
    token: corp.token,
    encodingAESKey: corp.aesKey,
    apiBaseUrl,
  });
  if (res.statusCode !== 201) throw new Error(`connecting the WeCom corp answered ${res.statusCode}: ${res.body}`);
  const body: unknown = JSON.parse(res.body);
  if (!isRecord(body) || typeof body['id'] !== 'string') throw new Error(`connecting the WeCom corp answered no id: ${res.body}`);
  return body['id'];
}
