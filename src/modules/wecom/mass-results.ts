import { isAppError } from '../../platform/errors.js';
import type { WecomClient } from './client.js';
import { findConnector } from './connectors.repo.js';
import * as batches from './mass-batches.repo.js';
import * as repo from './mass-messages.repo.js';
import { massClient, type MassDeps } from './mass-send.js';
import { wecomErrcodeOf } from './errcodes.js';

/**
 * The `wecom.mass.results` job of a task: reads get_groupmsg_send_result of every call (msgid and
 * consultant) page by page and records each customer's status. It runs again every 10 minutes for
 * the first day after the hand-over, then hourly, until every recipient's status is final or
 * RESULT_WINDOW_MS has passed; then the task is completed and whoever still waits is unsent.
 */

/** The most send results WeCom answers per page. */
const RESULT_PAGE = 1000;
const EARLY_POLL_MS = 10 * 60_000;
const LATE_POLL_MS = 60 * 60_000;
const EARLY_PHASE_MS = 24 * 3600_000;

/** Reads every page of one call's results into its recipients. */
async function readBatch(deps: MassDeps, client: WecomClient, tenantId: string, id: string, b: batches.BatchRow, msgid: string): Promise<void> {
  const db = deps.store.db;
  let cursor: string | undefined;
  do {
    const page = await client.getGroupmsgSendResult({ msgid, userid: b.wecom_user_id, limit: RESULT_PAGE, ...(cursor ? { cursor } : {}) });
    const results = page.send_list.flatMap((s) =>
      s.external_userid !== undefined ? [{ externalUserid: s.external_userid, status: s.status, sendTime: s.send_time ?? null }] : [],
    );
    await batches.applyResults(db, tenantId, id, b.batch_no, results, deps.clock.now());
    cursor = page.next_cursor || undefined;
  } while (cursor !== undefined);
  await batches.batchPolled(db, tenantId, id, b.batch_no, deps.clock.now());
}

/** Reads the results of the calls not final yet; returns when to read again, or nothing when the task is completed. */
export async function collectMassResults(deps: MassDeps, tenantId: string, id: string): Promise<Date | undefined> {
  const db = deps.store.db;
  const row = await repo.findMessage(db, tenantId, id);
  if (!row || row.state !== 'sent') return undefined;
  const connector = await findConnector(db, tenantId, row.connector_id);
  if (!connector) return undefined;
  const open = (await batches.listBatches(db, tenantId, id)).filter((b) => b.state === 'submitted' && !b.results_done);
  const client = open.length > 0 ? massClient(deps, connector) : null;
  for (const b of open) {
    if (!client || b.msgid === null) continue;
    try {
      await readBatch(deps, client, tenantId, id, b, b.msgid);
    } catch (err) {
      // Busy or unreachable: the job runs again later. Otherwise WeCom will not tell (the msgid is
      // unknown to it, the app lost a permission): the statuses stay as last read.
      if (!isAppError(err) || err.code === 'unavailable') throw err;
      deps.logger?.warn({ tenantId, massMessageId: id, msgid: b.msgid, errcode: wecomErrcodeOf(err) }, `WeCom mass message results not read: ${err.message}`);
    }
  }
  const now = deps.clock.now();
  const pending = (await batches.listBatches(db, tenantId, id)).some((b) => b.state === 'submitted' && !b.results_done);
  const until = row.results_until ?? now;
  if (!pending || now.getTime() >= until.getTime()) {
    await db.transaction().execute(async (trx) => {
      await batches.finishWaiting(trx, tenantId, id, now);
      await repo.setMessageState(trx, tenantId, id, { state: 'completed', at: now, finished: true });
    });
    return undefined;
  }
  const sentAt = row.sent_at ?? now;
  const step = now.getTime() - sentAt.getTime() < EARLY_PHASE_MS ? EARLY_POLL_MS : LATE_POLL_MS;
  return new Date(Math.min(until.getTime(), now.getTime() + step));
}
