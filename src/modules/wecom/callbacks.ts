import { createHash } from 'node:crypto';
import { AppError } from '../../platform/errors.js';
import { callbackEventOf, parseCallbackEnvelope } from './callback-xml.js';
import { callbackKeys } from './callback-keys.js';
import { forgetCallbackKeys } from './callback-keys-cache.js';
import type { WecomDeps } from './connectors.js';
import { checkTimestamp, decrypt, requireSignature } from './crypto.js';
import { inboxWriter } from './inbox-writer.js';
import { announceCallbackStored } from './stored-news.js';
import { parseWecomXml, type WecomXmlFields, type WecomXmlValue } from './xml-tree.js';

export interface CallbackQuery {
  msg_signature: string;
  timestamp: string;
  nonce: string;
}

export interface AcceptedCallback {
  tenantId: string;
  /** Event and ChangeType, for the log. */
  event: string;
  changeType: string | null;
  /** stored: new, to be processed; duplicate: a retry of a stored callback; ignored: not an event Siyu acts on. */
  outcome: 'stored' | 'duplicate' | 'ignored';
}

/** The same event always gives the same key, whatever the order WeCom wrote its elements in. */
function canonical(value: WecomXmlValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  return `{${Object.keys(value)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(value[k]!)}`)
    .join(',')}}`;
}

const unknownConnector = (id: string) =>
  new AppError('not_found', `no WeCom connector ${id}: copy the callback URL from the connector (GET /api/v1/connectors/wecom) again`);

export function dedupeKeyOf(fields: WecomXmlFields): string {
  return createHash('sha256').update(canonical(fields)).digest('base64url');
}

/**
 * A callback POSTed by WeCom: the timestamp within the replay bound, `msg_signature` over the
 * `Encrypt` element checked in constant time, the message decrypted (padding checked) for the
 * connector's corp id, the event parsed; then stored (once, however often WeCom retries) for the
 * processing job. Any failed check throws a WecomCallbackError (a 4xx) before anything is stored.
 */
export async function acceptCallback(deps: WecomDeps, connectorId: string, query: CallbackQuery, body: string | Uint8Array): Promise<AcceptedCallback> {
  const connector = await callbackKeys(deps, connectorId);
  if (!connector) throw unknownConnector(connectorId);
  const now = deps.clock.now();
  checkTimestamp(query.timestamp, now);
  const envelope = parseCallbackEnvelope(body);
  requireSignature(connector.token, query.timestamp, query.nonce, envelope.Encrypt, query.msg_signature);
  const fields = parseWecomXml(decrypt(connector.encodingAESKey, envelope.Encrypt, connector.corpId));
  const event = callbackEventOf(fields);
  const name = typeof fields['Event'] === 'string' ? fields['Event'] : typeof fields['MsgType'] === 'string' ? fields['MsgType'] : 'unknown';
  const changeType = event.kind === 'other' ? null : event.fields.ChangeType;
  if (event.kind === 'other') return { tenantId: connector.tenantId, event: name, changeType, outcome: 'ignored' };
  const outcome = await inboxWriter(deps.store.db).store({
    tenantId: connector.tenantId,
    connectorId,
    dedupeKey: dedupeKeyOf(fields),
    event: event.kind,
    changeType,
    fields,
    receivedAt: now,
  });
  if (outcome === 'gone') {
    forgetCallbackKeys(connectorId);
    throw unknownConnector(connectorId);
  }
  if (outcome === 'stored') announceCallbackStored(connector.tenantId);
  return { tenantId: connector.tenantId, event: name, changeType, outcome };
}
