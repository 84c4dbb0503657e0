import { z } from 'zod';
import { requiredText, uuidString } from './common.js';
import { segmentDefinitionSchema } from './segments.js';

/**
 * Tags: tag groups (意向车型, 购车阶段, 客户来源, …) hold tags. A manual tag is applied and
 * removed by API, for listed profiles at once or in bulk by segment or definition (an operation that
 * a job carries out); a rule tag is defined by a segment condition and kept current by the platform.
 * Every change is recorded in the tag history.
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

/**
 * Whom to tag (or untag): listed profiles (changed in the request), or the matches of a saved segment
 * or of a definition (changed by a job: the request answers 202 with an operation).
 */
export const tagApplySchema = z
  .strictObject({
    profileIds: z.array(uuidString).min(1, 'list at least one profile id').max(1000, 'at most 1000 profile ids per request; use segmentId or definition for more').optional(),
    segmentId: uuidString.optional().describe('Everyone matching the saved segment when the job runs (its definition is evaluated in the database)'),
    definition: segmentDefinitionSchema.optional().describe('Everyone matching this definition when the job runs'),
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

export const OPERATION_STATES = ['queued', 'running', 'succeeded', 'failed'] as const;
export const operationStateSchema = z.enum(OPERATION_STATES);
export type OperationState = z.infer<typeof operationStateSchema>;

export const TAG_OPERATION_KINDS = ['tag.apply', 'tag.remove'] as const;
export type TagOperationKind = (typeof TAG_OPERATION_KINDS)[number];

/**
 * A bulk apply or remove over a segment or a definition: the request answers 202 with this at once
 * (state queued) and a job evaluates the target when it runs. Read it back at GET
 * /api/v1/operations/{id} until it has finished.
 */
export const tagOperationSchema = z
  .object({
    id: z.string(),
    kind: z.enum(TAG_OPERATION_KINDS).describe('tag.apply gives the tag, tag.remove takes it'),
    tagId: z.string(),
    target: z
      .object({
        segmentId: z.string().nullable().describe('The saved segment whose members the job takes; null for a definition'),
        definition: z.unknown().describe('The SegmentDefinition given; null for a saved segment'),
      })
      .describe('Whom the operation concerns: everyone the segment or definition matches when the job runs'),
    reason: z.string().nullable(),
    actor: z.string(),
    state: operationStateSchema.describe('queued → running → succeeded or failed; a run that fails for another reason is retried and the state stays running'),
    counts: z
      .object({
        changed: z.number().int().describe('Profiles that were given the tag (apply) or lost it (remove)'),
        unchanged: z.number().int().describe('Profiles matched that already had it (apply) or did not have it (remove)'),
      })
      .nullable()
      .describe('Once succeeded; null before and when failed'),
    error: z
      .object({ code: z.string().describe('not_found (the tag or segment was deleted), conflict (no longer a manual tag), invalid_request (the definition no longer checks)'), message: z.string() })
      .nullable()
      .describe('Once failed; null otherwise'),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'TagOperation' });
export type TagOperation = z.infer<typeof tagOperationSchema>;

export const operationParams = z.object({ id: uuidString });

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
