import { randomUUID } from 'node:crypto';
import type { BatchBody, BatchMessage, MessageType } from '../../contracts/ingest.js';
import { isRecord } from '../../platform/json.js';

/** One event as the store keeps it. JSON fields are already serialised. */
export interface EventRow {
  tenantId: string;
  sourceId: string;
  receivedAt: Date;
  messageId: string;
  type: MessageType;
  event: string | null;
  name: string | null;
  category: string | null;
  userId: string | null;
  anonymousId: string | null;
  groupId: string | null;
  previousId: string | null;
  timestamp: Date;
  originalTimestamp: Date | null;
  sentAt: Date | null;
  properties: string | null;
  traits: string | null;
  context: string | null;
  integrations: string | null;
  /** Set by identity resolution before the row is stored. */
  profileId: string | null;
}

export interface IngestOrigin {
  tenantId: string;
  sourceId: string;
  receivedAt: Date;
}

type Defaults = Pick<BatchBody, 'context' | 'integrations' | 'sentAt'>;
type AnyMessage = BatchMessage;

function json(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}


/**
 * Batch-level context under the message's own, one level deep: a batch `context.device.type` and a
 * message `context.device.id` both survive; where both set the same field, the message wins.
 */
function merged(outer: Record<string, unknown> | undefined, inner: Record<string, unknown> | undefined) {
  if (!outer) return inner;
  if (!inner) return outer;
  const out: Record<string, unknown> = { ...outer };
  for (const [key, value] of Object.entries(inner)) {
    const base = out[key];
    out[key] = isRecord(base) && isRecord(value) ? { ...base, ...value } : value;
  }
  return out;
}

/**
 * Segment's clock-skew correction: when the client said when it sent the message (`sentAt`), the
 * event happened `sentAt - originalTimestamp` before we received it. Without `sentAt` the client's
 * time is kept; without any client time, the event happened when we received it.
 */
export function correctedTimestamp(receivedAt: Date, clientTime: Date | null, sentAt: Date | null): Date {
  if (clientTime && sentAt) return new Date(receivedAt.getTime() - (sentAt.getTime() - clientTime.getTime()));
  return clientTime ?? receivedAt;
}

const date = (iso: string | undefined): Date | null => (iso === undefined ? null : new Date(iso));

export function normalizeMessage(m: AnyMessage, defaults: Defaults, origin: IngestOrigin): EventRow {
  const clientTime = date(m.originalTimestamp ?? m.timestamp);
  const sentAt = date(m.sentAt ?? defaults.sentAt);
  const viewed = m.type === 'page' || m.type === 'screen';
  return {
    tenantId: origin.tenantId,
    sourceId: origin.sourceId,
    receivedAt: origin.receivedAt,
    messageId: m.messageId ?? `api-${randomUUID()}`,
    type: m.type,
    event: m.type === 'track' ? m.event : null,
    name: viewed ? (m.name ?? null) : null,
    category: viewed ? (m.category ?? null) : null,
    userId: m.userId ?? null,
    anonymousId: m.anonymousId ?? null,
    groupId: m.type === 'group' ? m.groupId : null,
    previousId: m.type === 'alias' ? m.previousId : null,
    timestamp: correctedTimestamp(origin.receivedAt, clientTime, sentAt),
    originalTimestamp: clientTime,
    sentAt,
    properties: m.type === 'track' || viewed ? json(m.properties) : null,
    traits: m.type === 'identify' || m.type === 'group' ? json(m.traits) : null,
    context: json(merged(defaults.context, m.context)),
    integrations: json(merged(defaults.integrations, m.integrations)),
    profileId: null,
  };
}

export function normalizeBatch(body: BatchBody, origin: IngestOrigin): EventRow[] {
  return body.batch.map((m) => normalizeMessage(m, body, origin));
}
