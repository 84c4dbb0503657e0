import type { SqlResult } from './engine.js';

/** Messages between the engine and the PGlite worker thread. */
export type WorkerRequest =
  | { id: number; op: 'query'; sql: string; parameters: unknown[] }
  | { id: number; op: 'copy'; sql: string; data: Uint8Array }
  | { id: number; op: 'exec'; sql: string }
  | { id: number; op: 'close' };

export interface WorkerError {
  message: string;
  code?: string;
  detail?: string;
}

export type WorkerResponse =
  | { id: number; ok: true; result: SqlResult | number | Record<string, unknown>[] | null }
  | { id: number; ok: false; error: WorkerError };

export function toWorkerError(err: unknown): WorkerError {
  if (typeof err !== 'object' || err === null) return { message: String(err) };
  const out: WorkerError = { message: 'message' in err && typeof err.message === 'string' ? err.message : String(err) };
  if ('code' in err && typeof err.code === 'string') out.code = err.code;
  if ('detail' in err && typeof err.detail === 'string') out.detail = err.detail;
  return out;
}

/** An error from the database, thrown in the calling thread with PostgreSQL's code and detail. */
export class PgliteError extends Error {
  readonly code: string | undefined;
  readonly detail: string | undefined;
  constructor(e: WorkerError) {
    super(e.message);
    this.name = 'PgliteError';
    this.code = e.code;
    this.detail = e.detail;
  }
}
