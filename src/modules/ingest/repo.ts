import { CompiledQuery, sql } from 'kysely';
import { CopySource, toCopyText, type Db, type Store } from '../../platform/db/index.js';
import type { EventRow } from './normalize.js';

/** Below this many rows a multi-row INSERT beats the set-up of a COPY. */
const COPY_THRESHOLD = 64;

const COLUMNS = [
  'tenant_id', 'received_at', 'message_id', 'type', 'source_id', 'event', 'name', 'category', 'user_id',
  'anonymous_id', 'group_id', 'previous_id', 'timestamp', 'original_timestamp', 'sent_at', 'properties',
  'traits', 'context', 'integrations', 'profile_id',
] as const;

export const COPY_EVENTS_SQL = `COPY events (${COLUMNS.map((c) => `"${c}"`).join(', ')}) FROM STDIN`;

/** Rows in COPY text format, columns as in COPY_EVENTS_SQL. */
export function encodeEventRows(rows: readonly EventRow[]): Buffer {
  return toCopyText(rows.map(rowValues));
}

function rowValues(r: EventRow) {
  return [
    r.tenantId, r.receivedAt, r.messageId, r.type, r.sourceId, r.event, r.name, r.category, r.userId,
    r.anonymousId, r.groupId, r.previousId, r.timestamp, r.originalTimestamp, r.sentAt, r.properties,
    r.traits, r.context, r.integrations, r.profileId,
  ];
}

function toInsert(r: EventRow) {
  return {
    tenant_id: r.tenantId, received_at: r.receivedAt, message_id: r.messageId, type: r.type, source_id: r.sourceId,
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
 * Claims message ids for this transaction; returns the ids that were new. Sorted, so that concurrent
 * batches sharing ids lock them in the same order and wait for each other instead of deadlocking
 * (PostgreSQL); sorted input also makes the index insert cheaper. The new ids come back as one array
 * rather than as RETURNING rows, which cost ~50 % more on PGlite.
 */
async function claimMessageIds(trx: Db, tenantId: string, receivedAt: Date, ids: string[]): Promise<Set<string>> {
  const { rows } = await sql<{ ids: string[] | null }>`
    WITH claimed AS (
      INSERT INTO event_message_ids (tenant_id, message_id, received_at)
      SELECT ${tenantId}::uuid, m, ${receivedAt}::timestamptz
      FROM unnest(${ids}::text[]) AS m
      ORDER BY m COLLATE "C"
      ON CONFLICT DO NOTHING
      RETURNING message_id
    )
    SELECT array_agg(message_id) AS ids FROM claimed`.execute(trx);
  return new Set(rows[0]?.ids ?? []);
}

/**
 * Appends events, skipping any whose (tenant, messageId) is already stored — also within the batch.
 * Runs inside the caller's transaction. `beforeStore` sees the new rows (in batch order, with their
 * positions in `rows`) before they are written, e.g. to resolve their profiles. Returns how many rows
 * were new.
 */
export async function appendEvents(
  trx: Db,
  rows: readonly EventRow[],
  beforeStore?: (fresh: EventRow[], positions: number[]) => Promise<void>,
): Promise<number> {
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

  const ids = [...unique.keys()];
  const claimed = await claimMessageIds(trx, first.tenantId, first.receivedAt, ids);
  if (claimed.size === 0) return 0;

  // Store in batch order: ids (and so the order of events with equal timestamps) follow the client.
  const fresh = claimed.size === unique.size ? [...unique.values()] : [...unique.values()].filter((r) => claimed.has(r.messageId));
  if (beforeStore) await beforeStore(fresh, fresh.map((r) => position.get(r)!));
  if (fresh.length >= COPY_THRESHOLD) {
    await trx.executeQuery(CompiledQuery.raw(COPY_EVENTS_SQL, [new CopySource(encodeEventRows(fresh))]));
  } else {
    await trx.insertInto('events').values(fresh.map(toInsert)).execute();
  }
  return fresh.length;
}
