import type { Condition } from '../../contracts/segments.js';
import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import { conditionFacts, type ConditionFacts } from './facts.js';

/** Where a definition is used decides what it may refer to. */
export interface ReferenceRules {
  /** Stage models' own stage conditions may not refer to stages (their stage is what they compute). */
  allowStages: boolean;
  /** A rule tag may refer to manual tags only, so that rule tags never depend on each other. */
  allowRuleTags: boolean;
  /** The path of the condition in the request body, for error messages. */
  path?: string;
}

function refused(path: string, message: string): AppError {
  return new AppError('invalid_request', `${path}: ${message}`, { issues: [{ path, message }] });
}

/**
 * Checks that the tags and stage models a definition names exist in the tenant (400 naming the JSON
 * path otherwise) and returns the definition's facts.
 */
export async function checkReferences(db: Db, tenantId: string, condition: Condition, rules: ReferenceRules): Promise<ConditionFacts> {
  const facts = conditionFacts(condition, rules.path ?? 'definition.condition');
  if (facts.tags.size > 0) {
    const rows = await db
      .selectFrom('tags')
      .select(['id', 'kind', 'name'])
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', [...facts.tags.keys()])
      .execute();
    const found = new Map(rows.map((r) => [r.id, r]));
    for (const [id, path] of facts.tags) {
      const tag = found.get(id);
      if (!tag) throw refused(`${path}.tag`, `no tag ${id} in this tenant`);
      if (tag.kind === 'rule' && !rules.allowRuleTags) throw refused(`${path}.tag`, `"${tag.name}" is a rule tag; a rule tag may refer to manual tags only`);
    }
  }
  if (facts.stages.size > 0) {
    const first = [...facts.stages.values()][0]!;
    if (!rules.allowStages) throw refused(first.path, 'a stage model cannot refer to stages');
    const rows = await db
      .selectFrom('stage_models')
      .select(['key', 'stages'])
      .where('tenant_id', '=', tenantId)
      .where('key', 'in', [...facts.stages.keys()])
      .execute();
    const models = new Map(rows.map((r) => [r.key, r.stages]));
    for (const [model, { path, stages }] of facts.stages) {
      const defined = models.get(model);
      if (defined === undefined) throw refused(`${path}.model`, `no stage model "${model}" in this tenant`);
      const keys = new Set(Array.isArray(defined) ? defined.map((s: unknown) => (typeof s === 'object' && s !== null && 'key' in s ? String(s.key) : '')) : []);
      for (const s of stages) if (!keys.has(s)) throw refused(`${path}.stages`, `stage model "${model}" has no stage "${s}" (it has ${[...keys].join(', ')})`);
    }
  }
  return facts;
}
