import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';

/** The inbox of decrypted callbacks (wecom_callbacks) and the job that processes them. */

export const CALLBACKS_JOB = 'wecom.callbacks';

export interface NewCallback {
  tenantId: string;
  connectorId: string;
  dedupeKey: string;
  event: string;
  changeType: string | null;
  fields: unknown;
  receivedAt: Date;
}

/**
 * Stores the callback unless a callback with the same content is stored already (WeCom's retry),
 * and asks for the connector's processing job, in one statement: both or neither. Returns whether
 * it was new. A job that waits to run will read the callback anyway: only a running one (it may
 * have read the inbox already) is asked to run again, so that a burst of callbacks does not write
 * the job's row once each.
 */
export async function storeCallback(db: Db, c: NewCallback): Promise<boolean> {
  const at = c.receivedAt.toISOString();
  const { rows } = await sql<{ stored: boolean }>`
    WITH ins AS (
      INSERT INTO wecom_callbacks (tenant_id, connector_id, dedupe_key, event, change_type, fields, received_at)
      VALUES (${c.tenantId}, ${c.connectorId}, ${c.dedupeKey}, ${c.event}, ${c.changeType}, ${JSON.stringify(c.fields)}::jsonb, ${at}::timestamptz)
      ON CONFLICT (tenant_id, connector_id, dedupe_key) DO NOTHING
      RETURNING 1
    ), job AS (
      INSERT INTO jobs (tenant_id, kind, key, run_at)
      SELECT ${c.tenantId}::uuid, ${CALLBACKS_JOB}, ${c.connectorId}, ${at}::timestamptz WHERE EXISTS (SELECT 1 FROM ins)
      ON CONFLICT (tenant_id, kind, key) DO UPDATE SET generation = jobs.generation + 1 WHERE jobs.locked_until IS NOT NULL
      RETURNING 1
    )
    SELECT EXISTS (SELECT 1 FROM ins) AS stored`.execute(db);
  return rows[0]?.stored === true;
}

export interface PendingCallback {
  id: string;
  event: string;
  changeType: string | null;
  fields: unknown;
  receivedAt: Date;
}

/** The connector's oldest unprocessed callbacks, in arrival order. */
export async function pendingCallbacks(db: Db, tenantId: string, connectorId: string, limit: number): Promise<PendingCallback[]> {
  const { rows } = await sql<{ id: string; event: string; change_type: string | null; fields: unknown; received_at: Date }>`
    SELECT id, event, change_type, fields, received_at FROM wecom_callbacks
    WHERE tenant_id = ${tenantId} AND connector_id = ${connectorId} AND processed_at IS NULL
    ORDER BY id LIMIT ${limit}`.execute(db);
  return rows.map((r) => ({ id: String(r.id), event: r.event, changeType: r.change_type, fields: r.fields, receivedAt: r.received_at }));
}

export type CallbackOutcome = 'applied' | 'ignored' | 'failed';

export async function markProcessed(
  db: Db,
  tenantId: string,
  connectorId: string,
  done: ReadonlyArray<{ id: string; outcome: CallbackOutcome; error: string | null }>,
  at: Date,
): Promise<void> {
  if (done.length === 0) return;
  await sql`
    UPDATE wecom_callbacks c SET processed_at = ${at.toISOString()}::timestamptz, outcome = d.outcome, error = d.error
    FROM unnest(${done.map((d) => d.id)}::bigint[], ${done.map((d) => d.outcome)}::text[], ${done.map((d) => d.error)}::text[]) AS d(id, outcome, error)
    WHERE c.tenant_id = ${tenantId} AND c.connector_id = ${connectorId} AND c.id = d.id`.execute(db);
}

/** Unprocessed callbacks of a connector (lag, tests). */
export async function countPending(db: Db, tenantId: string, connectorId: string): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    SELECT count(*) AS n FROM wecom_callbacks WHERE tenant_id = ${tenantId} AND connector_id = ${connectorId} AND processed_at IS NULL`.execute(db);
  return Number(rows[0]?.n ?? 0);
}
