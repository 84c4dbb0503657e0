/**
 * `npm run bench -- ingest-stages`: where a batch's time goes, without HTTP. The same bodies as the
 * ingest benchmark go through the server's own steps in this process, one batch at a time, each step
 * timed: decode (JSON.parse), the edge's scan for text PostgreSQL cannot store, nesting checks, zod validation,
 * normalisation with the per-row size checks, and the store
 * (ensureEventPartitions + appendEvents: dedup claim, COPY encoding, COPY, commit). Compare the sum with the
 * server's CPU time per event in `ingest` to see what HTTP and Fastify add. For reference, the walk of the
 * parsed body that the edge's text scan spares is timed apart (not part of the sum).
 *
 * Environment: BENCH_EVENTS (100000), BENCH_BATCH (500), BENCH_ENGINES (pglite,postgres).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonTextMayHoldUnstorable } from '../src/contracts/common.js';
import { MAX_BATCH_BYTES, batchSchema } from '../src/contracts/ingest.js';
import { appendTracked, checkNesting, decodeBody, encodeEventRows, ensureEventPartitions, prepareBatch } from '../src/modules/ingest/index.js';
import { loadIdentityConfig } from '../src/modules/identity/index.js';
import { createTenant } from '../src/modules/tenancy/index.js';
import { systemClock } from '../src/platform/clock.js';
import type { StoreConfig } from '../src/platform/config.js';
import { openStore } from '../src/platform/db/index.js';
import { findUnstorable } from '../src/server/input-guard.js';
import { findPostgres } from './lib/postgres.js';
import { onExit, repoRoot } from './lib/processes.js';
import { buildWorkload } from './ingest/messages.js';
import { deleteTenantEvents } from './ingest/raw-copy.js';

const STAGES = ['decode', 'edge', 'sizes', 'validate', 'normalize', 'store'] as const;
type Stage = (typeof STAGES)[number];

async function stages(config: StoreConfig, bodies: readonly Buffer[], warmup: number) {
  const store = await openStore(config);
  const ms: Record<Stage | 'csv' | 'walk', number> = { decode: 0, edge: 0, sizes: 0, validate: 0, normalize: 0, store: 0, csv: 0, walk: 0 };
  let events = 0;
  try {
    const tenant = await createTenant({ db: store.db, clock: systemClock }, { name: 'bench-stages' });
    const source = { tenantId: tenant.tenantId, sourceId: tenant.sourceId };
    const rules = await loadIdentityConfig(store.db, tenant.tenantId);
    for (const [i, body] of bodies.entries()) {
      const timed = i >= warmup;
      let t = performance.now();
      const lap = (stage: Stage | 'csv' | 'walk') => {
        const now = performance.now();
        if (timed) ms[stage] += now - t;
        t = now;
      };
      const { text, json } = decodeBody(body, undefined, MAX_BATCH_BYTES, 'batch');
      lap('decode');
      if (jsonTextMayHoldUnstorable(text)) findUnstorable(json);
      lap('edge');
      checkNesting(json, 'batch');
      lap('sizes');
      const batch = batchSchema.parse(json);
      lap('validate');
      const receivedAt = systemClock.now();
      const prepared = prepareBatch(source, batch, rules, receivedAt);
      const rows = prepared.rows;
      lap('normalize');
      await ensureEventPartitions(store, [receivedAt]);
      await store.db.transaction().execute((trx) => appendTracked(trx, prepared));
      lap('store');
      // For reference only: what the COPY encoding inside appendEvents costs (not part of the sum).
      encodeEventRows(rows);
      lap('csv');
      // For reference only: the walk of the parsed body the edge's text scan spares.
      findUnstorable(json);
      lap('walk');
      if (timed) events += rows.length;
    }
    if (store.engine === 'postgres') await deleteTenantEvents(store, tenant.tenantId);
  } finally {
    await store.close();
  }
  return { events, ms };
}

export async function run(): Promise<void> {
  const total = Number(process.env['BENCH_EVENTS'] || 100_000);
  const batchEvents = Number(process.env['BENCH_BATCH'] || 500);
  const engines = (process.env['BENCH_ENGINES'] ?? 'pglite,postgres').split(',').map((e) => e.trim());
  const warmup = 10;
  const work = buildWorkload({ events: total + warmup * batchEvents, batchEvents, seed: 20261122 });

  const configs: [string, StoreConfig, () => void][] = [];
  if (engines.includes('pglite')) {
    const dir = mkdtempSync(join(tmpdir(), 'siyu-bench-stages-'));
    onExit(() => rmSync(dir, { recursive: true, force: true }));
    configs.push(['pglite', { engine: 'pglite', dataDir: join(dir, 'data') }, () => {}]);
  }
  if (engines.includes('postgres')) {
    const pg = await findPostgres();
    if ('skip' in pg) process.stderr.write(`PostgreSQL skipped: ${pg.skip}\n`);
    else configs.push(['postgres', { engine: 'postgres', url: pg.url, poolMax: 2 }, pg.stop]);
  }

  const results = [];
  for (const [engine, config, stop] of configs) {
    process.stderr.write(`[${engine}] ${total} events through the ingest steps\n`);
    try {
      const { events, ms } = await stages(config, work.bodies, warmup);
      const sum = STAGES.reduce((acc, s) => acc + ms[s], 0);
      const usPerEvent = (x: number) => (1000 * x) / events;
      process.stdout.write(`\n${engine}: ${events} events, ${(sum / 1000).toFixed(2)} s, ${Math.round(events / (sum / 1000))} events/s single-threaded\n`);
      for (const s of STAGES) {
        process.stdout.write(`  ${s.padEnd(10)} ${usPerEvent(ms[s]).toFixed(1).padStart(7)} µs/event  ${((100 * ms[s]) / sum).toFixed(1).padStart(5)}%\n`);
      }
      process.stdout.write(`  of which COPY encoding (timed again apart): ${usPerEvent(ms.csv).toFixed(1)} µs/event\n`);
      process.stdout.write(`  the walk of the parsed body the edge scan spares (apart): ${usPerEvent(ms.walk).toFixed(1)} µs/event\n`);
      const perEvent = Object.fromEntries([...STAGES, 'csv' as const, 'walk' as const].map((s) => [s, usPerEvent(ms[s])]));
      results.push({ engine, events, seconds: sum / 1000, usPerEvent: perEvent });
    } finally {
      stop();
    }
  }
  const dir = join(repoRoot, 'bench', 'out');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'ingest-stages.json'), `${JSON.stringify({ benchmark: 'ingest-stages', date: new Date().toISOString(), results }, null, 2)}\n`);
}
