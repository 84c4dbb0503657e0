import type { TransferOutcome } from '../../contracts/wecom-transfers.js';
import type { Db } from '../../platform/db/index.js';
import { isAppError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { lockIdentityGraph } from '../identity/index.js';
import { WECOM_BATCH_MAX, type WecomClient } from './client.js';
import type { WecomTransferResult } from './client-schemas.js';
import { decryptCredentials } from './connectors.js';
import { findConnector, type WecomConnectorRow } from './connectors.repo.js';
import { endFriendship, linkCustomer, liveFriendship, staffByWecomIds } from './contacts.repo.js';
import { wecomErrcodeMessage, wecomErrcodeOf } from './errcodes.js';
import type { ProcessDeps } from './job-deps.js';
import * as repo from './transfers.repo.js';
import { connectorClient } from './connector-client.js';

/**
 * Running a transfer against WeCom: its pending customers sent in calls of at most 100, then
 * transfer_result asked until every customer is settled. A customer taken over moves in Siyu too:
 * the old consultant's episode ends (by transfer), the new consultant's begins, and the new
 * consultant's dealer gets the customer in scope. The callbacks WeCom sends for the same takeover
 * find that done (see migrations/0012_wecom_transfers.sql for who writes what).
 */

export type TransferDeps = ProcessDeps;

/** How long after sending the job first asks WeCom, and then between asks while customers wait. */
export const TRANSFER_POLL_MS = 60 * 60_000;
/** How soon the job sends again what WeCom did not answer (busy, unreachable). */
export const TRANSFER_RESEND_MS = 60_000;
/** How long a transfer is followed at most: WeCom settles a waiting customer within 24 hours. */
export const TRANSFER_FOLLOW_MS = 7 * 24 * 60 * 60_000;
/** Pages of transfer_result read per poll at most (each holds up to 1000 customers). */
const RESULT_PAGES_MAX = 100;
/** add_way of a friendship WeCom handed to a member (管理员/负责人分配). */
export const ADD_WAY_ASSIGNED = 202;

/** WeCom's transfer_result statuses and what they settle a customer as (2, waiting, settles nothing). */
const STATUS_OUTCOMES: Readonly<Record<number, { outcome: TransferOutcome; reason: string | null }>> = {
  1: { outcome: 'taken_over', reason: null },
  3: { outcome: 'refused', reason: 'the customer refused to be transferred' },
  4: { outcome: 'limit_exceeded', reason: "the new consultant has reached WeCom's customer limit: free capacity or choose another consultant" },
  5: { outcome: 'not_found', reason: 'WeCom has no record of this transfer' },
};

export function wecomClientFor(deps: TransferDeps, row: WecomConnectorRow): WecomClient {
  return connectorClient(deps, decryptCredentials(deps, row));
}

/** Whether WeCom may take the call later (busy, rate limited, unreachable): then the customers stay pending. */
const transient = (err: unknown) => isAppError(err) && err.code === 'unavailable';

export interface SendResult {
  /** Customers still pending. */
  left: number;
  /** WeCom did not answer: send again later. */
  retry: boolean;
}

/**
 * Sends the transfer's pending customers, `maxBatches` calls at most. A customer WeCom accepts is
 * waiting; one it refuses is failed with its errcode. A call WeCom refuses as a whole (an unknown
 * member, a missing permission) fails the customers not yet sent; one it does not answer leaves
 * them pending for the job.
 */
export async function sendPending(deps: TransferDeps, client: WecomClient, t: repo.TransferRow, maxBatches = Number.POSITIVE_INFINITY): Promise<SendResult> {
  const db = deps.store.db;
  const pending = (await repo.transferCustomers(db, t.tenantId, t.id, ['pending'])).map((c) => c.externalUserid);
  let batch = await repo.lastBatch(db, t.tenantId, t.id);
  let sent = 0;
  for (let calls = 0; sent < pending.length && calls < maxBatches; calls++) {
    const ids = pending.slice(sent, sent + WECOM_BATCH_MAX);
    const input = { handover_userid: t.handoverUserid, takeover_userid: t.takeoverUserid, external_userid: ids };
    let answer: Map<string, number>;
    try {
      const res =
        t.kind === 'on_job'
          ? await client.transferCustomer({ ...input, ...(t.message !== null ? { transfer_success_msg: t.message } : {}) })
          : await client.resignedTransferCustomer(input);
      answer = new Map(res.customer.map((c) => [c.external_userid, c.errcode]));
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (transient(err)) {
        const rest = pending.slice(sent).map((id) => ({ externalUserid: id, outcome: 'pending' as const, batch: null, errcode: wecomErrcodeOf(err), reason: `WeCom did not take the call yet, Siyu sends it again: ${reason}`, takenOverAt: null }));
        await repo.updateCustomers(db, t.tenantId, t.id, rest, deps.clock.now());
        return { left: rest.length, retry: true };
      }
      batch += 1;
      const failed = pending.slice(sent).map((id, i) => ({ externalUserid: id, outcome: 'failed' as const, batch: i < ids.length ? batch : null, errcode: wecomErrcodeOf(err), reason, takenOverAt: null }));
      await repo.updateCustomers(db, t.tenantId, t.id, failed, deps.clock.now());
      sent = pending.length;
      break;
    }
    batch += 1;
    const updates = ids.map((id) => {
      const code = answer.get(id);
      if (code === 0) return { externalUserid: id, outcome: 'waiting' as const, batch, errcode: null, reason: null, takenOverAt: null };
      return {
        externalUserid: id,
        outcome: 'failed' as const,
        batch,
        errcode: code ?? null,
        reason: code === undefined ? "WeCom's answer did not name this customer: transfer them again" : wecomErrcodeMessage(code),
        takenOverAt: null,
      };
    });
    await repo.updateCustomers(db, t.tenantId, t.id, updates, deps.clock.now());
    sent += ids.length;
  }
  await repo.settleTransferIfDone(db, t.tenantId, t.id, deps.clock.now());
  return { left: pending.length - sent, retry: false };
}

type ResultRow = WecomTransferResult['customer'][number];

/** transfer_result (or its resigned/ twin) for the transfer's pair, every page; the newest row per customer. */
async function transferResults(client: WecomClient, t: repo.TransferRow): Promise<Map<string, ResultRow>> {
  const since = Math.floor(t.createdAt.getTime() / 1000);
  const out = new Map<string, ResultRow>();
  let cursor: string | undefined;
  for (let page = 0; page < RESULT_PAGES_MAX; page++) {
    const input = { handover_userid: t.handoverUserid, takeover_userid: t.takeoverUserid, ...(cursor ? { cursor } : {}) };
    const res = t.kind === 'on_job' ? await client.transferResult(input) : await client.resignedTransferResult(input);
    for (const c of res.customer) {
      // An earlier transfer of the same customer between the same two members, settled before this one began.
      if (c.status === 1 && c.takeover_time !== undefined && c.takeover_time > 0 && c.takeover_time < since) continue;
      out.set(c.external_userid, c);
    }
    cursor = res.next_cursor || undefined;
    if (!cursor) break;
  }
  return out;
}

/** Asks WeCom how the transfer's waiting customers stand and records the settled ones. */
export async function pollTransfer(deps: TransferDeps, client: WecomClient, row: WecomConnectorRow, t: repo.TransferRow): Promise<void> {
  const waiting = await repo.transferCustomers(deps.store.db, t.tenantId, t.id, ['waiting']);
  if (waiting.length === 0) return;
  const results = await transferResults(client, t);
  const updates: repo.CustomerUpdate[] = [];
  for (const c of waiting) {
    const r = results.get(c.externalUserid);
    const settled = r ? STATUS_OUTCOMES[r.status] : undefined;
    if (!r || !settled) continue;
    const takenOverAt = settled.outcome === 'taken_over' ? (r.takeover_time ? new Date(r.takeover_time * 1000) : deps.clock.now()) : null;
    updates.push({ externalUserid: c.externalUserid, outcome: settled.outcome, batch: null, errcode: null, reason: settled.reason, takenOverAt });
  }
  if (updates.length === 0) return;
  const now = deps.clock.now();
  await deps.store.db.transaction().execute(async (trx) => {
    // Links and friendships of people: under the identity lock, as the callbacks write them.
    await lockIdentityGraph(trx, t.tenantId);
    const changed = new Set(await repo.updateCustomers(trx, t.tenantId, t.id, updates, now));
    const takenOver = updates.filter((u) => u.outcome === 'taken_over' && changed.has(u.externalUserid));
    if (takenOver.length > 0) {
      const takeover = (await staffByWecomIds(trx, t.tenantId, [t.takeoverUserid])).get(t.takeoverUserid) ?? null;
      const profiles = await repo.profilesOfCustomers(trx, t.tenantId, row.corpId, takenOver.map((u) => u.externalUserid));
      for (const u of takenOver) {
        await moveFriendship(trx, {
          tenantId: t.tenantId,
          connectorId: t.connectorId,
          externalUserid: u.externalUserid,
          handoverUserid: t.handoverUserid,
          takeoverUserid: t.takeoverUserid,
          takeoverStaffId: takeover?.id ?? t.takeoverStaffId,
          unitId: takeover ? (takeover.dealerId ?? takeover.unitId) : t.takeoverUnitId,
          profileId: profiles.get(u.externalUserid) ?? null,
          at: u.takenOverAt ?? now,
          now,
        });
      }
    }
    await repo.settleTransferIfDone(trx, t.tenantId, t.id, now);
  });
}

interface Move {
  tenantId: string;
  connectorId: string;
  externalUserid: string;
  handoverUserid: string;
  takeoverUserid: string;
  takeoverStaffId: string;
  /** The new consultant's dealer (or unit): the customer is its customer from now on. */
  unitId: string;
  profileId: string | null;
  at: Date;
  now: Date;
}

/**
 * A customer taken over: the old consultant's live episode ends by transfer and the new
 * consultant's begins with its remark, description, mobiles and tags (WeCom moves them along);
 * either already done by the callbacks is left as it is.
 */
async function moveFriendship(trx: Db, m: Move): Promise<void> {
  const old = await liveFriendship(trx, m.tenantId, m.connectorId, m.externalUserid, m.handoverUserid);
  if (old) await endFriendship(trx, m.tenantId, old.id, m.at, 'transfer', 'DELETE_BY_TRANSFER', m.now);
  const current = await liveFriendship(trx, m.tenantId, m.connectorId, m.externalUserid, m.takeoverUserid);
  if (!current) {
    await repo.startTransferredEpisode(trx, {
      tenantId: m.tenantId,
      id: newId(),
      connectorId: m.connectorId,
      externalUserid: m.externalUserid,
      wecomUserId: m.takeoverUserid,
      staffId: m.takeoverStaffId,
      addWay: ADD_WAY_ASSIGNED,
      fromEpisodeId: old?.id ?? null,
      at: m.at,
      now: m.now,
    });
  }
  if (m.profileId !== null) await linkCustomer(trx, m.tenantId, m.profileId, m.unitId, m.at);
}

/**
 * The `wecom.transfers` job of one transfer: sends what is pending, asks WeCom about what waits.
 * Answers when to run again, or null once every customer is settled (or the transfer is older than
 * TRANSFER_FOLLOW_MS: WeCom will not settle it any more).
 */
export async function runTransferJob(deps: TransferDeps, tenantId: string, transferId: string): Promise<Date | null> {
  const db = deps.store.db;
  const t = await repo.findTransfer(db, tenantId, transferId);
  if (!t || t.settledAt !== null) return null;
  const row = await findConnector(db, tenantId, t.connectorId);
  if (!row) return null;
  const client = wecomClientFor(deps, row);
  const sent = await sendPending(deps, client, t);
  try {
    await pollTransfer(deps, client, row, t);
  } catch (err) {
    // Busy or unreachable: the job backs off and asks again. Refused for good (the app lost the
    // permission, a member is unknown): asked again at the next poll, until the transfer is too old.
    if (transient(err) || !isAppError(err)) throw err;
    deps.logger?.warn({ tenantId, transferId, errcode: wecomErrcodeOf(err) }, `WeCom refused transfer_result: ${err.message}`);
  }
  if (await repo.settleTransferIfDone(db, tenantId, transferId, deps.clock.now())) return null;
  const now = deps.clock.now().getTime();
  if (sent.left > 0) return new Date(now + (sent.retry ? TRANSFER_RESEND_MS : 0));
  if (now - t.createdAt.getTime() > TRANSFER_FOLLOW_MS) {
    deps.logger?.warn({ tenantId, transferId }, 'WeCom has not settled every customer of the transfer within 7 days; no longer asking');
    return null;
  }
  return new Date(now + TRANSFER_POLL_MS);
}
