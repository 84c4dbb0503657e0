import type { Db } from '../../platform/db/index.js';
import type { WriteKeyPrincipal } from './service.js';

/**
 * Recently verified write keys, per store. Ingest requests otherwise queue a lookup behind other
 * requests' writes (PGlite has one connection). An entry lives `TTL_MS`; revoking or rotating a key
 * clears the cache of that store at once, so a revoked key stops working immediately in this process
 * and within `TTL_MS` in any other process sharing a PostgreSQL database. Only valid keys are kept.
 */
export const WRITE_KEY_CACHE_TTL_MS = 10_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  value: WriteKeyPrincipal;
  expires: number;
}

const caches = new WeakMap<Db, Map<string, Entry>>();

function cacheOf(db: Db): Map<string, Entry> {
  let c = caches.get(db);
  if (!c) caches.set(db, (c = new Map()));
  return c;
}

export async function cachedKey(
  db: Db,
  hash: string,
  now: number,
  load: () => Promise<WriteKeyPrincipal | null>,
): Promise<WriteKeyPrincipal | null> {
  const cache = cacheOf(db);
  const hit = cache.get(hash);
  if (hit && hit.expires > now) return hit.value;
  const value = await load();
  if (value === null) {
    cache.delete(hash);
    return null;
  }
  if (cache.size >= MAX_ENTRIES) cache.clear();
  cache.set(hash, { value, expires: now + WRITE_KEY_CACHE_TTL_MS });
  return value;
}

/** Forget every cached key of this store (after a revocation or rotation). */
export function forgetKeys(db: Db): void {
  caches.get(db)?.clear();
}
