import type { Condition } from '../../contracts/segments.js';
import type {
  ProfileStage,
  Progression,
  StageDefinition,
  StageHistoryQuery,
  StageModel,
  StageModelPut,
  StagePreset,
  StageTransition,
} from '../../contracts/stages.js';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import { requireLiveProfile } from '../identity/index.js';
import { checkReferences, compileCondition, conditionFacts, evaluationContext, storedDefinition, type CompileContext } from '../segments/index.js';
import { insertAudit } from '../tenancy/index.js';
import { canonicalJson } from '../../platform/json.js';
import * as repo from './models.repo.js';
import { DEFAULT_PRESET, PRESETS } from './presets.js';
import { materializeModel, storedProgression, storedStages } from './refresh.js';

export interface StagesDeps {
  db: Db;
  clock: Clock;
}

function view(r: repo.ModelRow): StageModel {
  return {
    key: r.key,
    name: r.name,
    description: r.description,
    preset: r.preset,
    progression: storedProgression(r.progression, r.key),
    isDefault: r.is_default,
    stages: storedStages(r.stages, r.key),
    revision: r.revision,
    timeDependent: r.time_dependent,
    refreshedAt: r.refreshed_at?.toISOString() ?? null,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

/** Stage keys of `model` named by saved segments and rule tags (stage conditions), per definition. */
async function referencesTo(db: Db, tenantId: string, model: string): Promise<{ kind: string; id: string; name: string; stages: string[] }[]> {
  const found: { kind: string; id: string; name: string; stages: string[] }[] = [];
  for (const d of await repo.savedDefinitions(db, tenantId)) {
    const named = conditionFacts(storedDefinition(d.definition, `${d.kind} ${d.id}`).condition).stages.get(model);
    if (named) found.push({ kind: d.kind, id: d.id, name: d.name, stages: [...named.stages] });
  }
  return found;
}

/** Validates every stage condition (references, then compilation) before anything is written. */
async function checkStages(db: Db, ctx: CompileContext, stages: readonly StageDefinition[]): Promise<{ timeDependent: boolean }> {
  let timeDependent = false;
  for (const [i, s] of stages.entries()) {
    const facts = await checkReferences(db, ctx.tenantId, s.condition, { allowStages: false, allowRuleTags: true, path: `stages[${i}].condition` });
    compileCondition(s.condition, ctx, ['stages', i, 'condition']);
    timeDependent ||= facts.timeDependent;
  }
  return { timeDependent };
}

function timeDependentOf(stages: readonly { condition: Condition }[]): boolean {
  return stages.some((s) => conditionFacts(s.condition).timeDependent);
}

function written(row: repo.ModelRow | undefined, key: string): repo.ModelRow {
  if (!row) throw new AppError('internal', `stage model "${key}" vanished while being written`);
  return row;
}

/** Evaluates the just-written model over the whole tenant (set mode); answers its refreshed row. */
async function materializeNew(trx: Db, ctx: CompileContext, model: { key: string; stages: readonly StageDefinition[]; progression: Progression }): Promise<repo.ModelRow> {
  await materializeModel(trx, ctx, model, null, false);
  return written(await repo.markRefreshed(trx, ctx.tenantId, model.key, ctx.now), model.key);
}

/**
 * Installs a preset under its key in the caller's transaction (models locked). Answers the model's row
 * and whether it was installed now (not when the key was taken), or null when a concurrent write won.
 */
async function installPresetIn(
  trx: Db,
  ctx: CompileContext,
  preset: StagePreset,
  models: readonly repo.ModelRow[],
  actor: string,
): Promise<{ row: repo.ModelRow; installed: boolean } | null> {
  const p = PRESETS[preset];
  const taken = models.find((m) => m.key === p.key);
  if (taken) return { row: taken, installed: false };
  const inserted = await repo.insertModel(trx, ctx.tenantId, {
    key: p.key,
    name: p.name,
    description: p.description,
    preset,
    progression: p.progression,
    stages: p.stages,
    isDefault: !models.some((m) => m.is_default),
    timeDependent: timeDependentOf(p.stages),
    at: ctx.now,
  });
  if (!inserted) {
    // A concurrent install of the same key (answer it) or a concurrent new default (retry).
    const row = await repo.findModel(trx, ctx.tenantId, p.key);
    return row ? { row, installed: false } : null;
  }
  const row = await materializeNew(trx, ctx, p);
  await insertAudit(trx, { tenantId: ctx.tenantId, actor, action: 'stage_model.install', targetType: 'stage_model', targetId: p.key, details: { preset } });
  return { row, installed: true };
}

/** Installs the 5A preset as the default model when the tenant has no model at all. Idempotent. */
export async function ensureDefaultModels(db: Db, tenantId: string, now: Date): Promise<boolean> {
  if (await repo.hasModels(db, tenantId)) return false;
  const ctx = await evaluationContext(db, tenantId, now, 'set');
  return db.transaction().execute(async (trx) => {
    const models = await repo.lockModels(trx, tenantId);
    if (models.length > 0) return false;
    return (await installPresetIn(trx, ctx, DEFAULT_PRESET, models, 'system'))?.installed ?? false;
  });
}

/** Installs a preset under its own key; a replay (or a key already in use) answers the existing model. */
export async function installPreset(deps: StagesDeps, tenantId: string, preset: StagePreset, actor: string): Promise<{ model: StageModel; installed: boolean }> {
  const ctx = await evaluationContext(deps.db, tenantId, deps.clock.now(), 'set');
  return deps.db.transaction().execute(async (trx) => {
    const models = await repo.lockModels(trx, tenantId);
    const result = await installPresetIn(trx, ctx, preset, models, actor);
    if (!result) throw new AppError('conflict', `another stage model was made the default at the same time; retry`);
    return { model: view(result.row), installed: result.installed };
  });
}

export async function listStageModels(deps: StagesDeps, tenantId: string): Promise<StageModel[]> {
  const rows = await repo.listModels(deps.db, tenantId);
  if (rows.length > 0) return rows.map(view);
  await ensureDefaultModels(deps.db, tenantId, deps.clock.now());
  return (await repo.listModels(deps.db, tenantId)).map(view);
}

export async function getStageModel(db: Db, tenantId: string, key: string): Promise<StageModel> {
  const row = await repo.findModel(db, tenantId, key);
  if (!row) throw new AppError('not_found', `no stage model "${key}"`);
  return view(row);
}

/** 409 when a saved segment or rule tag names a stage of `existing` that `keys` no longer has. */
async function refuseDroppedStages(trx: Db, tenantId: string, existing: repo.ModelRow, keys: ReadonlySet<string>): Promise<void> {
  const key = existing.key;
  if (storedStages(existing.stages, key).every((s) => keys.has(s.key))) return;
  for (const r of await referencesTo(trx, tenantId, key)) {
    const dropped = r.stages.filter((s) => !keys.has(s));
    if (dropped.length > 0) {
      throw new AppError('conflict', `${r.kind} "${r.name}" refers to stage ${dropped.join(', ')} of model "${key}"; change it first`, { kind: r.kind, id: r.id, stages: dropped });
    }
  }
}

/**
 * Creates or replaces the model `key`. New stages or a new progression are re-evaluated over the
 * whole tenant at once (revision + 1); replaying the same body changes nothing.
 */
export async function putStageModel(deps: StagesDeps, tenantId: string, key: string, input: StageModelPut, actor: string): Promise<{ model: StageModel; created: boolean }> {
  const now = deps.clock.now();
  const ctx = await evaluationContext(deps.db, tenantId, now, 'set');
  const stages: StageDefinition[] = input.stages.map((s) => ({ key: s.key, name: s.name, nameZh: s.nameZh ?? null, description: s.description ?? null, condition: s.condition }));
  const { timeDependent } = await checkStages(deps.db, ctx, stages);
  return deps.db.transaction().execute(async (trx) => {
    const models = await repo.lockModels(trx, tenantId);
    const existing = models.find((m) => m.key === key);
    const write = { key, name: input.name, description: input.description ?? null, preset: existing?.preset ?? null, progression: input.progression, stages, timeDependent, at: now };
    if (!existing) {
      const isDefault = input.isDefault ?? !models.some((m) => m.is_default);
      if (isDefault) await repo.clearDefault(trx, tenantId, key);
      if (!(await repo.insertModel(trx, tenantId, { ...write, isDefault }))) throw new AppError('conflict', `stage model "${key}" was created at the same time; retry`);
      const row = await materializeNew(trx, ctx, write);
      await insertAudit(trx, { tenantId, actor, action: 'stage_model.create', targetType: 'stage_model', targetId: key, details: { name: input.name } });
      return { model: view(row), created: true };
    }
    await refuseDroppedStages(trx, tenantId, existing, new Set(stages.map((s) => s.key)));
    if (input.isDefault === false && existing.is_default) {
      throw new AppError('invalid_request', 'isDefault: this is the default model; make another model the default instead', { issues: [{ path: 'isDefault', message: 'cannot unset the default' }] });
    }
    const isDefault = input.isDefault ?? existing.is_default;
    const rulesChanged = canonicalJson(existing.stages) !== canonicalJson(stages) || existing.progression !== input.progression;
    const changed = rulesChanged || existing.name !== write.name || existing.description !== write.description || existing.is_default !== isDefault;
    if (!changed) return { model: view(existing), created: false };
    if (isDefault && !existing.is_default) await repo.clearDefault(trx, tenantId, key);
    const updated = written(await repo.updateModel(trx, tenantId, { ...write, isDefault, revision: existing.revision + (rulesChanged ? 1 : 0) }), key);
    const row = rulesChanged ? await materializeNew(trx, ctx, write) : updated;
    await insertAudit(trx, { tenantId, actor, action: 'stage_model.update', targetType: 'stage_model', targetId: key, details: { rulesChanged } });
    return { model: view(row), created: false };
  });
}

/** Deletes a model with its stages and transitions; 409 while segments or rule tags refer to it. */
export async function deleteStageModel(deps: StagesDeps, tenantId: string, key: string, actor: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const models = await repo.lockModels(trx, tenantId);
    const existing = models.find((m) => m.key === key);
    if (!existing) throw new AppError('not_found', `no stage model "${key}"`);
    const refs = await referencesTo(trx, tenantId, key);
    const first = refs[0];
    if (first) throw new AppError('conflict', `${first.kind} "${first.name}" refers to stage model "${key}"; change it first`, { references: refs.map(({ kind, id, name }) => ({ kind, id, name })) });
    const deleted = await repo.deleteModel(trx, tenantId, key);
    const heir = models.find((m) => m.key !== key);
    if (existing.is_default && heir) await repo.setDefault(trx, tenantId, heir.key);
    await insertAudit(trx, { tenantId, actor, action: 'stage_model.delete', targetType: 'stage_model', targetId: key, details: { ...deleted, newDefault: existing.is_default ? (heir?.key ?? null) : undefined } });
  });
}

/** The live profile's current stage in every model of the tenant (null where no stage holds). */
export async function profileStages(db: Db, tenantId: string, profileId: string): Promise<ProfileStage[]> {
  await requireLiveProfile(db, tenantId, profileId);
  const current = new Map((await repo.currentStages(db, tenantId, profileId)).map((r) => [r.model, r]));
  return (await repo.listModels(db, tenantId)).map((m) => {
    const c = current.get(m.key);
    const stage = c ? storedStages(m.stages, m.key).find((s) => s.key === c.stage) : undefined;
    return {
      model: m.key,
      modelName: m.name,
      isDefault: m.is_default,
      stage: c?.stage ?? null,
      stageName: stage?.name ?? null,
      stageNameZh: stage?.nameZh ?? null,
      since: c?.since.toISOString() ?? null,
    };
  });
}

/** The live profile's stage transitions, newest first. */
export async function profileStageHistory(db: Db, tenantId: string, profileId: string, query: StageHistoryQuery): Promise<StageTransition[]> {
  await requireLiveProfile(db, tenantId, profileId);
  const rows = await repo.transitions(db, tenantId, profileId, query.model, query.limit);
  return rows.map((r) => ({ id: String(r.id), model: r.model, fromStage: r.from_stage, toStage: r.to_stage, at: r.at.toISOString() }));
}

/** Erasure: removes the profile's stages and stage history, in the caller's transaction. */
export async function deleteProfileStages(trx: Db, tenantId: string, profileId: string): Promise<{ stages: number; transitions: number }> {
  return repo.deleteProfileStageRows(trx, tenantId, profileId);
}
