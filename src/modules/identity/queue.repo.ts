import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import { appendLockKey } from './lock.js';

/**
 * The queue of stored events waiting for One ID (migrations/0005). Ingest adds one row per batch in
 * its own transaction; the resolver reads rows in seq order under the tenant's identity lock and
 * deletes them in the transaction that resolves their events.
 */

/**
 * Names a batch's stored events as waiting for resolution, with what resolution reads of them
 * (queued-identity.ts); runs in the ingest transaction, as its last statement. It takes the tenant's
 * append lock shared first (one round trip for both): while a rebuild holds the lock, the append
 * waits here, uncommitted, so the rebuild sees neither its events nor its queue row.
 */
export async function enqueueEvents(trx: Db, tenantId: string, receivedAt: Date, eventIds: readonly string[], identity: string): Promise<void> {
  if (eventIds.length === 0) return;
  await sql`
    INSERT INTO identity_queue (tenant_id, received_at, event_ids, events, identity)
    SELECT ${tenantId}, ${receivedAt.toISOString()}::timestamptz, ${eventIds}::bigint[], ${eventIds.length}, ${identity}
    FROM (SELECT pg_advisory_xact_lock_shared(hashtextextended(${appendLockKey(tenantId)}, 0))) AS appending`.execute(trx);
}

/** The seqs of the tenant's queue rows this statement sees: every batch acknowledged before it started. */
export async function queuedSeqs(trx: Db, tenantId: string): Promise<string[]> {
  const { rows } = await sql<{ seq: string }>`SELECT seq FROM identity_queue WHERE tenant_id = ${tenantId} ORDER BY seq`.execute(trx);
  return rows.map((r) => String(r.seq));
}

export interface QueuedBatch {
  seq: string;
  receivedAt: Date;
  eventIds: string[];
  identity: string;
}

/**
 * Locks the tenant's oldest queue rows holding about `maxEvents` events (at least one row; only rows
 * in `among` when given), in queue order.
 */
export async function claimQueued(trx: Db, tenantId: string, maxEvents: number, among?: readonly string[]): Promise<QueuedBatch[]> {
  const filter = among === undefined ? sql`` : sql`AND seq = ANY(${among}::bigint[])`;
  const { rows } = await sql<{ seq: string; received_at: Date; event_ids: string[]; identity: string }>`
    WITH firsts AS (
      SELECT seq, events, sum(events) OVER (ORDER BY seq) AS upto
      FROM (SELECT seq, events FROM identity_queue WHERE tenant_id = ${tenantId} ${filter} ORDER BY seq LIMIT ${maxEvents}) q
    )
    SELECT q.seq, q.received_at, q.event_ids, q.identity FROM identity_queue q
    WHERE q.tenant_id = ${tenantId} AND q.seq IN (SELECT seq FROM firsts WHERE upto - events < ${maxEvents})
    ORDER BY q.seq
    FOR UPDATE SKIP LOCKED`.execute(trx);
  return rows.map((r) => ({ seq: String(r.seq), receivedAt: r.received_at, eventIds: r.event_ids.map(String), identity: r.identity }));
}

/** Stamps resolved events with their profiles. */
export async function setEventProfiles(trx: Db, tenantId: string, events: ReadonlyArray<{ id: string; receivedAt: Date; profileId: string }>): Promise<void> {
  if (events.length === 0) return;
  await sql`
    UPDATE events e SET profile_id = u.profile_id
    FROM unnest(${events.map((e) => e.receivedAt.toISOString())}::timestamptz[], ${events.map((e) => e.id)}::bigint[], ${events.map((e) => e.profileId)}::uuid[])
      AS u(received_at, id, profile_id)
    WHERE e.tenant_id = ${tenantId} AND e.received_at = u.received_at AND e.id = u.id`.execute(trx);
}

export async function deleteQueued(trx: Db, tenantId: string, seqs: readonly string[]): Promise<void> {
  if (seqs.length === 0) return;
  await sql`DELETE FROM identity_queue WHERE tenant_id = ${tenantId} AND seq = ANY(${seqs}::bigint[])`.execute(trx);
}

/** Adds a resolved batch to the tenant's totals; the rate leans towards the latest batches. */
export async function recordResolved(trx: Db, tenantId: string, events: number, busyMs: number, at: Date): Promise<void> {
  const eps = events / Math.max(busyMs, 1) * 1000;
  await sql`
    INSERT INTO identity_resolver_stats AS s (tenant_id, resolved_total, last_batch_at, busy_ms_total, events_per_second)
    VALUES (${tenantId}, ${events}, ${at.toISOString()}::timestamptz, ${busyMs}, ${eps})
    ON CONFLICT (tenant_id) DO UPDATE SET
      resolved_total = s.resolved_total + excluded.resolved_total,
      last_batch_at = excluded.last_batch_at,
      busy_ms_total = s.busy_ms_total + excluded.busy_ms_total,
      events_per_second = CASE WHEN s.events_per_second = 0 THEN excluded.events_per_second ELSE 0.8 * s.events_per_second + 0.2 * excluded.events_per_second END`.execute(trx);
}

export interface BacklogRow {
  waiting_events: string | null;
  waiting_batches: string;
  oldest: Date | null;
  resolved_total: string | null;
  events_per_second: number | null;
  last_batch_at: Date | null;
}

export async function backlogOf(db: Db, tenantId: string): Promise<BacklogRow> {
  const { rows } = await sql<BacklogRow>`
    SELECT q.waiting_events, q.waiting_batches, q.oldest, s.resolved_total, s.events_per_second, s.last_batch_at
    FROM (SELECT sum(events) AS waiting_events, count(*) AS waiting_batches, min(received_at) AS oldest FROM identity_queue WHERE tenant_id = ${tenantId}) q
    LEFT JOIN identity_resolver_stats s ON s.tenant_id = ${tenantId}`.execute(db);
  return rows[0]!;
}

/** Tenants with queued events, the one waiting longest first. */
export async function tenantsWithBacklog(db: Db): Promise<Array<{ tenantId: string; oldest: Date }>> {
  const { rows } = await sql<{ tenant_id: string; oldest: Date }>`
    SELECT tenant_id, min(received_at) AS oldest FROM identity_queue GROUP BY tenant_id ORDER BY oldest`.execute(db);
  return rows.map((r) => ({ tenantId: r.tenant_id, oldest: r.oldest }));
}
