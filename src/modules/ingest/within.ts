import { sql } from 'kysely';
import type { BatchMessage } from '../../contracts/ingest.js';
import type { Db } from '../../platform/db/index.js';
import { extractIdentity, lockIdentityGraph, resolveAcknowledged, type BacklogHooks, type Extracted, type IdentityConfig } from '../identity/index.js';
import { resolveRows } from './identity.js';
import { checkRows } from './limits.js';
import { normalizeMessage, type EventRow } from './normalize.js';
import { appendEvents } from './repo.js';

/** A message Siyu writes itself (a lead's events), from its own source. */
export interface OwnMessage {
  sourceId: string;
  message: BatchMessage;
}

export interface OwnMessageResult {
  /** The profile the event was resolved to; null when it carries no usable identifier, or when its messageId was already stored. */
  profileId: string | null;
  /** One of the message's identifiers was held by a profile before this call (an existing person). */
  known: boolean;
  /** The messageId was new (the event was stored now). */
  stored: boolean;
}

/**
 * Ingests messages built by Siyu (lead intake ...) inside the CALLER's transaction, so that their
 * events and the caller's rows commit or roll back together. The same rules as the tracking API:
 * dedup on messageId, One ID resolution (here, synchronously), the profiles marked changed. Call `ensureEventPartitions`
 * for `receivedAt` before the transaction. `hooks`: what resolution does to what a profile owns
 * (the profiles module's resolutionHooks). Returns, per message, its profile and whether the person
 * was known before.
 */
export async function ingestOwnMessages(
  trx: Db,
  tenantId: string,
  config: IdentityConfig,
  items: readonly OwnMessage[],
  receivedAt: Date,
  hooks: BacklogHooks,
): Promise<OwnMessageResult[]> {
  if (items.length === 0) return [];
  const rows = items.map((item) => normalizeMessage(item.message, {}, { tenantId, sourceId: item.sourceId, receivedAt }));
  checkRows(rows, { batchLevelContext: false });
  const extracted: Extracted[] = items.map((item, i) => extractIdentity(identityInputOf(item.message), config, { strict: true, path: `messages[${i}].` }));

  // Who held the identifiers before: taken under the identity lock (re-entrant) that resolution takes
  // too, after the tracking events acknowledged so far are resolved, so the answer is the one they
  // would have given had they been resolved already.
  await lockIdentityGraph(trx, tenantId);
  await resolveAcknowledged(trx, tenantId, hooks, receivedAt);
  const held = await heldIdentifiers(trx, tenantId, extracted);

  const results: OwnMessageResult[] = items.map((_, i) => ({
    profileId: null,
    known: extracted[i]!.identifiers.some((id) => held.has(`${id.type}\u0001${id.scope}\u0001${id.value}`)),
    stored: false,
  }));
  const resolveInline = async (fresh: EventRow[], positions: number[]) => {
    await resolveRows(trx, tenantId, config, extracted, fresh, positions, receivedAt, hooks);
    // resolveRows stamped the profile ids on the fresh rows.
    fresh.forEach((r, i) => {
      results[positions[i]!] = { ...results[positions[i]!]!, profileId: r.profileId, stored: true };
    });
  };
  await appendEvents(trx, rows, { resolveInline });
  return results;
}

function identityInputOf(m: BatchMessage) {
  return {
    type: m.type,
    userId: m.userId ?? null,
    anonymousId: m.anonymousId ?? null,
    previousId: m.type === 'alias' ? m.previousId : null,
    traits: m.type === 'identify' ? (m.traits ?? null) : null,
    contextTraits: m.context?.['traits'],
    properties: m.type === 'track' || m.type === 'page' || m.type === 'screen' ? (m.properties ?? null) : null,
    externalIds: m.context?.externalIds,
  };
}

async function heldIdentifiers(trx: Db, tenantId: string, extracted: readonly Extracted[]): Promise<Set<string>> {
  const ids = extracted.flatMap((e) => e.identifiers);
  if (ids.length === 0) return new Set();
  // Index lookups driven by the identifiers (LATERAL … LIMIT 1), never a join over the tenant's graph.
  const { rows } = await sql<{ type: string; scope: string; value: string }>`
    SELECT k.type, k.scope, k.value
    FROM unnest(${ids.map((i) => i.type)}::text[], ${ids.map((i) => i.scope)}::text[], ${ids.map((i) => i.value)}::text[]) AS k(type, scope, value)
    CROSS JOIN LATERAL (
      SELECT 1 FROM profile_identifiers pi WHERE pi.tenant_id = ${tenantId} AND pi.type = k.type AND pi.scope = k.scope AND pi.value = k.value LIMIT 1
    ) x`.execute(trx);
  return new Set(rows.map((r) => `${r.type}\u0001${r.scope}\u0001${r.value}`));
}
