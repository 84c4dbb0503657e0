import type { FastifyInstance } from 'fastify';
import { isRecord } from '../platform/json.js';

/** The demo's calls of Siyu's own HTTP API, in process (Fastify's inject: no socket). */

/** A request body sent as it is (a CSV file). */
export class RawBody {
  constructor(
    readonly text: string,
    readonly contentType: string,
  ) {}
}

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export class DemoApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what} answered ${status}: ${body.slice(0, 500)}`);
  }
}

export interface Api {
  /** A call with the admin token; `body` is sent as JSON, or as it is when a RawBody. */
  admin(method: Method, url: string, body?: unknown): Promise<Record<string, unknown>>;
  raw(options: { method: Method; url: string; headers: Record<string, string>; payload?: string }): Promise<{ status: number; body: string }>;
}

export function apiOf(app: FastifyInstance, adminToken: string): Api {
  return {
    async admin(method, url, body) {
      const raw = body instanceof RawBody ? body : body === undefined ? null : new RawBody(JSON.stringify(body), 'application/json');
      const res = await app.inject({
        method,
        url,
        ...(raw ? { payload: raw.text } : {}),
        headers: { authorization: `Bearer ${adminToken}`, ...(raw ? { 'content-type': raw.contentType } : {}) },
      });
      if (res.statusCode >= 300) throw new DemoApiError(res.statusCode, res.body, `${method} ${url}`);
      const parsed: unknown = res.body === '' ? {} : JSON.parse(res.body);
      return isRecord(parsed) ? parsed : { items: parsed };
    },
    async raw(options) {
      const res = await app.inject({ method: options.method, url: options.url, headers: options.headers, ...(options.payload === undefined ? {} : { payload: options.payload }) });
      return { status: res.statusCode, body: res.body };
    },
  };
}

export function idOf(body: Record<string, unknown>, what: string): string {
  const id = body['id'];
  if (typeof id !== 'string') throw new Error(`${what}: the answer has no id`);
  return id;
}
