import { wecomMassContentSchema, type WecomMassContent } from '../../contracts/wecom-mass.js';
import { AppError, isAppError } from '../../platform/errors.js';
import { ensureJob } from '../../platform/jobs/index.js';
import { getSegment } from '../segments/index.js';
import { getTag } from '../tags/index.js';
import { staffPrincipal, systemPrincipal, type Principal } from '../tenancy/index.js';
import { type MsgTemplateInput, type WecomAttachment, type WecomClient } from './client.js';
import { decryptCredentials } from './connectors.js';
import { findConnector, type WecomConnectorRow } from './connectors.repo.js';
import * as batches from './mass-batches.repo.js';
import { appliedCap } from './mass-caps.js';
import * as repo from './mass-messages.repo.js';
import type { ProcessDeps } from './job-deps.js';
import { wecomErrcodeOf } from './errcodes.js';
import { connectorClient } from './connector-client.js';

/**
 * The `wecom.mass.send` job of a task. First it chooses the recipients, in one transaction under the
 * connector's cap lock (see chooseRecipients): the audience in the creator's scope, each person once
 * through one consultant, the skipped ones with their reason. Then each consultant's share goes to
 * WeCom as add_msg_template calls (chat_type single, the consultant as sender, at most 10,000
 * customers a call). A call is marked before it is made and never repeated once its answer may have
 * been lost, so no customer is asked twice; a busy WeCom leaves it pending and the job tries again.
 */

export interface MassDeps extends ProcessDeps {
  /** Customers per add_msg_template call; WeCom takes at most 10,000 (tests use fewer). */
  chunkSize?: number | undefined;
}

/** WeCom's limit of customers in one add_msg_template call. */
export const WECOM_MASS_CHUNK = 10_000;
/** How long to wait for a segment whose membership is still being computed. */
const SEGMENT_WAIT_MS = 5_000;

/** The job that reads WeCom's send results of a task's calls (key: task id). */
export const MASS_RESULTS_JOB = 'wecom.mass.results';
/**
 * How long results are read after the shares were handed to WeCom. WeCom documents no expiry of an
 * enterprise mass message the consultant has not confirmed yet, and lists tasks by creation time in
 * ranges of at most a month; SCRMs stop following them after about two weeks. After this the
 * recipients still waiting are unsent and free their place in the cap.
 */
export const RESULT_WINDOW_MS = 14 * 24 * 3600_000;
/** First read of the results after the hand-over. */
export const FIRST_POLL_MS = 10 * 60_000;

export function massClient(deps: MassDeps, connector: WecomConnectorRow): WecomClient {
  return connectorClient(deps, decryptCredentials(deps, connector));
}

/** The text and attachments in WeCom's shape. */
export function wecomContent(content: WecomMassContent): Pick<MsgTemplateInput, 'text' | 'attachments'> {
  const attachments = (content.attachments ?? []).map((a): WecomAttachment =>
    a.type === 'link'
      ? { msgtype: 'link', link: { title: a.title, url: a.url, ...(a.desc ? { desc: a.desc } : {}), ...(a.picUrl ? { picurl: a.picUrl } : {}) } }
      : { msgtype: 'miniprogram', miniprogram: { title: a.title, appid: a.appId, page: a.page, pic_media_id: a.picMediaId } },
  );
  return { ...(content.text ? { text: { content: content.text } } : {}), ...(attachments.length > 0 ? { attachments } : {}) };
}

type Prepared = { kind: 'prepared' } | { kind: 'wait' } | { kind: 'failed'; code: string; message: string };

/** The principal the task acts as now: its creator's current scope, or the whole tenant for admin tokens. */
async function actingPrincipal(deps: MassDeps, tenantId: string, row: repo.MessageRow): Promise<Principal | null> {
  if (row.creator_staff_id === null) return systemPrincipal(tenantId, `wecom_mass:${row.id}`);
  return staffPrincipal(deps.store.db, tenantId, row.creator_staff_id);
}

/** Whether the audience can be read now: 'ready', 'wait' (a segment still computing) or gone. */
async function audienceState(deps: MassDeps, tenantId: string, row: repo.MessageRow): Promise<'ready' | 'wait' | 'gone'> {
  try {
    if (row.audience_kind === 'tag') {
      await getTag(deps.store.db, tenantId, row.audience_id);
      return 'ready';
    }
    return (await getSegment(deps.store.db, tenantId, row.audience_id)).state === 'ready' ? 'ready' : 'wait';
  } catch (err) {
    if (isAppError(err) && err.code === 'not_found') return 'gone';
    throw err;
  }
}

/**
 * Chooses the recipients of a queued task and numbers its calls, in one transaction under the
 * connector's cap lock; leaves anything but a queued task alone.
 */
export async function prepareMassMessage(deps: MassDeps, tenantId: string, id: string): Promise<Prepared> {
  const db = deps.store.db;
  const row = await repo.findMessage(db, tenantId, id);
  if (!row || row.state !== 'queued') return { kind: 'prepared' };
  const principal = await actingPrincipal(deps, tenantId, row);
  if (!principal) return { kind: 'failed', code: 'forbidden', message: 'the staff member who created it is no longer active (or their unit was closed): create it again as an active user' };
  const audience = await audienceState(deps, tenantId, row);
  if (audience === 'wait') return { kind: 'wait' };
  if (audience === 'gone') return { kind: 'failed', code: 'not_found', message: `its ${row.audience_kind} ${row.audience_id} was deleted before it could be sent: create it again with an existing one` };
  const connector = await findConnector(db, tenantId, row.connector_id);
  if (!connector) return { kind: 'failed', code: 'not_found', message: `WeCom connector ${row.connector_id} is gone` };
  const now = deps.clock.now();
  const cap = await appliedCap(db, tenantId, row.connector_id, now);
  await db.transaction().execute(async (trx) => {
    const locked = await repo.findMessage(trx, tenantId, id, true);
    if (!locked || locked.state !== 'queued') return;
    await repo.lockCap(trx, tenantId, row.connector_id);
    await repo.chooseRecipients(trx, tenantId, {
      messageId: id,
      connectorId: row.connector_id,
      corpId: connector.corpId,
      audience: { kind: row.audience_kind === 'tag' ? 'tag' : 'segment', id: row.audience_id },
      principal,
      cap,
      chunkSize: deps.chunkSize ?? WECOM_MASS_CHUNK,
      now,
    });
    await repo.insertBatches(trx, tenantId, id);
    await repo.setMessageState(trx, tenantId, id, { state: 'sending', at: now, prepared: cap });
  });
  return { kind: 'prepared' };
}

/** Makes one pending call; throws (leaving it pending) only when WeCom answered busy or rate limited. */
async function submitBatch(deps: MassDeps, client: WecomClient, tenantId: string, id: string, b: batches.BatchRow, content: WecomMassContent): Promise<void> {
  const db = deps.store.db;
  if (!(await batches.claimBatch(db, tenantId, id, b.batch_no))) return;
  const targets = await batches.batchTargets(db, tenantId, id, b.batch_no);
  try {
    const answer = await client.addMsgTemplate({ chat_type: 'single', sender: b.wecom_user_id, external_userid: targets, ...wecomContent(content) });
    await db.transaction().execute((trx) => batches.batchSubmitted(trx, tenantId, id, b.batch_no, { msgid: answer.msgid, failList: answer.fail_list, at: deps.clock.now() }));
  } catch (err) {
    const errcode = wecomErrcodeOf(err);
    if (!isAppError(err) || (errcode !== null && err.code === 'unavailable')) {
      await batches.releaseBatch(db, tenantId, id, b.batch_no);
      throw err;
    }
    // An errcode: WeCom refused and created nothing. None: the answer never came (or did not read),
    // so WeCom may have created it; it is not repeated.
    const uncertain = errcode === null;
    const error = uncertain ? `no usable answer from WeCom, so the call is not repeated (the consultant may still have the task in 群发助手): ${err.message}` : err.message;
    deps.logger?.warn({ tenantId, massMessageId: id, sender: b.wecom_user_id, errcode }, `WeCom mass message share failed: ${error}`);
    await db.transaction().execute((trx) => batches.batchFailed(trx, tenantId, id, b.batch_no, { uncertain, errcode, error, at: deps.clock.now() }));
  }
}

/** Hands every pending share to WeCom, then starts reading results (or ends the task when none went). */
async function submitAll(deps: MassDeps, tenantId: string, id: string): Promise<void> {
  const db = deps.store.db;
  const row = await repo.findMessage(db, tenantId, id);
  if (!row || row.state !== 'sending') return;
  const content = wecomMassContentSchema.safeParse(row.content);
  if (!content.success) throw new AppError('internal', `mass message ${id} holds content that no longer parses`);
  const connector = await findConnector(db, tenantId, row.connector_id);
  if (!connector) return;
  const all = await batches.listBatches(db, tenantId, id);
  const client = all.some((b) => b.state === 'pending') ? massClient(deps, connector) : null;
  for (const b of all) {
    if (b.state === 'submitting') {
      const error = 'the worker stopped while WeCom was being asked, so the call is not repeated (the consultant may still have the task in 群发助手)';
      await db.transaction().execute((trx) => batches.batchFailed(trx, tenantId, id, b.batch_no, { uncertain: true, errcode: null, error, at: deps.clock.now() }));
    } else if (b.state === 'pending' && client) {
      await submitBatch(deps, client, tenantId, id, b, content.data);
    }
  }
  const now = deps.clock.now();
  const submitted = (await batches.listBatches(db, tenantId, id)).some((b) => b.state === 'submitted');
  await db.transaction().execute(async (trx) => {
    if (submitted) {
      await repo.setMessageState(trx, tenantId, id, { state: 'sent', at: now, resultsUntil: new Date(now.getTime() + RESULT_WINDOW_MS) });
      await ensureJob(trx, { tenantId, kind: MASS_RESULTS_JOB, key: id, runAt: new Date(now.getTime() + FIRST_POLL_MS) });
    } else {
      await repo.setMessageState(trx, tenantId, id, { state: 'completed', at: now, finished: true });
    }
  });
}

/**
 * The job: prepares a queued task (again later while its segment is computing; failed when its
 * creator or audience is gone), then hands the shares to WeCom. Returns when to run again, if at all.
 */
export async function sendMassMessage(deps: MassDeps, tenantId: string, id: string): Promise<Date | undefined> {
  const prepared = await prepareMassMessage(deps, tenantId, id);
  const now = deps.clock.now();
  if (prepared.kind === 'wait') return new Date(now.getTime() + SEGMENT_WAIT_MS);
  if (prepared.kind === 'failed') {
    await repo.setMessageState(deps.store.db, tenantId, id, { state: 'failed', at: now, error: { code: prepared.code, message: prepared.message }, finished: true });
    return undefined;
  }
  await submitAll(deps, tenantId, id);
  return undefined;
}
