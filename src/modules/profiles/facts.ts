import type { Db } from '../../platform/db/index.js';
import { loadIdentityConfig } from '../identity/index.js';
import { ingestOwnMessages, type OwnMessage, type OwnMessageResult } from '../ingest/index.js';
import { resolutionHooks } from './resolution.js';

/**
 * Writes what Siyu recorded about people (funnel steps, orders, after-sales) to their timelines as
 * standard events, inside the caller's transaction: the business rows and their events commit
 * together. The caller ensured the event partition of `receivedAt` before the transaction and took
 * the identity lock before locking rows (see `ingestOwnMessages`).
 */
export async function recordFacts(trx: Db, tenantId: string, messages: readonly OwnMessage[], receivedAt: Date): Promise<OwnMessageResult[]> {
  if (messages.length === 0) return [];
  const config = await loadIdentityConfig(trx, tenantId);
  return ingestOwnMessages(trx, tenantId, config, messages, receivedAt, resolutionHooks);
}
