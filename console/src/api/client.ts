import type { z } from 'zod';
import { errorBodySchema } from '@contracts/common';

/** An error answer of the API, in its `{ error: { code, message, details } }` shape. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type QueryValue = string | number | boolean | null | undefined | readonly (string | number)[];
export type Query = Record<string, QueryValue>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
}

const CSRF_COOKIE = 'siyu_csrf';

/** The CSRF token the server set beside the HttpOnly session cookie at sign-in. */
export function csrfToken(): string | null {
  for (const part of document.cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === CSRF_COOKIE) return decodeURIComponent(rest.join('='));
  }
  return null;
}

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) {
      for (const v of value) params.append(key, String(v));
    } else {
      params.set(key, String(value));
    }
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** Listeners told when the session is gone (401), so the app can show the sign-in page. */
const unauthorizedListeners = new Set<() => void>();
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

async function errorFrom(res: Response): Promise<ApiError> {
  let parsed: unknown = null;
  try {
    parsed = await res.json();
  } catch {
    parsed = null;
  }
  const body = errorBodySchema.safeParse(parsed);
  if (body.success) return new ApiError(res.status, body.data.error.code, body.data.error.message, body.data.error.details);
  return new ApiError(res.status, 'http_error', `${res.status} ${res.statusText}`, null);
}

/** The error of a failed answer; a 401 outside sign-in itself tells the session it has ended. */
async function failure(res: Response, path: string): Promise<ApiError> {
  const error = await errorFrom(res);
  if (res.status === 401 && !path.startsWith('/api/v1/auth/session')) for (const l of unauthorizedListeners) l();
  return error;
}

/**
 * One API call. `schema` is the contract schema of the answer (from src/contracts): the answer is
 * parsed with it, so a drift between console and API shows at once. `z.null()` for 204 answers.
 */
export async function request<S extends z.ZodType>(method: string, path: string, schema: S, options: RequestOptions = {}): Promise<z.output<S>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') {
    const csrf = csrfToken();
    if (csrf) headers['x-csrf-token'] = csrf;
  }
  let body: BodyInit | undefined;
  if (options.body instanceof FormData || typeof options.body === 'string') {
    body = options.body;
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const res = await fetch(withQuery(path, options.query), { method, headers, body, credentials: 'same-origin', signal: options.signal });
  if (!res.ok) throw await failure(res, path);
  if (res.status === 204) return schema.parse(null);
  const type = res.headers.get('content-type') ?? '';
  const data: unknown = type.includes('json') ? await res.json() : await res.text();
  return schema.parse(data);
}

/** A GET whose answer is a file (an image, a CSV): its bytes, or the API's error as an ApiError. */
export async function requestBlob(path: string, options: Pick<RequestOptions, 'query' | 'signal'> = {}): Promise<Blob> {
  const res = await fetch(withQuery(path, options.query), { credentials: 'same-origin', signal: options.signal });
  if (!res.ok) throw await failure(res, path);
  return res.blob();
}

export const api = {
  get: <S extends z.ZodType>(path: string, schema: S, options?: RequestOptions) => request('GET', path, schema, options),
  post: <S extends z.ZodType>(path: string, schema: S, options?: RequestOptions) => request('POST', path, schema, options),
  put: <S extends z.ZodType>(path: string, schema: S, options?: RequestOptions) => request('PUT', path, schema, options),
  patch: <S extends z.ZodType>(path: string, schema: S, options?: RequestOptions) => request('PATCH', path, schema, options),
  delete: <S extends z.ZodType>(path: string, schema: S, options?: RequestOptions) => request('DELETE', path, schema, options),
  blob: requestBlob,
};
