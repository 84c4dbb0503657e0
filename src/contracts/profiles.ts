import { z } from 'zod';
import { storableText, uuidString } from './common.js';
import { consentSchema } from './consents.js';
import { eventsQuerySchema, storedEventSchema } from './events.js';
import { householdSchema } from './households.js';
import { profileVehicleSchema } from './vehicles.js';

/** Customer 360 (issue 3): profiles as people see them, their events, merges and erasure. */

export const profileParams = z.object({ id: uuidString });

const text = (field: string, max: number) =>
  z
    .string({ error: `${field} is required` })
    .trim()
    .min(1, `${field} must not be empty`)
    .max(max, `${field} must be at most ${max} characters`)
    .pipe(storableText);

export const profileLookupQuerySchema = z.object({
  type: text('type', 63).describe('Identifier type, e.g. phone, user_id, wechat_openid'),
  value: text('value', 500).describe('The value as any source would send it; normalised as on ingest (phone → E.164)'),
  scope: text('scope', 200).optional().describe('App id, corp id or dealer code; required for scoped types'),
});
export type ProfileLookupQuery = z.infer<typeof profileLookupQuerySchema>;

const limit = (max: number, dflt: number) =>
  z.coerce
    .number({ error: 'limit must be a number' })
    .int('limit must be a whole number')
    .min(1, 'limit must be at least 1')
    .max(max, `limit must be at most ${max}`)
    .default(dflt);

const cursor = z.string().max(300).optional().describe('nextCursor of the previous page');

export const profileSearchQuerySchema = z.object({
  q: z
    .string()
    .trim()
    .max(200, 'q must be at most 200 characters')
    .pipe(storableText)
    .optional()
    .describe('Name (contains, any case), the last 4+ digits of a phone, or an exact identifier value'),
  limit: limit(100, 20),
  cursor,
});
export type ProfileSearchQuery = z.infer<typeof profileSearchQuerySchema>;

export const profileEventsQuerySchema = eventsQuerySchema.pick({ type: true, event: true, from: true, to: true, limit: true, cursor: true });
export type ProfileEventsQuery = z.infer<typeof profileEventsQuerySchema>;

export const identitySchema = z.object({
  type: z.string(),
  value: z.string(),
  scope: z.string().nullable().describe('App id, corp id or dealer code; null for unscoped types'),
  firstSeen: z.string(),
  lastSeen: z.string(),
});

export const formerIdentitySchema = z.object({
  type: z.string(),
  value: z.string(),
  scope: z.string().nullable(),
  validTo: z.string().describe('When the profile stopped holding it'),
  reason: z.string().describe('Why, e.g. reassign (a recycled phone number) or split'),
});

export const profileSchema = z
  .object({
    id: z.string(),
    traits: z.record(z.string(), z.unknown()),
    traitMeta: z.record(z.string(), z.unknown()).describe('Per trait: {at, source} of its current value'),
    identities: z.array(identitySchema).describe('Strongest identifier type first, then most recently seen'),
    formerIdentities: z.array(formerIdentitySchema),
    vehicles: z.array(profileVehicleSchema).describe('Current and past relations to vehicles'),
    household: householdSchema.nullable(),
    consents: z.array(consentSchema).describe('Current state per channel and purpose'),
    firstSeen: z.string(),
    lastSeen: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Profile' });
export type Profile = z.infer<typeof profileSchema>;

export const profileSummarySchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  phone: z.string().nullable().describe('Masked, e.g. 134****1234'),
  lastSeen: z.string(),
});
export type ProfileSummary = z.infer<typeof profileSummarySchema>;

export const profilesPageSchema = z.object({
  data: z.array(profileSummarySchema),
  nextCursor: z.string().nullable().describe('Pass as cursor for the next page; null at the end'),
});

export const profileEventsPageSchema = z.object({
  data: z.array(storedEventSchema),
  nextCursor: z.string().nullable().describe('Pass as cursor for the next (older) page; null at the end'),
});

export const IDENTITY_LOG_KINDS = ['merge', 'blocked_merge', 'reassign', 'split', 'rebuild'] as const;

export const identityLogEntrySchema = z
  .object({
    id: z.string(),
    kind: z.enum(IDENTITY_LOG_KINDS),
    reason: z.string().nullable(),
    at: z.string(),
    triggerMessageId: z.string().nullable(),
    identifiers: z.unknown().describe('[{type, scope, value}] that caused it; [] once the person was erased'),
    profilesBefore: z.array(z.string()),
    profileAfter: z.string().nullable(),
    actor: z.string().nullable(),
    details: z.unknown(),
  })
  .meta({ id: 'IdentityLogEntry' });
export type IdentityLogEntry = z.infer<typeof identityLogEntrySchema>;

export const profileMergesSchema = z.object({ data: z.array(identityLogEntrySchema) });

export const erasureCountsSchema = z.record(z.string(), z.number().int()).describe('Rows deleted or scrubbed, per kind');

export const profileErasedSchema = z
  .object({
    id: z.string(),
    erased: erasureCountsSchema,
  })
  .meta({ id: 'ProfileErased' });
export type ProfileErased = z.infer<typeof profileErasedSchema>;
