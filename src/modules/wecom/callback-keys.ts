import { cachedKeys, cacheKeys, forgetCallbackKeys } from './callback-keys-cache.js';
import { decryptCredentials, type WecomCredentials, type WecomDeps } from './connectors.js';
import { findConnectorById } from './connectors.repo.js';

/**
 * The credentials a callback is checked with, kept in the process for a short while: a burst of
 * callbacks reads and decrypts them once instead of once each. A change made in this process takes
 * effect at once (connectors.ts forgets them); one made in another process within
 * CALLBACK_KEYS_TTL_MS (callbacks signed with a new token are refused until then, and WeCom retries
 * them). A callback for a connector deleted meanwhile is still refused: it is stored only while the
 * connector's row exists.
 */

export const CALLBACK_KEYS_TTL_MS = 30_000;

export async function callbackKeys(deps: WecomDeps, connectorId: string): Promise<WecomCredentials | null> {
  const now = Date.now();
  const hit = cachedKeys(connectorId, now);
  if (hit) return hit;
  const row = await findConnectorById(deps.store.db, connectorId);
  if (!row) {
    forgetCallbackKeys(connectorId);
    return null;
  }
  const credentials = decryptCredentials(deps, row);
  cacheKeys(connectorId, credentials, now + CALLBACK_KEYS_TTL_MS);
  return credentials;
}
