import { conditionSchema, segmentDefinitionSchema, type Condition } from '@contracts/segments';
import type { StageModel, StageModelPut } from './api';

/** A stage as the editor holds it: texts as typed, the condition parsed (or why it could not be). */
export interface StageDraft {
  key: string;
  name: string;
  nameZh?: string;
  description?: string;
  condition: Condition;
  /** Set when the stored condition does not parse with the contract: such a stage cannot be saved. */
  unparsable?: string;
}

export interface ModelDraft {
  name: string;
  description?: string;
  progression: StageModel['progression'];
  isDefault: boolean;
  stages: StageDraft[];
}

/** A new stage's condition: an empty "all of", which the builder fills in. */
export const emptyCondition = (): Condition => ({ type: 'and', conditions: [] });

export function draftOf(model: StageModel): ModelDraft {
  return {
    name: model.name,
    description: model.description ?? undefined,
    progression: model.progression,
    isDefault: model.isDefault,
    stages: model.stages.map((s) => {
      const parsed = conditionSchema.safeParse(s.condition);
      return {
        key: s.key,
        name: s.name,
        nameZh: s.nameZh ?? undefined,
        description: s.description ?? undefined,
        condition: parsed.success ? parsed.data : emptyCondition(),
        unparsable: parsed.success ? undefined : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      };
    }),
  };
}

/** A new stage at position `n` (from 1): its key and English name are placeholders to overwrite. */
export const newStage = (n: number): StageDraft => ({ key: `S${n}`, name: `Stage ${n}`, condition: emptyCondition() });

/** A model to start from: two stages with empty conditions. */
export function newDraft(key: string): ModelDraft {
  return { name: key, progression: 'highest_match', isDefault: false, stages: [newStage(1), newStage(2)] };
}

const text = (v: string | undefined) => (v && v.trim() !== '' ? v.trim() : null);

export function bodyOf(draft: ModelDraft): StageModelPut {
  return {
    name: draft.name.trim(),
    description: text(draft.description),
    progression: draft.progression,
    isDefault: draft.isDefault,
    stages: draft.stages.map((s) => ({ key: s.key.trim(), name: s.name.trim(), nameZh: text(s.nameZh), description: text(s.description), condition: s.condition })),
  };
}

/**
 * What is wrong with each stage's condition, by the segments' own rules (a node the builder left
 * incomplete, such as a tag condition without a tag): checked before the model is sent.
 */
export function conditionIssues(draft: ModelDraft): { stage: number; message: string }[] {
  const out: { stage: number; message: string }[] = [];
  draft.stages.forEach((s, i) => {
    if (s.unparsable) {
      out.push({ stage: i, message: s.unparsable });
      return;
    }
    const checked = segmentDefinitionSchema.safeParse({ condition: s.condition });
    if (!checked.success) for (const issue of checked.error.issues) out.push({ stage: i, message: `${issue.path.join('.')}: ${issue.message}` });
  });
  return out;
}
