import { sql } from 'kysely';
import type { BatchMessage } from '../../contracts/ingest.js';
import type { Db } from '../../platform/db/index.js';
import {
  extractIdentity,
  lockIdentityGraph,
  profileAddresses,
  resolveAcknowledged,
  type BacklogHooks,
  type Extracted,
  type Identifier,
  type IdentityConfig,
} from '../identity/index.js';
import { resolveRows } from './identity.js';
import { checkRows } from './limits.js';
import { normalizeMessage, type EventRow } from './normalize.js';
import { ensureOwnSource } from './own-source.repo.js';
import { appendEvents } from './repo.js';

/** A message Siyu writes itself (a lead's events, a business fact about a known person). */
export interface OwnMessage {
  /** The tenant source it is stored under; omitted: the source of the facts Siyu records (`siyu:records`). */
  sourceId?: string;
  message: BatchMessage;
  /**
   * The person it is about, when Siyu knows their profile (an order's buyer): the event is addressed
   * to the profile's person through one identifier it holds now (a merged-away id: its survivor's),
   * added to `context.externalIds` before it is stored. A profile that holds no usable identifier
   * any more (erased) gets no event.
   */
  profileId?: string;
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
 * Ingests messages built by Siyu (lead intake, funnel and sales facts ...) inside the CALLER's
 * transaction, so that their events and the caller's rows commit or roll back together. The same
 * rules as the tracking API: dedup on messageId, One ID resolution (here, synchronously), the
 * profiles marked changed. Call `ensureEventPartitions` for `receivedAt` before the transaction, and
 * take the identity lock (`lockIdentityGraph`) before locking any row a merge moves (leads, orders,
 * profiles). `hooks`: what resolution does to what a profile owns (the profiles module's
 * resolutionHooks). Returns, per message, its profile and whether the person was known before.
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
  // Who held the identifiers before: taken under the identity lock (re-entrant) that resolution takes
  // too, after the tracking events acknowledged so far are resolved, so the answer is the one they
  // would have given had they been resolved already. Messages addressed to a profile need no such
  // wait (nor a resolver lag's 503): they name an identifier the profile holds, and a merge the
  // backlog brings later moves them with the profile's other events.
  await lockIdentityGraph(trx, tenantId);
  if (items.some((i) => i.profileId === undefined)) await resolveAcknowledged(trx, tenantId, hooks, receivedAt);
  const kept = await addressed(trx, tenantId, config, items);
  const rows = kept.map(({ item }) => normalizeMessage(item.message, {}, { tenantId, sourceId: item.sourceId, receivedAt }));
  checkRows(rows, { batchLevelContext: false });
  const extracted: Extracted[] = kept.map(({ item, index }) => extractIdentity(identityInputOf(item.message), config, { strict: true, path: `messages[${index}].` }));
  const held = await heldIdentifiers(trx, tenantId, extracted);

  const results: OwnMessageResult[] = items.map(() => ({ profileId: null, known: false, stored: false }));
  kept.forEach(({ index }, k) => {
    results[index] = { ...results[index]!, known: extracted[k]!.identifiers.some((id) => held.has(`${id.type}\u0001${id.scope}\u0001${id.value}`)) };
  });
  const resolveInline = async (fresh: EventRow[], positions: number[]) => {
    await resolveRows(trx, tenantId, config, extracted, fresh, positions, receivedAt, hooks);
    // resolveRows stamped the profile ids on the fresh rows.
    fresh.forEach((r, i) => {
      const index = kept[positions[i]!]!.index;
      results[index] = { ...results[index]!, profileId: r.profileId, stored: true };
    });
  };
  await appendEvents(trx, rows, { resolveInline });
  return results;
}

/**
 * The messages to store, each with its position among the items and its source: a message about a
 * profile carries one of the profile's identifiers in `context.externalIds`; one whose profile holds
 * none is left out.
 */
async function addressed(trx: Db, tenantId: string, config: IdentityConfig, items: readonly OwnMessage[]) {
  let ownSource: string | null = null;
  const sourceOf = async (item: OwnMessage) => item.sourceId ?? (ownSource ??= await ensureOwnSource(trx, tenantId));
  const profiles = items.flatMap((i) => (i.profileId === undefined ? [] : [i.profileId]));
  const addresses = profiles.length > 0 ? await profileAddresses(trx, tenantId, config, profiles) : new Map<string, Identifier>();
  const out: Array<{ index: number; item: { sourceId: string; message: BatchMessage } }> = [];
  for (const [index, item] of items.entries()) {
    if (item.profileId === undefined) {
      out.push({ index, item: { sourceId: await sourceOf(item), message: item.message } });
      continue;
    }
    const id = addresses.get(item.profileId);
    if (!id) continue;
    const context = item.message.context ?? {};
    const externalIds = [...(context.externalIds ?? []), { type: id.type, id: id.value, ...(id.scope ? { collection: id.scope } : {}) }];
    out.push({ index, item: { sourceId: await sourceOf(item), message: { ...item.message, context: { ...context, externalIds } } } });
  }
  return out;
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
