import { z } from 'zod';
import { requiredText, uuidString } from './common.js';
import { segmentDefinitionSchema } from './segments.js';

/**
 * Tags (issue 4): tag groups (意向车型, 购车阶段, 客户来源, …) hold tags. A manual tag is applied and
 * removed by API, one profile at a time or in bulk by segment; a rule tag is defined by a segment
 * condition and kept current by the platform. Every change is recorded in the tag history.
 */

export const TAG_KINDS = ['manual', 'rule'] as const;
export const tagKindSchema = z.enum(TAG_KINDS, { error: 'kind must be manual or rule' });
export type TagKind = z.infer<typeof tagKindSchema>;

export const tagGroupCreateSchema = z
  .strictObject({
    name: requiredText(100),
    description: requiredText(2000).nullish(),
  })
  .meta({ id: 'TagGroupCreate' });
export type TagGroupCreate = z.infer<typeof tagGroupCreateSchema>;

export const tagCreateSchema = z
  .strictObject({
    groupId: uuidString,
    name: requiredText(100),
    description: requiredText(2000).nullish(),
    kind: tagKindSchema,
    definition: segmentDefinitionSchema.optional().describe('Required for a rule tag (it may refer to manual tags only); absent for a manual tag'),
  })
  .superRefine((t, ctx) => {
    if (t.kind === 'rule' && t.definition === undefined) ctx.addIssue({ code: 'custom', path: ['definition'], message: 'a rule tag needs a definition' });
    if (t.kind === 'manual' && t.definition !== undefined) ctx.addIssue({ code: 'custom', path: ['definition'], message: 'a manual tag has no definition; use kind "rule"' });
  })
  .meta({ id: 'TagCreate' });
export type TagCreate = z.infer<typeof tagCreateSchema>;

export const tagUpdateSchema = z
  .strictObject({
    name: requiredText(100).optional(),
    description: requiredText(2000).nullish(),
    definition: segmentDefinitionSchema.optional().describe('Rule tags only: a new definition is applied to every profile at once'),
  })
  .meta({ id: 'TagUpdate' });
export type TagUpdate = z.infer<typeof tagUpdateSchema>;

export const tagSchema = z
  .object({
    id: z.string(),
    groupId: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    kind: tagKindSchema,
    definition: z.unknown().describe('The SegmentDefinition of a rule tag; null for a manual tag'),
    timeDependent: z.boolean().describe('Has relative time windows: re-evaluated by the scheduled pass'),
    refreshedAt: z.string().nullable().describe('When a rule tag was last evaluated over the whole tenant'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Tag' });
export type Tag = z.infer<typeof tagSchema>;

export const tagDetailSchema = tagSchema.extend({ memberCount: z.number().int().describe('Profiles holding the tag now') }).meta({ id: 'TagDetail' });
export type TagDetail = z.infer<typeof tagDetailSchema>;

export const tagGroupSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    createdAt: z.string(),
    tags: z.array(tagSchema),
  })
  .meta({ id: 'TagGroup' });
export type TagGroup = z.infer<typeof tagGroupSchema>;

export const tagListQuery = z.strictObject({ groupId: uuidString.optional() });

/** Whom to tag (or untag): listed profiles, the current matches of a saved segment, or of a definition. */
export const tagApplySchema = z
  .strictObject({
    profileIds: z.array(uuidString).min(1, 'list at least one profile id').max(1000, 'at most 1000 profile ids per request; use segmentId or definition for more').optional(),
    segmentId: uuidString.optional().describe('Everyone matching the saved segment now (its definition is evaluated in the database)'),
    definition: segmentDefinitionSchema.optional().describe('Everyone matching this definition now'),
    reason: requiredText(500).optional(),
  })
  .superRefine((b, ctx) => {
    const given = [b.profileIds, b.segmentId, b.definition].filter((v) => v !== undefined).length;
    if (given !== 1) ctx.addIssue({ code: 'custom', path: [], message: 'give exactly one of profileIds, segmentId or definition' });
  })
  .meta({ id: 'TagApply' });
export type TagApply = z.infer<typeof tagApplySchema>;

export const tagAppliedSchema = z
  .object({ applied: z.number().int().describe('Profiles that now have the tag and did not before'), unchanged: z.number().int().describe('Profiles that already had it') })
  .meta({ id: 'TagApplied' });
export type TagApplied = z.infer<typeof tagAppliedSchema>;

export const tagRemovedSchema = z
  .object({ removed: z.number().int().describe('Profiles that had the tag and no longer do'), unchanged: z.number().int().describe('Profiles that did not have it') })
  .meta({ id: 'TagRemoved' });
export type TagRemoved = z.infer<typeof tagRemovedSchema>;

export const profileTagSchema = z
  .object({
    tagId: z.string(),
    name: z.string(),
    kind: tagKindSchema,
    groupId: z.string(),
    groupName: z.string(),
    appliedAt: z.string(),
    appliedBy: z.string().describe('admin_token:<id> for a manual tag, "rule" for a rule tag'),
  })
  .meta({ id: 'ProfileTag' });
export type ProfileTag = z.infer<typeof profileTagSchema>;

export const tagHistoryEntrySchema = z
  .object({
    id: z.string().describe('Cursor: pass as ?after= to read on'),
    tagId: z.string(),
    profileId: z.string(),
    action: z.enum(['applied', 'removed']),
    actor: z.string(),
    reason: z.string().nullable(),
    at: z.string(),
  })
  .meta({ id: 'TagHistoryEntry' });
export type TagHistoryEntry = z.infer<typeof tagHistoryEntrySchema>;

export const tagHistoryPageSchema = z.object({ data: z.array(tagHistoryEntrySchema), nextCursor: z.string().nullable() }).meta({ id: 'TagHistoryPage' });
export type TagHistoryPage = z.infer<typeof tagHistoryPageSchema>;
