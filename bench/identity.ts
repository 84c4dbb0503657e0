/**
 * `npm run bench -- identity`: what One ID costs.
 *
 * 1. incremental: µs per event of the ingest path without and with identity resolution, the same
 *    batches in one process (see bench/identity/incremental.ts); twice: with the planner statistics
 *    the store had, and refreshed after the warm-up.
 * 2. rebuild: `siyu identity rebuild` of a tenant with BENCH_PEOPLE people (one identify event each,
 *    with userId, anonymousId and phone: three identifiers), from scratch and again with nothing to
 *    change, as a child process (the real CLI); wall time, phase timings, peak RSS. Then the two ways
 *    of moving events compared on BENCH_MOVES events (rolled back).
 *
 * Environment: BENCH_ENGINES (pglite,postgres), BENCH_PARTS (incremental,rebuild,moves),
 * BENCH_INCREMENTAL_EVENTS (50000), BENCH_BATCH (500), BENCH_PEOPLE (1000000), BENCH_MOVES (= people),
 * BENCH_SERVER_ENTRY (the CLI: dist/cli/main.js by default, `tsx` for the sources),
 * SIYU_BENCH_DATABASE_URL (a PostgreSQL to use; else a throwaway cluster when the binaries exist).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoreConfig } from '../src/platform/config.js';
import { findPostgres, type PostgresTarget } from './lib/postgres.js';
import { loadAverage, onExit, repoRoot, siyuEnv } from './lib/processes.js';
import { incremental, type IncrementalResult } from './identity/incremental.js';
import { cleanUp, graphCounts, measureCopyBaseline, measureMoves, prepareDataset, runRebuild, type CopyBaseline, type MoveTimings, type RebuildRun } from './identity/rebuild.js';
import { buildIdentityTraffic } from './identity/traffic.js';
import { envInt } from './lib/env.js';

const log = (line: string) => process.stderr.write(`${line}\n`);

interface EngineReport {
  engine: 'pglite' | 'postgres';
  store: string;
  incremental?: Array<IncrementalResult & { analyzed: boolean }>;
  rebuild?: {
    people: number;
    copySeconds: number;
    scratch: RebuildRun;
    again: RebuildRun;
    after: { profiles: number; identifiers: number; eventsWithProfile: number };
    /** COPY of the rows the rebuild from scratch wrote, by themselves (events: copySeconds). */
    baseline: CopyBaseline;
    loadAverage: number[];
  };
  moves?: MoveTimings;
}

async function measureEngine(engine: 'pglite' | 'postgres', pg: PostgresTarget | undefined, parts: Set<string>, s: Settings): Promise<EngineReport> {
  const dir = mkdtempSync(join(tmpdir(), `siyu-bench-identity-${engine}-`));
  onExit(() => rmSync(dir, { recursive: true, force: true }));
  const storeFor = (name: string): StoreConfig => (pg ? { engine: 'postgres', url: pg.url, poolMax: 2 } : { engine: 'pglite', dataDir: join(dir, name) });
  const report: EngineReport = { engine, store: pg ? `PostgreSQL (${pg.origin})` : 'PGlite' };
  const tenants: string[] = [];
  try {
    if (parts.has('incremental')) {
      report.incremental = [];
      for (const analyze of [false, true]) {
        log(`[${engine}] incremental: ${s.incrementalEvents} events twice, statistics ${analyze ? 'refreshed after the warm-up' : 'as found'} (load average ${loadAverage()})`);
        const traffic = buildIdentityTraffic({ events: s.incrementalEvents + 10 * s.batch, batchEvents: s.batch, people: Math.ceil(s.incrementalEvents / 8), seed: 20261122, start: new Date(Date.now() - 7 * 86_400_000), tag: `b${Date.now().toString(36)}` });
        const { tenants: t, ...result } = await incremental(storeFor(`incremental-${analyze}`), traffic.bodies, 10, analyze);
        tenants.push(...t);
        report.incremental.push({ ...result, analyzed: analyze });
        log(`[${engine}]   ${result.plain.toFixed(1)} µs/event without, ${result.resolved.toFixed(1)} with resolution (×${result.ratio.toFixed(2)})`);
      }
    }
    if (parts.has('rebuild') || parts.has('moves')) {
      const config = storeFor('rebuild');
      log(`[${engine}] data set: ${s.people} identify events by COPY`);
      const data = await prepareDataset(config, s.people, log);
      tenants.push(data.tenantId);
      const env = siyuEnv({ SIYU_LOG_LEVEL: 'warn', ...(pg ? { SIYU_DATABASE_URL: pg.url } : { SIYU_DATA_DIR: join(dir, 'rebuild') }) });
      if (parts.has('rebuild')) {
        const load = [loadAverage()];
        log(`[${engine}] rebuild from scratch (load average ${load[0]})`);
        const scratch = await runRebuild(env, data.tenantId, s.timeoutMs);
        log(`[${engine}]   ${scratch.seconds.toFixed(1)} s, peak RSS ${scratch.peakRssMb.toFixed(0)} MB`);
        load.push(loadAverage());
        log(`[${engine}] rebuild again (nothing to change)`);
        const again = await runRebuild(env, data.tenantId, s.timeoutMs);
        log(`[${engine}]   ${again.seconds.toFixed(1)} s, peak RSS ${again.peakRssMb.toFixed(0)} MB`);
        load.push(loadAverage());
        log(`[${engine}] COPY of the rows it wrote, by themselves (rolled back)`);
        const baseline = await measureCopyBaseline(config, data.tenantId);
        const copy = baseline.profileSeconds + baseline.identifierSeconds + data.copySeconds;
        log(`[${engine}]   profiles ${baseline.profileSeconds.toFixed(1)} s + identifiers ${baseline.identifierSeconds.toFixed(1)} s + events ${data.copySeconds.toFixed(1)} s = ${copy.toFixed(1)} s; from scratch ${(scratch.seconds / copy).toFixed(2)} × that`);
        report.rebuild = { people: s.people, copySeconds: data.copySeconds, scratch, again, after: await graphCounts(config, data.tenantId), baseline, loadAverage: load };
      }
      if (parts.has('moves')) {
        log(`[${engine}] moving ${Math.min(s.moves, s.people)} events: unnest vs COPY + join (rolled back)`);
        report.moves = await measureMoves(config, data.tenantId, s.moves);
        log(`[${engine}]   unnest ${report.moves.unnestSeconds.toFixed(1)} s, COPY + join ${report.moves.copySeconds.toFixed(1)} s`);
      }
    }
  } finally {
    if (pg && tenants.length > 0) await cleanUp(storeFor(''), tenants);
    rmSync(dir, { recursive: true, force: true });
  }
  return report;
}

interface Settings {
  incrementalEvents: number;
  batch: number;
  people: number;
  moves: number;
  timeoutMs: number;
}

const f1 = (v: number) => v.toFixed(1);

function render(reports: EngineReport[]): string {
  const out: string[] = [];
  const inc = reports.filter((r) => r.incremental);
  if (inc.length > 0) {
    out.push(
      'incremental resolution (µs per event, same batches, one process)',
      '| engine | statistics | events | without | with | ratio | rules | extraction | resolution | profiles | identifiers | merges | blocked |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const r of inc) {
      for (const i of r.incremental!) {
        out.push(
          `| ${r.engine} | ${i.analyzed ? 'refreshed' : 'as found'} | ${i.events} | ${f1(i.plain)} | ${f1(i.resolved)} | ${i.ratio.toFixed(2)} | ${f1(i.parts.rules)} | ${f1(i.parts.extract)} | ${f1(i.parts.resolve)} | ${i.profiles} | ${i.identifiers} | ${i.merges} | ${i.blockedMerges} |`,
        );
      }
    }
    out.push('');
  }
  const reb = reports.filter((r) => r.rebuild);
  if (reb.length > 0) {
    out.push('identity rebuild (CLI child process)', '| engine | people | run | seconds | peak RSS MB | CPU s | events moved | identifiers | timings (s) |', '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |');
    for (const r of reb) {
      const b = r.rebuild!;
      for (const [name, run] of [['from scratch', b.scratch], ['again', b.again]] as const) {
        const t = Object.entries(run.summary.timings)
          .filter(([, v]) => v >= 50)
          .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`)
          .join(', ');
        out.push(`| ${r.engine} | ${b.people} | ${name} | ${f1(run.seconds)} | ${run.peakRssMb.toFixed(0)} | ${run.cpuSeconds === null ? '?' : f1(run.cpuSeconds)} | ${run.summary.eventsMoved} | ${run.summary.identifiersAfter} (${run.summary.identifierWrite}) | ${t} |`);
      }
    }
    out.push('', 'COPY of the rows a rebuild from scratch writes, by themselves', '| engine | profiles s | identifiers s | events s (data set) | total s | from scratch ÷ total |', '| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const r of reb) {
      const b = r.rebuild!;
      const total = b.baseline.profileSeconds + b.baseline.identifierSeconds + b.copySeconds;
      out.push(`| ${r.engine} | ${f1(b.baseline.profileSeconds)} | ${f1(b.baseline.identifierSeconds)} | ${f1(b.copySeconds)} | ${f1(total)} | ${(b.scratch.seconds / total).toFixed(2)} |`);
    }
    out.push('');
  }
  const mv = reports.filter((r) => r.moves);
  if (mv.length > 0) {
    out.push('moving events (rolled back)', '| engine | events | unnest chunks s | COPY + join s |', '| --- | ---: | ---: | ---: |');
    for (const r of mv) out.push(`| ${r.engine} | ${r.moves!.moves} | ${f1(r.moves!.unnestSeconds)} | ${f1(r.moves!.copySeconds)} |`);
  }
  return out.join('\n');
}

export async function run(): Promise<void> {
  const people = envInt('BENCH_PEOPLE', 1_000_000, 1);
  const s: Settings = {
    incrementalEvents: envInt('BENCH_INCREMENTAL_EVENTS', 50_000, 1),
    batch: envInt('BENCH_BATCH', 500, 1),
    people,
    moves: envInt('BENCH_MOVES', people, 1),
    timeoutMs: envInt('BENCH_TIMEOUT_S', 1800, 1) * 1000,
  };
  const engines = (process.env['BENCH_ENGINES'] ?? 'pglite,postgres').split(',').map((e) => e.trim());
  const parts = new Set((process.env['BENCH_PARTS'] ?? 'incremental,rebuild,moves').split(',').map((p) => p.trim()));
  const reports: EngineReport[] = [];
  const notes: string[] = [];
  if (engines.includes('postgres')) {
    const pg = await findPostgres();
    if ('skip' in pg) notes.push(`PostgreSQL skipped: ${pg.skip}`);
    else {
      try {
        reports.push(await measureEngine('postgres', pg, parts, s));
      } finally {
        pg.stop();
      }
    }
  }
  if (engines.includes('pglite')) reports.push(await measureEngine('pglite', undefined, parts, s));
  process.stdout.write(`\n${render(reports)}\n${notes.join('\n')}\n`);
  const out = {
    benchmark: 'identity',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version },
    settings: { ...s, engines, parts: [...parts], serverEntry: process.env['BENCH_SERVER_ENTRY'] || 'dist/cli/main.js' },
    reports,
    notes,
  };
  const dirOut = join(repoRoot, 'bench', 'out');
  mkdirSync(dirOut, { recursive: true });
  writeFileSync(join(dirOut, 'identity.json'), `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write('wrote bench/out/identity.json\n');
}
