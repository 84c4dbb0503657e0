/**
 * Runs the segments benchmark's phases as child processes (bench/segments/child.ts through tsx) and
 * watches their peak RSS from /proc; gives each engine its own store: a database created for the run
 * on the PostgreSQL server (dropped afterwards), a PGlite folder under the temp dir (removed).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { StoreConfig } from '../../src/platform/config.js';
import { openStore } from '../../src/platform/db/index.js';
import { onExit, procMemory, repoRoot } from '../lib/processes.js';

export interface ChildRun {
  result: unknown;
  seconds: number;
  /** VmHWM of the child, sampled every 100 ms. */
  peakRssMb: number;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

export function runChild(input: Record<string, unknown>, timeoutMs: number): Promise<ChildRun> {
  const began = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/segments/child.ts', JSON.stringify(input)], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const kill = () => child.kill('SIGKILL');
  process.on('exit', kill);
  const stdout: string[] = [];
  child.stdout.setEncoding('utf8').on('data', (d: string) => stdout.push(d));
  let peakKb = 0;
  const sampler = setInterval(() => {
    try {
      if (child.pid !== undefined) peakKb = Math.max(peakKb, procMemory(child.pid).hwmKb);
    } catch {
      // exited
    }
  }, 100);
  const timer = setTimeout(kill, timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      clearInterval(sampler);
      clearTimeout(timer);
      process.off('exit', kill);
      const line = stdout.join('').split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) return reject(new Error(`segments child (${String(input['phase'])}) exited with ${code}`));
      resolve({ result: JSON.parse(line.slice('RESULT '.length)), seconds: (performance.now() - began) / 1000, peakRssMb: peakKb / 1024 });
    });
  });
}

export interface EngineStore {
  config: StoreConfig;
  where: string;
  /** Drops the database / removes the folder (unless kept). */
  release(): Promise<void>;
}

/** A fresh database on the server of `url` (or `reuse`, an existing one), dropped on release unless `keep`. */
export async function postgresStore(url: string, reuse: string | undefined, keep: boolean): Promise<EngineStore> {
  const name = reuse ?? `siyu_bench_segments_${randomBytes(4).toString('hex')}`;
  const admin = await openStore({ engine: 'postgres', url, poolMax: 1 }, { migrate: false });
  try {
    if (!reuse) await sql`CREATE DATABASE ${sql.id(name)}`.execute(admin.db);
  } finally {
    await admin.close();
  }
  const target = new URL(url);
  target.pathname = `/${name}`;
  const release = async () => {
    if (keep || reuse) {
      log(`kept PostgreSQL database ${name} (BENCH_REUSE_PG_DB=${name} to measure it again)`);
      return;
    }
    const a = await openStore({ engine: 'postgres', url, poolMax: 1 }, { migrate: false });
    try {
      await sql`DROP DATABASE IF EXISTS ${sql.id(name)} WITH (FORCE)`.execute(a.db);
    } finally {
      await a.close();
    }
  };
  return { config: { engine: 'postgres', url: target.toString(), poolMax: 2 }, where: `database ${name}`, release };
}

export function pgliteStore(reuse: string | undefined, keep: boolean): EngineStore {
  const dir = reuse ?? join(mkdtempSync(join(tmpdir(), 'siyu-bench-segments-')), 'pglite');
  const remove = () => rmSync(join(dir, '..'), { recursive: true, force: true });
  if (!keep && !reuse) onExit(remove);
  return {
    config: { engine: 'pglite', dataDir: dir },
    where: dir,
    release: async () => {
      if (keep || reuse) log(`kept PGlite data in ${dir} (BENCH_REUSE_PGLITE_DIR=${dir} to measure it again)`);
      else remove();
    },
  };
}

/** The tenant of a kept data set (the latest bench-segments tenant). */
export async function findDataset(config: StoreConfig): Promise<string> {
  const store = await openStore(config);
  try {
    const { rows } = await sql<{ id: string }>`SELECT id FROM tenants WHERE name LIKE 'bench-segments-%' ORDER BY created_at DESC LIMIT 1`.execute(store.db);
    const id = rows[0]?.id;
    if (!id) throw new Error('no bench-segments data set in the reused store');
    return id;
  } finally {
    await store.close();
  }
}
