import { Worker } from 'node:worker_threads';
import type { PgliteBackend } from './pglite-backend.js';
import { PgliteError, type WorkerRequest, type WorkerResponse } from './pglite-protocol.js';
import type { SqlResult } from './engine.js';

type Pending = { resolve: (value: WorkerResponse) => void; reject: (err: Error) => void };
type Request = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/**
 * From the build, the worker is `pglite-worker.js`. Run from sources (tests, tsx) it is a .ts file:
 * a small bootstrap registers tsx's loader inside the worker first (Node 20 does not pass the
 * parent's loader on to workers).
 */
function startWorker(dataDir: string): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./pglite-worker.js', import.meta.url), { workerData: dataDir });
  const entry = new URL('./pglite-worker.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(bootstrap, { eval: true, workerData: dataDir });
}

function isSqlResult(v: unknown): v is SqlResult {
  return typeof v === 'object' && v !== null && 'rows' in v && 'rowCount' in v;
}

/** PGlite in a worker thread, behind the same backend interface as in-process PGlite. */
export async function openPgliteThread(dataDir: string, onFailure: (err: Error) => void = () => {}): Promise<PgliteBackend> {
  const worker = startWorker(dataDir);
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let failed: Error | undefined;

  const ready = new Promise<void>((resolve, reject) => {
    pending.set(0, { resolve: () => resolve(), reject });
  });
  worker.on('message', (res: WorkerResponse) => {
    const p = pending.get(res.id);
    if (!p) return;
    pending.delete(res.id);
    if (res.ok) p.resolve(res);
    else p.reject(new PgliteError(res.error));
  });
  let closing = false;
  const failAll = (err: Error) => {
    if (!failed && !closing) onFailure(err);
    failed = err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('error', (err) => failAll(err));
  worker.on('exit', (code) => failAll(new Error(`the PGlite worker stopped (exit code ${code})`)));
  await ready;

  const call = (req: Request, transfer: ArrayBuffer[] = []): Promise<WorkerResponse> => {
    if (failed) return Promise.reject(failed);
    const id = nextId++;
    // Errors are raised from the worker's message handler; keep the caller's stack and the SQL.
    const origin = new Error('PGlite call');
    return new Promise((resolve, reject) => {
      const withOrigin = (err: Error) => {
        err.stack = `${err.name}: ${err.message}${'sql' in req ? `\n    in SQL: ${req.sql.slice(0, 200)}` : ''}\n${origin.stack?.split('\n').slice(1).join('\n') ?? ''}`;
        reject(err);
      };
      try {
        worker.postMessage({ ...req, id }, transfer);
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err))); // e.g. a parameter that cannot be cloned
        return;
      }
      pending.set(id, { resolve, reject: withOrigin });
    });
  };
  const result = (res: WorkerResponse) => (res.ok ? res.result : null);

  return {
    async query(sql, parameters) {
      const r = result(await call({ op: 'query', sql, parameters: [...parameters] }));
      if (!isSqlResult(r)) throw new Error('the PGlite worker answered a query without rows');
      return r;
    },
    async copyFrom(sql, data) {
      // Copy into a buffer of our own and hand it over without another copy.
      const owned = new Uint8Array(data);
      const r = result(await call({ op: 'copy', sql, data: owned }, [owned.buffer]));
      return typeof r === 'number' ? r : 0;
    },
    async exec(sql) {
      const r = result(await call({ op: 'exec', sql }));
      return Array.isArray(r) ? r : [];
    },
    async close() {
      if (failed) return;
      closing = true;
      await call({ op: 'close' });
      await worker.terminate();
    },
  };
}
