/**
 * `refreshChangedProfiles(deps, tenantId)` from src/worker/refresh.ts (the worker's incremental
 * refresh of a tenant's `profiles_dirty` rows, exported by src/worker/index.ts), loaded at run time so that this bench builds before
 * that file exists; the reason it is not there otherwise.
 */
import type { Clock } from '../../src/platform/clock.js';
import type { Db } from '../../src/platform/db/index.js';

export type RefreshChangedProfiles = (deps: { db: Db; clock: Clock }, tenantId: string) => Promise<{ profiles: number; batches: number }>;

function isRefresh(v: unknown): v is RefreshChangedProfiles {
  return typeof v === 'function';
}

/** The worker's public surface (src/worker/index.ts) first, then src/worker/refresh.ts. */
export async function loadRefresh(): Promise<RefreshChangedProfiles | string> {
  const problems: string[] = [];
  for (const specifier of ['../../src/worker/index.js', '../../src/worker/refresh.js']) {
    let mod: unknown;
    try {
      mod = await import(specifier);
    } catch (err) {
      problems.push(`${specifier.slice(6)} cannot be loaded (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
      continue;
    }
    const fn = typeof mod === 'object' && mod !== null && 'refreshChangedProfiles' in mod ? mod.refreshChangedProfiles : undefined;
    if (isRefresh(fn)) return fn;
    problems.push(`${specifier.slice(6)} exports no refreshChangedProfiles`);
  }
  return `pending: ${problems.join('; ')}`;
}
