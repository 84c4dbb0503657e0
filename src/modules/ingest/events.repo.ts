import type { Selectable } from 'kysely';
import { z } from 'zod';
import { MESSAGE_TYPES } from '../../contracts/ingest.js';
import { isoDateTime } from '../../contracts/common.js';
import type { EventsQuery, StoredEvent } from '../../contracts/events.js';
import type { Db } from '../../platform/db/index.js';
import type { EventsTable } from '../../platform/db/schema.js';
import { decodeCursor, encodeCursor } from '../../platform/cursor.js';

const cursorSchema = z.tuple([isoDateTime, z.string().regex(/^\d{1,18}$/)]);


const iso = (d: Date | null) => (d ? d.toISOString() : null);
const typeSchema = z.enum(MESSAGE_TYPES);

/** Newest first by event time, keyset-paginated on (timestamp, id); `profileId`: one person's events. */
export async function listEvents(
  db: Db,
  tenantId: string,
  q: Partial<EventsQuery> & Pick<EventsQuery, 'limit'>,
  scope: { profileId?: string } = {},
): Promise<{ data: StoredEvent[]; nextCursor: string | null }> {
  let query = db.selectFrom('events').selectAll().where('tenant_id', '=', tenantId);
  if (scope.profileId) query = query.where('profile_id', '=', scope.profileId);
  if (q.type) query = query.where('type', '=', q.type);
  if (q.event) query = query.where('event', '=', q.event);
  if (q.userId) query = query.where('user_id', '=', q.userId);
  if (q.anonymousId) query = query.where('anonymous_id', '=', q.anonymousId);
  if (q.from) query = query.where('timestamp', '>=', new Date(q.from));
  if (q.to) query = query.where('timestamp', '<', new Date(q.to));
  if (q.cursor) {
    const [ts, id] = decodeCursor(q.cursor, cursorSchema);
    query = query.where((eb) => eb(eb.refTuple('timestamp', 'id'), '<', eb.tuple(new Date(ts), id)));
  }
  const rows = await query.orderBy('timestamp', 'desc').orderBy('id', 'desc').limit(q.limit + 1).execute();
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    data: page.map(storedEventView),
    nextCursor: rows.length > q.limit && last ? encodeCursor([last.timestamp.toISOString(), last.id]) : null,
  };
}

/** An events row as the API shows it (GET /api/v1/events and a profile's events). */
export function storedEventView(r: Selectable<EventsTable>): StoredEvent {
  return {
    id: r.id,
    messageId: r.message_id,
    type: typeSchema.parse(r.type),
    sourceId: r.source_id,
    event: r.event,
    name: r.name,
    category: r.category,
    userId: r.user_id,
    anonymousId: r.anonymous_id,
    groupId: r.group_id,
    previousId: r.previous_id,
    profileId: r.profile_id,
    timestamp: r.timestamp.toISOString(),
    originalTimestamp: iso(r.original_timestamp),
    sentAt: iso(r.sent_at),
    receivedAt: r.received_at.toISOString(),
    properties: r.properties,
    traits: r.traits,
    context: r.context,
    integrations: r.integrations,
  };
}
