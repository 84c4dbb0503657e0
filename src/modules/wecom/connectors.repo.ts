import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import type { Selectable } from 'kysely';
import type { WecomConnectorsTable } from '../../platform/db/schema-wecom.js';

/** SQL of the WeCom connectors (`wecom_connectors`). The secrets arrive and leave encrypted. */

export interface WecomConnectorRow {
  tenantId: string;
  id: string;
  corpId: string;
  agentId: string;
  secretEnc: string;
  tokenEnc: string;
  aesKeyEnc: string;
  apiBaseUrl: string;
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = ['tenant_id', 'id', 'corp_id', 'agent_id', 'secret_enc', 'token_enc', 'aes_key_enc', 'api_base_url', 'created_at', 'updated_at'] as const;

type Selected = Selectable<WecomConnectorsTable>;

function fromRow(r: Selected): WecomConnectorRow {
  return {
    tenantId: r.tenant_id,
    id: r.id,
    corpId: r.corp_id,
    agentId: r.agent_id,
    secretEnc: r.secret_enc,
    tokenEnc: r.token_enc,
    aesKeyEnc: r.aes_key_enc,
    apiBaseUrl: r.api_base_url,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

type Settings = Pick<WecomConnectorRow, 'corpId' | 'agentId' | 'secretEnc' | 'tokenEnc' | 'aesKeyEnc' | 'apiBaseUrl'>;

/** The columns a create or an update writes (the settings; secrets already encrypted). */
function settingsOf(r: Settings) {
  return { corp_id: r.corpId, agent_id: r.agentId, secret_enc: r.secretEnc, token_enc: r.tokenEnc, aes_key_enc: r.aesKeyEnc, api_base_url: r.apiBaseUrl };
}

/**
 * Serialises the writes that claim `corpId` in the tenant (a create, an update that moves a connector
 * to it) until the transaction ends, so that the check for another connector of that corp holds
 * when the row is written: a clash is a 409, never a unique violation.
 */
export async function lockCorp(trx: Db, tenantId: string, corpId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`siyu.wecom_corp:${tenantId}:${corpId}`}, 0))`.execute(trx);
}

/** Inserts a connector; false when the tenant already has one for this corp (nothing written). */
export async function insertConnector(db: Db, row: Omit<WecomConnectorRow, 'createdAt' | 'updatedAt'> & { now: Date }): Promise<boolean> {
  const now = row.now.toISOString();
  const inserted = await db
    .insertInto('wecom_connectors')
    .values({ tenant_id: row.tenantId, id: row.id, ...settingsOf(row), created_at: now, updated_at: now })
    .onConflict((oc) => oc.columns(['tenant_id', 'corp_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** The tenant's connector `id`; `forUpdate` locks it for the rest of the transaction. */
export async function findConnector(db: Db, tenantId: string, id: string, forUpdate = false): Promise<WecomConnectorRow | null> {
  let q = db.selectFrom('wecom_connectors').select(COLUMNS).where('tenant_id', '=', tenantId).where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  return row ? fromRow(row) : null;
}

/** A connector by its id alone: WeCom's callbacks carry only the id in their URL. */
export async function findConnectorById(db: Db, id: string): Promise<WecomConnectorRow | null> {
  const row = await db.selectFrom('wecom_connectors').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  return row ? fromRow(row) : null;
}

/** The id of the tenant's connector for `corpId`, if any. */
export async function connectorIdForCorp(db: Db, tenantId: string, corpId: string): Promise<string | null> {
  const row = await db.selectFrom('wecom_connectors').select('id').where('tenant_id', '=', tenantId).where('corp_id', '=', corpId).executeTakeFirst();
  return row?.id ?? null;
}

export async function listConnectors(db: Db, tenantId: string): Promise<WecomConnectorRow[]> {
  const rows = await db.selectFrom('wecom_connectors').select(COLUMNS).where('tenant_id', '=', tenantId).orderBy('created_at').orderBy('id').execute();
  return rows.map(fromRow);
}

export async function updateConnector(
  db: Db,
  row: Settings & Pick<WecomConnectorRow, 'tenantId' | 'id'> & { now: Date },
): Promise<void> {
  await db
    .updateTable('wecom_connectors')
    .set({ ...settingsOf(row), updated_at: row.now.toISOString() })
    .where('tenant_id', '=', row.tenantId)
    .where('id', '=', row.id)
    .execute();
}

export async function deleteConnector(db: Db, tenantId: string, id: string): Promise<boolean> {
  const res = await db.deleteFrom('wecom_connectors').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}
