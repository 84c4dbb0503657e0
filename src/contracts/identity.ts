import { z } from 'zod';
import { storableText } from './common.js';

const text = (max: number) => z.string().max(max).pipe(storableText);

export const identifierInputSchema = z
  .object({
    type: z.string({ error: 'type is required, e.g. phone, user_id, wechat_openid' }).min(1).max(63),
    value: z.union([text(500), z.number()], { error: 'value is required' }).transform(String),
    scope: text(200).optional().describe('App id, corp id or dealer code, for scoped types'),
  })
  .meta({ id: 'IdentifierInput' });

export const identifierSchema = z.object({ type: z.string(), scope: z.string().nullable(), value: z.string() });

export const splitRequestSchema = z
  .object({
    identifiers: z.array(identifierInputSchema, { error: 'identifiers must be an array of { type, value, scope? }' }).min(1, 'name at least one identifier').max(500),
  })
  .meta({ id: 'SplitRequest' });

export const splitResultSchema = z
  .object({
    profileId: z.string(),
    newProfileId: z.string(),
    identifiers: z.array(identifierSchema),
    eventsMoved: z.number(),
    consentsCopied: z.number(),
    replayed: z.boolean(),
  })
  .meta({ id: 'SplitResult' });

export const TYPE_NAME = /^[a-z][a-z0-9_]{0,62}$/;
export const NORMALIZERS = ['phone', 'email', 'exact', 'lower'] as const;
export const TRAIT_STRATEGIES = ['latest', 'first', 'max', 'union'] as const;

export const identifierTypeParams = z.object({
  type: z.string().regex(TYPE_NAME, 'an identifier type is lower case letters, digits and _, starting with a letter (at most 63)'),
});

export const identifierTypeUpsertSchema = z
  .object({
    priority: z.number().int().min(0).max(1000),
    maxPerProfile: z.number().int().min(1).max(1000),
    merges: z.boolean(),
    scoped: z.boolean(),
    normalizer: z.enum(NORMALIZERS, { error: `normalizer must be one of ${NORMALIZERS.join(', ')}` }),
    traitNames: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'a trait name is letters, digits and _')).max(20).default([]),
    reassignAfterDays: z.number().int().min(1).max(36500).nullable().default(null),
  })
  .meta({ id: 'IdentifierTypeUpsert' });

export const identifierTypeSchema = z
  .object({
    type: z.string(),
    priority: z.number(),
    maxPerProfile: z.number(),
    merges: z.boolean(),
    scoped: z.boolean(),
    normalizer: z.string(),
    traitNames: z.array(z.string()),
    reassignAfterDays: z.number().nullable(),
    builtIn: z.boolean(),
  })
  .meta({ id: 'IdentifierType' });

export const blocklistEntrySchema = z
  .object({ type: z.string().min(1).max(63), value: z.union([text(500), z.number()]).transform(String) })
  .meta({ id: 'BlocklistEntry' });

export const blocklistItemSchema = z.object({ type: z.string(), value: z.string(), createdAt: z.string() });

export const traitParams = z.object({ trait: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'a trait name is letters, digits and _') });
export const traitStrategySchema = z.object({
  strategy: z.enum(TRAIT_STRATEGIES, { error: `strategy must be one of ${TRAIT_STRATEGIES.join(', ')}` }),
});
