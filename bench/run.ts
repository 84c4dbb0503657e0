/**
 * `npm run bench -- <name>`: runs one benchmark. Each benchmark is a file `bench/<name>.ts` exporting
 * `run()`, its helpers in `bench/<name>/` and `bench/lib/`; add it to the list below. Results are
 * printed and written to bench/out/<name>.json; recorded figures live in docs/benchmarks.md.
 */

interface Benchmark {
  description: string;
  load(): Promise<{ run(): Promise<void> }>;
}

const benchmarks: Record<string, Benchmark> = {
  ingest: {
    description: 'events/s through POST /v1/batch of a siyu server vs a raw COPY of the same rows; server peak RSS',
    load: () => import('./ingest.js'),
  },
  'ingest-stages': {
    description: 'where a batch\'s time goes without HTTP: JSON, size checks, zod, normalisation, store (per event)',
    load: () => import('./ingest-stages.js'),
  },
  identity: {
    description: 'One ID: µs/event of ingest with vs without resolution; `siyu identity rebuild` of 1M people (time, peak RSS)',
    load: () => import('./identity.js'),
  },
  segments: {
    description: 'segment preview of 4 conditions on 1M profiles × 10M events (PGlite smaller), per-condition times, RSS vs segment size, materialisation, refresh per 10k events',
    load: () => import('./segments.js'),
  },
  wecom: {
    description: 'WeCom callbacks accepted/s by a siyu server on PostgreSQL and their answer latency while a worker applies them; add events applied/s per engine',
    load: () => import('./wecom.js'),
  },
  demo: {
    description: '`siyu demo` at the default size on PGlite and at BENCH_PG_DEMO_PEOPLE on PostgreSQL: time, time per phase, peak RSS',
    load: () => import('./demo.js'),
  },
  console: {
    description: 'the console in Chromium on a demo store: JavaScript of the first page (gzip), navigation → overview charts drawn and → a 360 page',
    load: () => import('./console.js'),
  },
  leads: {
    description: 'lead KPIs over 1M leads (PGlite smaller) per scope; intake + dedup + routing of 100k leads through POST /api/v1/leads vs raw COPY; server peak RSS',
    load: () => import('./leads.js'),
  },
};

/** Whatever happens, a benchmark stops: after this long the process exits (children are killed). */
const TIMEOUT_S = Number(process.env['BENCH_TIMEOUT_S'] || 1800);

function usage(): string {
  const lines = Object.entries(benchmarks).map(([name, b]) => `  ${name.padEnd(14)} ${b.description}`);
  return `usage: npm run bench -- <benchmark>\n\nbenchmarks:\n${lines.join('\n')}\n`;
}

async function main(): Promise<number> {
  const name = process.argv[2];
  const benchmark = name !== undefined && Object.hasOwn(benchmarks, name) ? benchmarks[name] : undefined;
  if (!benchmark) {
    if (name !== undefined) process.stderr.write(`unknown benchmark "${name}"\n\n`);
    process.stderr.write(usage());
    return 2;
  }
  const timer = setTimeout(() => {
    process.stderr.write(`bench: ${name} did not finish within ${TIMEOUT_S} s (BENCH_TIMEOUT_S); stopping\n`);
    process.exit(1);
  }, TIMEOUT_S * 1000);
  timer.unref();
  await (await benchmark.load()).run();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
