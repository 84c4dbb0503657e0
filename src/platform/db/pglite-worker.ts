import { parentPort, workerData } from 'node:worker_threads';
import { openPgliteBackend } from './pglite-backend.js';
import { toWorkerError, type WorkerRequest, type WorkerResponse } from './pglite-protocol.js';

/**
 * The PGlite worker: PostgreSQL's WASM runs here, so that JSON parsing, validation and HTTP on the
 * main thread overlap with database work on the other core.
 */
const port = parentPort;
if (!port) throw new Error('pglite-worker must run in a worker thread');
const dataDir: unknown = workerData;
if (typeof dataDir !== 'string') throw new Error('pglite-worker needs its data folder as workerData');

const backend = await openPgliteBackend(dataDir);
// Requests arrive one session at a time, but run them strictly in order regardless.
let queue: Promise<void> = Promise.resolve();

async function handle(req: WorkerRequest): Promise<WorkerResponse> {
  try {
    switch (req.op) {
      case 'query':
        return { id: req.id, ok: true, result: await backend.query(req.sql, req.parameters) };
      case 'copy':
        return { id: req.id, ok: true, result: await backend.copyFrom(req.sql, req.data) };
      case 'exec':
        return { id: req.id, ok: true, result: await backend.exec(req.sql) };
      case 'close':
        await backend.close();
        return { id: req.id, ok: true, result: null };
    }
  } catch (err) {
    return { id: req.id, ok: false, error: toWorkerError(err) };
  }
}

port.on('message', (req: WorkerRequest) => {
  queue = queue.then(async () => {
    port.postMessage(await handle(req));
    if (req.op === 'close') port.close();
  });
});
port.postMessage({ id: 0, ok: true, result: null } satisfies WorkerResponse);
