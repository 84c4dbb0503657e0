import { mkdirSync } from 'node:fs';
import { PGlite, types } from '@electric-sql/pglite';
import { lockDataDir } from './dir-lock.js';
import { Mutex } from './mutex.js';
import type { SqlEngine, SqlResult, SqlSession } from './engine.js';

/**
 * PGlite is one in-process connection. A mutex hands it to one session at a time, so a transaction
 * is never interleaved with another caller's statements.
 */
export async function openPgliteEngine(dataDir: string): Promise<SqlEngine> {
  const inMemory = dataDir.startsWith('memory://');
  if (!inMemory) mkdirSync(dataDir, { recursive: true });
  const unlock = inMemory ? () => {} : lockDataDir(dataDir);
  let pg: PGlite;
  try {
    pg = await PGlite.create(dataDir, {
      // int8 as text on both engines (node-postgres does the same): ids never lose precision.
      parsers: { [types.INT8]: (value: string) => value },
    });
  } catch (err) {
    unlock();
    throw err;
  }
  const mutex = new Mutex();
  let closed = false;

  const toResult = (r: { rows: unknown[]; affectedRows?: number; command?: string }): SqlResult => ({
    rows: r.rows.filter(isRow),
    rowCount: r.affectedRows ?? r.rows.length,
    command: r.command ?? '',
  });

  return {
    kind: 'pglite',
    async session(): Promise<SqlSession> {
      const release = await mutex.acquire();
      if (closed) {
        release();
        throw new Error('the store is closed');
      }
      return {
        async query(sql, parameters) {
          return toResult(await pg.query(sql, [...parameters]));
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
        release,
      };
    },
    async close() {
      const release = await mutex.acquire();
      try {
        if (!closed) {
          closed = true;
          await pg.close();
          unlock();
        }
      } finally {
        release();
      }
    },
  };
}

function isRow(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
