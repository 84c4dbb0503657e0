import { sql } from 'kysely';
import type { Db } from '../db/index.js';

/**
 * Durable jobs and timers in our own table (DESIGN.md): any number of workers claim due jobs with
 * `FOR UPDATE SKIP LOCKED` under a lease; (tenant, kind, key) is unique, so asking for a job is an
 * idempotent upsert. A request that arrives while the job runs bumps its `generation`: the worker
 * that finishes deletes the job only if no request came in meanwhile, and runs it again otherwise.
 */

export interface JobRequest {
  tenantId: string;
  kind: string;
  key: string;
  runAt: Date;
  payload?: unknown;
}

export interface Job {
  tenantId: string;
  id: string;
  kind: string;
  key: string;
  runAt: Date;
  payload: unknown;
  generation: number;
  attempts: number;
}

/** Makes sure the job exists and is due by `runAt` at the latest (an earlier due time is kept). */
export async function ensureJob(db: Db, r: JobRequest): Promise<void> {
  await sql`
    INSERT INTO jobs (tenant_id, kind, key, run_at, payload)
    VALUES (${r.tenantId}, ${r.kind}, ${r.key}, ${r.runAt.toISOString()}::timestamptz, ${r.payload === undefined ? null : JSON.stringify(r.payload)}::jsonb)
    ON CONFLICT (tenant_id, kind, key) DO UPDATE SET generation = jobs.generation + 1, run_at = LEAST(jobs.run_at, excluded.run_at)`.execute(db);
}

/**
 * Asks for the job: created due at `runAt` if it does not exist; an existing one keeps its time and,
 * if it is running, runs again (its generation goes up). For jobs that pace themselves.
 */
export async function requestJob(db: Db, r: JobRequest): Promise<void> {
  await sql`
    INSERT INTO jobs (tenant_id, kind, key, run_at, payload)
    VALUES (${r.tenantId}, ${r.kind}, ${r.key}, ${r.runAt.toISOString()}::timestamptz, ${r.payload === undefined ? null : JSON.stringify(r.payload)}::jsonb)
    ON CONFLICT (tenant_id, kind, key) DO UPDATE SET generation = jobs.generation + 1`.execute(db);
}

/** Creates the job if it does not exist; an existing one keeps its schedule (for recurring jobs). */
export async function scheduleJobOnce(db: Db, r: JobRequest): Promise<void> {
  await sql`
    INSERT INTO jobs (tenant_id, kind, key, run_at, payload)
    VALUES (${r.tenantId}, ${r.kind}, ${r.key}, ${r.runAt.toISOString()}::timestamptz, ${r.payload === undefined ? null : JSON.stringify(r.payload)}::jsonb)
    ON CONFLICT (tenant_id, kind, key) DO NOTHING`.execute(db);
}

type JobDbRow = { tenant_id: string; id: string; kind: string; key: string; run_at: Date; payload: unknown; generation: number; attempts: number };

const toJob = (r: JobDbRow): Job => ({
  tenantId: r.tenant_id,
  id: String(r.id),
  kind: r.kind,
  key: r.key,
  runAt: r.run_at,
  payload: r.payload,
  generation: Number(r.generation),
  attempts: Number(r.attempts),
});

/** Claims up to `limit` due jobs of `kinds` for `leaseMs`; a job whose lease ran out is due again. */
export async function claimDueJobs(db: Db, now: Date, kinds: readonly string[], limit: number, leaseMs: number, tenantId?: string): Promise<Job[]> {
  if (kinds.length === 0) return [];
  const at = now.toISOString();
  const { rows } = await sql<JobDbRow>`
    UPDATE jobs j SET locked_until = ${new Date(now.getTime() + leaseMs).toISOString()}::timestamptz, attempts = j.attempts + 1
    WHERE (j.tenant_id, j.id) IN (
      SELECT tenant_id, id FROM jobs
      WHERE run_at <= ${at}::timestamptz AND (locked_until IS NULL OR locked_until < ${at}::timestamptz) AND kind IN (${sql.join([...kinds])})
        ${tenantId === undefined ? sql`` : sql`AND tenant_id = ${tenantId}`}
      ORDER BY run_at LIMIT ${limit} FOR UPDATE SKIP LOCKED
    )
    RETURNING j.tenant_id, j.id, j.kind, j.key, j.run_at, j.payload, j.generation, j.attempts`.execute(db);
  return rows.map(toJob);
}

/**
 * Finishes a claimed job. `next`: a recurring job's next due time. Otherwise the job is deleted,
 * unless it was requested again while it ran: then it is due again at `now`.
 */
export async function completeJob(db: Db, job: Job, now: Date, next?: Date): Promise<void> {
  if (next) {
    await sql`UPDATE jobs SET run_at = ${next.toISOString()}::timestamptz, locked_until = NULL, attempts = 0, last_error = NULL
      WHERE tenant_id = ${job.tenantId} AND id = ${job.id}`.execute(db);
    return;
  }
  const deleted = await sql`DELETE FROM jobs WHERE tenant_id = ${job.tenantId} AND id = ${job.id} AND generation = ${job.generation}`.execute(db);
  if (Number(deleted.numAffectedRows ?? 0) === 0) {
    await sql`UPDATE jobs SET run_at = ${now.toISOString()}::timestamptz, locked_until = NULL, attempts = 0, last_error = NULL
      WHERE tenant_id = ${job.tenantId} AND id = ${job.id}`.execute(db);
  }
}

/** Backs a failed job off exponentially (2^attempts seconds, at most an hour) and keeps the error. */
export async function failJob(db: Db, job: Job, now: Date, error: string): Promise<Date> {
  const retryAt = new Date(now.getTime() + Math.min(2 ** Math.min(job.attempts, 12), 3600) * 1000);
  await sql`UPDATE jobs SET run_at = ${retryAt.toISOString()}::timestamptz, locked_until = NULL, last_error = ${error.slice(0, 2000)}
    WHERE tenant_id = ${job.tenantId} AND id = ${job.id}`.execute(db);
  return retryAt;
}

/** A tenant's pending jobs (for tests, the CLI and operators). */
export async function pendingJobs(db: Db, tenantId: string): Promise<Job[]> {
  const { rows } = await sql<JobDbRow>`
    SELECT tenant_id, id, kind, key, run_at, payload, generation, attempts FROM jobs WHERE tenant_id = ${tenantId} ORDER BY run_at, id`.execute(db);
  return rows.map(toJob);
}
