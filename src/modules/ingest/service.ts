import type { BatchBody } from '../../contracts/ingest.js';
import type { Clock } from '../../platform/clock.js';
import type { Db, Store } from '../../platform/db/index.js';
import { encodeQueuedIdentity, loadIdentityConfig, type Extracted, type IdentityConfig } from '../identity/index.js';
import { extractBatchIdentity } from './identity.js';
import { checkRows } from './limits.js';
import { normalizeBatch, type EventRow } from './normalize.js';
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
 * Identifiers and VINs are read here, so a batch the resolver could not use is a 400 now, and what
 * was read travels with the queue row. Returns how many events were new.
 */
export async function ingestBatch(deps: IngestDeps, source: IngestSource, body: BatchBody, options: { single?: boolean } = {}): Promise<number> {
  const receivedAt = deps.clock.now();
  const config = await loadIdentityConfig(deps.store.db, source.tenantId);
  const prepared = prepareBatch(source, body, config, receivedAt, options.single ?? false);
  await ensureEventPartitions(deps.store, [receivedAt]);
  const stored = await deps.store.db.transaction().execute((trx) => appendTracked(trx, prepared));
  if (stored > 0) announceQueued(source.tenantId);
  return stored;
}

export interface PreparedBatch {
  sourceId: string;
  rows: EventRow[];
  extracted: Extracted[];
}

/** A batch as rows to store and what identity resolution will read of each; refuses what cannot be stored or resolved. */
export function prepareBatch(source: IngestSource, body: BatchBody, config: IdentityConfig, receivedAt: Date, single = false): PreparedBatch {
  const rows = normalizeBatch(body, { ...source, receivedAt });
  checkRows(rows, { batchLevelContext: body.context !== undefined || body.integrations !== undefined, single });
  return { sourceId: source.sourceId, rows, extracted: extractBatchIdentity(body, config, single) };
}

/** Stores a prepared batch and queues it for the resolver, in the caller's transaction. */
export function appendTracked(trx: Db, batch: PreparedBatch): Promise<number> {
  return appendEvents(trx, batch.rows, {
    queue: (fresh, positions) =>
      encodeQueuedIdentity(batch.sourceId, fresh.map((r, i) => ({ messageId: r.messageId, at: r.timestamp, extracted: batch.extracted[positions[i]!]! }))),
  });
}
