/**
 * `npm run bench -- ingest-store`: what the store's share of an ingested event costs, piece by piece,
 * on the same rows as `ingest`, in this process, one 500-row chunk at a time:
 * - the dedup claim on event_message_ids, with the SQL of src/modules/ingest/repo.ts;
 * - COPY (csv) into `events`, as appendEvents does, and into scratch copies of `events` with fewer
 *   indexes, unpartitioned, or with the JSON columns as text: what each of those costs;
 * - encoding the rows: toCsv, against a COPY text-format encoder (in this file) for comparison.
 * Scratch tables get a random suffix and are dropped at the end. Their indexes mirror
 * migrations/0001_foundation.sql as of 2026-11; keep them in step when the schema changes.
 *
 * Environment: BENCH_EVENTS (50000), BENCH_ENGINES (pglite,postgres).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompiledQuery, sql } from 'kysely';
import { batchSchema } from '../src/contracts/ingest.js';
import { ensureEventPartitions, normalizeBatch } from '../src/modules/ingest/index.js';
import { createTenant } from '../src/modules/tenancy/index.js';
import { systemClock } from '../src/platform/clock.js';
import type { StoreConfig } from '../src/platform/config.js';
import { CopySource, openStore, toCsv, type CsvValue, type Store } from '../src/platform/db/index.js';
import { findPostgres } from './lib/postgres.js';
import { onExit, repoRoot } from './lib/processes.js';
import { buildWorkload } from './ingest/messages.js';
import { COPY_COLUMNS, deleteTenantEvents, rowValues } from './ingest/raw-copy.js';

/** COPY text format: tab-separated, \N for NULL, backslash escapes only where needed (rarely in JSON). */
function toCopyText(rows: readonly (readonly CsvValue[])[]): Buffer {
  const field = (v: CsvValue) => {
    if (v === null || v === undefined) return '\\N';
    const s = v instanceof Date ? v.toISOString() : String(v);
    return /[\\\n\r\t]/.test(s) ? s.replace(/[\\\n\r\t]/g, (c) => ({ '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c] ?? c) : s;
  };
  return Buffer.from(`${rows.map((r) => r.map(field).join('\t')).join('\n')}\n`, 'utf8');
}

async function exec(store: Store, text: string): Promise<void> {
  const session = await store.sql.session();
  try {
    await session.exec(text);
  } finally {
    session.release();
  }
}

async function measure(config: StoreConfig, bodies: readonly Buffer[], warmup: number) {
  const store = await openStore(config);
  const sfx = Math.random().toString(36).slice(2, 8);
  const t = (name: string) => `bench_${name}_${sfx}`;
  const scratch = { pkTime: t('pk_time'), pk: t('pk'), bare: t('bare'), text: t('text') };
  const ms = new Map<string, number>();
  let events = 0;
  try {
    await exec(
      store,
      `CREATE TABLE ${scratch.pkTime} (LIKE events INCLUDING DEFAULTS, PRIMARY KEY (tenant_id, received_at, id));
       CREATE INDEX ON ${scratch.pkTime} (tenant_id, "timestamp" DESC, id DESC);
       CREATE TABLE ${scratch.pk} (LIKE events INCLUDING DEFAULTS, PRIMARY KEY (tenant_id, received_at, id));
       CREATE TABLE ${scratch.bare} (LIKE events INCLUDING DEFAULTS);
       CREATE TABLE ${scratch.text} (LIKE events INCLUDING DEFAULTS);
       ALTER TABLE ${scratch.text} ALTER properties TYPE text, ALTER traits TYPE text, ALTER context TYPE text, ALTER integrations TYPE text;`,
    );
    const tenant = await createTenant({ db: store.db, clock: systemClock }, { name: 'bench-ingest-store' });
    await ensureEventPartitions(store, [new Date()]);
    const copySql = (table: string, format: string) =>
      `COPY ${table} (${COPY_COLUMNS.map((c) => `"${c}"`).join(', ')}) FROM STDIN WITH (FORMAT ${format})`;

    for (const [i, body] of bodies.entries()) {
      const timed = i >= warmup;
      const time = async (what: string, fn: () => Promise<unknown> | unknown) => {
        const started = performance.now();
        await fn();
        if (timed) ms.set(what, (ms.get(what) ?? 0) + performance.now() - started);
      };
      const receivedAt = new Date();
      const rows = normalizeBatch(batchSchema.parse(JSON.parse(body.toString('utf8'))), { ...tenant, receivedAt });
      const values = rows.map(rowValues);
      let csv: Buffer = Buffer.alloc(0);
      let text: Buffer = Buffer.alloc(0);
      await time('js: toCsv (as appendEvents)', () => (csv = toCsv(values)));
      await time('js: COPY text-format encoder', () => (text = toCopyText(values)));
      const ids = JSON.stringify(rows.map((r) => r.messageId));
      await time('db: dedup claim on event_message_ids (as appendEvents)', () =>
        store.db.transaction().execute((trx) =>
          sql`INSERT INTO event_message_ids (tenant_id, message_id, received_at)
            SELECT ${tenant.tenantId}::uuid, m, ${receivedAt}::timestamptz FROM jsonb_array_elements_text(${ids}::jsonb) AS m
            ON CONFLICT DO NOTHING RETURNING message_id`.execute(trx),
        ),
      );
      const copy = (what: string, table: string, data: Buffer, format = 'csv') =>
        time(what, () =>
          store.db.transaction().execute((trx) => trx.executeQuery(CompiledQuery.raw(copySql(table, format), [new CopySource(data)]))),
        );
      await copy('db: COPY csv into events (as appendEvents)', 'events', csv);
      await copy('db: COPY text into events', 'events', text, 'text');
      await copy('db: COPY csv, unpartitioned, PK + events_by_time only', scratch.pkTime, csv);
      await copy('db: COPY csv, unpartitioned, PK only', scratch.pk, csv);
      await copy('db: COPY csv, unpartitioned, no index', scratch.bare, csv);
      await copy('db: COPY csv, unpartitioned, no index, JSON as text', scratch.text, csv);
      if (timed) events += rows.length;
    }
    if (store.engine === 'postgres') await deleteTenantEvents(store, tenant.tenantId);
  } finally {
    await exec(store, `DROP TABLE IF EXISTS ${Object.values(scratch).join(', ')}`).catch(() => {});
    await store.close();
  }
  return { events, usPerEvent: Object.fromEntries([...ms].map(([k, v]) => [k, (1000 * v) / events])) };
}

export async function run(): Promise<void> {
  const total = Number(process.env['BENCH_EVENTS'] || 50_000);
  const engines = (process.env['BENCH_ENGINES'] ?? 'pglite,postgres').split(',').map((e) => e.trim());
  const warmup = 10;
  const work = buildWorkload({ events: total + warmup * 500, batchEvents: 500, seed: 20261122 });

  const targets: [string, StoreConfig, () => void][] = [];
  if (engines.includes('pglite')) {
    const dir = mkdtempSync(join(tmpdir(), 'siyu-bench-store-'));
    onExit(() => rmSync(dir, { recursive: true, force: true }));
    targets.push(['pglite', { engine: 'pglite', dataDir: join(dir, 'data') }, () => {}]);
  }
  if (engines.includes('postgres')) {
    const pg = await findPostgres();
    if ('skip' in pg) process.stderr.write(`PostgreSQL skipped: ${pg.skip}\n`);
    else targets.push(['postgres', { engine: 'postgres', url: pg.url, poolMax: 2 }, pg.stop]);
  }
  const results = [];
  for (const [engine, config, stop] of targets) {
    process.stderr.write(`[${engine}] ${total} events, piece by piece\n`);
    try {
      const { events, usPerEvent } = await measure(config, work.bodies, warmup);
      process.stdout.write(`\n${engine}: µs per event over ${events} events\n`);
      for (const [what, us] of Object.entries(usPerEvent)) process.stdout.write(`  ${us.toFixed(1).padStart(6)}  ${what}\n`);
      results.push({ engine, events, usPerEvent });
    } finally {
      stop();
    }
  }
  const dir = join(repoRoot, 'bench', 'out');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'ingest-store.json'), `${JSON.stringify({ benchmark: 'ingest-store', date: new Date().toISOString(), results }, null, 2)}\n`);
}
