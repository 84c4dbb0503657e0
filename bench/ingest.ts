/**
 * `npm run bench -- ingest`: events/s through the Segment batch API (`POST /v1/batch`) of a real
 * `siyu serve` child process over loopback, against a raw COPY of the same rows into the same kind
 * of store, and the server's peak RSS. PGlite always; PostgreSQL when one can be found.
 *
 * Environment: BENCH_EVENTS (200000), BENCH_BATCH (500 events per request), BENCH_CONCURRENCY (4),
 * BENCH_WARMUP_EVENTS (5000), BENCH_ENGINES (pglite,postgres), BENCH_CPU_PROF (a directory: the
 * server child writes V8 CPU profiles to <dir>/<engine>/), BENCH_SERVER_ENTRY (`tsx` to run the sources,
 * or another compiled main.js; default dist/cli/main.js), SIYU_BENCH_DATABASE_URL (a PostgreSQL to use).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/platform/db/index.js';
import type { StoreConfig } from '../src/platform/config.js';
import { basicAuth, postAll } from './lib/http.js';
import { findPostgres, type PostgresTarget } from './lib/postgres.js';
import { loadAverage, onExit, repoRoot, runCli, siyuEnv, startServer } from './lib/processes.js';
import { buildWorkload, type Workload } from './ingest/messages.js';
import { countEvents, deleteTenantEvents, rawCopy, type RawCopyMode, type RawCopyResult } from './ingest/raw-copy.js';
import { goals, render, type EngineResult } from './ingest/report.js';

function envInt(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  const value = raw ? Number(raw) : fallback;
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be a whole number ≥ ${min} (got ${raw})`);
  return value;
}

interface Settings {
  events: number;
  batchEvents: number;
  concurrency: number;
  warmupEvents: number;
  cpuProfDir: string | undefined;
}

const mb = (kb: number) => kb / 1024;

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onExit(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function measure(engine: 'pglite' | 'postgres', pg: PostgresTarget | undefined, work: Workload, warmup: Workload, s: Settings): Promise<EngineResult> {
  const storeFor = (dir: string): StoreConfig =>
    pg ? { engine: 'postgres', url: pg.url, poolMax: s.concurrency } : { engine: 'pglite', dataDir: join(dir, 'data') };
  const rawPass = async (mode: RawCopyMode) => {
    process.stderr.write(`[${engine}] raw COPY of ${work.events} rows, ${mode} (load average ${loadAverage()})\n`);
    const dir = tempDir('siyu-bench-raw-');
    try {
      return await rawCopy(storeFor(dir), work.bodies, warmup.bodies, mode, s.concurrency);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const firstBoot = pg ? undefined : await firstBootRss();
  const raw = await rawPass('concurrent');
  const rawSequential = await rawPass('sequential');

  const dataDir = tempDir('siyu-bench-http-');
  const env = siyuEnv({
    SIYU_HOST: '127.0.0.1',
    SIYU_LOG_LEVEL: 'warn',
    ...(pg ? { SIYU_DATABASE_URL: pg.url } : { SIYU_DATA_DIR: join(dataDir, 'data') }),
  });
  const created: unknown = JSON.parse(await runCli(['tenant', 'create', '--name', 'bench', '--json'], env));
  if (typeof created !== 'object' || created === null || !('writeKey' in created) || !('tenantId' in created)) {
    throw new Error(`siyu tenant create printed no tenant: ${JSON.stringify(created)}`);
  }
  const tenantId = String(created.tenantId);
  const authorization = basicAuth(String(created.writeKey));

  // One profile per thread (tsx's loader runs in a worker): the main thread's is the largest file.
  const profArgs = s.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${join(s.cpuProfDir, engine)}`] : [];
  const server = await startServer(env, profArgs);
  let peakKb = 0;
  let sampledKb = 0;
  let seconds = 0;
  let cpuSeconds = 0;
  const rss = { idle: 0, afterWarmup: 0, end: 0 };
  const load = { before: loadAverage(), after: 0 };
  try {
    const url = new URL('/v1/batch', server.url);
    const opts = { authorization, concurrency: s.concurrency, timeoutMs: 120_000 };
    rss.idle = mb(server.memory().rssKb);
    process.stderr.write(`[${engine}] warm-up: ${warmup.events} events; server pid ${server.pid}\n`);
    await postAll(url, warmup.bodies, opts);
    rss.afterWarmup = mb(server.memory().rssKb);
    process.stderr.write(`[${engine}] ${work.events} events in ${work.bodies.length} requests, ${s.concurrency} at a time\n`);
    const cpuBefore = server.cpuSeconds();
    seconds = (await postAll(url, work.bodies, opts)) / 1000;
    cpuSeconds = server.cpuSeconds() - cpuBefore;
    load.after = loadAverage();
    const mem = server.memory();
    rss.end = mb(mem.rssKb);
    peakKb = mem.hwmKb;
    sampledKb = Math.max(server.maxSampledRssKb(), mem.rssKb);
  } finally {
    const code = await server.stop();
    if (code !== 0) process.stderr.write(`[${engine}] the server exited with ${code}\n`);
  }

  // The server has stopped, so its PGlite folder can be opened here.
  const check = await openStore(storeFor(dataDir));
  let stored: number;
  try {
    stored = await countEvents(check, tenantId);
    if (check.engine === 'postgres') await deleteTenantEvents(check, tenantId);
  } finally {
    await check.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const expected = work.events + warmup.events;
  if (stored !== expected) throw new Error(`[${engine}] ${expected} events sent but ${stored} stored for the tenant`);

  const eventsPerSec = work.events / seconds;
  return {
    engine,
    store: `${raw.serverVersion.split(' on ')[0] ?? raw.serverVersion}${pg ? ` (${pg.origin})` : ''}`,
    events: work.events,
    requests: work.bodies.length,
    avgBodyBytes: work.bytes / work.bodies.length,
    seconds,
    eventsPerSec,
    warmupEvents: warmup.events,
    storedEvents: stored,
    raw: strip(raw),
    ratio: eventsPerSec / raw.rowsPerSec,
    rawSequential: strip(rawSequential),
    ratioSequential: eventsPerSec / rawSequential.rowsPerSec,
    serverCpuSeconds: cpuSeconds,
    loadAverage: load,
    serverPeakRssMb: mb(peakKb),
    serverMaxSampledRssMb: mb(sampledKb),
    serverRssMb: rss,
    ...(firstBoot ? { firstBootRssMb: firstBoot } : {}),
  };
}

/**
 * PGlite only: a server started on an empty data folder runs initdb in its own process, and WASM
 * memory never shrinks. Its RSS once healthy, for comparison with the measured server (whose folder
 * `siyu tenant create` initialised).
 */
async function firstBootRss(): Promise<{ rss: number; peak: number }> {
  const dir = tempDir('siyu-bench-boot-');
  const server = await startServer(siyuEnv({ SIYU_HOST: '127.0.0.1', SIYU_LOG_LEVEL: 'warn', SIYU_DATA_DIR: join(dir, 'data') }));
  try {
    const mem = server.memory();
    return { rss: mb(mem.rssKb), peak: mb(mem.hwmKb) };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const strip = ({ serverVersion: _v, ...rest }: RawCopyResult) => rest;

/** The commit measured, and whether src/ or migrations/ had uncommitted changes at the time. */
function sourceState(): { commit: string; dirty: boolean } {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
  try {
    return { commit: git('rev-parse', 'HEAD'), dirty: git('status', '--porcelain', '--', 'src', 'migrations') !== '' };
  } catch {
    return { commit: 'unknown', dirty: true };
  }
}

function packageVersion(name: string): string {
  const pkg: unknown = JSON.parse(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8'));
  return typeof pkg === 'object' && pkg !== null && 'version' in pkg ? String(pkg.version) : 'unknown';
}

export async function run(): Promise<void> {
  const s: Settings = {
    events: envInt('BENCH_EVENTS', 200_000, 1),
    batchEvents: envInt('BENCH_BATCH', 500, 1),
    concurrency: envInt('BENCH_CONCURRENCY', 4, 1),
    warmupEvents: envInt('BENCH_WARMUP_EVENTS', 5_000, 1),
    cpuProfDir: process.env['BENCH_CPU_PROF'] || undefined,
  };
  if (s.cpuProfDir) mkdirSync(s.cpuProfDir, { recursive: true });
  const engines = (process.env['BENCH_ENGINES'] ?? 'pglite,postgres').split(',').map((e) => e.trim());

  process.stderr.write(`building ${s.events} + ${s.warmupEvents} warm-up events\n`);
  const work = buildWorkload({ events: s.events, batchEvents: s.batchEvents, seed: 20261122 });
  const warmup = buildWorkload({ events: s.warmupEvents, batchEvents: s.batchEvents, seed: 7 });

  const results: EngineResult[] = [];
  const notes: string[] = [];
  if (engines.includes('pglite')) results.push(await measure('pglite', undefined, work, warmup, s));
  if (engines.includes('postgres')) {
    const pg = await findPostgres();
    if ('skip' in pg) {
      notes.push(`PostgreSQL skipped: ${pg.skip}`);
    } else {
      try {
        results.push(await measure('postgres', pg, work, warmup, s));
      } finally {
        pg.stop();
      }
    }
  }

  const checked = goals(results);
  process.stdout.write(`\n${render(results, checked, notes)}\n`);
  const out = {
    benchmark: 'ingest',
    date: new Date().toISOString(),
    source: sourceState(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, platform: process.platform },
    versions: { pglite: packageVersion('@electric-sql/pglite'), fastify: packageVersion('fastify'), zod: packageVersion('zod') },
    settings: { ...s, maxBodyBytes: work.maxBodyBytes, serverEntry: process.env['BENCH_SERVER_ENTRY'] || 'dist/cli/main.js' },
    results,
    goals: checked,
    notes,
  };
  const dir = join(repoRoot, 'bench', 'out');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'ingest.json'), `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(`\nwrote bench/out/ingest.json\n`);
}
