import type { Db } from '../../platform/db/index.js';
import { compileCondition, evaluationContext, requestRefresh, storedDefinition, type CompileContext } from '../segments/index.js';
import type { SegmentDefinition } from '../../contracts/segments.js';
import { refreshRuleTag } from './profile-tags.repo.js';
import * as repo from './tags.repo.js';

/**
 * Rule tags kept current: re-evaluated for changed profiles by the incremental refresh, over the
 * whole tenant on creation, on a change of definition and by the scheduled pass (time windows).
 */

/**
 * Evaluates a rule tag over the whole tenant (set-mode `ctx`) in the caller's transaction, which
 * holds the tag row lock. With `markDirty`, profiles whose tag changed are marked for the refresh of
 * segments and stages that read the tag, and the refresh is scheduled.
 */
export async function materializeRuleTag(trx: Db, ctx: CompileContext, tagId: string, definition: SegmentDefinition, markDirty: boolean): Promise<{ applied: number; removed: number }> {
  const setCtx: CompileContext = { ...ctx, mode: 'set' };
  const diff = await refreshRuleTag(trx, ctx.tenantId, tagId, compileCondition(definition.condition, setCtx), null, ctx.now, markDirty);
  await repo.markTagRefreshed(trx, ctx.tenantId, tagId, ctx.now);
  if (markDirty && diff.applied + diff.removed > 0) await requestRefresh(trx, ctx.tenantId, ctx.now);
  return diff;
}

/**
 * Incremental refresh: re-evaluates every rule tag of the tenant for `profileIds` (row-mode
 * predicates), in the caller's transaction (the dirty-profile refresh, which runs before segments
 * and stages so they see the new tags). Rule tags are locked in id order. Marks nothing dirty.
 */
export async function refreshRuleTagsFor(trx: Db, ctx: CompileContext, profileIds: readonly string[]): Promise<void> {
  if (profileIds.length === 0) return;
  const tags = await repo.lockRuleTags(trx, ctx.tenantId);
  const rowCtx: CompileContext = { ...ctx, mode: 'row' };
  for (const t of tags) {
    const definition = storedDefinition(t.definition, `rule tag ${t.id}`);
    await refreshRuleTag(trx, ctx.tenantId, t.id, compileCondition(definition.condition, rowCtx), profileIds, ctx.now, false);
  }
}

/**
 * The scheduled pass: re-evaluates rule tags over the whole tenant, one transaction per tag (only
 * those with relative time windows unless `all`). Profiles whose tag changed are marked dirty, so
 * that segments and stages reading the tag follow. Returns how many tags were evaluated.
 */
export async function refreshRuleTagsFull(db: Db, tenantId: string, now: Date, options: { all: boolean }): Promise<number> {
  const ctx = await evaluationContext(db, tenantId, now, 'set');
  const ids = await repo.ruleTagIds(db, tenantId, !options.all);
  let refreshed = 0;
  for (const id of ids) {
    await db.transaction().execute(async (trx) => {
      const row = await repo.findTag(trx, tenantId, id, 'update');
      if (!row || row.kind !== 'rule' || (!options.all && !row.time_dependent)) return;
      await materializeRuleTag(trx, ctx, id, storedDefinition(row.definition, `rule tag ${id}`), true);
      refreshed += 1;
    });
  }
  return refreshed;
}
