import { isAppError } from '../../platform/errors.js';
import { connectorClient } from './connector-client.js';
import { decryptCredentials } from './connectors.js';
import { findConnector } from './connectors.repo.js';
import type { ProcessDeps } from './job-deps.js';
import { addCounts, emptyCounts, syncActor, type TagSyncContext } from './tag-sync-context.js';
import { syncDefinitions } from './tag-sync-defs.js';
import { reconcileMembers } from './tag-sync-members.js';
import * as repo from './tag-sync.repo.js';
import { wecomCountsOf } from './tag-sync-view.js';

/**
 * The `wecom.tag_sync` job of a connector, serialised per connector by the job table: the
 * definitions first (WeCom's list read when a callback or a full run asks for it, or before writing
 * to WeCom), then a batch of waiting customers; again at once while customers are waiting. A full
 * run also puts every customer with a live friendship in the queue, and it ends when the queue is
 * empty. An error WeCom may recover from (busy, rate limited) is thrown, so the job retries with
 * back-off; any other error ends a running full run failed, and is kept as the sync's last error.
 */
export async function runTagSync(deps: ProcessDeps, tenantId: string, connectorId: string): Promise<{ more: boolean }> {
  const db = deps.store.db;
  const row = await findConnector(db, tenantId, connectorId);
  const sync = await repo.findSync(db, tenantId, connectorId);
  if (!row || !sync) return { more: false };
  const creds = decryptCredentials(deps, row);
  const ctx: TagSyncContext = { deps, tenantId, connectorId, client: connectorClient(deps, creds), actor: syncActor(connectorId), counts: emptyCounts() };
  // A full run asked for and not yet through its first part (after an error WeCom may recover from, it starts that part again).
  const full = sync.fullRequests > sync.fullStarted;
  const running = full || sync.runState === 'running';
  if (full && sync.runState !== 'running') await repo.startFull(db, tenantId, connectorId, emptyCounts(), deps.clock.now());
  try {
    const pull = full || sync.pullRequests > sync.pullDone;
    const { mapping, pulled } = await syncDefinitions(ctx, { pull, wecomChangedAt: sync.pullRequestedAt });
    if (pulled) await repo.pulled(db, tenantId, connectorId, sync.pullRequests, deps.clock.now());
    if (full && mapping.wecomIdOf.size > 0) await repo.markAllCustomers(db, tenantId, connectorId, deps.clock.now());
    if (full) await repo.fullQueued(db, tenantId, connectorId, sync.fullRequests, deps.clock.now());
    const { more } = await reconcileMembers(ctx, mapping, pulled);
    const now = deps.clock.now();
    await repo.recordJobOutcome(db, tenantId, connectorId, null, now);
    if (running) {
      const latest = await repo.findSync(db, tenantId, connectorId);
      const result = addCounts(wecomCountsOf(latest?.runResult) ?? emptyCounts(), ctx.counts);
      if (more) await repo.saveRunResult(db, tenantId, connectorId, result, now);
      else await repo.finishFull(db, tenantId, connectorId, { result }, now);
    }
    const again = await repo.findSync(db, tenantId, connectorId);
    return { more: more || (again !== undefined && (again.fullRequests > again.fullStarted || again.pullRequests > again.pullDone)) };
  } catch (err) {
    const now = deps.clock.now();
    // Only an AppError's words are shown to people; anything else is in the logs (the job runner logs it).
    const error = isAppError(err)
      ? { code: err.code, message: err.message }
      : { code: 'internal', message: 'the tag sync stopped on an unexpected error; it is tried again with back-off, and the server logs have the details' };
    await repo.recordJobOutcome(db, tenantId, connectorId, error, now);
    if (running && isAppError(err) && err.code !== 'unavailable') {
      // The request is answered (failed): the next run is asked for by a person, not started by the next change.
      await repo.fullQueued(db, tenantId, connectorId, sync.fullRequests, now);
      await repo.finishFull(db, tenantId, connectorId, { error }, now);
      deps.logger?.warn({ connectorId, code: err.code }, `WeCom tag sync run failed: ${err.message}`);
      return { more: false };
    }
    throw err;
  }
}
