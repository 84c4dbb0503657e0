/**
 * Client-side rate limiting of WeCom calls: token buckets shared by every client in the process that
 * calls the same corp, so that several connectors' jobs together stay under WeCom's limits. A caller
 * over the limit waits (through the injected sleep) instead of failing.
 *
 * WeCom's base frequency limit (接口调用频率限制) is, per corp and per API, 10,000 calls a minute and
 * 150,000 an hour; some 客户联系 APIs have lower limits of their own, and about 600 a minute is the
 * figure to stay under for one app calling one API. The defaults stay under both: across the corp
 * 6,000 a minute with bursts of 200, and per API 400 a minute with bursts of 40 (24,000 an hour). With a
 * bucket of capacity `burst` refilled at `perMinute`, no minute sees more than `perMinute + burst`
 * calls. Buckets are keyed by apiBaseUrl and corp id (one corp on WeCom's real host).
 */

export interface WecomRateLimit {
  perMinute: number;
  burst: number;
}

export interface WecomLimits {
  /** All calls of one corp. */
  corp: WecomRateLimit;
  /** Calls of one corp to one API path. */
  perApi: WecomRateLimit;
}

export const DEFAULT_WECOM_LIMITS: WecomLimits = {
  corp: { perMinute: 6_000, burst: 200 },
  perApi: { perMinute: 400, burst: 40 },
};

/**
 * A token bucket that reserves: a call takes a token at once, even into debt, and waits until the debt
 * is paid back. Concurrent callers so queue in arrival order without polling.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private readonly perMs: number;

  constructor(
    private readonly limit: WecomRateLimit,
    now: number,
  ) {
    this.tokens = limit.burst;
    this.updatedAt = now;
    this.perMs = limit.perMinute / 60_000;
  }

  /** Takes one token; answers how many milliseconds the caller has to wait before calling. */
  take(now: number): number {
    if (now > this.updatedAt) {
      this.tokens = Math.min(this.limit.burst, this.tokens + (now - this.updatedAt) * this.perMs);
      this.updatedAt = now;
    }
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil(-this.tokens / this.perMs);
  }
}

/** Buckets per process, keyed by corp (and API), shared by all clients with the same limits. */
const buckets = new Map<string, TokenBucket>();

function bucketFor(key: string, limit: WecomRateLimit, now: number): TokenBucket {
  const full = `${key}|${limit.perMinute}/${limit.burst}`;
  let bucket = buckets.get(full);
  if (!bucket) {
    bucket = new TokenBucket(limit, now);
    buckets.set(full, bucket);
  }
  return bucket;
}

/**
 * Waits until a call of `corpKey` to `path` is within both limits. The corp's bucket and the API's
 * bucket each reserve a token; the caller waits for the longer of the two debts.
 */
export async function acquireWecomCall(
  corpKey: string,
  path: string,
  limits: WecomLimits,
  now: () => number,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  const at = now();
  const wait = Math.max(bucketFor(corpKey, limits.corp, at).take(at), bucketFor(`${corpKey}|${path}`, limits.perApi, at).take(at));
  if (wait > 0) await sleep(wait);
}

/** Forgets every bucket (tests that reuse a corp with another clock). */
export function resetWecomRateLimits(): void {
  buckets.clear();
}
