import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { from as copyFromStream } from 'pg-copy-streams';
import type { SqlEngine, SqlSession } from './engine.js';

/** A PostgreSQL server through a node-postgres pool. */
export async function openPostgresEngine(
  url: string,
  poolMax: number,
  onIdleError: (err: Error) => void = (err) => process.stderr.write(`siyu: idle PostgreSQL connection failed: ${err.message}\n`),
): Promise<SqlEngine> {
  const pool = new pg.Pool({ connectionString: url, max: poolMax, application_name: 'siyu' });
  // An idle connection that the server drops emits 'error' on the pool; unheard, it kills the process.
  // The pool discards that connection and opens a new one when next needed.
  pool.on('error', onIdleError);
  // Fail at boot, with the server's own words, rather than on the first request.
  const probe = await pool.connect();
  probe.release();
  let ending: Promise<void> | undefined;

  return {
    kind: 'postgres',
    async session(): Promise<SqlSession> {
      const client = await pool.connect();
      let broken: Error | undefined;
      return {
        async query(sql, parameters) {
          const r = await client.query(sql, [...parameters]);
          return { rows: r.rows, rowCount: r.rowCount ?? 0, command: r.command };
        },
        async copyFrom(sql, data) {
          const stream = client.query(copyFromStream(sql));
          try {
            await pipeline(Readable.from([data]), stream);
          } catch (err) {
            broken = err instanceof Error ? err : new Error(String(err));
            throw err;
          }
          return Number(stream.rowCount);
        },
        async exec(sql) {
          const r: unknown = await client.query(sql);
          const results = Array.isArray(r) ? r : [r];
          const last: unknown = results[results.length - 1];
          return hasRows(last) ? last.rows : [];
        },
        release() {
          // A connection whose COPY failed mid-stream is not safe to reuse.
          client.release(broken);
        },
      };
    },
    close() {
      return (ending ??= pool.end());
    },
  };
}

function hasRows(value: unknown): value is { rows: Record<string, unknown>[] } {
  return typeof value === 'object' && value !== null && 'rows' in value && Array.isArray(value.rows);
}
