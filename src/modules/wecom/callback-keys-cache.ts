import type { WecomCredentials } from './credentials.js';

/** The process's cache of callback credentials per connector (see callback-keys.ts). */
const cache = new Map<string, { credentials: WecomCredentials; until: number }>();

export function cachedKeys(connectorId: string, now: number): WecomCredentials | null {
  const hit = cache.get(connectorId);
  return hit && hit.until > now ? hit.credentials : null;
}

export function cacheKeys(connectorId: string, credentials: WecomCredentials, until: number): void {
  cache.set(connectorId, { credentials, until });
}

/** The connector changed or went: the next callback reads it again. */
export function forgetCallbackKeys(connectorId: string): void {
  cache.delete(connectorId);
}
