/**
 * `npm run bench -- segments`: segment evaluation at scale (issue 4).
 *
 * Per engine, in two child processes: (1) generate a tenant with BENCH_PROFILES profiles and
 * BENCH_EVENTS events over the last 365 days, tags, vehicles and rollups, inside the database
 * (bench/segments/dataset.ts); (2) measure previewSegment of a 4-condition segment (trait + event
 * window + tag + vehicle) and of each condition alone (median of BENCH_RUNS after a warm-up), its
 * count's EXPLAIN (ANALYZE, BUFFERS), the process's memory around previews and materialisations of a
 * small and a large segment, createSegment (full materialisation), and the incremental refresh of
 * 10k new events (bench/segments/measure.ts).
 *
 * Environment: BENCH_ENGINES (postgres,pglite), BENCH_PROFILES (1000000), BENCH_EVENTS (10000000),
 * BENCH_PGLITE_PROFILES / BENCH_PGLITE_EVENTS (PGlite's scale; default 100000 / 1000000: loading 10M
 * rows into PGlite takes longer than the bench's budget), BENCH_RUNS (5), SIYU_BENCH_DATABASE_URL (a
 * database is created beside it and dropped afterwards), BENCH_KEEP_DATA=1 (keep the data sets),
 * BENCH_REUSE_PG_DB / BENCH_REUSE_PGLITE_DIR (measure a kept data set again, no generation).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { findPostgres } from './lib/postgres.js';
import { loadAverage, repoRoot } from './lib/processes.js';
import type { Dataset } from './segments/dataset.js';
import type { MeasureResult } from './segments/measure.js';
import { findDataset, pgliteStore, postgresStore, runChild, type EngineStore } from './segments/orchestrate.js';
import { envInt } from './lib/env.js';

const log = (line: string) => process.stderr.write(`${line}\n`);

interface EngineReport {
  engine: 'postgres' | 'pglite';
  store: string;
  profiles: number;
  events: number;
  generate?: { seconds: number; peakRssMb: number; dataset: Dataset };
  measure: { seconds: number; peakRssMb: number; loadAverage: number[] } & MeasureResult;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
const isDataset = (v: unknown): v is Dataset => isObject(v) && typeof v['tenantId'] === 'string' && isObject(v['counts']);
const isMeasure = (v: unknown): v is MeasureResult => isObject(v) && Array.isArray(v['previews']) && typeof v['explain'] === 'string';

async function measureEngine(engine: 'postgres' | 'pglite', target: EngineStore, reused: boolean, profiles: number, events: number, runs: number, timeoutMs: number): Promise<EngineReport> {
  let generate: EngineReport['generate'];
  let tenantId: string;
  if (reused) {
    tenantId = await findDataset(target.config);
    log(`[${engine}] reusing the data set of tenant ${tenantId} in ${target.where}`);
  } else {
    log(`[${engine}] generating ${profiles.toLocaleString('en-US')} profiles × ${events.toLocaleString('en-US')} events in ${target.where}`);
    const g = await runChild({ phase: 'generate', store: target.config, profiles, events, runs }, timeoutMs);
    if (!isDataset(g.result)) throw new Error('generate printed no data set');
    generate = { seconds: g.seconds, peakRssMb: g.peakRssMb, dataset: g.result };
    tenantId = g.result.tenantId;
    log(`[${engine}] generated in ${g.seconds.toFixed(0)} s: ${JSON.stringify(g.result.counts)}`);
  }
  const load = [loadAverage()];
  const m = await runChild({ phase: 'measure', store: target.config, profiles, events, runs, tenantId }, timeoutMs);
  load.push(loadAverage());
  if (!isMeasure(m.result)) throw new Error('measure printed no result');
  return { engine, store: engine === 'postgres' ? 'PostgreSQL 15 (server beside the bench)' : 'PGlite', profiles, events, generate, measure: { seconds: m.seconds, peakRssMb: m.peakRssMb, loadAverage: load, ...m.result } };
}

const ms = (v: number) => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${v.toFixed(0)} ms`);

function render(reports: EngineReport[]): string {
  const out: string[] = ['preview (previewSegment: count + sample of 20; median of the runs after a warm-up)', '| engine | profiles × events | segment | matches | median |', '| --- | --- | --- | ---: | ---: |'];
  for (const r of reports) {
    for (const p of r.measure.previews) out.push(`| ${r.engine} | ${r.profiles.toLocaleString('en-US')} × ${r.events.toLocaleString('en-US')} | ${p.name} | ${p.count} | ${ms(p.medianMs)} |`);
  }
  out.push('', 'memory of the measuring process (MB)', '| engine | step | matches | RSS | peak RSS |', '| --- | --- | ---: | ---: | ---: |');
  for (const r of reports) {
    for (const s of r.measure.memory) out.push(`| ${r.engine} | ${s.step} | ${s.count ?? ''} | ${s.rssMb.toFixed(0)} | ${s.hwmMb.toFixed(0)} |`);
  }
  out.push('', 'materialisation (createSegment) and incremental refresh', '| engine | what | result | time |', '| --- | --- | --- | ---: |');
  for (const r of reports) {
    for (const c of r.measure.materialise) out.push(`| ${r.engine} | createSegment "${c.name}" | ${c.members} members | ${ms(c.ms)} |`);
    const f = r.measure.refresh;
    out.push(`| ${r.engine} | refreshSegmentsFor: ${f.segments} saved segments × ${f.profiles} profiles (${f.newEvents} new events) | ${f.profiles} profiles | ${ms(f.segmentsForMs)} |`);
    const w = f.worker;
    out.push(`| ${r.engine} | refreshChangedProfiles after ${f.newEvents} new events | ${'pending' in w ? w.pending : `${w.profiles} profiles, ${w.batches} batches`} | ${'pending' in w ? '–' : ms(w.ms)} |`);
  }
  out.push('', 'data generation (child process, SQL inside the database)', '| engine | seconds | peak RSS MB | phases (s) | rows |', '| --- | ---: | ---: | --- | --- |');
  for (const r of reports) {
    const g = r.generate;
    if (!g) continue;
    const phases = Object.entries(g.dataset.seconds).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ');
    out.push(`| ${r.engine} | ${g.seconds.toFixed(0)} | ${g.peakRssMb.toFixed(0)} | ${phases} | ${Object.entries(g.dataset.counts).map(([k, v]) => `${k} ${v}`).join(', ')} |`);
  }
  return out.join('\n');
}

export async function run(): Promise<void> {
  const s = {
    profiles: envInt('BENCH_PROFILES', 1_000_000, 1),
    events: envInt('BENCH_EVENTS', 10_000_000, 1),
    pgliteProfiles: envInt('BENCH_PGLITE_PROFILES', 100_000, 1),
    pgliteEvents: envInt('BENCH_PGLITE_EVENTS', 1_000_000, 1),
    runs: envInt('BENCH_RUNS', 5, 1),
    timeoutMs: envInt('BENCH_TIMEOUT_S', 1800, 1) * 1000,
  };
  const keep = process.env['BENCH_KEEP_DATA'] === '1';
  const engines = (process.env['BENCH_ENGINES'] ?? 'postgres,pglite').split(',').map((e) => e.trim());
  const reports: EngineReport[] = [];
  const notes: string[] = [];
  const dirOut = join(repoRoot, 'bench', 'out');
  mkdirSync(dirOut, { recursive: true });
  if (engines.includes('postgres')) {
    const pg = await findPostgres();
    if ('skip' in pg) notes.push(`PostgreSQL skipped: ${pg.skip}`);
    else {
      const reuse = process.env['BENCH_REUSE_PG_DB'] || undefined;
      try {
        const target = await postgresStore(pg.url, reuse, keep);
        try {
          reports.push(await measureEngine('postgres', target, reuse !== undefined, s.profiles, s.events, s.runs, s.timeoutMs));
        } finally {
          await target.release();
        }
      } finally {
        pg.stop();
      }
    }
  }
  if (engines.includes('pglite')) {
    const reuse = process.env['BENCH_REUSE_PGLITE_DIR'] || undefined;
    const target = pgliteStore(reuse, keep);
    try {
      reports.push(await measureEngine('pglite', target, reuse !== undefined, s.pgliteProfiles, s.pgliteEvents, s.runs, s.timeoutMs));
    } finally {
      await target.release();
    }
  }
  for (const r of reports) writeFileSync(join(dirOut, `segments-explain-${r.engine}.txt`), `${r.measure.explain}\n`);
  process.stdout.write(`\n${render(reports)}\n${notes.join('\n')}\n`);
  const out = {
    benchmark: 'segments',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version },
    settings: { ...s, engines },
    reports,
    notes,
  };
  writeFileSync(join(dirOut, 'segments.json'), `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(`wrote bench/out/segments.json and bench/out/segments-explain-<engine>.txt\n`);
}
