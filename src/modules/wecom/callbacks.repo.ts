import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';

/** The inbox of decrypted callbacks (wecom_callbacks) and the job that processes them. */

export const CALLBACKS_JOB = 'wecom.callbacks';
export const CALLBACKS_PRUNE_JOB = 'wecom.callbacks.prune';

export interface NewCallback {
  tenantId: string;
  connectorId: string;
  dedupeKey: string;
  event: string;
  changeType: string | null;
  fields: unknown;
  receivedAt: Date;
}

export type StoreOutcome = 'stored' | 'duplicate' | 'gone';

/**
 * Stores callbacks, each unless a callback with the same content is stored already (WeCom's retry,
 * or the same one twice in `batch`: the first is stored), and asks for each connector's processing
 * job, in one statement: all or nothing. A connector's row is share-locked first, as the foreign key
 * would: callbacks of a connector deleted meanwhile are not stored ('gone') and the delete waits for
 * this statement. A job waiting to run will read the callbacks anyway: only a running one (it may
 * have read the inbox already) is asked to run again, so a burst does not write its row once each.
 * Answers an outcome per callback, in order.
 */
export async function storeCallbacks(db: Db, batch: readonly NewCallback[]): Promise<StoreOutcome[]> {
  if (batch.length === 0) return [];
  const col = <T>(f: (c: NewCallback) => T) => batch.map(f);
  const { rows } = await sql<{ ord: string; connector: boolean; stored: boolean }>`
    WITH input AS (
      SELECT * FROM unnest(${col((c) => c.tenantId)}::uuid[], ${col((c) => c.connectorId)}::uuid[], ${col((c) => c.dedupeKey)}::text[],
        ${col((c) => c.event)}::text[], ${col((c) => c.changeType)}::text[], ${col((c) => JSON.stringify(c.fields))}::text[],
        ${col((c) => c.receivedAt.toISOString())}::timestamptz[]) WITH ORDINALITY AS x(tenant_id, connector_id, dedupe_key, event, change_type, fields, received_at, ord)
    ), conn AS (
      SELECT c.tenant_id, c.id FROM wecom_connectors c
      WHERE (c.tenant_id, c.id) IN (SELECT DISTINCT tenant_id, connector_id FROM input) FOR KEY SHARE
    ), ins AS (
      INSERT INTO wecom_callbacks (tenant_id, connector_id, dedupe_key, event, change_type, fields, received_at)
      SELECT i.tenant_id, i.connector_id, i.dedupe_key, i.event, i.change_type, i.fields::jsonb, i.received_at
      FROM input i JOIN conn ON conn.tenant_id = i.tenant_id AND conn.id = i.connector_id
      ORDER BY i.ord
      ON CONFLICT (tenant_id, connector_id, dedupe_key) DO NOTHING
      RETURNING tenant_id, connector_id, dedupe_key
    ), job AS (
      INSERT INTO jobs (tenant_id, kind, key, run_at)
      SELECT ins.tenant_id, ${CALLBACKS_JOB}, ins.connector_id::text, min(i.received_at)
      FROM ins JOIN input i ON i.tenant_id = ins.tenant_id AND i.connector_id = ins.connector_id AND i.dedupe_key = ins.dedupe_key
      GROUP BY ins.tenant_id, ins.connector_id
      ON CONFLICT (tenant_id, kind, key) DO UPDATE SET generation = jobs.generation + 1 WHERE jobs.locked_until IS NOT NULL
      RETURNING 1
    )
    SELECT i.ord,
      EXISTS (SELECT 1 FROM conn WHERE conn.tenant_id = i.tenant_id AND conn.id = i.connector_id) AS connector,
      EXISTS (SELECT 1 FROM ins WHERE ins.tenant_id = i.tenant_id AND ins.connector_id = i.connector_id AND ins.dedupe_key = i.dedupe_key)
        AND NOT EXISTS (SELECT 1 FROM input e WHERE e.tenant_id = i.tenant_id AND e.connector_id = i.connector_id AND e.dedupe_key = i.dedupe_key AND e.ord < i.ord) AS stored
    FROM input i ORDER BY i.ord`.execute(db);
  return rows.map((r): StoreOutcome => (!r.connector ? 'gone' : r.stored ? 'stored' : 'duplicate'));
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

/** Processed callbacks kept this long (WeCom retries within seconds; the rest is for an operator's look back). */
export const PROCESSED_KEEP_DAYS = 7;

/** Deletes up to `limit` callbacks processed before `before`; answers how many went. */
export async function pruneProcessed(db: Db, tenantId: string, connectorId: string, before: Date, limit: number): Promise<number> {
  const r = await sql`
    DELETE FROM wecom_callbacks WHERE (tenant_id, connector_id, id) IN (
      SELECT tenant_id, connector_id, id FROM wecom_callbacks
      WHERE tenant_id = ${tenantId} AND connector_id = ${connectorId} AND processed_at < ${before.toISOString()}::timestamptz
      LIMIT ${limit})`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

export interface InboxStatus {
  pending: number;
  oldestPendingAt: Date | null;
  outcomes: Record<CallbackOutcome, number>;
  failures: Array<{ receivedAt: Date; event: string; changeType: string | null; error: string | null }>;
}

/** The connector's inbox: what waits, how the callbacks since `since` ended, the latest failures. */
export async function inboxStatus(db: Db, tenantId: string, connectorId: string, since: Date): Promise<InboxStatus> {
  const { rows } = await sql<{ pending: string; oldest: Date | null; applied: string; ignored: string; failed: string }>`
    SELECT count(*) FILTER (WHERE processed_at IS NULL) AS pending, min(received_at) FILTER (WHERE processed_at IS NULL) AS oldest,
      count(*) FILTER (WHERE outcome = 'applied' AND processed_at >= ${since.toISOString()}::timestamptz) AS applied,
      count(*) FILTER (WHERE outcome = 'ignored' AND processed_at >= ${since.toISOString()}::timestamptz) AS ignored,
      count(*) FILTER (WHERE outcome = 'failed' AND processed_at >= ${since.toISOString()}::timestamptz) AS failed
    FROM wecom_callbacks WHERE tenant_id = ${tenantId} AND connector_id = ${connectorId}`.execute(db);
  const failures = await sql<{ received_at: Date; event: string; change_type: string | null; error: string | null }>`
    SELECT received_at, event, change_type, error FROM wecom_callbacks
    WHERE tenant_id = ${tenantId} AND connector_id = ${connectorId} AND outcome = 'failed'
    ORDER BY id DESC LIMIT 20`.execute(db);
  const r = rows[0];
  return {
    pending: Number(r?.pending ?? 0),
    oldestPendingAt: r?.oldest ?? null,
    outcomes: { applied: Number(r?.applied ?? 0), ignored: Number(r?.ignored ?? 0), failed: Number(r?.failed ?? 0) },
    failures: failures.rows.map((f) => ({ receivedAt: f.received_at, event: f.event, changeType: f.change_type, error: f.error })),
  };
}
