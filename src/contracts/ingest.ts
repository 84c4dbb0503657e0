import { z } from 'zod';
import { isoDateTime } from './common.js';

/**
 * The Segment HTTP Tracking API, as Siyu accepts it. https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/
 * One source of truth for the server's validation, the OpenAPI document and any client we write.
 */
export const MESSAGE_TYPES = ['identify', 'track', 'page', 'screen', 'group', 'alias'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** Segment's limits: 32 KB per message, 500 KB per batch request. */
export const MAX_MESSAGE_BYTES = 32 * 1024;
export const MAX_BATCH_BYTES = 500 * 1024;
/** What a batch may grow to once batch-level context is merged into every message. */
export const MAX_EXPANDED_BATCH_BYTES = 2 * MAX_BATCH_BYTES;
export const MAX_MESSAGE_ID_LENGTH = 100;

/** `32768` → `32 KB`, for messages that name a limit. */
export const formatKb = (bytes: number) => `${bytes / 1024} KB`;

/** `/v1/track` and friends carry one message; `/v1/batch` and `/v1/import` many. */
export function isSingleMessageRoute(routeUrl: string | undefined): boolean {
  return routeUrl !== '/v1/batch' && routeUrl !== '/v1/import';
}
export const MAX_ID_LENGTH = 255;

/** Ids may arrive as numbers; they are stored as text. An empty id counts as absent. */
const idValue = z
  .union(
    [
      z.string(),
      z.number().refine(Number.isSafeInteger, 'must be a whole number below 2^53; send larger ids as strings'),
    ],
    { error: 'must be a string or a number' },
  )
  .transform((v) => (typeof v === 'number' ? String(v) : v))
  .pipe(z.string().max(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`))
  .transform((v) => (v === '' ? undefined : v));

const jsonObject = z.record(z.string(), z.unknown(), { error: 'must be a JSON object' });

export const externalIdSchema = z.object({
  id: z
    .union([z.string().min(1).max(MAX_ID_LENGTH), z.number().refine(Number.isSafeInteger, 'must be a whole number below 2^53; send larger ids as strings')])
    .transform(String),
  type: z.string({ error: 'must be a string naming the id type' }).min(1).max(63),
  collection: z.string().max(200, 'must be at most 200 characters (an app id, corp id or dealer code)').optional(),
  encoding: z.string().optional(),
});

export const contextSchema = z
  .looseObject({
    externalIds: z.array(externalIdSchema, { error: 'must be an array of { id, type }' }).optional(),
  })
  .describe('Context: ip, userAgent, library, locale, page, device, externalIds ...');

const common = {
  userId: idValue.optional(),
  anonymousId: idValue.optional(),
  messageId: z
    .string({ error: 'must be a string' })
    .min(1, 'must not be empty')
    .max(MAX_MESSAGE_ID_LENGTH, `must be at most ${MAX_MESSAGE_ID_LENGTH} characters`)
    .optional(),
  timestamp: isoDateTime.optional(),
  originalTimestamp: isoDateTime.optional(),
  sentAt: isoDateTime.optional(),
  context: contextSchema.optional(),
  integrations: jsonObject.optional(),
};

const needsSomeId = (m: { userId?: unknown; anonymousId?: unknown }, ctx: z.RefinementCtx) => {
  if (m.userId === undefined && m.anonymousId === undefined) {
    ctx.addIssue({ code: 'custom', path: ['userId'], message: 'userId or anonymousId is required' });
  }
};

const shapes = {
  identify: { ...common, traits: jsonObject.optional() },
  track: {
    ...common,
    event: z.string({ error: 'event is required: the name of the action, e.g. "Test Drive Booked"' }).min(1, 'must not be empty').max(200),
    properties: jsonObject.optional(),
  },
  page: { ...common, name: z.string().max(200).optional(), category: z.string().max(200).optional(), properties: jsonObject.optional() },
  screen: { ...common, name: z.string().max(200).optional(), category: z.string().max(200).optional(), properties: jsonObject.optional() },
  group: {
    ...common,
    groupId: idValue.pipe(z.string({ error: 'groupId is required' })),
    traits: jsonObject.optional(),
  },
  alias: {
    ...common,
    userId: idValue.pipe(z.string({ error: 'userId is required: the new id' })),
    previousId: idValue.pipe(z.string({ error: 'previousId is required: the old id' })),
  },
};

function single<T extends MessageType>(type: T) {
  const obj = z.object({ ...shapes[type], type: z.literal(type).optional(), writeKey: z.string().optional() });
  const checked = type === 'alias' ? obj : obj.superRefine(needsSomeId);
  // The path names the type; the parsed message carries it, as a batch item would.
  return checked.transform((m) => ({ ...m, type }));
}

/** Bodies of `/v1/identify`, `/v1/track`, ...: the type comes from the path. */
export const singleMessageSchemas = {
  identify: single('identify').meta({ id: 'IdentifyMessage' }),
  track: single('track').meta({ id: 'TrackMessage' }),
  page: single('page').meta({ id: 'PageMessage' }),
  screen: single('screen').meta({ id: 'ScreenMessage' }),
  group: single('group').meta({ id: 'GroupMessage' }),
  alias: single('alias').meta({ id: 'AliasMessage' }),
};

function typed<T extends MessageType>(type: T) {
  const obj = z.object({ ...shapes[type], type: z.literal(type) });
  return type === 'alias' ? obj : obj.superRefine(needsSomeId);
}

export const batchMessageSchema = z.discriminatedUnion(
  'type',
  [typed('identify'), typed('track'), typed('page'), typed('screen'), typed('group'), typed('alias')],
  { error: `type must be one of ${MESSAGE_TYPES.join(', ')}` },
);

export const batchSchema = z
  .object({
    batch: z.array(batchMessageSchema, { error: 'batch must be an array of messages' }).min(1, 'batch must hold at least one message'),
    context: contextSchema.optional(),
    integrations: jsonObject.optional(),
    sentAt: isoDateTime.optional(),
    writeKey: z.string().optional(),
  })
  .meta({ id: 'Batch' });

export type BatchBody = z.infer<typeof batchSchema>;
export type BatchMessage = z.infer<typeof batchMessageSchema>;

export const ingestOkSchema = z.object({ success: z.literal(true) }).meta({ id: 'IngestOk' });
