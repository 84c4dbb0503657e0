/** The ingest benchmark's result: types, the goals, and the table printed to stdout. */

import type { FreshnessResult } from './freshness.js';
import type { RawCopyResult } from './raw-copy.js';

type RawCopy = Omit<RawCopyResult, 'serverVersion'>;

/** One ID resolution behind the timed run (the resolver runs in the server, as on a real deployment). */
export interface ResolutionResult {
  /** Most events waiting at once (status sampled every 200 ms). */
  backlogPeak: number;
  /** From the last answer to nothing waiting. */
  drainSeconds: number;
  /** Age of the oldest waiting event over the samples: the lag of a profile behind its events. */
  lagP50: number;
  lagP95: number;
  lagMax: number;
  samples: number;
  /** Whole life of the tenant (warm-up included), from the resolver's own count. */
  resolvedEvents: number;
  busySeconds: number;
  /** Events resolved per second of resolver transactions. */
  eventsPerBusySecond: number;
  /** That ÷ the HTTP ingest rate: above 1 the backlog drains while ingest goes on. */
  ratioToIngest: number;
}

/** Two tenants sending at once, each against one tenant sending alone with the same number of senders. */
export interface TenantsResult {
  concurrencyEach: number;
  eventsEach: number;
  aloneEventsPerSec: number;
  togetherEventsPerSec: number[];
  ratios: number[];
}

export interface EngineResult {
  /** The same traffic to a server with the resolver off: what acknowledging alone costs. */
  ackOnly: { eventsPerSec: number; seconds: number; ratio: number };
  resolution: ResolutionResult;
  freshness: FreshnessResult;
  tenants: TenantsResult;
  engine: 'pglite' | 'postgres';
  /** e.g. "PostgreSQL 15.18 (SIYU_BENCH_DATABASE_URL)". */
  store: string;
  events: number;
  requests: number;
  avgBodyBytes: number;
  seconds: number;
  eventsPerSec: number;
  warmupEvents: number;
  /** Events the table holds for the tenant after the run (warm-up included). */
  storedEvents: number;
  /** The same rows COPYed from the bench process, as many at a time as the HTTP client; COPY data built beforehand. */
  raw: RawCopy;
  /** HTTP events/s ÷ raw COPY rows/s: the headline ratio, judged by the goal. */
  ratio: number;
  /** The same rows COPYed one chunk at a time, encoding included: the COPY path of one request. */
  rawSequential: RawCopy;
  ratioSequential: number;
  /** CPU seconds the server process used during the timed run (all its threads). */
  serverCpuSeconds: number;
  /** 1-minute load average when the timed run started and ended: other work skews the figures. */
  loadAverage: { before: number; after: number };
  serverPeakRssMb: number;
  serverMaxSampledRssMb: number;
  /** VmRSS when healthy and idle, after the warm-up, and at the end of the timed run. */
  serverRssMb: { idle: number; afterWarmup: number; end: number };
  /** PGlite: RSS and peak of a server started on an empty data folder (initdb in-process), once healthy. */
  firstBootRssMb?: { rss: number; peak: number };
}

export interface Goal {
  goal: string;
  engine: 'pglite' | 'postgres';
  value: number | null;
  target: number;
  unit: string;
  status: 'PASS' | 'MISS' | 'SKIP';
}

export function goals(results: readonly EngineResult[]): Goal[] {
  const pglite = results.find((r) => r.engine === 'pglite');
  const postgres = results.find((r) => r.engine === 'postgres');
  const check = (engine: Goal['engine'], goal: string, value: number | undefined, target: number, unit: string, atMost = false): Goal => ({
    goal,
    engine,
    value: value ?? null,
    target,
    unit,
    status: value === undefined ? 'SKIP' : (atMost ? value <= target : value >= target) ? 'PASS' : 'MISS',
  });
  const both = (fn: (r: EngineResult, engine: Goal['engine']) => Goal) =>
    [pglite, postgres].flatMap((r, i) => (r ? [fn(r, i === 0 ? 'pglite' : 'postgres')] : []));
  return [
    check('pglite', 'HTTP ingest ≥ 15k events/s (resolver running)', pglite?.eventsPerSec, 15_000, 'events/s'),
    check('postgres', 'HTTP ingest ≥ 0.5 × raw COPY (resolver running)', postgres?.ratio, 0.5, '× raw COPY'),
    check('postgres', '(for reference) HTTP ingest ≥ 0.5 × one-at-a-time COPY', postgres?.ratioSequential, 0.5, '× one-at-a-time COPY'),
    check('pglite', '(for reference) the tracking path alone ≥ 15k events/s', pglite?.ackOnly.eventsPerSec, 15_000, 'events/s'),
    check('postgres', '(for reference) the tracking path alone ≥ 0.5 × raw COPY', postgres?.ackOnly.ratio, 0.5, '× raw COPY'),
    ...both((r, e) => check(e, 'resolution ≥ 1.5 × ingest (events per resolver-second)', r.resolution.ratioToIngest, 1.5, '× ingest')),
    ...both((r, e) => check(e, 'two tenants at once: the slower ≥ 0.8 × one alone', Math.min(...r.tenants.ratios), 0.8, '× alone')),
    ...both((r, e) => check(e, 'event → segment entry p95 < 3 s at 1k events/s', r.freshness.p95Seconds, 3, 's', true)),
    check('pglite', 'server peak RSS ≤ 600 MB', pglite?.serverPeakRssMb, 600, 'MB', true),
  ];
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function render(results: readonly EngineResult[], checked: readonly Goal[], notes: readonly string[]): string {
  const rows = results.map((r) => [
    r.engine,
    int(r.events),
    r.seconds.toFixed(2),
    int(r.eventsPerSec),
    int(r.raw.rowsPerSec),
    r.ratio.toFixed(2),
    int(r.rawSequential.rowsPerSec),
    r.ratioSequential.toFixed(2),
    int(r.serverPeakRssMb),
  ]);
  const out = [
    table(['engine', 'events', 'seconds', 'events/s', 'raw COPY rows/s', 'ratio', '1-at-a-time COPY rows/s', 'ratio', 'server peak RSS MB'], rows),
    '',
    ...results.flatMap((r) => [
      `${r.engine}: ${r.store}`,
      `  HTTP: ${r.requests} requests of ${int(r.avgBodyBytes / 1024)} KB on average; stored ${int(r.storedEvents)} = ${int(r.events)} + ${int(r.warmupEvents)} warm-up; ` +
        `server CPU ${r.serverCpuSeconds.toFixed(2)} s (${int(r.events / r.serverCpuSeconds)} events per CPU-second)`,
      `  raw COPY: ${r.raw.concurrency} at a time ${r.raw.seconds.toFixed(2)} s (COPY data built beforehand in ${r.raw.csvSeconds.toFixed(2)} s); ` +
        `one at a time ${r.rawSequential.seconds.toFixed(2)} s of which encoding ${r.rawSequential.csvSeconds.toFixed(2)} s`,
      `  server RSS: idle ${int(r.serverRssMb.idle)} → after warm-up ${int(r.serverRssMb.afterWarmup)} → end ${int(r.serverRssMb.end)} MB, ` +
        `sampled max ${int(r.serverMaxSampledRssMb)} MB, peak (VmHWM) ${int(r.serverPeakRssMb)} MB` +
        (r.firstBootRssMb ? `; started on an empty data folder instead: ${int(r.firstBootRssMb.rss)} MB once healthy (peak ${int(r.firstBootRssMb.peak)} MB)` : ''),
      `  load average during the HTTP run: ${r.loadAverage.before.toFixed(2)} → ${r.loadAverage.after.toFixed(2)}`,
      `  tracking path alone (resolver off): ${int(r.ackOnly.eventsPerSec)} events/s (${r.ackOnly.ratio.toFixed(2)} × raw COPY)`,
      `  One ID: ${int(r.resolution.eventsPerBusySecond)} events per resolver-second (${r.resolution.ratioToIngest.toFixed(2)} × ingest, ${r.resolution.busySeconds.toFixed(1)} s busy for ${int(r.resolution.resolvedEvents)} events); ` +
        `backlog peak ${int(r.resolution.backlogPeak)} events, drained ${r.resolution.drainSeconds.toFixed(1)} s after the last answer; ` +
        `lag (oldest waiting) p50 ${r.resolution.lagP50.toFixed(1)} s, p95 ${r.resolution.lagP95.toFixed(1)} s, max ${r.resolution.lagMax.toFixed(1)} s over ${r.resolution.samples} samples`,
      `  event → segment entry: p50 ${r.freshness.p50Seconds.toFixed(2)} s, p95 ${r.freshness.p95Seconds.toFixed(2)} s, max ${r.freshness.maxSeconds.toFixed(2)} s over ${r.freshness.probes} probes ` +
        `(background ${int(r.freshness.achievedEventsPerSec)} events/s of ${int(r.freshness.backgroundEventsPerSec)} asked)`,
      `  tenants: one alone ${int(r.tenants.aloneEventsPerSec)} events/s; two at once ${r.tenants.togetherEventsPerSec.map(int).join(' and ')} events/s ` +
        `(${r.tenants.ratios.map((x) => x.toFixed(2)).join(', ')} × alone; ${r.tenants.concurrencyEach} senders per tenant, ${int(r.tenants.eventsEach)} events each)`,
    ]),
    '',
    'goals:',
    ...checked.map((g) => `  ${g.status.padEnd(4)}  ${g.engine.padEnd(8)}  ${g.goal}: ${g.value === null ? 'not measured' : `${g.value < 10 ? g.value.toFixed(2) : int(g.value)} ${g.unit}`}`),
    ...(notes.length ? ['', ...notes.map((n) => `note: ${n}`)] : []),
  ];
  return out.join('\n');
}
