import { checkTimestamp, decrypt, requireSignature } from './crypto.js';
import { decryptCredentials, type WecomDeps } from './connectors.js';
import { findConnectorById } from './connectors.repo.js';
import { AppError } from '../../platform/errors.js';

export interface UrlVerification {
  msg_signature: string;
  timestamp: string;
  nonce: string;
  echostr: string;
}

/**
 * WeCom's URL verification (the GET it sends when an admin saves the callback URL): the timestamp
 * within the replay bound, `msg_signature` over the token, timestamp, nonce and echostr, then echostr
 * decrypted for the connector's corp id. Returns the plaintext to answer; throws WecomCallbackError
 * (a 4xx) when any check fails. Nothing is stored.
 */
export async function verifyCallbackUrl(deps: WecomDeps, connectorId: string, query: UrlVerification): Promise<{ tenantId: string; echo: string }> {
  const row = await findConnectorById(deps.store.db, connectorId);
  if (!row) throw new AppError('not_found', `no WeCom connector ${connectorId}: copy the callback URL from the connector (GET /api/v1/connectors/wecom) again`);
  checkTimestamp(query.timestamp, deps.clock.now());
  const connector = decryptCredentials(deps, row);
  requireSignature(connector.token, query.timestamp, query.nonce, query.echostr, query.msg_signature);
  return { tenantId: row.tenantId, echo: decrypt(connector.encodingAESKey, query.echostr, connector.corpId) };
}
