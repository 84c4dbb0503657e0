import { PGlite, types } from '@electric-sql/pglite';
import type { SqlResult } from './engine.js';

/** What the engine needs of PGlite, in this thread or behind a worker. Calls must not overlap. */
export interface PgliteBackend {
  query(sql: string, parameters: readonly unknown[]): Promise<SqlResult>;
  copyFrom(sql: string, data: Uint8Array): Promise<number>;
  exec(sql: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

function isRow(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export async function openPgliteBackend(dataDir: string): Promise<PgliteBackend> {
  const pg = await PGlite.create(dataDir, {
    // int8 as text on both engines (node-postgres does the same): ids never lose precision.
    parsers: { [types.INT8]: (value: string) => value },
  });
  return {
    async query(sql, parameters) {
      const r = await pg.query(sql, [...parameters]);
      return { rows: r.rows.filter(isRow), rowCount: r.affectedRows ?? r.rows.length, command: r.command ?? '' };
    },
    async copyFrom(sql, data) {
      const fromBlob = sql.replace(/\bfrom\s+stdin\b/i, "FROM '/dev/blob'");
      const r = await pg.query(fromBlob, [], { blob: new Blob([data]) });
      return r.affectedRows ?? 0;
    },
    async exec(sql) {
      const results = await pg.exec(sql);
      const last = results[results.length - 1];
      return last ? last.rows.filter(isRow) : [];
    },
    async close() {
      await pg.close();
    },
  };
}
