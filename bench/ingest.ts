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
import { countEvents, deleteTenantEvents, rawCopy, resolverTotals, type RawCopyMode, type RawCopyResult } from './ingest/raw-copy.js';
import { goals, render, type EngineResult, type ResolutionResult, type TenantsResult } from './ingest/report.js';
import { percentile, sampleLag, waitDrained } from './ingest/resolution.js';
import { measureFreshness, type FreshnessResult } from './ingest/freshness.js';
import { tenantCreatedSchema } from '../src/contracts/tenancy.js';
import { envInt } from './lib/env.js';

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

async function measure(
  engine: 'pglite' | 'postgres',
  pg: PostgresTarget | undefined,
  work: Workload,
  warmup: Workload,
  tenantWork: readonly [Workload, Workload, Workload],
  freshWork: Workload,
  s: Settings,
): Promise<EngineResult> {
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
  const newTenant = async (name: string) => tenantCreatedSchema.parse(JSON.parse(await runCli(['tenant', 'create', '--name', name, '--json'], env)));
  const created = await newTenant('bench');
  // For the run of two tenants at once, against one of them alone (created now: PGlite's folder is the server's once it runs).
  const others = [await newTenant('bench-alone'), await newTenant('bench-a'), await newTenant('bench-b')];
  const tenantId = created.tenantId;
  const authorization = basicAuth(created.writeKey);

  // One profile per thread (tsx's loader runs in a worker): the main thread's is the largest file.
  const profArgs = s.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${join(s.cpuProfDir, engine)}`] : [];
  const server = await startServer(env, profArgs);
  let peakKb = 0;
  let sampledKb = 0;
  let seconds = 0;
  let cpuSeconds = 0;
  let resolution: Omit<ResolutionResult, 'resolvedEvents' | 'busySeconds' | 'eventsPerBusySecond' | 'ratioToIngest'> | undefined;
  let tenants: Omit<TenantsResult, 'ratios'> | undefined;
  let freshness: FreshnessResult | undefined;
  const rss = { idle: 0, afterWarmup: 0, end: 0 };
  const load = { before: loadAverage(), after: 0 };
  try {
    const url = new URL('/v1/batch', server.url);
    const opts = { authorization, concurrency: s.concurrency, timeoutMs: 120_000 };
    rss.idle = mb(server.memory().rssKb);
    process.stderr.write(`[${engine}] warm-up: ${warmup.events} events; server pid ${server.pid}\n`);
    await postAll(url, warmup.bodies, opts);
    rss.afterWarmup = mb(server.memory().rssKb);
    await waitDrained(server.url, created.adminToken, 600_000);
    process.stderr.write(`[${engine}] ${work.events} events in ${work.bodies.length} requests, ${s.concurrency} at a time, the resolver running\n`);
    const cpuBefore = server.cpuSeconds();
    const sampler = sampleLag(server.url, created.adminToken);
    seconds = (await postAll(url, work.bodies, opts)) / 1000;
    cpuSeconds = server.cpuSeconds() - cpuBefore;
    const drainMs = await waitDrained(server.url, created.adminToken, 1_800_000);
    const samples = await sampler.stop();
    load.after = loadAverage();
    const lags = samples.map((x) => x.oldestSeconds).sort((a, b) => a - b);
    resolution = {
      backlogPeak: Math.max(0, ...samples.map((x) => x.waitingEvents)),
      drainSeconds: drainMs / 1000,
      lagP50: percentile(lags, 50),
      lagP95: percentile(lags, 95),
      lagMax: lags[lags.length - 1] ?? 0,
      samples: samples.length,
    };
    const mem = server.memory();
    rss.end = mb(mem.rssKb);

    // Two tenants at once, against one alone, with half the senders each (together: the same load as above).
    const half = Math.max(1, Math.floor(s.concurrency / 2));
    const part = (body: Buffer[], tenant: (typeof others)[number]) => postAll(url, body, { ...opts, concurrency: half, authorization: basicAuth(tenant.writeKey) });
    process.stderr.write(`[${engine}] one tenant alone, then two at once: ${tenantWork[0].events} events each, ${half} at a time per tenant\n`);
    const aloneMs = await part(tenantWork[0].bodies, others[0]!);
    await waitDrained(server.url, others[0]!.adminToken, 1_800_000);
    const together = await Promise.all([part(tenantWork[1].bodies, others[1]!), part(tenantWork[2].bodies, others[2]!)]);
    for (const t of [others[1]!, others[2]!]) await waitDrained(server.url, t.adminToken, 1_800_000);
    tenants = {
      concurrencyEach: half,
      eventsEach: tenantWork[0].events,
      aloneEventsPerSec: tenantWork[0].events / (aloneMs / 1000),
      togetherEventsPerSec: together.map((ms, i) => tenantWork[i + 1]!.events / (ms / 1000)),
    };
    process.stderr.write(`[${engine}] event → segment entry: probes every 400 ms over 1,000 events/s of background traffic for 20 s\n`);
    // On the tenant that sent alone before: the main tenant's events are counted exactly after the run.
    freshness = await measureFreshness({ baseUrl: server.url, writeAuthorization: basicAuth(others[0]!.writeKey), adminToken: others[0]!.adminToken }, freshWork.bodies, {
      eventsPerBatch: 100,
      eventsPerSec: 1000,
      seconds: 20,
      probeEveryMs: 400,
    });
    const end = server.memory();
    peakKb = end.hwmKb;
    sampledKb = Math.max(server.maxSampledRssKb(), end.rssKb);
  } finally {
    const code = await server.stop();
    if (code !== 0) process.stderr.write(`[${engine}] the server exited with ${code}\n`);
  }

  // The server has stopped, so its PGlite folder can be opened here.
  const check = await openStore(storeFor(dataDir));
  let stored: number;
  let resolver: { resolved: number; busyMs: number };
  try {
    stored = await countEvents(check, tenantId);
    resolver = await resolverTotals(check, tenantId);
    if (check.engine === 'postgres') for (const t of [tenantId, ...others.map((o) => o.tenantId)]) await deleteTenantEvents(check, t);
  } finally {
    await check.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const expected = work.events + warmup.events;
  if (resolver.resolved !== expected) throw new Error(`[${engine}] ${expected} events stored but the resolver counted ${resolver.resolved} resolved`);
  if (stored !== expected) throw new Error(`[${engine}] ${expected} events sent but ${stored} stored for the tenant`);

  process.stderr.write(`[${engine}] the tracking path alone: the same traffic to a server with the resolver off\n`);
  const ack = await ackOnly(pg, work, warmup, s);
  const eventsPerSec = work.events / seconds;
  if (!resolution || !tenants || !freshness) throw new Error(`[${engine}] the run ended without its resolution figures`);
  const resolvedPerBusySecond = resolver.resolved / (resolver.busyMs / 1000);
  return {
    ackOnly: { ...ack, ratio: ack.eventsPerSec / raw.rowsPerSec },
    resolution: { ...resolution, resolvedEvents: resolver.resolved, busySeconds: resolver.busyMs / 1000, eventsPerBusySecond: resolvedPerBusySecond, ratioToIngest: resolvedPerBusySecond / eventsPerSec },
    freshness,
    tenants: { ...tenants, ratios: tenants.togetherEventsPerSec.map((x) => x / tenants!.aloneEventsPerSec) },
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
 * The tracking path alone: a server with the resolver off (SIYU_WORKER=off) on a fresh store or
 * tenant, the same warm-up and traffic. What acknowledging costs without resolution competing for the
 * store; the events stay queued (and are removed afterwards on PostgreSQL).
 */
async function ackOnly(pg: PostgresTarget | undefined, work: Workload, warmup: Workload, s: Settings): Promise<{ eventsPerSec: number; seconds: number }> {
  const dir = tempDir('siyu-bench-ack-');
  const env = siyuEnv({ SIYU_HOST: '127.0.0.1', SIYU_LOG_LEVEL: 'warn', SIYU_WORKER: 'off', ...(pg ? { SIYU_DATABASE_URL: pg.url } : { SIYU_DATA_DIR: join(dir, 'data') }) });
  const tenant = tenantCreatedSchema.parse(JSON.parse(await runCli(['tenant', 'create', '--name', 'bench-ack', '--json'], env)));
  const server = await startServer(env);
  let seconds: number;
  try {
    const url = new URL('/v1/batch', server.url);
    const opts = { authorization: basicAuth(tenant.writeKey), concurrency: s.concurrency, timeoutMs: 120_000 };
    await postAll(url, warmup.bodies, opts);
    seconds = (await postAll(url, work.bodies, opts)) / 1000;
  } finally {
    await server.stop();
  }
  if (pg) {
    const check = await openStore({ engine: 'postgres', url: pg.url, poolMax: 1 });
    try {
      await deleteTenantEvents(check, tenant.tenantId);
    } finally {
      await check.close();
    }
  }
  rmSync(dir, { recursive: true, force: true });
  return { eventsPerSec: work.events / seconds, seconds };
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
  const perTenant = Math.max(s.batchEvents, Math.floor(s.events / 4));
  const freshWork = buildWorkload({ events: 25_000, batchEvents: 100, seed: 900 });
  const tenantWork = [1, 2, 3].map((seed) => buildWorkload({ events: perTenant, batchEvents: s.batchEvents, seed: 500 + seed })) as [Workload, Workload, Workload];

  const results: EngineResult[] = [];
  const notes: string[] = [];
  if (engines.includes('pglite')) results.push(await measure('pglite', undefined, work, warmup, tenantWork, freshWork, s));
  if (engines.includes('postgres')) {
    const pg = await findPostgres();
    if ('skip' in pg) {
      notes.push(`PostgreSQL skipped: ${pg.skip}`);
    } else {
      try {
        results.push(await measure('postgres', pg, work, warmup, tenantWork, freshWork, s));
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
