/**
 * `siyu identity rebuild` at scale: a tenant whose events are `people` identify events (written
 * straight into `events` with COPY, no profile yet), rebuilt by the real CLI in a child process twice
 * (from scratch, then with nothing to change), its peak RSS sampled from /proc. Also the two ways of
 * moving events (unnest statements vs a COPYed temporary table joined once), measured in-process in a
 * transaction that is rolled back.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { RebuildSummary } from '../../src/modules/identity/index.js';
import { applyStagedEventMoves, copyIdentifiers, copyProfiles, moveEventsUnnest, stageEventMoves, type EventMove, type LinkState, type ProfileState } from '../../src/modules/identity/rebuild.repo.js';
import { createTenant } from '../../src/modules/tenancy/index.js';
import { systemClock } from '../../src/platform/clock.js';
import type { StoreConfig } from '../../src/platform/config.js';
import { openStore, type Store } from '../../src/platform/db/index.js';
import { procCpuSeconds, procMemory, startCli } from '../lib/processes.js';
import { writeIdentifyEvents } from './dataset.js';

export interface Dataset {
  tenantId: string;
  rows: number;
  copySeconds: number;
}

export async function prepareDataset(config: StoreConfig, people: number, log: (line: string) => void): Promise<Dataset> {
  const store = await openStore(config);
  try {
    const tenant = await createTenant({ db: store.db, clock: systemClock }, { name: 'bench-identity-rebuild' });
    let next = 0;
    const w = await writeIdentifyEvents(store, {
      tenantId: tenant.tenantId,
      sourceId: tenant.sourceId,
      people,
      onProgress: (done) => {
        if (done >= next) {
          log(`  COPY ${done.toLocaleString('en-US')} / ${people.toLocaleString('en-US')} events`);
          next = done + Math.max(100_000, people / 5);
        }
      },
    });
    if (store.engine === 'postgres') await analyze(store, ['events']);
    return { tenantId: tenant.tenantId, rows: w.rows, copySeconds: w.seconds };
  } finally {
    await store.close();
  }
}

async function analyze(store: Store, tables: string[]): Promise<void> {
  const session = await store.sql.session();
  try {
    for (const t of tables) await session.exec(`VACUUM ANALYZE ${t}`);
  } finally {
    session.release();
  }
}

export interface RebuildRun {
  seconds: number;
  peakRssMb: number;
  /** CPU time (user + system) at the last sample, ≤ 100 ms before it exited. */
  cpuSeconds: number | null;
  summary: RebuildSummary;
}

function isSummary(v: unknown): v is RebuildSummary {
  return typeof v === 'object' && v !== null && 'eventsMoved' in v && 'timings' in v;
}

/** `siyu identity rebuild --tenant <id> --json` as a child process; VmHWM sampled every 100 ms. */
export async function runRebuild(env: NodeJS.ProcessEnv, tenantId: string, timeoutMs: number): Promise<RebuildRun> {
  const began = performance.now();
  const started = startCli(['identity', 'rebuild', '--tenant', tenantId, '--json'], env);
  const pid = started.child.pid;
  if (pid === undefined) throw new Error(`could not start siyu identity rebuild:\n${started.output()}`);
  const stdout: string[] = [];
  started.child.stdout?.on('data', (d: string) => stdout.push(d));
  let peakKb = 0;
  let cpu: number | null = null;
  const sample = () => {
    try {
      // An exited child that is not yet reaped has no memory lines (NaN).
      const hwm = procMemory(pid).hwmKb;
      if (Number.isFinite(hwm)) peakKb = Math.max(peakKb, hwm);
      cpu = procCpuSeconds(pid);
    } catch {
      // exited
    }
  };
  const sampler = setInterval(sample, 100);
  const timer = setTimeout(() => started.child.kill('SIGKILL'), timeoutMs);
  const code = await started.exited;
  const seconds = (performance.now() - began) / 1000;
  clearInterval(sampler);
  clearTimeout(timer);
  if (code !== 0) throw new Error(`siyu identity rebuild exited with ${code}:\n${started.output()}`);
  const parsed: unknown = JSON.parse(stdout.join(''));
  if (!isSummary(parsed)) throw new Error(`siyu identity rebuild printed no summary: ${stdout.join('')}`);
  return { seconds, peakRssMb: peakKb / 1024, cpuSeconds: cpu, summary: parsed };
}

export interface MoveTimings {
  moves: number;
  unnestSeconds: number;
  copySeconds: number;
}

class Rollback extends Error {}

/** Both ways of moving `n` of the tenant's events to new profile ids, each in a rolled-back transaction. */
export async function measureMoves(config: StoreConfig, tenantId: string, n: number): Promise<MoveTimings> {
  const store = await openStore(config);
  try {
    const { rows } = await sql<{ id: string; r_us: string }>`
      SELECT id, (extract(epoch FROM received_at) * 1000000)::int8 AS r_us FROM events WHERE tenant_id = ${tenantId} LIMIT ${n}`.execute(store.db);
    const moves: EventMove[] = rows.map((r) => ({ id: Number(r.id), rUs: Number(r.r_us), profileId: randomUUID() }));
    const timed = async (fn: (trx: Store['db']) => Promise<void>) => {
      let seconds = 0;
      await store.db
        .transaction()
        .execute(async (trx) => {
          const began = performance.now();
          await fn(trx);
          seconds = (performance.now() - began) / 1000;
          throw new Rollback();
        })
        .catch((err: unknown) => {
          if (!(err instanceof Rollback)) throw err;
        });
      return seconds;
    };
    const unnestSeconds = await timed((trx) => moveEventsUnnest(trx, tenantId, moves));
    const copySeconds = await timed(async (trx) => {
      for (let i = 0; i < moves.length; i += 50_000) await stageEventMoves(trx, moves.slice(i, i + 50_000), i === 0);
      await applyStagedEventMoves(trx, tenantId);
    });
    return { moves: moves.length, unnestSeconds, copySeconds };
  } finally {
    await store.close();
  }
}

export interface CopyBaseline {
  profiles: number;
  identifiers: number;
  profileSeconds: number;
  identifierSeconds: number;
}

/**
 * What the rows a rebuild from scratch writes cost to COPY by themselves: the tenant's live profiles
 * and identifiers, read back and COPYed again (50,000 rows per statement) into the same tables under
 * new profile ids, the tenant's identifiers deleted first (untimed), in a transaction that is rolled
 * back. (The events it rewrites compare with the data set's own COPY of them.)
 */
export async function measureCopyBaseline(config: StoreConfig, tenantId: string): Promise<CopyBaseline> {
  const store = await openStore(config);
  try {
    const ms = (c: string) => sql.raw(`round(date_part('epoch', ${c}) * 1000)::int8`);
    const { rows: p } = await sql<{ id: string; f: string; l: string; t: string; m: string }>`
      SELECT id, ${ms('first_seen')} AS f, ${ms('last_seen')} AS l, traits::text AS t, trait_meta::text AS m
      FROM profiles WHERE tenant_id = ${tenantId} AND merged_into IS NULL`.execute(store.db);
    const fresh = new Map(p.map((r) => [r.id, randomUUID()]));
    const profiles: ProfileState[] = p.map((r) => ({ id: fresh.get(r.id)!, firstMs: Number(r.f), lastMs: Number(r.l), traits: r.t, meta: r.m }));
    const { rows: i } = await sql<{ type: string; scope: string; value: string; profile_id: string; f: string; l: string }>`
      SELECT type, scope, value, profile_id, ${ms('first_seen')} AS f, ${ms('last_seen')} AS l
      FROM profile_identifiers WHERE tenant_id = ${tenantId}`.execute(store.db);
    const links: LinkState[] = i.map((r) => ({ type: r.type, scope: r.scope, value: r.value, profileId: fresh.get(r.profile_id) ?? randomUUID(), firstMs: Number(r.f), lastMs: Number(r.l) }));
    const out: CopyBaseline = { profiles: profiles.length, identifiers: links.length, profileSeconds: 0, identifierSeconds: 0 };
    await store.db
      .transaction()
      .execute(async (trx) => {
        await sql`DELETE FROM profile_identifiers WHERE tenant_id = ${tenantId}`.execute(trx);
        let began = performance.now();
        for (let k = 0; k < profiles.length; k += 50_000) await copyProfiles(trx, tenantId, profiles.slice(k, k + 50_000));
        out.profileSeconds = (performance.now() - began) / 1000;
        began = performance.now();
        for (let k = 0; k < links.length; k += 50_000) await copyIdentifiers(trx, tenantId, links.slice(k, k + 50_000));
        out.identifierSeconds = (performance.now() - began) / 1000;
        throw new Rollback();
      })
      .catch((err: unknown) => {
        if (!(err instanceof Rollback)) throw err;
      });
    return out;
  } finally {
    await store.close();
  }
}

export async function graphCounts(config: StoreConfig, tenantId: string): Promise<{ profiles: number; identifiers: number; eventsWithProfile: number }> {
  const store = await openStore(config);
  try {
    const { rows } = await sql<{ p: string; i: string; e: string }>`
      SELECT (SELECT count(*) FROM profiles WHERE tenant_id = ${tenantId} AND merged_into IS NULL) AS p,
        (SELECT count(*) FROM profile_identifiers WHERE tenant_id = ${tenantId}) AS i,
        (SELECT count(*) FROM events WHERE tenant_id = ${tenantId} AND profile_id IS NOT NULL) AS e`.execute(store.db);
    return { profiles: Number(rows[0]?.p), identifiers: Number(rows[0]?.i), eventsWithProfile: Number(rows[0]?.e) };
  } finally {
    await store.close();
  }
}

/** Removes what the bench tenants wrote to a shared PostgreSQL database. */
export async function cleanUp(config: StoreConfig, tenantIds: readonly string[]): Promise<void> {
  const store = await openStore(config);
  try {
    for (const table of ['events', 'event_message_ids', 'profile_identifiers', 'former_identifiers', 'identity_log', 'audit_log', 'profiles']) {
      await sql`DELETE FROM ${sql.table(table)} WHERE tenant_id = ANY(${[...tenantIds]}::uuid[])`.execute(store.db);
    }
    await sql`DELETE FROM tenants WHERE id = ANY(${[...tenantIds]}::uuid[])`.execute(store.db);
    await analyze(store, ['events', 'profiles', 'profile_identifiers']);
  } finally {
    await store.close();
  }
}
