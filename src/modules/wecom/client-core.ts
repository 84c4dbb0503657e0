import type { z } from 'zod';
import { AppError } from '../../platform/errors.js';
import { isRecord } from '../../platform/json.js';
import { wecomErrcodeMessage, wecomErrorCode } from './errcodes.js';
import { acquireWecomCall, DEFAULT_WECOM_LIMITS, type WecomLimits } from './rate-limit.js';
import { cachedToken, dropToken, tokenCacheKey } from './token-cache.js';

/** errcodes that say the access token is invalid (40014) or expired (42001): fetch a new one, retry once. */
export const TOKEN_ERRCODES: ReadonlySet<number> = new Set([40014, 42001]);
/** errcodes that say "not now": system busy (-1), rate limit (45009, 45011), too many concurrent calls (45033). */
export const BUSY_ERRCODES: ReadonlySet<number> = new Set([-1, 45009, 45011, 45033]);
/** The waits before the retries of a busy answer; after the last one the error is thrown. */
export const DEFAULT_BACKOFF_MS: readonly number[] = [1_000, 2_000, 4_000];
/** How long one HTTP request to WeCom may take. */
export const DEFAULT_WECOM_TIMEOUT_MS = 10_000;

export interface WecomClientOptions {
  corpId: string;
  secret: string;
  /** WeCom's origin, `https://qyapi.weixin.qq.com` (or the fake's); paths go under `/cgi-bin/`. */
  apiBaseUrl: string;
  fetch?: typeof fetch;
  /** Milliseconds since the epoch; drives token expiry and the rate limiter. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  limits?: Partial<WecomLimits>;
  backoffMs?: readonly number[];
  timeoutMs?: number;
}

export type WecomMethod = 'GET' | 'POST';

/**
 * One WeCom server-API call: `GET` sends `body` (string values) as query parameters, `POST` as JSON.
 * Answers the parsed body when errcode is 0, otherwise throws an AppError.
 */
export type WecomCall = <S extends z.ZodType>(method: WecomMethod, path: string, body: unknown, schema: S) => Promise<z.output<S>>;

interface Answer {
  errcode: number;
  errmsg: string;
  body: Record<string, unknown>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Why a fetch failed, in words, naming the host only (the URL carries the secret or the token). */
export function unreachable(err: unknown, host: string, path: string, timeoutMs: number): AppError {
  const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
  const cause: unknown = err instanceof Error ? err.cause : undefined;
  const code = isRecord(cause) && typeof cause.code === 'string' ? cause.code : null;
  const reason = timedOut ? `no answer from ${host} within ${timeoutMs / 1000} s` : `could not reach ${host}${code ? ` (${code})` : ''}`;
  return new AppError('unavailable', `${reason}: check that this server can reach ${host} (proxy, firewall, DNS) and try again`, { host, path });
}

interface Exchange {
  base: string;
  host: string;
  corpKey: string;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  limits: WecomLimits;
  /** One rate-limited HTTP exchange; WeCom answers HTTP 200 with JSON whose errcode says how it went. */
  exchange(method: WecomMethod, path: string, query: Record<string, string>, body: unknown): Promise<Answer>;
}

function createExchange(options: WecomClientOptions): Exchange {
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const limits: WecomLimits = { ...DEFAULT_WECOM_LIMITS, ...options.limits };
  const timeoutMs = options.timeoutMs ?? DEFAULT_WECOM_TIMEOUT_MS;
  const base = options.apiBaseUrl.replace(/\/+$/, '');
  const host = new URL(base).host;
  const corpKey = `${base}|${options.corpId}`;

  async function exchange(method: WecomMethod, path: string, query: Record<string, string>, body: unknown): Promise<Answer> {
    await acquireWecomCall(corpKey, path, limits, now, sleep);
    const url = new URL(`${base}${path}`);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    let res: Response;
    try {
      res = await doFetch(url, {
        method,
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
        ...(method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) } : {}),
      });
    } catch (err) {
      throw unreachable(err, host, path, timeoutMs);
    }
    let json: unknown;
    try {
      json = await res.json();
    } catch {
      throw new AppError('unavailable', `${host} answered HTTP ${res.status} without WeCom's JSON: check apiBaseUrl and any proxy in between`, { host, path, httpStatus: res.status });
    }
    if (!isRecord(json) || typeof json.errcode !== 'number') {
      throw new AppError('unavailable', `${host} answered HTTP ${res.status} without an errcode: check apiBaseUrl`, { host, path, httpStatus: res.status });
    }
    return { errcode: json.errcode, errmsg: typeof json.errmsg === 'string' ? json.errmsg : '', body: json };
  }

  return { base, host, corpKey, now, sleep, limits, exchange };
}

const failure = (answer: Answer, path: string) =>
  new AppError(wecomErrorCode(answer.errcode), wecomErrcodeMessage(answer.errcode, answer.errmsg), { wecomErrcode: answer.errcode, wecomErrmsg: answer.errmsg, path });

async function requestToken(options: WecomClientOptions, ex: Exchange) {
  const path = '/cgi-bin/gettoken';
  const answer = await ex.exchange('GET', path, { corpid: options.corpId, corpsecret: options.secret }, undefined);
  if (answer.errcode !== 0) throw failure(answer, path);
  const token = answer.body.access_token;
  const expiresIn = answer.body.expires_in;
  if (typeof token !== 'string' || typeof expiresIn !== 'number') {
    throw new AppError('unavailable', `${ex.host} answered gettoken without access_token and expires_in: check apiBaseUrl`, { host: ex.host, path });
  }
  return { token, expiresInSeconds: expiresIn, fetchedAt: ex.now() };
}

/**
 * A new access token from `GET /cgi-bin/gettoken`, bypassing the cache (the connector health check
 * asks WeCom every time). Throws the same AppErrors as the client's calls.
 */
export async function fetchWecomAccessToken(options: WecomClientOptions): Promise<{ token: string; expiresInSeconds: number }> {
  const { token, expiresInSeconds } = await requestToken(options, createExchange(options));
  return { token, expiresInSeconds };
}

export function createWecomCall(options: WecomClientOptions): { call: WecomCall; accessToken: () => Promise<string> } {
  const ex = createExchange(options);
  const { now, sleep } = ex;
  const backoff = options.backoffMs ?? DEFAULT_BACKOFF_MS;
  const tokenKey = tokenCacheKey(ex.base, options.corpId, options.secret);
  const fetchToken = () => requestToken(options, ex);

  const accessToken = () => cachedToken(tokenKey, now(), fetchToken);

  const call: WecomCall = async (method, relativePath, body, schema) => {
    const path = `/cgi-bin/${relativePath.replace(/^\/?(cgi-bin\/)?/, '')}`;
    const query: Record<string, string> = {};
    if (method === 'GET' && isRecord(body)) for (const [name, value] of Object.entries(body)) if (value !== undefined) query[name] = String(value);
    let tokenRetried = false;
    let busyRetries = 0;
    for (;;) {
      const token = await accessToken();
      const answer = await ex.exchange(method, path, { ...query, access_token: token }, method === 'POST' ? body : undefined);
      if (answer.errcode === 0) {
        const parsed = schema.safeParse(answer.body);
        if (parsed.success) return parsed.data;
        throw new AppError('unavailable', `WeCom's answer to ${path} does not have the documented shape`, {
          path,
          issues: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
        });
      }
      if (TOKEN_ERRCODES.has(answer.errcode) && !tokenRetried) {
        tokenRetried = true;
        dropToken(tokenKey, token);
        continue;
      }
      const wait = backoff[busyRetries];
      if (BUSY_ERRCODES.has(answer.errcode) && wait !== undefined) {
        busyRetries += 1;
        await sleep(wait);
        continue;
      }
      throw failure(answer, path);
    }
  };

  return { call, accessToken };
}
