import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { lockDataDir } from './dir-lock.js';
import { Mutex } from './mutex.js';
import type { SqlEngine, SqlSession } from './engine.js';
import { openPgliteBackend, type PgliteBackend } from './pglite-backend.js';
import { openPgliteThread } from './pglite-thread.js';

/**
 * PGlite is one connection. A mutex hands it to one session at a time, so a transaction is never
 * interleaved with another caller's statements. By default PGlite runs in a worker thread (the
 * database's CPU work then overlaps with HTTP and JSON on the main thread); `thread: false` keeps it
 * in this thread.
 */
export interface PgliteEngineOptions {
  /** Run PGlite in a worker thread (default true). */
  thread?: boolean;
  /** Told when the worker dies: every later query fails until the process restarts. */
  onFailure?: (err: Error) => void;
}

export async function openPgliteEngine(dataDir: string, options: PgliteEngineOptions = {}): Promise<SqlEngine> {
  const inMemory = dataDir.startsWith('memory://');
  if (!inMemory) mkdirSync(dataDir, { recursive: true });
  const unlock = inMemory ? () => {} : lockDataDir(dataDir);
  let pg: PgliteBackend;
  try {
    if (options.thread === false) {
      pg = await openPgliteBackend(dataDir);
    } else {
      // Creating a database (initdb) leaves ~400 MB of WASM heap that PGlite never gives back; do it in
      // a worker of its own and end that worker, so the serving one starts small.
      if (!inMemory && !existsSync(join(dataDir, 'PG_VERSION'))) await (await openPgliteThread(dataDir)).close();
      pg = await openPgliteThread(dataDir, options.onFailure);
    }
  } catch (err) {
    unlock();
    throw err;
  }
  const mutex = new Mutex();
  let closed = false;

  return {
    kind: 'pglite',
    async session(): Promise<SqlSession> {
      const release = await mutex.acquire();
      if (closed) {
        release();
        throw new Error('the store is closed');
      }
      return {
        query: (sql, parameters) => pg.query(sql, parameters),
        copyFrom: (sql, data) => pg.copyFrom(sql, data),
        exec: (sql) => pg.exec(sql),
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
