import type { WecomConnector, WecomConnectorCreate, WecomConnectorUpdate } from '../../contracts/wecom.js';
import { insertAudit, type Principal } from '../tenancy/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Store } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { decryptSecret, encryptSecret } from '../../platform/secrets.js';
import * as repo from './connectors.repo.js';
import type { WecomCredentials } from './credentials.js';
import { forgetCallbackKeys } from './callback-keys-cache.js';

/** Per-tenant WeCom connectors: one per corp, its credentials stored encrypted under SIYU_SECRET_KEY. */
export interface WecomDeps {
  store: Store;
  clock: Clock;
  secretKey?: Buffer | undefined;
}

/** The encrypted fields; each ciphertext is bound to its tenant, connector and field name. */
export type SecretField = 'secret' | 'token' | 'aes_key';

export function secretContext(tenantId: string, connectorId: string, field: SecretField): string {
  return `wecom_connectors/${tenantId}/${connectorId}/${field}`;
}

/** The path WeCom calls for this connector, relative to the server's public origin. */
export function callbackPath(connectorId: string): string {
  return `/connectors/wecom/${connectorId}/callback`;
}

const notFound = (id: string) => new AppError('not_found', `no WeCom connector ${id} in this tenant; GET /api/v1/connectors/wecom lists them`);

const duplicateCorp = (corpId: string, existingId: string | null) =>
  new AppError(
    'conflict',
    `this tenant already has a WeCom connector for corp ${corpId}${existingId ? ` (${existingId})` : ''}: update that one (PUT) instead of adding another`,
    existingId ? { corpId, connectorId: existingId } : { corpId },
  );

function view(row: repo.WecomConnectorRow, origin: string): WecomConnector {
  return {
    id: row.id,
    corpId: row.corpId,
    agentId: row.agentId,
    apiBaseUrl: row.apiBaseUrl,
    callbackUrl: `${origin}${callbackPath(row.id)}`,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** `origin` is the server's public origin (scheme://host[:port]) that WeCom can reach. */
export async function createWecomConnector(deps: WecomDeps, principal: Principal, input: WecomConnectorCreate, origin: string): Promise<WecomConnector> {
  const { tenantId } = principal;
  const id = newId();
  // Encrypted before anything is written: without a key this is 503 and nothing is stored.
  const enc = (value: string, field: SecretField) => encryptSecret(deps.secretKey, value, secretContext(tenantId, id, field));
  const row = { tenantId, id, corpId: input.corpId, agentId: input.agentId, apiBaseUrl: input.apiBaseUrl };
  const secrets = { secretEnc: enc(input.secret, 'secret'), tokenEnc: enc(input.token, 'token'), aesKeyEnc: enc(input.encodingAESKey, 'aes_key') };
  await deps.store.db.transaction().execute(async (trx) => {
    await repo.lockCorp(trx, tenantId, input.corpId);
    const other = await repo.connectorIdForCorp(trx, tenantId, input.corpId);
    if (other !== null || !(await repo.insertConnector(trx, { ...row, ...secrets, now: deps.clock.now() }))) throw duplicateCorp(input.corpId, other);
    await insertAudit(trx, {
      tenantId,
      actor: principal.actor,
      action: 'wecom_connector.create',
      targetType: 'wecom_connector',
      targetId: id,
      details: { corpId: input.corpId, agentId: input.agentId, apiBaseUrl: input.apiBaseUrl },
    });
  });
  return getWecomConnector(deps, tenantId, id, origin);
}

export async function getWecomConnector(deps: WecomDeps, tenantId: string, id: string, origin: string): Promise<WecomConnector> {
  const row = await repo.findConnector(deps.store.db, tenantId, id);
  if (!row) throw notFound(id);
  return view(row, origin);
}

export async function listWecomConnectors(deps: WecomDeps, tenantId: string, origin: string): Promise<WecomConnector[]> {
  return (await repo.listConnectors(deps.store.db, tenantId)).map((row) => view(row, origin));
}

/**
 * Replaces the settings; a secret, token or EncodingAESKey left out keeps the stored one. The stored
 * secret goes only to the host it was given for: moving apiBaseUrl to another host needs it again.
 */
export async function updateWecomConnector(deps: WecomDeps, principal: Principal, id: string, input: WecomConnectorUpdate, origin: string): Promise<WecomConnector> {
  const { tenantId } = principal;
  const enc = (value: string | undefined, field: SecretField) => (value === undefined ? null : encryptSecret(deps.secretKey, value, secretContext(tenantId, id, field)));
  const given = { secretEnc: enc(input.secret, 'secret'), tokenEnc: enc(input.token, 'token'), aesKeyEnc: enc(input.encodingAESKey, 'aes_key') };
  await deps.store.db.transaction().execute(async (trx) => {
    const existing = await repo.findConnector(trx, tenantId, id, true);
    if (!existing) throw notFound(id);
    const apiBaseUrl = input.apiBaseUrl ?? existing.apiBaseUrl;
    if (given.secretEnc === null && new URL(existing.apiBaseUrl).origin !== new URL(apiBaseUrl).origin) {
      throw new AppError('invalid_request', 'apiBaseUrl points to another host: send the secret again with it', { field: 'secret' });
    }
    if (input.corpId !== existing.corpId) {
      await repo.lockCorp(trx, tenantId, input.corpId);
      const other = await repo.connectorIdForCorp(trx, tenantId, input.corpId);
      if (other !== null) throw duplicateCorp(input.corpId, other);
    }
    await repo.updateConnector(trx, {
      tenantId,
      id,
      corpId: input.corpId,
      agentId: input.agentId,
      apiBaseUrl,
      secretEnc: given.secretEnc ?? existing.secretEnc,
      tokenEnc: given.tokenEnc ?? existing.tokenEnc,
      aesKeyEnc: given.aesKeyEnc ?? existing.aesKeyEnc,
      now: deps.clock.now(),
    });
    await insertAudit(trx, {
      tenantId,
      actor: principal.actor,
      action: 'wecom_connector.update',
      targetType: 'wecom_connector',
      targetId: id,
      details: {
        corpId: input.corpId,
        agentId: input.agentId,
        apiBaseUrl,
        secretChanged: given.secretEnc !== null,
        tokenChanged: given.tokenEnc !== null,
        encodingAESKeyChanged: given.aesKeyEnc !== null,
      },
    });
  });
  // After the commit: a callback that read the old row meanwhile cached it until now.
  forgetCallbackKeys(id);
  return getWecomConnector(deps, tenantId, id, origin);
}

export async function deleteWecomConnector(deps: WecomDeps, principal: Principal, id: string): Promise<void> {
  const { tenantId } = principal;
  await deps.store.db.transaction().execute(async (trx) => {
    const existing = await repo.findConnector(trx, tenantId, id, true);
    if (!existing || !(await repo.deleteConnector(trx, tenantId, id))) throw notFound(id);
    await insertAudit(trx, { tenantId, actor: principal.actor, action: 'wecom_connector.delete', targetType: 'wecom_connector', targetId: id, details: { corpId: existing.corpId } });
  });
  forgetCallbackKeys(id);
}

export type { WecomCredentials } from './credentials.js';

export function decryptCredentials(deps: Pick<WecomDeps, 'secretKey'>, row: repo.WecomConnectorRow): WecomCredentials {
  const dec = (stored: string, field: SecretField) => decryptSecret(deps.secretKey, stored, secretContext(row.tenantId, row.id, field));
  return {
    tenantId: row.tenantId,
    id: row.id,
    corpId: row.corpId,
    agentId: row.agentId,
    apiBaseUrl: row.apiBaseUrl,
    secret: dec(row.secretEnc, 'secret'),
    token: dec(row.tokenEnc, 'token'),
    encodingAESKey: dec(row.aesKeyEnc, 'aes_key'),
  };
}

/** The tenant's connector with its credentials decrypted (404 when there is none). */
export async function wecomCredentials(deps: WecomDeps, tenantId: string, id: string): Promise<WecomCredentials> {
  const row = await repo.findConnector(deps.store.db, tenantId, id);
  if (!row) throw notFound(id);
  return decryptCredentials(deps, row);
}
