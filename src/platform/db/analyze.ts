import { sql } from 'kysely';
import type { Db } from './store.js';

/**
 * Fresh planner statistics for every table, after a bulk write (the demo, an import). PGlite runs no
 * autovacuum, and a plan made for nearly empty tables can cost a thousand times more on full ones.
 */
export async function analyzeAll(db: Db): Promise<void> {
  await sql`ANALYZE`.execute(db);
}

/**
 * The tables of the current schema whose statistics are stale by autovacuum's own rule (more rows
 * changed since the last ANALYZE than 50 + 10 % of the rows it counted), or that grew by more than a
 * tenth in pages since (the change counters reach the statistics views only some time after a
 * write; the size is known at once). Names come quoted, ready for ANALYZE.
 */
async function staleTables(db: Db): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
    WHERE c.relkind = 'r' AND n.nspname = current_schema()
      AND (COALESCE(s.n_mod_since_analyze, 0) > 50 + 0.1 * GREATEST(c.reltuples, 0)
        OR pg_relation_size(c.oid) / current_setting('block_size')::int > 1.1 * GREATEST(c.relpages, 0) + 1)
    ORDER BY c.relname`.execute(db);
  return rows.map((r) => r.name);
}

/** ANALYZEs the tables whose statistics are stale (see staleTables); answers their names. */
export async function analyzeStale(db: Db): Promise<string[]> {
  const tables = await staleTables(db);
  // The names are the catalog's own, quoted by quote_ident above.
  for (const table of tables) await sql`ANALYZE ${sql.raw(table)}`.execute(db);
  return tables;
}

export interface StatisticsKeeper {
  /** Stops the timer and waits for a pass under way. */
  stop(): Promise<void>;
}

/**
 * What autovacuum's analyse does on PostgreSQL, for a store that has none (PGlite): every
 * `intervalMs`, the tables whose statistics went stale are analysed, so the plans chosen for a
 * nearly empty store do not stay on as it fills.
 */
export function keepStatistics(
  db: Db,
  options: { intervalMs: number; onAnalyzed?: (tables: string[], ms: number) => void; onError?: (err: unknown) => void },
): StatisticsKeeper {
  let running: Promise<void> | null = null;
  const pass = () => {
    if (running) return;
    const started = performance.now();
    running = analyzeStale(db)
      .then((tables) => {
        if (tables.length > 0) options.onAnalyzed?.(tables, Math.round(performance.now() - started));
      })
      .catch((err: unknown) => options.onError?.(err))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(pass, options.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
