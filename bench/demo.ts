/**
 * `npm run bench -- demo`: `siyu demo` as a newcomer runs it, a child process of the compiled CLI on a
 * fresh store: wall time, time per phase and peak RSS (VmHWM, sampled every 200 ms).
 *
 * Environment: BENCH_ENGINES (pglite,postgres), BENCH_DEMO_PEOPLE (20000: the default size, on PGlite),
 * BENCH_PG_DEMO_PEOPLE (100000: on PostgreSQL, in a database created beside SIYU_BENCH_DATABASE_URL
 * or in a throwaway cluster, dropped afterwards unless BENCH_KEEP_DATA=1).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { envInt } from './lib/env.js';
import { findPostgres } from './lib/postgres.js';
import { loadAverage, procMemory, repoRoot, siyuEnv, startCli } from './lib/processes.js';
import { pgliteTarget, postgresTarget, type Target } from './lib/targets.js';

const log = (line: string) => process.stderr.write(`${line}\n`);

interface DemoRun {
  engine: string;
  people: number;
  seconds: number;
  peakRssMb: number;
  phases: { phase: string; seconds: number }[];
  summary: string[];
  loadAverage: number[];
}

async function runDemo(engine: string, target: Target, people: number): Promise<DemoRun> {
  const load = [loadAverage()];
  const started = performance.now();
  const child = startCli(['demo', '--people', String(people), '--seed', 'bench'], siyuEnv({ ...target.env, SIYU_SECRET_KEY: Buffer.alloc(32, 1).toString('base64') }));
  let hwmKb = 0;
  const sampler = setInterval(() => {
    try {
      if (child.child.pid) hwmKb = Math.max(hwmKb, procMemory(child.child.pid).hwmKb);
    } catch {
      // the process just ended
    }
  }, 200);
  const lines: string[] = [];
  child.child.stdout?.on('data', (d: string) => lines.push(d));
  let lastProgress = 0;
  child.child.stderr?.on('data', (d: string) => {
    if (performance.now() - lastProgress > 30_000) {
      lastProgress = performance.now();
      log(`[${engine}] ${d.trim().split('\n').pop() ?? ''}`);
    }
  });
  const code = await child.exited;
  clearInterval(sampler);
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`siyu demo exited with ${code}:\n${child.output().slice(-3000)}`);
  load.push(loadAverage());
  const out = lines.join('').split('\n');
  const phases = out.flatMap((l) => {
    const m = /^ {2}(.+?)\s+([\d.]+) s$/.exec(l);
    return m && !l.includes('password') ? [{ phase: m[1]!.trim(), seconds: Number(m[2]) }] : [];
  });
  return { engine, people, seconds, peakRssMb: Math.round(hwmKb / 1024), phases, summary: out.slice(0, 3), loadAverage: load };
}

export async function run(): Promise<void> {
  const engines = (process.env['BENCH_ENGINES'] || 'pglite,postgres').split(',');
  const runs: DemoRun[] = [];
  if (engines.includes('pglite')) {
    const people = envInt('BENCH_DEMO_PEOPLE', 20_000, 100);
    const target = pgliteTarget('demo', process.env['BENCH_KEEP_DATA'] === '1');
    try {
      log(`[pglite] siyu demo --people ${people} in ${target.where}`);
      runs.push(await runDemo('pglite', target, people));
    } finally {
      await target.release();
    }
  }
  if (engines.includes('postgres')) {
    const pg = await findPostgres();
    if ('skip' in pg) log(`[postgres] skipped: ${pg.skip}`);
    else {
      const people = envInt('BENCH_PG_DEMO_PEOPLE', 100_000, 100);
      const target = await postgresTarget(pg.url, 'demo', process.env['BENCH_KEEP_DATA'] === '1', 10);
      try {
        log(`[postgres] siyu demo --people ${people} in ${target.where}`);
        runs.push(await runDemo('postgres', target, people));
      } finally {
        await target.release();
        pg.stop();
      }
    }
  }
  for (const r of runs) {
    log(`\n[${r.engine}] ${r.people.toLocaleString('en-US')} people: ${r.seconds.toFixed(1)} s, peak RSS ${r.peakRssMb} MB (load ${r.loadAverage.map((l) => l.toFixed(1)).join(' → ')})`);
    for (const line of r.summary) log(`  ${line}`);
    for (const p of r.phases) log(`  ${p.phase.padEnd(38)} ${p.seconds.toFixed(1).padStart(8)} s`);
  }
  mkdirSync(join(repoRoot, 'bench/out'), { recursive: true });
  writeFileSync(join(repoRoot, 'bench/out/demo.json'), `${JSON.stringify(runs, null, 2)}\n`);
}
