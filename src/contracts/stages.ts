import { z } from 'zod';
import { requiredText } from './common.js';
import { conditionSchema, segmentDefinitionSchema } from './segments.js';

/**
 * Operating models (issue 4): a stage model is an ordered list of stages (lowest first), each defined
 * by a segment condition. See docs/stages.md for the semantics.
 */

const PROGRESSIONS = ['highest_match', 'no_regression'] as const;
export const progressionSchema = z.enum(PROGRESSIONS, { error: `progression must be one of ${PROGRESSIONS.join(', ')}` });
export type Progression = z.infer<typeof progressionSchema>;

const STAGE_PRESETS = ['5a', 'aarrr', 'aipl'] as const;
export const stagePresetSchema = z.enum(STAGE_PRESETS, { error: `preset must be one of ${STAGE_PRESETS.join(', ')}` });
export type StagePreset = z.infer<typeof stagePresetSchema>;

const MIN_STAGES = 2;
const MAX_STAGES = 12;

export const stageModelKeySchema = z
  .string({ error: 'must be a string' })
  .regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be 1-63 lower-case letters, digits or "_", starting with a letter');
const stageKeySchema = z.string({ error: 'must be a string' }).regex(/^[A-Za-z0-9_]{1,32}$/, 'must be 1-32 letters, digits or "_"');

export const stageModelParams = z.object({ key: stageModelKeySchema });
export const stagePresetParams = z.object({ preset: stagePresetSchema });

/** A stage as stored and evaluated (the input with its optional fields made null). */
export const stageDefinitionSchema = z.object({
  key: z.string(),
  name: z.string(),
  nameZh: z.string().nullable(),
  description: z.string().nullable(),
  condition: conditionSchema,
});
export type StageDefinition = z.infer<typeof stageDefinitionSchema>;

const stageInputSchema = z
  .strictObject({
    key: stageKeySchema,
    name: requiredText(100),
    nameZh: requiredText(100).nullish(),
    description: requiredText(2000).nullish(),
    condition: conditionSchema,
  })
  .meta({ id: 'StageDefinitionInput' });

export const stageModelPutSchema = z
  .strictObject({
    name: requiredText(200),
    description: requiredText(2000).nullish(),
    progression: progressionSchema.default('highest_match'),
    isDefault: z.boolean().optional().describe('Make this the default model; on creation, default when the tenant has no default yet'),
    stages: z
      .array(stageInputSchema)
      .min(MIN_STAGES, `a stage model needs at least ${MIN_STAGES} stages`)
      .max(MAX_STAGES, `a stage model may have at most ${MAX_STAGES} stages`)
      .describe('Lowest stage first: a profile is in the last stage whose condition holds'),
  })
  .superRefine((m, ctx) => {
    const seen = new Map<string, number>();
    m.stages.forEach((s, i) => {
      const first = seen.get(s.key);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['stages', i, 'key'], message: `duplicate stage key "${s.key}" (also stages[${first}])` });
      else seen.set(s.key, i);
      // The rules a schema per node cannot express (size, depth, between of one kind), as for segments.
      const checked = segmentDefinitionSchema.safeParse({ condition: s.condition });
      if (!checked.success) for (const issue of checked.error.issues) ctx.addIssue({ code: 'custom', path: ['stages', i, ...issue.path], message: issue.message });
    });
  })
  .meta({ id: 'StageModelPut' });
export type StageModelPut = z.infer<typeof stageModelPutSchema>;

export const stageSchema = z
  .object({
    key: z.string(),
    name: z.string(),
    nameZh: z.string().nullable(),
    description: z.string().nullable(),
    condition: z.unknown().describe('A segment condition (SegmentDefinition.condition) that may not refer to stages'),
  })
  .meta({ id: 'Stage' });

export const stageModelSchema = z
  .object({
    key: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    preset: z.string().nullable().describe('The preset it was installed from, if any'),
    progression: progressionSchema,
    isDefault: z.boolean(),
    stages: z.array(stageSchema),
    revision: z.number().int().describe('Goes up by one with every change of the stages or the progression'),
    timeDependent: z.boolean().describe('Has relative time windows: re-evaluated by the scheduled pass'),
    refreshedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'StageModel' });
export type StageModel = z.infer<typeof stageModelSchema>;

export const profileStageSchema = z
  .object({
    model: z.string(),
    modelName: z.string(),
    isDefault: z.boolean(),
    stage: z.string().nullable().describe('null: no stage of this model holds'),
    stageName: z.string().nullable(),
    stageNameZh: z.string().nullable(),
    since: z.string().nullable(),
  })
  .meta({ id: 'ProfileStage' });
export type ProfileStage = z.infer<typeof profileStageSchema>;

export const stageTransitionSchema = z
  .object({
    id: z.string(),
    model: z.string(),
    fromStage: z.string().nullable().describe('null: entered the model'),
    toStage: z.string().nullable().describe('null: left the model (no stage holds any more, merged away)'),
    at: z.string(),
  })
  .meta({ id: 'StageTransition' });
export type StageTransition = z.infer<typeof stageTransitionSchema>;

export const stageHistoryQuerySchema = z.strictObject({
  model: stageModelKeySchema.optional().describe('Only this model'),
  limit: z.coerce.number({ error: 'limit must be a number' }).int().min(1).max(1000).default(100),
});
export type StageHistoryQuery = z.infer<typeof stageHistoryQuerySchema>;
