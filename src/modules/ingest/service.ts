import type { BatchBody } from '../../contracts/ingest.js';
import type { Clock } from '../../platform/clock.js';
import type { Store } from '../../platform/db/index.js';
import { loadIdentityConfig } from '../identity/index.js';
import { extractBatchIdentity } from './identity.js';
import { checkRows } from './limits.js';
import { normalizeBatch } from './normalize.js';
import { announceQueued } from './queued.js';
import { appendEvents, ensureEventPartitions } from './repo.js';

export interface IngestDeps {
  store: Store;
  clock: Clock;
}

export interface IngestSource {
  tenantId: string;
  sourceId: string;
}

/**
 * Stores a validated batch in one transaction: all of it or none of it. Messages already stored
 * (same tenant and messageId) are skipped; the new ones are queued for the One ID resolver in the
 * same transaction, which is all a tracking call waits for: no identity lock, no profile writes.
 * Identifiers and VINs are still checked here, so a batch the resolver could not use is a 400 now.
 * Returns how many events were new.
 */
export async function ingestBatch(deps: IngestDeps, source: IngestSource, body: BatchBody, options: { single?: boolean } = {}): Promise<number> {
  const receivedAt = deps.clock.now();
  const rows = normalizeBatch(body, { ...source, receivedAt });
  checkRows(rows, { batchLevelContext: body.context !== undefined || body.integrations !== undefined, single: options.single ?? false });
  const config = await loadIdentityConfig(deps.store.db, source.tenantId);
  extractBatchIdentity(body, config, options.single ?? false);
  await ensureEventPartitions(deps.store, [receivedAt]);
  const stored = await deps.store.db.transaction().execute((trx) => appendEvents(trx, rows));
  if (stored > 0) announceQueued(source.tenantId);
  return stored;
}
