import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';

/**
 * Serialises changes to one tenant's identity graph (resolution from the log, split, erasure, rebuild,
 * and anything that must see a profile that is not about to be merged away) across every process
 * sharing the store. Held until the transaction ends. On PGlite there is one connection anyway.
 */
export async function lockIdentityGraph(trx: Db, tenantId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`siyu.identity:${tenantId}`}, 0))`.execute(trx);
}

/**
 * Identity work touches a handful of rows per person through indexes. With stale statistics (a
 * tenant that grew since the last ANALYZE; PGlite never analyses by itself) the planner picked
 * sequential scans and hash joins over the tenant's whole graph, per batch: ingest slowed with the
 * size of the graph. For the rest of the transaction, prefer the indexes.
 */
export async function preferIndexes(trx: Db): Promise<void> {
  await sql`SET LOCAL enable_seqscan = off`.execute(trx);
}

/**
 * The same lock without waiting: false when another transaction holds it (a resolver moves on to
 * another tenant instead of queueing behind a writer of this one).
 */
export async function tryLockIdentityGraph(trx: Db, tenantId: string): Promise<boolean> {
  const { rows } = await sql<{ ok: boolean }>`SELECT pg_try_advisory_xact_lock(hashtextextended(${`siyu.identity:${tenantId}`}, 0)) AS ok`.execute(trx);
  return rows[0]?.ok === true;
}

/**
 * Appending tracked events takes this per-tenant lock shared (appends run side by side), in the
 * statement that queues them; a rebuild takes it exclusively, so that until it commits no append can
 * commit, and the events it reads are exactly those whose queue rows it sees.
 */
export const appendLockKey = (tenantId: string): string => `siyu.append:${tenantId}`;

export async function stopAppends(trx: Db, tenantId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${appendLockKey(tenantId)}, 0))`.execute(trx);
}
