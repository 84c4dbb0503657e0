import { z } from 'zod';
import { isoDateTime, storableText } from './common.js';
import { MESSAGE_TYPES } from './ingest.js';

export const eventsQuerySchema = z.object({
  type: z.enum(MESSAGE_TYPES, { error: `type must be one of ${MESSAGE_TYPES.join(', ')}` }).optional(),
  event: storableText.pipe(z.string().min(1).max(200)).optional().describe('Track event name, exact'),
  userId: storableText.pipe(z.string().min(1).max(255)).optional(),
  anonymousId: storableText.pipe(z.string().min(1).max(255)).optional(),
  from: isoDateTime.optional().describe('Event time (timestamp) at or after'),
  to: isoDateTime.optional().describe('Event time (timestamp) before'),
  limit: z.coerce.number({ error: 'limit must be a number' }).int().min(1, 'limit must be at least 1').max(1000, 'limit must be at most 1000').default(100),
  cursor: z.string().max(200).optional().describe('nextCursor of the previous page'),
});
export type EventsQuery = z.infer<typeof eventsQuerySchema>;

export const storedEventSchema = z
  .object({
    id: z.string(),
    messageId: z.string(),
    type: z.enum(MESSAGE_TYPES),
    sourceId: z.string(),
    event: z.string().nullable(),
    name: z.string().nullable(),
    category: z.string().nullable(),
    userId: z.string().nullable(),
    anonymousId: z.string().nullable(),
    groupId: z.string().nullable(),
    previousId: z.string().nullable(),
    profileId: z.string().nullable().describe('The profile (person) the event resolved to; null when it carried no usable identifier'),
    timestamp: z.string(),
    originalTimestamp: z.string().nullable(),
    sentAt: z.string().nullable(),
    receivedAt: z.string(),
    properties: z.unknown(),
    traits: z.unknown(),
    context: z.unknown(),
    integrations: z.unknown(),
  })
  .meta({ id: 'StoredEvent' });
export type StoredEvent = z.infer<typeof storedEventSchema>;

export const eventsPageSchema = z.object({
  data: z.array(storedEventSchema),
  nextCursor: z.string().nullable().describe('Pass as cursor for the next (older) page; null at the end'),
});
