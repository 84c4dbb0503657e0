import { createHash, randomUUID } from 'node:crypto';
import {
  MASS_RECIPIENT_STATUSES,
  MASS_SKIP_REASONS,
  MASS_STATES,
  wecomMassContentSchema,
  type MassRecipientStatus,
  type MassSkipReason,
  type WecomMassCounts,
  type WecomMassCreate,
  type WecomMassDetail,
  type WecomMassList,
  type WecomMassMessage,
  type WecomMassRecipients,
  type WecomMassRecipientsQuery,
} from '../../contracts/wecom-mass.js';
import type { Db } from '../../platform/db/index.js';
import { AppError, isAppError } from '../../platform/errors.js';
import { ensureJob } from '../../platform/jobs/index.js';
import { canonicalJson, isRecord } from '../../platform/json.js';
import { maskIdentifierValue } from '../profiles/index.js';
import { dayIn, getSegment, tenantTimeZone } from '../segments/index.js';
import { getTag } from '../tags/index.js';
import { insertAudit, type Principal } from '../tenancy/index.js';
import type { WecomDeps } from './connectors.js';
import { findConnector } from './connectors.repo.js';
import { listBatches } from './mass-batches.repo.js';
import * as repo from './mass-messages.repo.js';
import { WECOM_EXTERNAL_USERID } from './sidebar.repo.js';
import { isPeriod } from './mass-caps.js';

/**
 * Mass messages as the API sees them: creating one (checked at once, then carried out by the
 * `wecom.mass.send` job), reading them with their counts, and their recipients.
 */

/** The job that chooses a task's recipients and hands each consultant's share to WeCom (key: task id). */
export const MASS_SEND_JOB = 'wecom.mass.send';

const bad = (field: string, message: string) => new AppError('invalid_request', `${field}: ${message}`, { field });

/** The same value for the same request whatever the order of its keys. */
function requestHash(input: WecomMassCreate): string {
  const { idempotencyKey: _key, ...request } = input;
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

/** The root unit of the creator's data scope; null for those who see the whole tenant. */
function creatorUnit(principal: Principal): string | null {
  const scope = principal.scope;
  if (scope.kind === 'all') return null;
  return scope.kind === 'units' ? scope.rootUnitId : principal.orgUnitId;
}

/** 400 unless the audience exists in the tenant (a segment's membership may still be computing). */
async function checkAudience(db: Db, tenantId: string, audience: WecomMassCreate['audience']): Promise<void> {
  try {
    if ('segmentId' in audience) await getSegment(db, tenantId, audience.segmentId);
    else await getTag(db, tenantId, audience.tagId);
  } catch (err) {
    if (!isAppError(err) || err.code !== 'not_found') throw err;
    if ('segmentId' in audience) throw bad('audience.segmentId', `no saved segment ${audience.segmentId} in this tenant; GET /api/v1/segments lists them`);
    throw bad('audience.tagId', `no tag ${audience.tagId} in this tenant; GET /api/v1/tags lists them`);
  }
}

/**
 * Queues a mass message: the connector and the audience are checked first (400, nothing written);
 * then the task (state queued) and its job in one transaction. Idempotent per creator: the same
 * idempotencyKey (or, without one, the same request on the same day in the tenant's time zone)
 * answers the task it made (`created: false`); the same key with another request is a 409.
 */
export async function createWecomMassMessage(deps: WecomDeps, principal: Principal, input: WecomMassCreate): Promise<{ message: WecomMassDetail; created: boolean }> {
  const { tenantId } = principal;
  const db = deps.store.db;
  const now = deps.clock.now();
  const hash = requestHash(input);
  const dedupeKey = input.idempotencyKey !== undefined ? `key:${input.idempotencyKey}` : `request:${dayIn(await tenantTimeZone(db, tenantId), now)}:${hash}`;
  // A replay answers the task it made, whatever became of its connector or audience since.
  const known = await repo.findMessageByKey(db, tenantId, principal.actor, dedupeKey);
  if (known) return { message: await getWecomMassMessage(db, principal, sameRequest(known, hash).id), created: false };
  if (!(await findConnector(db, tenantId, input.connectorId))) {
    throw bad('connectorId', `no WeCom connector ${input.connectorId} in this tenant; GET /api/v1/connectors/wecom lists them`);
  }
  await checkAudience(db, tenantId, input.audience);
  const id = randomUUID();
  const audience = 'segmentId' in input.audience ? { kind: 'segment' as const, id: input.audience.segmentId } : { kind: 'tag' as const, id: input.audience.tagId };
  const { messageId, created } = await db.transaction().execute(async (trx) => {
    const inserted = await repo.insertMessage(trx, tenantId, {
      id,
      connectorId: input.connectorId,
      name: input.name,
      audienceKind: audience.kind,
      audienceId: audience.id,
      content: input.content,
      createdBy: principal.actor,
      creatorStaffId: principal.staffId,
      creatorUnitId: creatorUnit(principal),
      dedupeKey,
      requestHash: hash,
      at: now,
    });
    if (!inserted) {
      // The same key was used by a request that committed meanwhile.
      const existing = await repo.findMessageByKey(trx, tenantId, principal.actor, dedupeKey);
      if (!existing) throw new AppError('internal', `mass message key ${dedupeKey} is taken but its task is not there`);
      return { messageId: sameRequest(existing, hash).id, created: false };
    }
    await ensureJob(trx, { tenantId, kind: MASS_SEND_JOB, key: id, runAt: now });
    await insertAudit(trx, {
      tenantId,
      actor: principal.actor,
      action: 'wecom_mass_message.create',
      targetType: 'wecom_mass_message',
      targetId: id,
      details: { name: input.name, connectorId: input.connectorId, audience: input.audience },
    });
    return { messageId: id, created: true };
  });
  return { message: await getWecomMassMessage(db, principal, messageId), created };
}

/** The task a key names, when it was made by the same request (409 otherwise). */
function sameRequest(existing: repo.MessageRow, hash: string): repo.MessageRow {
  if (existing.request_hash === hash) return existing;
  throw new AppError(
    'conflict',
    `you already used this idempotencyKey for another mass message (${existing.id}); send the same request again, or use a new key for a new message`,
    { id: existing.id },
  );
}

const notFound = (id: string) => new AppError('not_found', `no mass message ${id} that you may see; GET /api/v1/wecom/mass-messages lists them`);

const isState = (v: string): v is WecomMassMessage['state'] => (MASS_STATES as readonly string[]).includes(v);
const isStatus = (v: string): v is MassRecipientStatus => (MASS_RECIPIENT_STATUSES as readonly string[]).includes(v);
const isReason = (v: string): v is MassSkipReason => (MASS_SKIP_REASONS as readonly string[]).includes(v);

function emptyCounts(): WecomMassCounts {
  return {
    audience: 0,
    queued: 0,
    waiting: 0,
    sent: 0,
    notFriend: 0,
    wecomCap: 0,
    unsent: 0,
    failed: 0,
    skipped: { no_friendship: 0, consultant_inactive: 0, no_consent: 0, cap_reached: 0, wecom_refused: 0 },
  };
}

/** Adds `n` recipients of `status` (and `reason`, when skipped) to the counts. */
function addCount(c: WecomMassCounts, status: string, reason: string | null, n: number): void {
  c.audience += n;
  if (status === 'skipped' && reason !== null && isReason(reason)) c.skipped[reason] += n;
  else if (status === 'queued') c.queued += n;
  else if (status === 'waiting') c.waiting += n;
  else if (status === 'sent') c.sent += n;
  else if (status === 'not_friend') c.notFriend += n;
  else if (status === 'wecom_cap') c.wecomCap += n;
  else if (status === 'unsent') c.unsent += n;
  else if (status === 'failed') c.failed += n;
}

function storedError(value: unknown): { code: string; message: string } | null {
  if (!isRecord(value) || typeof value['code'] !== 'string' || typeof value['message'] !== 'string') return null;
  return { code: value['code'], message: value['message'] };
}

function messageView(row: repo.MessageRow, counts: WecomMassCounts): WecomMassMessage {
  const content = wecomMassContentSchema.safeParse(row.content);
  if (!content.success || !isState(row.state)) throw new AppError('internal', `mass message ${row.id} does not read back`);
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  const cap =
    row.cap_period !== null && isPeriod(row.cap_period) && row.cap_limit !== null && row.cap_from !== null && row.cap_until !== null
      ? { period: row.cap_period, limit: row.cap_limit, from: row.cap_from.toISOString(), until: row.cap_until.toISOString() }
      : null;
  return {
    id: row.id,
    connectorId: row.connector_id,
    name: row.name,
    audience: { segmentId: row.audience_kind === 'segment' ? row.audience_id : null, tagId: row.audience_kind === 'tag' ? row.audience_id : null },
    content: content.data,
    state: row.state,
    error: storedError(row.error),
    createdBy: row.created_by,
    cap,
    counts,
    createdAt: row.created_at.toISOString(),
    preparedAt: iso(row.prepared_at),
    sentAt: iso(row.sent_at),
    resultsUntil: iso(row.results_until),
    finishedAt: iso(row.finished_at),
  };
}

async function countsByMessage(db: Db, tenantId: string, ids: readonly string[]): Promise<Map<string, WecomMassCounts>> {
  const counts = new Map(ids.map((id) => [id, emptyCounts()]));
  for (const r of await repo.statusCounts(db, tenantId, ids)) {
    const c = counts.get(r.message_id);
    if (c) addCount(c, r.status, r.reason, r.n);
  }
  return counts;
}

type ConsultantView = WecomMassDetail['byConsultant'][number];

async function byConsultant(db: Db, tenantId: string, id: string): Promise<ConsultantView[]> {
  const views = new Map<string, ConsultantView>();
  const viewOf = (wecomUserId: string, staffId: string | null): ConsultantView => {
    let v = views.get(wecomUserId);
    if (!v) {
      v = { wecomUserId, staffId, msgids: [], recipients: 0, waiting: 0, sent: 0, notFriend: 0, wecomCap: 0, unsent: 0, failed: 0, refused: 0, errors: [] };
      views.set(wecomUserId, v);
    }
    return v;
  };
  for (const b of await listBatches(db, tenantId, id)) {
    const v = viewOf(b.wecom_user_id, b.staff_id);
    if (b.msgid !== null) v.msgids.push(b.msgid);
    if (b.error !== null) v.errors.push(b.error);
  }
  for (const r of await repo.consultantCounts(db, tenantId, id)) {
    const v = viewOf(r.wecom_user_id, r.staff_id);
    const c = emptyCounts();
    addCount(c, r.status, r.reason, r.n);
    v.recipients += r.n;
    v.waiting += c.waiting + c.queued;
    v.sent += c.sent;
    v.notFriend += c.notFriend;
    v.wecomCap += c.wecomCap;
    v.unsent += c.unsent;
    v.failed += c.failed;
    v.refused += c.skipped.wecom_refused;
  }
  return [...views.values()];
}

/** A task with its counts and its consultants' shares (404 when the caller may not see it). */
export async function getWecomMassMessage(db: Db, principal: Principal, id: string): Promise<WecomMassDetail> {
  const row = await repo.findVisibleMessage(db, principal, id);
  if (!row) throw notFound(id);
  const counts = (await countsByMessage(db, principal.tenantId, [id])).get(id) ?? emptyCounts();
  return { ...messageView(row, counts), byConsultant: await byConsultant(db, principal.tenantId, id) };
}

/** The tasks the caller may see, newest first. */
export async function listWecomMassMessages(db: Db, principal: Principal, q: { limit: number; cursor?: string | undefined }): Promise<WecomMassList> {
  // One more than the page: a next page exists only if it does (no cursor to an empty page).
  const fetched = await repo.listVisibleMessages(db, principal, q.limit + 1, q.cursor);
  const rows = fetched.slice(0, q.limit);
  const counts = await countsByMessage(
    db,
    principal.tenantId,
    rows.map((r) => r.id),
  );
  return {
    data: rows.map((r) => messageView(r, counts.get(r.id) ?? emptyCounts())),
    nextCursor: fetched.length > q.limit ? (rows[rows.length - 1]?.id ?? null) : null,
  };
}

/** A page of a task's recipients in the caller's data scope, external_userid masked for roles that see PII masked. */
export async function wecomMassRecipients(db: Db, principal: Principal, id: string, q: WecomMassRecipientsQuery): Promise<WecomMassRecipients> {
  if (!(await repo.findVisibleMessage(db, principal, id))) throw notFound(id);
  const fetched = await repo.listRecipients(db, principal, id, { ...q, limit: q.limit + 1 });
  const rows = fetched.slice(0, q.limit);
  const data = rows.map((r) => {
    if (!isStatus(r.status) || (r.reason !== null && !isReason(r.reason))) throw new AppError('internal', `a recipient of mass message ${id} does not read back`);
    const reason = r.reason !== null && isReason(r.reason) ? r.reason : null;
    const externalUserid = r.external_userid === null ? null : principal.maskPii ? maskIdentifierValue(WECOM_EXTERNAL_USERID, r.external_userid) : r.external_userid;
    return {
      profileId: r.profile_id,
      externalUserid,
      wecomUserId: r.wecom_user_id,
      staffId: r.staff_id,
      status: r.status,
      reason,
      wecomStatus: r.wecom_status === null ? null : Number(r.wecom_status),
      sentAt: r.sent_at?.toISOString() ?? null,
    };
  });
  return { data, nextCursor: fetched.length > q.limit ? (rows[rows.length - 1]?.profile_id ?? null) : null };
}
