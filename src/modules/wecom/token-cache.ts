import { createHash } from 'node:crypto';

/**
 * Access tokens shared by every client in the process that uses the same WeCom host, corp and secret
 * (the secret only as its SHA-256), and the one fetch in flight per key so that concurrent callers
 * wait for the same gettoken instead of each asking for a token.
 */
interface CachedToken {
  token: string;
  /** When to fetch a new one (ms since the epoch), ahead of WeCom's expiry. */
  refreshAt: number;
}

const tokens = new Map<string, CachedToken>();
const inFlight = new Map<string, Promise<CachedToken>>();

/** Refresh this long before WeCom's `expires_in` ends: 5 minutes, or a tenth of a short lifetime. */
export function refreshMarginMs(expiresInSeconds: number): number {
  return Math.min(5 * 60_000, expiresInSeconds * 100);
}

export function tokenCacheKey(apiBaseUrl: string, corpId: string, secret: string): string {
  return `${apiBaseUrl}|${corpId}|${createHash('sha256').update(secret).digest('hex')}`;
}

/** The cached token for `key` while it is fresh, otherwise the result of one shared `fetchToken`. */
export async function cachedToken(key: string, now: number, fetchToken: () => Promise<{ token: string; expiresInSeconds: number; fetchedAt: number }>): Promise<string> {
  const cached = tokens.get(key);
  if (cached && cached.refreshAt > now) return cached.token;
  let pending = inFlight.get(key);
  if (!pending) {
    pending = fetchToken()
      .then(({ token, expiresInSeconds, fetchedAt }) => {
        const entry = { token, refreshAt: fetchedAt + expiresInSeconds * 1000 - refreshMarginMs(expiresInSeconds) };
        tokens.set(key, entry);
        return entry;
      })
      .finally(() => inFlight.delete(key));
    inFlight.set(key, pending);
  }
  return (await pending).token;
}

/**
 * Forgets `token` after WeCom refused it (40014/42001). Only that token: when another caller has
 * already fetched a new one, the new one stays.
 */
export function dropToken(key: string, token: string): void {
  if (tokens.get(key)?.token === token) tokens.delete(key);
}

/** Forgets every cached token (tests). */
export function clearWecomTokenCache(): void {
  tokens.clear();
}
