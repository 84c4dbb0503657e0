/**
 * The baselines: the same rows COPYed straight into `events` from this process, with no HTTP, no
 * validation and no dedup: what the store alone costs. Rows are built (untimed) with the server's own
 * normalizeBatch and encoded with encodeEventRows (COPY text format); each chunk is COPYed in its own transaction, as appendEvents
 * does. Two modes: the store's capacity ('concurrent') and the per-request COPY path ('sequential').
 */
import { CompiledQuery, sql } from 'kysely';
import { batchSchema } from '../../src/contracts/ingest.js';
import { ensureEventPartitions, normalizeBatch } from '../../src/modules/ingest/index.js';
import { createTenant } from '../../src/modules/tenancy/index.js';
import { systemClock } from '../../src/platform/clock.js';
import type { StoreConfig } from '../../src/platform/config.js';
import { CopySource, openStore, type Store } from '../../src/platform/db/index.js';
import { COPY_EVENTS_SQL, encodeEventRows } from '../../src/modules/ingest/index.js';

export type RawCopyMode =
  /** COPY data built beforehand (untimed); `concurrency` COPYs in flight, like the HTTP client's requests. */
  | 'concurrent'
  /** One chunk at a time; each chunk's the encoding + COPY + commit timed, as appendEvents runs them. */
  | 'sequential';

export interface RawCopyResult {
  mode: RawCopyMode;
  concurrency: number;
  rows: number;
  /** Timed part: wall time of the COPYs ('concurrent'), or the sum of the encoding + COPY + commit ('sequential'). */
  seconds: number;
  /** Time spent in the encoding (inside `seconds` only for 'sequential'). */
  csvSeconds: number;
  rowsPerSec: number;
  /** `SELECT version()` of the store. */
  serverVersion: string;
}

export async function countEvents(store: Store, tenantId: string): Promise<number> {
  const r = await sql<{ n: string }>`SELECT count(*)::text AS n FROM events WHERE tenant_id = ${tenantId}::uuid`.execute(store.db);
  return Number(r.rows[0]?.n ?? NaN);
}

/** What the One ID resolver counted for the tenant: events resolved and milliseconds in its transactions. */
export async function resolverTotals(store: Store, tenantId: string): Promise<{ resolved: number; busyMs: number }> {
  const r = await sql<{ resolved: string; busy: number }>`
    SELECT resolved_total::text AS resolved, busy_ms_total AS busy FROM identity_resolver_stats WHERE tenant_id = ${tenantId}::uuid`.execute(store.db);
  return { resolved: Number(r.rows[0]?.resolved ?? 0), busyMs: Number(r.rows[0]?.busy ?? 0) };
}

/** Removes what a bench tenant wrote, so a shared PostgreSQL database does not grow run after run. */
export async function deleteTenantEvents(store: Store, tenantId: string): Promise<void> {
  await sql`DELETE FROM events WHERE tenant_id = ${tenantId}::uuid`.execute(store.db);
  await sql`DELETE FROM event_message_ids WHERE tenant_id = ${tenantId}::uuid`.execute(store.db);
  const session = await store.sql.session();
  try {
    await session.exec('VACUUM ANALYZE events');
    await session.exec('VACUUM ANALYZE event_message_ids');
  } finally {
    session.release();
  }
}

/**
 * COPYs the rows of `bodies` into `events` for a new tenant, one chunk (transaction) per body, after
 * COPYing those of `warmup` untimed.
 */
export async function rawCopy(
  config: StoreConfig,
  bodies: readonly Buffer[],
  warmup: readonly Buffer[],
  mode: RawCopyMode,
  /** For 'concurrent'; 'sequential' runs one at a time. */
  concurrency: number,
): Promise<RawCopyResult> {
  const store = await openStore(config);
  try {
    const tenant = await createTenant({ db: store.db, clock: systemClock }, { name: `bench-raw-copy-${mode}` });
    const origin = { tenantId: tenant.tenantId, sourceId: tenant.sourceId };
    await ensureEventPartitions(store, [new Date()]);
    const version = await sql<{ v: string }>`SELECT version() AS v`.execute(store.db);
    const copy = (csv: Buffer) =>
      store.db.transaction().execute((trx) => trx.executeQuery(CompiledQuery.raw(COPY_EVENTS_SQL, [new CopySource(csv)])));
    const rowsOf = (body: Buffer) => normalizeBatch(batchSchema.parse(JSON.parse(body.toString('utf8'))), { ...origin, receivedAt: new Date() });

    let warmupRows = 0;
    for (const body of warmup) {
      const chunk = rowsOf(body);
      await copy(encodeEventRows(chunk));
      warmupRows += chunk.length;
    }

    let rows = 0;
    let csvMs = 0;
    let timedMs = 0;
    if (mode === 'sequential') {
      for (const body of bodies) {
        const chunk = rowsOf(body);
        const started = performance.now();
        const csv = encodeEventRows(chunk);
        csvMs += performance.now() - started;
        await copy(csv);
        timedMs += performance.now() - started;
        rows += chunk.length;
      }
    } else {
      const chunks = bodies.map((body) => {
        const chunk = rowsOf(body);
        rows += chunk.length;
        const started = performance.now();
        const csv = encodeEventRows(chunk);
        csvMs += performance.now() - started;
        return csv;
      });
      let next = 0;
      const worker = async () => {
        for (let csv = chunks[next++]; csv; csv = chunks[next++]) await copy(csv);
      };
      const started = performance.now();
      await Promise.all(Array.from({ length: concurrency }, worker));
      timedMs = performance.now() - started;
    }

    const stored = await countEvents(store, tenant.tenantId);
    if (stored !== rows + warmupRows) throw new Error(`raw COPY: ${rows} + ${warmupRows} rows sent but ${stored} stored`);
    if (store.engine === 'postgres') await deleteTenantEvents(store, tenant.tenantId);
    return {
      mode,
      concurrency: mode === 'sequential' ? 1 : concurrency,
      rows,
      seconds: timedMs / 1000,
      csvSeconds: csvMs / 1000,
      rowsPerSec: rows / (timedMs / 1000),
      serverVersion: version.rows[0]?.v ?? 'unknown',
    };
  } finally {
    await store.close();
  }
}
