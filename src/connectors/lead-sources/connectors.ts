import {
  autohomeConfigPutSchema,
  type AutohomeConfig,
  type OceanEngineConfigPut,
  type OceanEngineConnector,
} from '../../contracts/lead-sources.js';
import { insertAudit, type Principal } from '../../modules/tenancy/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Store } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import { ensureJob } from '../../platform/jobs/index.js';
import * as repo from './connectors.repo.js';
import { CONNECTOR_KEY, OCEAN_ENGINE_POLL_JOB, readConfig, readCursor, secretContext } from './ocean-engine.js';
import { encryptSecret } from '../../platform/secrets.js';

/** Per-tenant connector configuration (lead_connectors): Ocean Engine credentials, Autohome id maps. */
export interface ConnectorConfigDeps {
  store: Store;
  clock: Clock;
  secretKey?: Buffer | undefined;
}

const NO_OCEAN_ENGINE = 'the Ocean Engine connector is not configured; PUT /api/v1/lead-connectors/ocean-engine first';

export async function getOceanEngineConnector(deps: ConnectorConfigDeps, tenantId: string): Promise<OceanEngineConnector> {
  const db = deps.store.db;
  const row = await repo.findConnector(db, tenantId, 'ocean_engine', CONNECTOR_KEY);
  if (!row) throw new AppError('not_found', NO_OCEAN_ENGINE);
  const config = readConfig(row.config);
  const cursor = readCursor(row.cursor);
  const nextRunAt = await repo.jobRunAt(db, tenantId, OCEAN_ENGINE_POLL_JOB, CONNECTOR_KEY);
  return {
    kind: 'ocean_engine',
    baseUrl: config.baseUrl,
    advertiserIds: config.advertiserIds,
    pollIntervalSeconds: config.pollIntervalSeconds,
    lookBackMinutes: config.lookBackMinutes,
    pageSize: config.pageSize,
    remarkFields: config.remarkFields ?? null,
    hasAccessToken: row.secretEnc !== null,
    cursor: cursor?.createdUntil ?? null,
    lastRunAt: row.lastRunAt?.toISOString() ?? null,
    lastError: row.lastError,
    lastRun: cursor?.lastRun ?? null,
    nextRunAt: nextRunAt?.toISOString() ?? null,
    updatedAt: row.updatedAt.toISOString(),
  };
}

/**
 * Stores the configuration (the token encrypted; refused without SIYU_SECRET_KEY) and makes the poll
 * job due now. The cursor is kept: a changed configuration goes on from where the last poll ended.
 */
export async function putOceanEngineConnector(deps: ConnectorConfigDeps, principal: Principal, input: OceanEngineConfigPut): Promise<OceanEngineConnector> {
  const { tenantId } = principal;
  const { accessToken, ...config } = input;
  const now = deps.clock.now();
  const secretEnc = accessToken === undefined ? null : encryptSecret(deps.secretKey, accessToken, secretContext(tenantId));
  await deps.store.db.transaction().execute(async (trx) => {
    if (secretEnc === null) {
      const existing = await repo.findConnector(trx, tenantId, 'ocean_engine', CONNECTOR_KEY);
      if (!existing?.secretEnc) throw new AppError('invalid_request', 'accessToken is required the first time the connector is configured', { field: 'accessToken' });
      // The stored token goes only to the host it was given for: a new host needs the token again.
      const before = existing.config !== null && typeof existing.config === 'object' && 'baseUrl' in existing.config ? String(existing.config.baseUrl) : null;
      if (before === null || new URL(before).origin !== new URL(config.baseUrl).origin) {
        throw new AppError('invalid_request', 'baseUrl points to another host: send the accessToken again with it', { field: 'accessToken' });
      }
    }
    await repo.putConnector(trx, { tenantId, kind: 'ocean_engine', key: CONNECTOR_KEY, config, secretEnc, now });
    await insertAudit(trx, {
      tenantId,
      actor: principal.actor,
      action: 'lead_connector.put',
      targetType: 'lead_connector',
      targetId: 'ocean_engine',
      details: { baseUrl: config.baseUrl, advertiserIds: config.advertiserIds, accessTokenChanged: secretEnc !== null },
    });
    await ensureJob(trx, { tenantId, kind: OCEAN_ENGINE_POLL_JOB, key: CONNECTOR_KEY, runAt: now });
  });
  return getOceanEngineConnector(deps, tenantId);
}

export async function deleteOceanEngineConnector(deps: ConnectorConfigDeps, principal: Principal): Promise<void> {
  const { tenantId } = principal;
  await deps.store.db.transaction().execute(async (trx) => {
    if (!(await repo.deleteConnector(trx, tenantId, 'ocean_engine', CONNECTOR_KEY))) throw new AppError('not_found', NO_OCEAN_ENGINE);
    await repo.deleteJob(trx, tenantId, OCEAN_ENGINE_POLL_JOB, CONNECTOR_KEY);
    await insertAudit(trx, { tenantId, actor: principal.actor, action: 'lead_connector.delete', targetType: 'lead_connector', targetId: 'ocean_engine' });
  });
}

/** Makes the poll job due now (the worker runs it on its next tick). */
export async function requestOceanEnginePoll(deps: ConnectorConfigDeps, tenantId: string): Promise<{ nextRunAt: string }> {
  const db = deps.store.db;
  if (!(await repo.findConnector(db, tenantId, 'ocean_engine', CONNECTOR_KEY))) throw new AppError('not_found', NO_OCEAN_ENGINE);
  const now = deps.clock.now();
  await ensureJob(db, { tenantId, kind: OCEAN_ENGINE_POLL_JOB, key: CONNECTOR_KEY, runAt: now });
  return { nextRunAt: ((await repo.jobRunAt(db, tenantId, OCEAN_ENGINE_POLL_JOB, CONNECTOR_KEY)) ?? now).toISOString() };
}

// --- Autohome id maps ------------------------------------------------------------------------------

export async function getAutohomeConfig(deps: ConnectorConfigDeps, tenantId: string): Promise<AutohomeConfig & { updatedAt: string | null }> {
  const row = await repo.findConnector(deps.store.db, tenantId, 'autohome', CONNECTOR_KEY);
  if (!row) return { dealers: {}, series: {}, models: {}, updatedAt: null };
  return { ...autohomeConfigPutSchema.parse(row.config), updatedAt: row.updatedAt.toISOString() };
}

export async function putAutohomeConfig(deps: ConnectorConfigDeps, principal: Principal, input: AutohomeConfig): Promise<AutohomeConfig & { updatedAt: string | null }> {
  const { tenantId } = principal;
  await deps.store.db.transaction().execute(async (trx) => {
    await repo.putConnector(trx, { tenantId, kind: 'autohome', key: CONNECTOR_KEY, config: input, secretEnc: null, now: deps.clock.now() });
    await insertAudit(trx, {
      tenantId,
      actor: principal.actor,
      action: 'lead_connector.put',
      targetType: 'lead_connector',
      targetId: 'autohome',
      details: { dealers: Object.keys(input.dealers).length, series: Object.keys(input.series).length, models: Object.keys(input.models).length },
    });
  });
  return getAutohomeConfig(deps, tenantId);
}
