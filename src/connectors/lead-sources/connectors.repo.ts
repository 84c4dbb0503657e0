import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';

/** SQL of the lead source adapters: the `lead_connectors` rows and late fields of stored leads. */

export type ConnectorKind = 'ocean_engine' | 'autohome';

export interface ConnectorRow {
  config: unknown;
  secretEnc: string | null;
  cursor: unknown;
  lastRunAt: Date | null;
  lastError: string | null;
  updatedAt: Date;
}

export async function findConnector(db: Db, tenantId: string, kind: ConnectorKind, key = 'default'): Promise<ConnectorRow | null> {
  const row = await db
    .selectFrom('lead_connectors')
    .select(['config', 'secret_enc', 'cursor', 'last_run_at', 'last_error', 'updated_at'])
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', kind)
    .where('key', '=', key)
    .executeTakeFirst();
  if (!row) return null;
  return { config: row.config, secretEnc: row.secret_enc, cursor: row.cursor, lastRunAt: row.last_run_at, lastError: row.last_error, updatedAt: row.updated_at };
}

/** Creates or replaces the configuration; `secretEnc` null keeps the stored secret. */
export async function putConnector(
  db: Db,
  r: { tenantId: string; kind: ConnectorKind; key?: string; config: unknown; secretEnc: string | null; now: Date },
): Promise<void> {
  const now = r.now.toISOString();
  await db
    .insertInto('lead_connectors')
    .values({ tenant_id: r.tenantId, kind: r.kind, key: r.key ?? 'default', config: JSON.stringify(r.config), secret_enc: r.secretEnc, cursor: null, created_at: now, updated_at: now })
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'kind', 'key']).doUpdateSet((eb) => ({
        config: eb.ref('excluded.config'),
        secret_enc: sql<string | null>`COALESCE(excluded.secret_enc, lead_connectors.secret_enc)`,
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
}

export async function deleteConnector(db: Db, tenantId: string, kind: ConnectorKind, key = 'default'): Promise<boolean> {
  const res = await db.deleteFrom('lead_connectors').where('tenant_id', '=', tenantId).where('kind', '=', kind).where('key', '=', key).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

/** A poll that finished: the new cursor, the time, no error. */
export async function recordRun(db: Db, tenantId: string, kind: ConnectorKind, r: { cursor: unknown; at: Date }, key = 'default'): Promise<void> {
  await db
    .updateTable('lead_connectors')
    .set({ cursor: JSON.stringify(r.cursor), last_run_at: r.at.toISOString(), last_error: null })
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', kind)
    .where('key', '=', key)
    .execute();
}

/** A poll that failed: the cursor stays, the error is kept for the operator. */
export async function recordFailure(db: Db, tenantId: string, kind: ConnectorKind, r: { error: string; at: Date }, key = 'default'): Promise<void> {
  await db
    .updateTable('lead_connectors')
    .set({ last_run_at: r.at.toISOString(), last_error: r.error.slice(0, 2000) })
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', kind)
    .where('key', '=', key)
    .execute();
}

export interface LateFields {
  name?: string | undefined;
  city?: string | undefined;
  province?: string | undefined;
  series?: string | undefined;
  model?: string | undefined;
  campaign?: string | undefined;
}

const LATE_FIELDS = ['name', 'city', 'province', 'series', 'model', 'campaign'] as const;

/**
 * A platform filled in fields of a lead we already hold (Ocean Engine sends some ~10 minutes late):
 * fills the stored lead's missing (NULL) fields only, never overwrites, and keeps the newer payload
 * as `raw`. Returns whether a field was filled. The person is not re-resolved and the lead is not
 * re-routed (docs/lead-sources.md).
 */
export async function completeLeadFields(
  db: Db,
  tenantId: string,
  source: string,
  externalId: string,
  fields: LateFields,
  raw: unknown,
  now: Date,
): Promise<boolean> {
  const given = LATE_FIELDS.filter((f) => fields[f] !== undefined);
  if (given.length === 0) return false;
  const res = await db
    .updateTable('leads')
    .set((eb) => ({
      ...Object.fromEntries(given.map((f) => [f, eb.fn.coalesce(eb.ref(f), eb.val(fields[f] ?? null))])),
      raw: JSON.stringify(raw),
      updated_at: now.toISOString(),
    }))
    .where('tenant_id', '=', tenantId)
    .where('source', '=', source)
    .where('external_id', '=', externalId)
    .where((eb) => eb.or(given.map((f) => eb(f, 'is', null))))
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function jobRunAt(db: Db, tenantId: string, kind: string, key: string): Promise<Date | null> {
  const row = await db.selectFrom('jobs').select('run_at').where('tenant_id', '=', tenantId).where('kind', '=', kind).where('key', '=', key).executeTakeFirst();
  return row?.run_at ?? null;
}

export async function deleteJob(db: Db, tenantId: string, kind: string, key: string): Promise<void> {
  await db.deleteFrom('jobs').where('tenant_id', '=', tenantId).where('kind', '=', kind).where('key', '=', key).execute();
}

/** Codes of the active dealers among these org units (what dealer staff may name as a lead's dealer). */
export async function dealerCodesIn(db: Db, tenantId: string, unitIds: readonly string[]): Promise<string[]> {
  if (unitIds.length === 0) return [];
  const rows = await db
    .selectFrom('org_units')
    .select('code')
    .where('tenant_id', '=', tenantId)
    .where('type', '=', 'dealer')
    .where('active', '=', true)
    .where('id', 'in', [...unitIds])
    .orderBy('code')
    .execute();
  return rows.map((r) => r.code);
}

export async function tenantExists(db: Db, tenantId: string): Promise<boolean> {
  return (await db.selectFrom('tenants').select('id').where('id', '=', tenantId).executeTakeFirst()) !== undefined;
}

export async function sourceKind(db: Db, tenantId: string, sourceId: string): Promise<string | null> {
  const row = await db.selectFrom('sources').select('kind').where('tenant_id', '=', tenantId).where('id', '=', sourceId).executeTakeFirst();
  return row?.kind ?? null;
}
