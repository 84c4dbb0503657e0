import type { TransferOutcome } from '../../contracts/wecom-transfers.js';
import type { Db } from '../../platform/db/index.js';
import type { ExternalContactEvent } from './callback-xml.js';
import * as repo from './transfers.repo.js';

/**
 * 客户变更 events about transfers, applied in the callback batch's transaction:
 * - transfer_fail (UserID is the takeover member, FailReason why): settles the customer's open
 *   transfer to that member as refused (customer_refused) or limit_exceeded (customer_limit_exceed);
 * - del_external_contact with Source DELETE_BY_TRANSFER when the pair has no live episode because the
 *   transfer's result already ended it: there is nothing left to write (the removal event still goes
 *   to the timeline).
 */

/** How far before the callback's time the result poller may have ended the episode (takeover_time vs CreateTime). */
const TAKEOVER_SKEW_MS = 2 * 24 * 60 * 60_000;

const FAIL_REASONS: Readonly<Record<string, { outcome: TransferOutcome; reason: string }>> = {
  customer_refused: { outcome: 'refused', reason: 'the customer refused to be transferred (transfer_fail: customer_refused)' },
  customer_limit_exceed: {
    outcome: 'limit_exceeded',
    reason: "the new consultant has reached WeCom's customer limit (transfer_fail: customer_limit_exceed): free capacity or choose another consultant",
  },
};

export interface TransferEventContext {
  tenantId: string;
  connectorId: string;
}

/**
 * Applies the event's part in a transfer. Answers true when that is all the event needs, so the
 * friendship change of applyContactEvent is skipped; `hasLiveEpisode` says whether the pair has a
 * live friendship episode.
 */
export async function appliedByTransfers(trx: Db, ctx: TransferEventContext, e: ExternalContactEvent, at: Date, hasLiveEpisode: boolean): Promise<boolean> {
  if (e.ChangeType === 'transfer_fail') {
    const transferId = await repo.openTransferTo(trx, ctx.tenantId, ctx.connectorId, e.ExternalUserID, e.UserID);
    if (transferId === null) return true;
    const known = e.FailReason !== undefined ? FAIL_REASONS[e.FailReason] : undefined;
    const settled = known ?? { outcome: 'failed' as const, reason: `WeCom reported the transfer failed (transfer_fail: ${e.FailReason ?? 'no reason given'})` };
    await repo.updateCustomers(trx, ctx.tenantId, transferId, [{ externalUserid: e.ExternalUserID, ...settled, batch: null, errcode: null, takenOverAt: null }], at);
    await repo.settleTransferIfDone(trx, ctx.tenantId, transferId, at);
    return true;
  }
  if (e.ChangeType === 'del_external_contact' && e.Source === 'DELETE_BY_TRANSFER' && !hasLiveEpisode) {
    return repo.endedByTransferSince(trx, ctx.tenantId, ctx.connectorId, e.ExternalUserID, e.UserID, new Date(at.getTime() - TAKEOVER_SKEW_MS));
  }
  return false;
}
