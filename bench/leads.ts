/**
 * `npm run bench -- leads` (issue 5): (a) the lead KPIs over 1M leads (goal < 1 s on PostgreSQL) and
 * (b) intake + dedup + routing of 100k leads through `POST /api/v1/leads` (goal ≥ 2k leads/s on
 * PostgreSQL) against a raw COPY of the same rows, with the server's peak RSS.
 *
 * (a) generates the data set inside the database (bench/leads/dataset.ts) and measures leadKpis in
 * this process (bench/leads/kpi.ts): median of BENCH_RUNS after a warm-up. (b) runs a `siyu serve`
 * child (dist/, `npm run bench` builds first) on its own store (bench/leads/intake.ts).
 *
 * Environment: BENCH_PARTS (kpi,intake), BENCH_ENGINES (postgres,pglite), BENCH_LEADS (1000000),
 * BENCH_PGLITE_LEADS (100000: generating 1M rows in PGlite takes minutes), BENCH_RUNS (5),
 * BENCH_INTAKE_LEADS (100000), BENCH_PGLITE_INTAKE_LEADS (20000), BENCH_BATCH (500),
 * BENCH_CONCURRENCY (4), BENCH_CAP (30 open leads per consultant), SIYU_BENCH_DATABASE_URL (the
 * PostgreSQL server: a database is created beside it per part and dropped afterwards),
 * BENCH_KEEP_DATA=1 (keep them), BENCH_REUSE_PG_KPI_DB (measure the KPIs of a kept database again).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/platform/db/index.js';
import { findPostgres } from './lib/postgres.js';
import { loadAverage, repoRoot } from './lib/processes.js';
import { pgliteTarget, postgresTarget, reusedTarget, type Target } from './lib/targets.js';
import { findKpiDataset, generateKpiDataset, type KpiDataset } from './leads/dataset.js';
import { buildWorkload, measureIntake, type IntakeResult } from './leads/intake.js';
import { measureKpis, type KpiMeasure } from './leads/kpi.js';
import { envInt } from './lib/env.js';

const log = (line: string) => process.stderr.write(`${line}\n`);

type Engine = 'postgres' | 'pglite';

interface KpiReport {
  engine: Engine;
  leads: number;
  generate: { seconds: number; dataset: KpiDataset };
  measure: KpiMeasure;
  loadAverage: number[];
}

interface IntakeReport extends IntakeResult {
  engine: Engine;
  loadAverage: number[];
}

async function kpiPart(engine: Engine, target: Target, leads: number, runs: number, reuse: boolean): Promise<KpiReport> {
  const store = await openStore(target.config);
  try {
    log(`[${engine}] KPI data set: ${reuse ? 'reused' : `${leads.toLocaleString('en-US')} leads`} in ${target.where}`);
    const t = performance.now();
    const dataset = reuse ? await findKpiDataset(store.db) : await generateKpiDataset(store, { leads, end: new Date() }, log);
    const seconds = (performance.now() - t) / 1000;
    log(`[${engine}] generated in ${seconds.toFixed(0)} s: ${JSON.stringify(dataset.counts)}`);
    const load = [loadAverage()];
    const measure = await measureKpis(store, dataset, runs, log);
    load.push(loadAverage());
    return { engine, leads, generate: { seconds, dataset }, measure, loadAverage: load };
  } finally {
    await store.close();
  }
}

async function intakePart(engine: Engine, target: Target, leads: number, s: { batch: number; concurrency: number; cap: number }): Promise<IntakeReport> {
  log(`[${engine}] intake of ${leads.toLocaleString('en-US')} leads in ${target.where}`);
  const work = buildWorkload({ leads, batch: s.batch, seed: 20261122, personBase: 1, tag: 'bench' });
  const warmup = buildWorkload({ leads: Math.min(2000, leads), batch: s.batch, seed: 7, personBase: 500_000_000, tag: 'warm' });
  const load = [loadAverage()];
  const result = await measureIntake(target.config, target.env, work, warmup, s, log);
  load.push(loadAverage());
  log(`[${engine}] ${result.leadsPerSec.toFixed(0)} leads/s (raw COPY ${result.raw.rowsPerSec.toFixed(0)} rows/s), server peak RSS ${result.server.peakRssMb.toFixed(0)} MB`);
  return { engine, loadAverage: load, ...result };
}

const ms = (v: number) => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${v.toFixed(0)} ms`);
const n0 = (v: number) => Math.round(v).toLocaleString('en-US');

function render(kpis: KpiReport[], intakes: IntakeReport[], notes: string[]): string {
  const out: string[] = [];
  if (kpis.length > 0) {
    out.push('KPI query (leadKpis: scope + one aggregate scan; median of the runs after a warm-up)', '| engine | leads in store | query | leads covered | rows | median |', '| --- | ---: | --- | ---: | ---: | ---: |');
    for (const k of kpis) for (const t of k.measure.timings) out.push(`| ${k.engine} | ${n0(k.leads)} | ${t.name} | ${n0(t.leads)} | ${t.groups} | ${ms(t.medianMs)} |`);
    for (const k of kpis) out.push('', `${k.engine} tenant-total rates: ${JSON.stringify(k.measure.sample)}`);
  }
  if (intakes.length > 0) {
    out.push(
      '',
      'intake + dedup + routing through POST /api/v1/leads vs raw COPY into leads',
      '| engine | leads | leads/s | raw COPY rows/s | ratio | dedup (new / merged / duplicate) | consultant / dealer pool / HQ pool | server CPU s | server peak RSS MB |',
      '| --- | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: |',
    );
    for (const r of intakes) {
      const d = r.tally.dedup;
      out.push(
        `| ${r.engine} | ${n0(r.leads)} | ${n0(r.leadsPerSec)} | ${n0(r.raw.rowsPerSec)} | ${(r.ratio * 100).toFixed(1)}% | ${d['new'] ?? 0} / ${d['merged'] ?? 0} / ${d['duplicate'] ?? 0} | ${r.tally.toConsultant} / ${r.tally.toDealerPool} / ${r.tally.toHqPool} | ${r.server.cpuSeconds.toFixed(0)} | ${r.server.peakRssMb.toFixed(0)} |`,
      );
    }
  }
  return [...out, ...notes].join('\n');
}

export async function run(): Promise<void> {
  const s = {
    leads: envInt('BENCH_LEADS', 1_000_000, 1),
    pgliteLeads: envInt('BENCH_PGLITE_LEADS', 100_000, 1),
    runs: envInt('BENCH_RUNS', 5, 1),
    intakeLeads: envInt('BENCH_INTAKE_LEADS', 100_000, 1),
    pgliteIntakeLeads: envInt('BENCH_PGLITE_INTAKE_LEADS', 20_000, 1),
    batch: envInt('BENCH_BATCH', 500, 1),
    concurrency: envInt('BENCH_CONCURRENCY', 4, 1),
    cap: envInt('BENCH_CAP', 30, 0),
  };
  const keep = process.env['BENCH_KEEP_DATA'] === '1';
  const parts = (process.env['BENCH_PARTS'] ?? 'kpi,intake').split(',').map((p) => p.trim());
  const engines = (process.env['BENCH_ENGINES'] ?? 'postgres,pglite').split(',').map((e) => e.trim());
  const kpis: KpiReport[] = [];
  const intakes: IntakeReport[] = [];
  const notes: string[] = [];
  const explains: string[] = [];

  const pg = engines.includes('postgres') ? await findPostgres() : undefined;
  if (pg && 'skip' in pg) notes.push(`PostgreSQL skipped: ${pg.skip}`);
  try {
    for (const engine of engines) {
      if (engine !== 'postgres' && engine !== 'pglite') throw new Error(`unknown engine ${engine}`);
      if (engine === 'postgres' && (!pg || 'skip' in pg)) continue;
      const targetFor = (part: string) => (engine === 'postgres' && pg && !('skip' in pg) ? postgresTarget(pg.url, `leads_${part}`, keep, s.concurrency + 1) : Promise.resolve(pgliteTarget(`leads-${part}`, keep)));
      if (parts.includes('intake')) {
        const target = await targetFor('intake');
        try {
          intakes.push(await intakePart(engine, target, engine === 'postgres' ? s.intakeLeads : s.pgliteIntakeLeads, s));
        } catch (err) {
          notes.push(`${engine} intake failed: ${err instanceof Error ? err.message.slice(0, 2000) : String(err)}`);
          log(`[${engine}] intake failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        } finally {
          await target.release();
        }
      }
      if (parts.includes('kpi')) {
        const reuse = engine === 'postgres' && pg && !('skip' in pg) ? process.env['BENCH_REUSE_PG_KPI_DB'] || undefined : undefined;
        const target = reuse && pg && !('skip' in pg) ? reusedTarget(pg.url, reuse, s.concurrency + 1) : await targetFor('kpi');
        try {
          const report = await kpiPart(engine, target, engine === 'postgres' ? s.leads : s.pgliteLeads, s.runs, reuse !== undefined);
          kpis.push(report);
          for (const [name, plan] of Object.entries(report.measure.explain)) explains.push(`-- ${engine}: ${name}\n${plan}\n`);
        } finally {
          await target.release();
        }
      }
    }
  } finally {
    if (pg && !('skip' in pg)) pg.stop();
  }

  const dir = join(repoRoot, 'bench', 'out');
  mkdirSync(dir, { recursive: true });
  if (explains.length > 0) writeFileSync(join(dir, 'leads-explain.txt'), explains.join('\n'));
  process.stdout.write(`\n${render(kpis, intakes, notes)}\n`);
  const out = {
    benchmark: 'leads',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version },
    settings: { ...s, engines, parts, serverEntry: process.env['BENCH_SERVER_ENTRY'] || 'dist/cli/main.js' },
    kpis: kpis.map((k) => ({ ...k, measure: { ...k.measure, explain: undefined } })),
    intakes,
    notes,
  };
  writeFileSync(join(dir, 'leads.json'), `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write('wrote bench/out/leads.json and bench/out/leads-explain.txt\n');
}
