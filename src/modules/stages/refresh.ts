import { z } from 'zod';
import { progressionSchema, stageDefinitionSchema, type Progression, type StageDefinition } from '../../contracts/stages.js';
import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import { compileCondition, evaluationContext, requestRefresh, type CompileContext } from '../segments/index.js';
import { materializeStages } from './evaluate.repo.js';
import * as repo from './models.repo.js';

const storedStagesSchema = z.array(stageDefinitionSchema);

/** A model's stored stages, read back through the schema (they were valid when saved). */
export function storedStages(value: unknown, model: string): StageDefinition[] {
  const parsed = storedStagesSchema.safeParse(value);
  if (!parsed.success) throw new AppError('internal', `stage model "${model}" holds stages that no longer parse: ${parsed.error.message}`);
  return parsed.data;
}

export function storedProgression(value: string, model: string): Progression {
  const parsed = progressionSchema.safeParse(value);
  if (!parsed.success) throw new AppError('internal', `stage model "${model}" has an unknown progression "${value}"`);
  return parsed.data;
}

/**
 * Re-evaluates one model for `profileIds` (row mode) or the whole tenant (`null`, set mode). The
 * caller holds the model row lock. Returns how many profiles changed stage.
 */
export async function materializeModel(
  trx: Db,
  ctx: CompileContext,
  model: { key: string; stages: readonly StageDefinition[]; progression: Progression },
  profileIds: readonly string[] | null,
  markDirty: boolean,
): Promise<number> {
  return materializeStages(trx, {
    tenantId: ctx.tenantId,
    model: model.key,
    keys: model.stages.map((s) => s.key),
    predicates: model.stages.map((s, i) => compileCondition(s.condition, ctx, ['stages', i, 'condition'])),
    progression: model.progression,
    profileIds,
    at: ctx.now,
    markDirty,
  });
}

/**
 * Incremental refresh: re-evaluates every stage model of the tenant for `profileIds` with row-mode
 * predicates, in the caller's transaction (models locked in key order). Profiles of the list that
 * were merged away or no longer exist leave every model. Returns how many stage changes it wrote.
 */
export async function refreshStagesFor(trx: Db, ctx: CompileContext, profileIds: readonly string[]): Promise<number> {
  const ids = [...new Set(profileIds)];
  if (ids.length === 0) return 0;
  const models = await repo.lockModels(trx, ctx.tenantId);
  const rowCtx: CompileContext = { ...ctx, mode: 'row' };
  let changed = 0;
  for (const m of models) {
    const model = { key: m.key, stages: storedStages(m.stages, m.key), progression: storedProgression(m.progression, m.key) };
    changed += await materializeModel(trx, rowCtx, model, ids, false);
  }
  return changed;
}

/**
 * The scheduled pass: re-evaluates stage models over all live profiles of the tenant, one
 * transaction per model (only those with relative time windows unless `all`). Profiles whose stage
 * changed are marked dirty and the refresh job is made due, so that segments and rule tags that
 * refer to stages follow.
 */
export async function refreshStagesFull(db: Db, tenantId: string, now: Date, options: { all: boolean }): Promise<{ models: number; changed: number }> {
  const ctx = await evaluationContext(db, tenantId, now, 'set');
  let models = 0;
  let changed = 0;
  for (const key of await repo.modelKeys(db, tenantId, !options.all)) {
    await db.transaction().execute(async (trx) => {
      const row = await repo.findModel(trx, tenantId, key, true);
      if (!row || !(row.time_dependent || options.all)) return;
      const model = { key, stages: storedStages(row.stages, key), progression: storedProgression(row.progression, key) };
      const n = await materializeModel(trx, ctx, model, null, true);
      await repo.markRefreshed(trx, tenantId, key, now);
      if (n > 0) await requestRefresh(trx, tenantId, now);
      models += 1;
      changed += n;
    });
  }
  return { models, changed };
}
