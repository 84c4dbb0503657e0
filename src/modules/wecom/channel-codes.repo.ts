import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import { unitVisible, type Principal } from '../tenancy/index.js';

/** Channel codes (wecom_channel_codes) and the staff and dealers they name. */

export interface CodeRow {
  tenantId: string;
  id: string;
  connectorId: string;
  kind: 'contact_way' | 'link';
  name: string;
  state: string;
  configId: string | null;
  qrCode: string | null;
  linkUrl: string | null;
  source: string;
  campaign: string | null;
  series: string | null;
  dealerId: string | null;
  dealerCode: string | null;
  consultantIds: string[];
  backupIds: string[];
  skipVerify: boolean;
  welcome: unknown;
  createdAt: Date;
  updatedAt: Date;
}

type DbCode = {
  tenant_id: string;
  id: string;
  connector_id: string;
  kind: 'contact_way' | 'link';
  name: string;
  state: string;
  config_id: string | null;
  qr_code: string | null;
  link_url: string | null;
  source: string;
  campaign: string | null;
  series: string | null;
  dealer_id: string | null;
  dealer_code: string | null;
  consultant_ids: string[];
  backup_ids: string[];
  skip_verify: boolean;
  welcome: unknown;
  created_at: Date;
  updated_at: Date;
};

const toRow = (r: DbCode): CodeRow => ({
  tenantId: r.tenant_id,
  id: r.id,
  connectorId: r.connector_id,
  kind: r.kind,
  name: r.name,
  state: r.state,
  configId: r.config_id,
  qrCode: r.qr_code,
  linkUrl: r.link_url,
  source: r.source,
  campaign: r.campaign,
  series: r.series,
  dealerId: r.dealer_id,
  dealerCode: r.dealer_code,
  consultantIds: r.consultant_ids,
  backupIds: r.backup_ids,
  skipVerify: r.skip_verify,
  welcome: r.welcome,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const SELECT = sql`SELECT c.*, u.code AS dealer_code FROM wecom_channel_codes c LEFT JOIN org_units u ON u.tenant_id = c.tenant_id AND u.id = c.dealer_id`;

/** Codes a principal manages or reads: HQ all, dealer staff their units' codes. */
function codeVisible(principal: Principal) {
  return principal.scope.kind === 'all' ? sql`TRUE` : sql`c.dealer_id IS NOT NULL AND ${unitVisible(principal, sql.ref('c.dealer_id'))}`;
}

export async function findCode(db: Db, principal: Principal, id: string, forUpdate = false): Promise<CodeRow | null> {
  const { rows } = await sql<DbCode>`${SELECT} WHERE c.tenant_id = ${principal.tenantId} AND c.id = ${id} AND ${codeVisible(principal)}
    ${forUpdate ? sql`FOR UPDATE OF c` : sql``}`.execute(db);
  return rows[0] ? toRow(rows[0]) : null;
}

export async function listCodes(db: Db, principal: Principal, connectorId: string | undefined): Promise<CodeRow[]> {
  const { rows } = await sql<DbCode>`${SELECT} WHERE c.tenant_id = ${principal.tenantId} AND ${codeVisible(principal)}
    ${connectorId === undefined ? sql`` : sql`AND c.connector_id = ${connectorId}`} ORDER BY c.created_at DESC, c.id`.execute(db);
  return rows.map(toRow);
}

export async function codeIdByState(db: Db, tenantId: string, connectorId: string, state: string): Promise<string | null> {
  const { rows } = await sql<{ id: string }>`
    SELECT id FROM wecom_channel_codes WHERE tenant_id = ${tenantId} AND connector_id = ${connectorId} AND state = ${state}`.execute(db);
  return rows[0]?.id ?? null;
}

export type NewCode = Omit<CodeRow, 'dealerCode' | 'createdAt' | 'updatedAt'>;

/** Inserts the code; false when its state is taken on the connector. */
export async function insertCode(db: Db, c: NewCode, now: Date): Promise<boolean> {
  const { rows } = await sql<{ one: number }>`
    INSERT INTO wecom_channel_codes (tenant_id, id, connector_id, kind, name, state, config_id, qr_code, link_url, source, campaign, series, dealer_id,
      consultant_ids, backup_ids, skip_verify, welcome, created_at, updated_at)
    VALUES (${c.tenantId}, ${c.id}, ${c.connectorId}, ${c.kind}, ${c.name}, ${c.state}, ${c.configId}, ${c.qrCode}, ${c.linkUrl}, ${c.source}, ${c.campaign},
      ${c.series}, ${c.dealerId}, ${c.consultantIds}::uuid[], ${c.backupIds}::uuid[], ${c.skipVerify},
      ${c.welcome === null ? null : JSON.stringify(c.welcome)}::jsonb, ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz)
    ON CONFLICT (tenant_id, connector_id, state) DO NOTHING RETURNING 1 AS one`.execute(db);
  return rows.length > 0;
}

export async function updateCode(
  db: Db,
  c: Pick<CodeRow, 'tenantId' | 'id' | 'name' | 'source' | 'campaign' | 'series' | 'dealerId' | 'consultantIds' | 'backupIds' | 'skipVerify' | 'welcome'>,
  now: Date,
): Promise<void> {
  await sql`
    UPDATE wecom_channel_codes SET name = ${c.name}, source = ${c.source}, campaign = ${c.campaign}, series = ${c.series}, dealer_id = ${c.dealerId},
      consultant_ids = ${c.consultantIds}::uuid[], backup_ids = ${c.backupIds}::uuid[], skip_verify = ${c.skipVerify},
      welcome = ${c.welcome === null ? null : JSON.stringify(c.welcome)}::jsonb, updated_at = ${now.toISOString()}::timestamptz
    WHERE tenant_id = ${c.tenantId} AND id = ${c.id}`.execute(db);
}

export async function deleteCode(db: Db, tenantId: string, id: string): Promise<void> {
  await sql`DELETE FROM wecom_channel_codes WHERE tenant_id = ${tenantId} AND id = ${id}`.execute(db);
}

export interface CodeStaff {
  id: string;
  active: boolean;
  wecomUserId: string | null;
  unitId: string;
}

export async function staffByIds(db: Db, tenantId: string, ids: readonly string[]): Promise<Map<string, CodeStaff>> {
  if (ids.length === 0) return new Map();
  const { rows } = await sql<{ id: string; active: boolean; wecom_user_id: string | null; org_unit_id: string }>`
    SELECT id, active, wecom_user_id, org_unit_id FROM staff WHERE tenant_id = ${tenantId} AND id = ANY(${[...new Set(ids)]}::uuid[])`.execute(db);
  return new Map(rows.map((r) => [r.id, { id: r.id, active: r.active, wecomUserId: r.wecom_user_id, unitId: r.org_unit_id }]));
}

/** The active dealer with this code, if any. */
export async function dealerByCode(db: Db, tenantId: string, code: string): Promise<{ id: string; code: string } | null> {
  const { rows } = await sql<{ id: string; code: string }>`
    SELECT id, code FROM org_units WHERE tenant_id = ${tenantId} AND code = ${code} AND type = 'dealer' AND active`.execute(db);
  return rows[0] ?? null;
}
