import { CompiledQuery, sql } from 'kysely';
import { CopySource, toCopyText, type Db, type Store } from '../../platform/db/index.js';
import { enqueueEvents } from '../identity/index.js';
import type { EventRow } from './normalize.js';

/** Below this many rows a multi-row INSERT beats the set-up of a COPY. */
const COPY_THRESHOLD = 64;

const COLUMNS = [
  'id', 'tenant_id', 'received_at', 'message_id', 'type', 'source_id', 'event', 'name', 'category', 'user_id',
  'anonymous_id', 'group_id', 'previous_id', 'timestamp', 'original_timestamp', 'sent_at', 'properties',
  'traits', 'context', 'integrations', 'profile_id',
] as const;

/** COPY of events without their ids (the column default numbers them). */
export const COPY_EVENTS_SQL = `COPY events (${COLUMNS.slice(1).map((c) => `"${c}"`).join(', ')}) FROM STDIN`;
const COPY_NUMBERED_EVENTS_SQL = `COPY events (${COLUMNS.map((c) => `"${c}"`).join(', ')}) FROM STDIN`;

/** Rows in COPY text format, columns as in COPY_EVENTS_SQL. */
export function encodeEventRows(rows: readonly EventRow[]): Buffer {
  return toCopyText(rows.map((r) => rowValues(r).slice(1)));
}

function rowValues(r: EventRow, id: string | null = null) {
  return [
    id, r.tenantId, r.receivedAt, r.messageId, r.type, r.sourceId, r.event, r.name, r.category, r.userId,
    r.anonymousId, r.groupId, r.previousId, r.timestamp, r.originalTimestamp, r.sentAt, r.properties,
    r.traits, r.context, r.integrations, r.profileId,
  ];
}

function toInsert(r: EventRow, id: string) {
  return {
    id, tenant_id: r.tenantId, received_at: r.receivedAt, message_id: r.messageId, type: r.type, source_id: r.sourceId,
    event: r.event, name: r.name, category: r.category, user_id: r.userId, anonymous_id: r.anonymousId,
    group_id: r.groupId, previous_id: r.previousId, timestamp: r.timestamp, original_timestamp: r.originalTimestamp,
    sent_at: r.sentAt, properties: r.properties, traits: r.traits, context: r.context, integrations: r.integrations, profile_id: r.profileId,
  };
}

/** Month partitions known to exist, per store; a miss costs one cheap function call. */
const knownPartitions = new WeakMap<Store, Set<string>>();

export function monthKey(d: Date): string {
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

export async function ensureEventPartitions(store: Store, times: Iterable<Date>): Promise<void> {
  let known = knownPartitions.get(store);
  if (!known) knownPartitions.set(store, (known = new Set()));
  for (const t of times) {
    const key = monthKey(t);
    if (known.has(key)) continue;
    await sql`SELECT siyu_ensure_events_partition(${`${key}-01T00:00:00Z`}::timestamptz)`.execute(store.db);
    known.add(key);
  }
}

/**
 * Claims message ids for this transaction; returns the ids that were new, and as many event ids
 * drawn from the events' sequence. Sorted, so that concurrent batches sharing ids lock them in the
 * same order and wait for each other instead of deadlocking (PostgreSQL); sorted input also makes
 * the index insert cheaper. The new ids come back as arrays rather than as RETURNING rows, which cost
 * ~50 % more on PGlite.
 */
async function claimMessageIds(trx: Db, tenantId: string, receivedAt: Date, ids: string[]): Promise<{ claimed: Set<string>; eventIds: string[] }> {
  const { rows } = await sql<{ ids: string[] | null; event_ids: string[] | null }>`
    WITH claimed AS (
      INSERT INTO event_message_ids (tenant_id, message_id, received_at)
      SELECT ${tenantId}::uuid, m, ${receivedAt}::timestamptz
      FROM unnest(${ids}::text[]) AS m
      ORDER BY m COLLATE "C"
      ON CONFLICT DO NOTHING
      RETURNING message_id
    )
    SELECT array_agg(message_id) AS ids, array_agg(nextval('events_id_seq')) AS event_ids FROM claimed`.execute(trx);
  const eventIds = (rows[0]?.event_ids ?? []).map(String).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  return { claimed: new Set(rows[0]?.ids ?? []), eventIds };
}

/** How new rows get their profiles: resolved by the caller now, or queued for the One ID resolver. */
export type AppendMode =
  | { resolveInline: (fresh: EventRow[], positions: number[]) => Promise<void> }
  /** What resolution reads of each new row, as queued-identity.ts encodes it. */
  | { queue: (fresh: EventRow[], positions: number[]) => string };

/**
 * Appends events, skipping any whose (tenant, messageId) is already stored — also within the batch.
 * Runs inside the caller's transaction. With `resolveInline`, the new rows (in batch order, with
 * their positions in `rows`) are resolved to profiles before they are written, by the caller under
 * the identity lock; with `queue` they are stored unresolved and queued for the One ID resolver in
 * the same transaction. Returns how many rows were new.
 */
export async function appendEvents(trx: Db, rows: readonly EventRow[], how: AppendMode): Promise<number> {
  if (rows.length === 0) return 0;
  const first = rows[0]!;
  // Keep the first occurrence of each messageId within the batch.
  const unique = new Map<string, EventRow>();
  const position = new Map<EventRow, number>();
  rows.forEach((r, i) => {
    if (!unique.has(r.messageId)) {
      unique.set(r.messageId, r);
      position.set(r, i);
    }
  });

  const { claimed, eventIds } = await claimMessageIds(trx, first.tenantId, first.receivedAt, [...unique.keys()]);
  if (claimed.size === 0) return 0;

  // Stored in batch order with ascending ids: ids (and so the order of events with equal timestamps,
  // and the order of resolution) follow the client.
  const fresh = claimed.size === unique.size ? [...unique.values()] : [...unique.values()].filter((r) => claimed.has(r.messageId));
  const positions = fresh.map((r) => position.get(r)!);
  if ('resolveInline' in how) await how.resolveInline(fresh, positions);
  if (fresh.length >= COPY_THRESHOLD) {
    await trx.executeQuery(CompiledQuery.raw(COPY_NUMBERED_EVENTS_SQL, [new CopySource(toCopyText(fresh.map((r, i) => rowValues(r, eventIds[i]!))))]));
  } else {
    await trx.insertInto('events').values(fresh.map((r, i) => toInsert(r, eventIds[i]!))).execute();
  }
  if ('queue' in how) await enqueueEvents(trx, first.tenantId, first.receivedAt, eventIds, how.queue(fresh, positions));
  return fresh.length;
}
