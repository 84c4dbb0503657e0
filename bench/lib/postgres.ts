/**
 * Where benchmarks find PostgreSQL: SIYU_BENCH_DATABASE_URL if set; otherwise a throwaway cluster
 * started here (as the `postgres` user, in a temp dir, on a free loopback port, trust auth: the same
 * recipe as .ci/run) when the server binaries are installed; otherwise nowhere.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, onExit } from './processes.js';

export interface PostgresTarget {
  url: string;
  /** How it was found, for the report. */
  origin: 'SIYU_BENCH_DATABASE_URL' | 'throwaway cluster';
  /** Stops a throwaway cluster (no-op for a given URL). Also runs on exit. */
  stop(): void;
}

function pgBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(root, v, 'bin')).find((bin) => existsSync(join(bin, 'initdb')));
}

const shellQuote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/** Runs a command as the postgres user when we are root (PostgreSQL refuses to run as root). */
function asPostgres(argv: string[], timeoutMs = 120_000): string {
  const command = argv.map(shellQuote).join(' ');
  const isRoot = process.getuid?.() === 0;
  return execFileSync(isRoot ? 'su' : 'bash', isRoot ? ['postgres', '-s', '/bin/bash', '-c', command] : ['-c', command], {
    encoding: 'utf8',
    timeout: timeoutMs,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function startThrowaway(bin: string): Promise<PostgresTarget> {
  const dir = mkdtempSync(join(tmpdir(), 'siyu-bench-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const port = await freePort();
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      asPostgres([join(bin, 'pg_ctl'), '-D', data, '-m', 'fast', '-w', 'stop'], 60_000);
    } catch {
      // not running
    }
    rmSync(dir, { recursive: true, force: true });
  };
  onExit(stop);
  try {
    try {
      asPostgres([join(bin, 'initdb'), '-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
    } catch {
      rmSync(data, { recursive: true, force: true });
      asPostgres([join(bin, 'initdb'), '-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
    }
    const options = `-h 127.0.0.1 -p ${port} -k ${dir}`;
    asPostgres([join(bin, 'pg_ctl'), '-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', options, 'start']);
    asPostgres([join(bin, 'createdb'), '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'siyu_bench']);
  } catch (err) {
    stop();
    const stderr = typeof err === 'object' && err !== null && 'stderr' in err ? String(err.stderr) : '';
    throw new Error(`could not start a throwaway PostgreSQL in ${dir}: ${err instanceof Error ? err.message : String(err)}\n${stderr}`);
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/siyu_bench`, origin: 'throwaway cluster', stop };
}

/** A PostgreSQL to benchmark against, or a reason why there is none. */
export async function findPostgres(): Promise<PostgresTarget | { skip: string }> {
  const url = process.env['SIYU_BENCH_DATABASE_URL'];
  if (url) return { url, origin: 'SIYU_BENCH_DATABASE_URL', stop: () => {} };
  const bin = pgBin();
  if (!bin) {
    return { skip: 'no PostgreSQL: set SIYU_BENCH_DATABASE_URL or install the postgresql package (initdb under /usr/lib/postgresql/*/bin)' };
  }
  return startThrowaway(bin);
}
