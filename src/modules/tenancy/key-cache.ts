import type { Db } from '../../platform/db/index.js';

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

interface Cache {
  entries: Map<string, Entry>;
  /** Bumped by forgetKeys: a lookup that started before a revocation must not fill the cache after it. */
  generation: number;
}

const caches = new WeakMap<Db, Cache>();

function cacheOf(db: Db): Cache {
  let c = caches.get(db);
  if (!c) caches.set(db, (c = { entries: new Map(), generation: 0 }));
  return c;
}

export async function cachedKey(
  db: Db,
  hash: string,
  now: number,
  load: () => Promise<WriteKeyPrincipal | null>,
): Promise<WriteKeyPrincipal | null> {
  const cache = cacheOf(db);
  const hit = cache.entries.get(hash);
  if (hit && hit.expires > now) return hit.value;
  const generation = cache.generation;
  const value = await load();
  if (value === null) {
    cache.entries.delete(hash);
    return null;
  }
  if (cache.generation !== generation) return value; // a revocation happened meanwhile: answer, don't keep
  if (cache.entries.size >= MAX_ENTRIES) cache.entries.clear();
  cache.entries.set(hash, { value, expires: now + WRITE_KEY_CACHE_TTL_MS });
  return value;
}

/** Forget every cached key of this store (after a revocation or rotation). */
export function forgetKeys(db: Db): void {
  const cache = cacheOf(db);
  cache.entries.clear();
  cache.generation++;
}

/** Who a verified write key speaks for: its tenant, source and key. */
export interface WriteKeyPrincipal {
  tenantId: string;
  sourceId: string;
  writeKeyId: string;
}
