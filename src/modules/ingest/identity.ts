import type { BatchBody, BatchMessage } from '../../contracts/ingest.js';
import type { Db } from '../../platform/db/index.js';
import { extractIdentity, resolveEvents, type BacklogHooks, type Extracted, type IdentityConfig, type IdentityInput } from '../identity/index.js';
import type { EventRow } from './normalize.js';
import { isRecord } from '../../platform/json.js';


/** context.traits as stored: the batch's under the message's, one level deep (see normalize.ts). */
function contextTraits(m: BatchMessage, body: Pick<BatchBody, 'context'>): unknown {
  const own = m.context?.traits;
  const batch = body.context?.traits;
  return isRecord(own) && isRecord(batch) ? { ...batch, ...own } : (own ?? batch);
}

function identityInput(m: BatchMessage, body: Pick<BatchBody, 'context'>): IdentityInput {
  const batchContext = body.context;
  return {
    type: m.type,
    userId: m.userId ?? null,
    anonymousId: m.anonymousId ?? null,
    previousId: m.type === 'alias' ? m.previousId : null,
    traits: m.type === 'identify' ? (m.traits ?? null) : null,
    contextTraits: contextTraits(m, body),
    properties: m.type === 'track' || m.type === 'page' || m.type === 'screen' ? (m.properties ?? null) : null,
    externalIds: m.context?.externalIds ?? batchContext?.externalIds,
  };
}

/**
 * Reads the identifiers and vehicles of every message before anything is written: explicit
 * identifiers that cannot be used and invalid VINs refuse the whole batch (400 naming the field).
 */
export function extractBatchIdentity(body: BatchBody, config: IdentityConfig, single: boolean): Extracted[] {
  return body.batch.map((m, i) => extractIdentity(identityInput(m, body), config, { strict: true, path: single ? '' : `batch[${i}].` }));
}

/**
 * Resolves the new rows of Siyu's own messages to profiles inside the caller's transaction, stamps
 * them, and marks their profiles changed so that tags, stages and segments follow.
 */
export async function resolveRows(
  trx: Db,
  tenantId: string,
  config: IdentityConfig,
  extracted: readonly Extracted[],
  fresh: EventRow[],
  positions: number[],
  now: Date,
  hooks: BacklogHooks,
): Promise<void> {
  const items = fresh.map((r, i) => ({ extracted: extracted[positions[i]!]!, messageId: r.messageId, at: r.timestamp, sourceId: r.sourceId }));
  const { profiles: ids, alsoChanged } = await resolveEvents(trx, tenantId, config, items, hooks);
  fresh.forEach((r, i) => {
    r.profileId = ids[i] ?? null;
  });
  await hooks.markChanged(trx, tenantId, [...ids, ...alsoChanged], now);
}
