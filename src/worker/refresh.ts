import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db/index.js';
import { claimDirtyProfiles, evaluationContext, newestDirtyMark, withMergedAway, type CompileContext } from '../modules/segments/index.js';

/**
 * Keeping tags, stages and segments current. Two passes, both driven by the job table:
 * - after changes (new events, tags, consents, merges): the changed profiles are re-evaluated in
 *   batches, each batch in one transaction, step by step in dependency order (rollups, rule tags,
 *   stages, segments), with row-mode predicates served by per-profile indexes;
 * - on a schedule: definitions with relative time windows are re-evaluated over the whole tenant.
 */
export interface RefreshSteps {
  /** In order: what later steps read must be written by earlier ones. Run in one transaction per batch. */
  forProfiles: ReadonlyArray<(trx: Db, ctx: CompileContext, profileIds: readonly string[]) => Promise<unknown>>;
  /** In order; each runs its own transactions. `all`: also definitions without relative time windows. */
  full: ReadonlyArray<(db: Db, tenantId: string, now: Date, options: { all: boolean }) => Promise<unknown>>;
}

export interface RefreshDeps {
  db: Db;
  clock: Clock;
}

/** Profiles per transaction of the incremental refresh. */
export const REFRESH_BATCH = 2000;

/** Re-evaluates every changed profile of the tenant; returns how many and in how many batches. */
export async function refreshChanged(deps: RefreshDeps, steps: RefreshSteps, tenantId: string, batchSize = REFRESH_BATCH): Promise<{ profiles: number; batches: number }> {
  let profiles = 0;
  let batches = 0;
  const upTo = await newestDirtyMark(deps.db, tenantId);
  if (upTo === null) return { profiles, batches };
  for (;;) {
    const now = deps.clock.now();
    const done = await deps.db.transaction().execute(async (trx) => {
      const claimed = await claimDirtyProfiles(trx, tenantId, batchSize, upTo);
      if (claimed.length === 0) return true;
      const ids = await withMergedAway(trx, tenantId, claimed);
      const ctx = await evaluationContext(trx, tenantId, now, 'row');
      for (const step of steps.forProfiles) await step(trx, ctx, ids);
      profiles += claimed.length;
      batches += 1;
      return false;
    });
    if (done) return { profiles, batches };
  }
}

/** The scheduled pass over the whole tenant. */
export async function refreshScheduled(deps: RefreshDeps, steps: RefreshSteps, tenantId: string, options: { all: boolean }): Promise<void> {
  const now = deps.clock.now();
  for (const step of steps.full) await step(deps.db, tenantId, now, options);
}
