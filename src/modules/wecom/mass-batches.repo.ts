import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';

/**
 * SQL of a mass message's add_msg_template calls (`wecom_mass_batches`) and of what their answers
 * and WeCom's send results change for the recipients of each call.
 */

export interface BatchRow {
  batch_no: number;
  wecom_user_id: string;
  staff_id: string | null;
  recipients: number;
  state: string;
  msgid: string | null;
  errcode: number | null;
  error: string | null;
  submitted_at: Date | null;
  results_done: boolean;
}

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;

/** The task's calls in order. */
export async function listBatches(db: Db, tenantId: string, messageId: string): Promise<BatchRow[]> {
  const { rows } = await sql<BatchRow>`
    SELECT batch_no, wecom_user_id, staff_id, recipients, state, msgid, errcode, error, submitted_at, results_done FROM wecom_mass_batches
    WHERE tenant_id = ${tenantId} AND message_id = ${messageId} ORDER BY batch_no`.execute(db);
  return rows.map((r) => ({ ...r, batch_no: Number(r.batch_no), recipients: Number(r.recipients) }));
}

/** The customers (external_userid) of one call, in order. */
export async function batchTargets(db: Db, tenantId: string, messageId: string, batchNo: number): Promise<string[]> {
  const { rows } = await sql<{ external_userid: string }>`
    SELECT external_userid FROM wecom_mass_recipients
    WHERE tenant_id = ${tenantId} AND message_id = ${messageId} AND batch_no = ${batchNo} AND status = 'queued'
    ORDER BY external_userid`.execute(db);
  return rows.map((r) => r.external_userid);
}

/**
 * Marks a pending call as being made, committed before the call: a worker that dies during the call
 * leaves it `submitting`, and the next run does not repeat it. False when it is not pending.
 */
export async function claimBatch(db: Db, tenantId: string, messageId: string, batchNo: number): Promise<boolean> {
  const { rows } = await sql<{ batch_no: number }>`
    UPDATE wecom_mass_batches SET state = 'submitting'
    WHERE tenant_id = ${tenantId} AND message_id = ${messageId} AND batch_no = ${batchNo} AND state = 'pending'
    RETURNING batch_no`.execute(db);
  return rows.length === 1;
}

/** Back to pending: WeCom answered busy or rate limited, so nothing was created; the job tries again. */
export async function releaseBatch(db: Db, tenantId: string, messageId: string, batchNo: number): Promise<void> {
  await sql`UPDATE wecom_mass_batches SET state = 'pending' WHERE tenant_id = ${tenantId} AND message_id = ${messageId} AND batch_no = ${batchNo} AND state = 'submitting'`.execute(
    db,
  );
}

/**
 * WeCom created the task: the recipients wait for the consultant, except those WeCom listed in
 * fail_list, who are skipped (wecom_refused) and give their place in the cap back.
 */
export async function batchSubmitted(trx: Db, tenantId: string, messageId: string, batchNo: number, answer: { msgid: string; failList: string[]; at: Date }): Promise<void> {
  await sql`
    UPDATE wecom_mass_batches SET state = 'submitted', msgid = ${answer.msgid}, submitted_at = ${ts(answer.at)}
    WHERE tenant_id = ${tenantId} AND message_id = ${messageId} AND batch_no = ${batchNo}`.execute(trx);
  await sql`
    UPDATE wecom_mass_recipients SET
      status = CASE WHEN external_userid = ANY(${answer.failList}::text[]) THEN 'skipped' ELSE 'waiting' END,
      reason = CASE WHEN external_userid = ANY(${answer.failList}::text[]) THEN 'wecom_refused' END,
      holds_cap = NOT (external_userid = ANY(${answer.failList}::text[])),
      wecom_status = CASE WHEN external_userid = ANY(${answer.failList}::text[]) THEN NULL ELSE 0 END,
      updated_at = ${ts(answer.at)}
    WHERE tenant_id = ${tenantId} AND message_id = ${messageId} AND batch_no = ${batchNo} AND status = 'queued'`.execute(trx);
}

/**
 * The call did not create the task (WeCom refused it with an errcode), or it is not known whether it
 * did (`uncertain`: no answer came). Its recipients fail; they keep their place in the cap only when
 * uncertain, since the consultant may still send it.
 */
export async function batchFailed(
  trx: Db,
  tenantId: string,
  messageId: string,
  batchNo: number,
  f: { uncertain: boolean; errcode: number | null; error: string; at: Date },
): Promise<void> {
  await sql`
    UPDATE wecom_mass_batches SET state = ${f.uncertain ? 'uncertain' : 'failed'}, errcode = ${f.errcode}, error = ${f.error.slice(0, 1000)}
    WHERE tenant_id = ${tenantId} AND message_id = ${messageId} AND batch_no = ${batchNo}`.execute(trx);
  await sql`
    UPDATE wecom_mass_recipients SET status = 'failed', holds_cap = ${f.uncertain}, updated_at = ${ts(f.at)}
    WHERE tenant_id = ${tenantId} AND message_id = ${messageId} AND batch_no = ${batchNo} AND status = 'queued'`.execute(trx);
}

export interface SendResult {
  externalUserid: string;
  status: number;
  /** Unix seconds, when sent. */
  sendTime: number | null;
}

/**
 * Applies a page of get_groupmsg_send_result to the call's recipients: 1 sent, 2 not a friend and 3
 * WeCom's cap are final (2 and 3 give the place in the cap back); 0 still waits.
 */
export async function applyResults(trx: Db, tenantId: string, messageId: string, batchNo: number, results: readonly SendResult[], at: Date): Promise<void> {
  if (results.length === 0) return;
  await sql`
    UPDATE wecom_mass_recipients r SET
      wecom_status = u.status,
      status = CASE u.status WHEN 1 THEN 'sent' WHEN 2 THEN 'not_friend' WHEN 3 THEN 'wecom_cap' ELSE 'waiting' END,
      holds_cap = u.status IN (0, 1),
      sent_at = CASE WHEN u.send_time > 0 THEN to_timestamp(u.send_time) ELSE r.sent_at END,
      updated_at = ${ts(at)}
    FROM unnest(${results.map((x) => x.externalUserid)}::text[], ${results.map((x) => x.status)}::int[], ${results.map((x) => x.sendTime ?? 0)}::bigint[])
      AS u(external_userid, status, send_time)
    WHERE r.tenant_id = ${tenantId} AND r.message_id = ${messageId} AND r.batch_no = ${batchNo} AND r.external_userid = u.external_userid
      AND r.status IN ('waiting', 'sent', 'not_friend', 'wecom_cap')`.execute(trx);
}

/** Records a read of the call's results; done once none of its recipients waits any more. */
export async function batchPolled(trx: Db, tenantId: string, messageId: string, batchNo: number, at: Date): Promise<void> {
  await sql`
    UPDATE wecom_mass_batches b SET polled_at = ${ts(at)}, results_done = NOT EXISTS (
      SELECT 1 FROM wecom_mass_recipients r WHERE r.tenant_id = b.tenant_id AND r.message_id = b.message_id AND r.batch_no = b.batch_no AND r.status = 'waiting')
    WHERE b.tenant_id = ${tenantId} AND b.message_id = ${messageId} AND b.batch_no = ${batchNo}`.execute(trx);
}

/** Results are read no more: who still waits is unsent and gives the place in the cap back. */
export async function finishWaiting(trx: Db, tenantId: string, messageId: string, at: Date): Promise<void> {
  await sql`
    UPDATE wecom_mass_recipients SET status = 'unsent', holds_cap = false, updated_at = ${ts(at)}
    WHERE tenant_id = ${tenantId} AND message_id = ${messageId} AND status = 'waiting'`.execute(trx);
  await sql`UPDATE wecom_mass_batches SET results_done = true WHERE tenant_id = ${tenantId} AND message_id = ${messageId} AND state = 'submitted'`.execute(trx);
}
