import type { WecomInbox } from '../../contracts/wecom.js';
import { AppError } from '../../platform/errors.js';
import { inboxStatus } from './callbacks.repo.js';
import type { WecomDeps } from './connectors.js';
import { findConnector } from './connectors.repo.js';

const DAY_MS = 86_400_000;

/** What waits in the connector's callback inbox, how the last day's callbacks ended, the latest failures. */
export async function wecomInbox(deps: WecomDeps, tenantId: string, connectorId: string): Promise<WecomInbox> {
  if (!(await findConnector(deps.store.db, tenantId, connectorId))) {
    throw new AppError('not_found', `no WeCom connector ${connectorId} in this tenant; GET /api/v1/connectors/wecom lists them`);
  }
  const s = await inboxStatus(deps.store.db, tenantId, connectorId, new Date(deps.clock.now().getTime() - DAY_MS));
  return {
    pending: s.pending,
    oldestPendingAt: s.oldestPendingAt?.toISOString() ?? null,
    last24h: s.outcomes,
    failures: s.failures.map((f) => ({ receivedAt: f.receivedAt.toISOString(), event: f.event, changeType: f.changeType, error: f.error })),
  };
}
