import { sql } from 'kysely';
import type { Db } from './store.js';

/** Which tables to consider, each (partitions by their parent's name) with the columns to analyse; default: every table, every column. */
export type AnalyzedColumns = Readonly<Record<string, readonly string[]>>;

/**
 * The tables of the current schema whose statistics are stale by autovacuum's own rule (more rows
 * changed since the last ANALYZE than 50 + 10 % of the rows it counted), or that grew by more than a
 * tenth in pages since (the change counters reach the statistics views only some time after a
 * write, or not yet after a bulk write; the size is known at once).
 */
async function staleTables(db: Db, only: readonly string[] | null): Promise<{ relname: string; parent: string }[]> {
  const { rows } = await sql<{ relname: string; parent: string }>`
    SELECT c.relname, COALESCE(p.relname, c.relname) AS parent
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
    LEFT JOIN pg_inherits i ON i.inhrelid = c.oid
    LEFT JOIN pg_class p ON p.oid = i.inhparent
    WHERE c.relkind = 'r' AND n.nspname = current_schema()
      ${only ? sql`AND COALESCE(p.relname, c.relname) IN (${sql.join(only)})` : sql``}
      AND (COALESCE(s.n_mod_since_analyze, 0) > 50 + 0.1 * GREATEST(c.reltuples, 0)
        OR pg_relation_size(c.oid) / current_setting('block_size')::int > 1.1 * GREATEST(c.relpages, 0) + 1)
    ORDER BY c.relname`.execute(db);
  return rows;
}

/**
 * Fresh planner statistics for the tables whose statistics are stale (after a bulk write: the demo,
 * an import, a rebuild; and periodically on PGlite, which runs no autovacuum): a plan made for nearly
 * empty tables can cost a thousand times more on full ones. `columns` narrows the pass to some
 * tables' stale partitions and to some columns (a jsonb column's statistics cost seconds). Answers
 * the tables analysed.
 */
export async function analyzeStale(db: Db, columns?: AnalyzedColumns): Promise<string[]> {
  const stale = await staleTables(db, columns ? Object.keys(columns) : null);
  if (!columns) {
    // A partitioned table is analysed through its parent, which covers every partition and gives the
    // parent the statistics the planner uses for queries over all of them (autovacuum never does).
    const tables = [...new Set(stale.map((t) => t.parent))];
    for (const table of tables) await sql`ANALYZE ${sql.id(table)}`.execute(db);
    return tables;
  }
  for (const t of stale) {
    const only = columns[t.parent] ?? [];
    await sql`ANALYZE ${sql.id(t.relname)} (${sql.join(only.map((c) => sql.id(c)))})`.execute(db);
  }
  return stale.map((t) => t.relname);
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
