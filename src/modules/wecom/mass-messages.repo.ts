import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import { customerVisible, unitVisible, type Principal } from '../tenancy/index.js';
import { WECOM_EXTERNAL_USERID } from './sidebar.repo.js';

/** SQL of mass messages: the tasks, the people chosen (or skipped) and the add_msg_template calls. */

export interface MessageRow {
  id: string;
  connector_id: string;
  name: string;
  audience_kind: string;
  audience_id: string;
  content: unknown;
  created_by: string;
  creator_staff_id: string | null;
  creator_unit_id: string | null;
  request_hash: string;
  state: string;
  error: unknown;
  cap_period: string | null;
  cap_limit: number | null;
  cap_from: Date | null;
  cap_until: Date | null;
  created_at: Date;
  prepared_at: Date | null;
  sent_at: Date | null;
  results_until: Date | null;
  finished_at: Date | null;
}

const MESSAGE_COLUMNS = sql`id, connector_id, name, audience_kind, audience_id, content, created_by, creator_staff_id, creator_unit_id, request_hash, state, error,
  cap_period, cap_limit, cap_from, cap_until, created_at, prepared_at, sent_at, results_until, finished_at`;

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;

export interface NewMessage {
  id: string;
  connectorId: string;
  name: string;
  audienceKind: 'segment' | 'tag';
  audienceId: string;
  content: unknown;
  createdBy: string;
  creatorStaffId: string | null;
  creatorUnitId: string | null;
  dedupeKey: string;
  requestHash: string;
  at: Date;
}

/** Inserts a queued task; false when the creator already used the key (nothing written). */
export async function insertMessage(db: Db, tenantId: string, m: NewMessage): Promise<boolean> {
  const { rows } = await sql<{ id: string }>`
    INSERT INTO wecom_mass_messages (tenant_id, id, connector_id, name, audience_kind, audience_id, content, created_by, creator_staff_id, creator_unit_id,
      dedupe_key, request_hash, state, created_at, updated_at)
    VALUES (${tenantId}, ${m.id}, ${m.connectorId}, ${m.name}, ${m.audienceKind}, ${m.audienceId}, ${JSON.stringify(m.content)}::jsonb, ${m.createdBy},
      ${m.creatorStaffId}, ${m.creatorUnitId}, ${m.dedupeKey}, ${m.requestHash}, 'queued', ${ts(m.at)}, ${ts(m.at)})
    ON CONFLICT (tenant_id, created_by, dedupe_key) DO NOTHING
    RETURNING id`.execute(db);
  return rows.length === 1;
}

export async function findMessageByKey(db: Db, tenantId: string, createdBy: string, dedupeKey: string): Promise<MessageRow | null> {
  const { rows } = await sql<MessageRow>`
    SELECT ${MESSAGE_COLUMNS} FROM wecom_mass_messages WHERE tenant_id = ${tenantId} AND created_by = ${createdBy} AND dedupe_key = ${dedupeKey}`.execute(db);
  return rows[0] ?? null;
}

/** The task; `forUpdate` locks it for the rest of the transaction (one job works on it at a time). */
export async function findMessage(db: Db, tenantId: string, id: string, forUpdate = false): Promise<MessageRow | null> {
  const { rows } = await sql<MessageRow>`
    SELECT ${MESSAGE_COLUMNS} FROM wecom_mass_messages WHERE tenant_id = ${tenantId} AND id = ${id} ${forUpdate ? sql`FOR UPDATE` : sql``}`.execute(db);
  return rows[0] ?? null;
}

/** The task when the principal may see it: HQ roles every task, dealer staff those created in their units. */
export async function findVisibleMessage(db: Db, principal: Principal, id: string): Promise<MessageRow | null> {
  const { rows } = await sql<MessageRow>`
    SELECT ${MESSAGE_COLUMNS} FROM wecom_mass_messages m
    WHERE m.tenant_id = ${principal.tenantId} AND m.id = ${id} AND ${unitVisible(principal, sql.ref('m.creator_unit_id'))}`.execute(db);
  return rows[0] ?? null;
}

/** Newest first, after the task `cursor`. */
export async function listVisibleMessages(db: Db, principal: Principal, limit: number, cursor: string | undefined): Promise<MessageRow[]> {
  const after = cursor
    ? sql`AND (m.created_at, m.id) < (SELECT c.created_at, c.id FROM wecom_mass_messages c WHERE c.tenant_id = ${principal.tenantId} AND c.id = ${cursor})`
    : sql``;
  const { rows } = await sql<MessageRow>`
    SELECT ${MESSAGE_COLUMNS} FROM wecom_mass_messages m
    WHERE m.tenant_id = ${principal.tenantId} AND ${unitVisible(principal, sql.ref('m.creator_unit_id'))} ${after}
    ORDER BY m.created_at DESC, m.id DESC LIMIT ${limit}`.execute(db);
  return rows;
}

export interface StatusCount {
  message_id: string;
  status: string;
  reason: string | null;
  n: number;
}

/** Recipients per task, status and reason. */
export async function statusCounts(db: Db, tenantId: string, messageIds: readonly string[]): Promise<StatusCount[]> {
  if (messageIds.length === 0) return [];
  const { rows } = await sql<StatusCount>`
    SELECT message_id, status, reason, count(*)::int AS n FROM wecom_mass_recipients
    WHERE tenant_id = ${tenantId} AND message_id = ANY(${[...messageIds]}::uuid[])
    GROUP BY message_id, status, reason`.execute(db);
  return rows.map((r) => ({ ...r, n: Number(r.n) }));
}

export interface ConsultantCount {
  wecom_user_id: string;
  staff_id: string | null;
  status: string;
  reason: string | null;
  n: number;
}

/** The handed-over (or refused) recipients of a task per consultant and status. */
export async function consultantCounts(db: Db, tenantId: string, messageId: string): Promise<ConsultantCount[]> {
  const { rows } = await sql<ConsultantCount>`
    SELECT wecom_user_id, staff_id, status, reason, count(*)::int AS n FROM wecom_mass_recipients
    WHERE tenant_id = ${tenantId} AND message_id = ${messageId} AND batch_no IS NOT NULL
    GROUP BY wecom_user_id, staff_id, status, reason ORDER BY wecom_user_id`.execute(db);
  return rows.map((r) => ({ ...r, n: Number(r.n) }));
}

export interface RecipientRow {
  profile_id: string;
  external_userid: string | null;
  wecom_user_id: string | null;
  staff_id: string | null;
  status: string;
  reason: string | null;
  wecom_status: number | null;
  sent_at: Date | null;
}

/** A page of recipients in profile id order, those in the principal's scope only. */
export async function listRecipients(
  db: Db,
  principal: Principal,
  messageId: string,
  q: { status?: string | undefined; reason?: string | undefined; wecomUserId?: string | undefined; limit: number; cursor?: string | undefined },
): Promise<RecipientRow[]> {
  const filters = [
    q.status === undefined ? sql`` : sql`AND r.status = ${q.status}`,
    q.reason === undefined ? sql`` : sql`AND r.reason = ${q.reason}`,
    q.wecomUserId === undefined ? sql`` : sql`AND r.wecom_user_id = ${q.wecomUserId}`,
    q.cursor === undefined ? sql`` : sql`AND r.profile_id > ${q.cursor}::uuid`,
  ];
  const { rows } = await sql<RecipientRow>`
    SELECT r.profile_id, r.external_userid, r.wecom_user_id, r.staff_id, r.status, r.reason, r.wecom_status, r.sent_at
    FROM wecom_mass_recipients r
    WHERE r.tenant_id = ${principal.tenantId} AND r.message_id = ${messageId} ${sql.join(filters, sql` `)}
      AND ${customerVisible(principal, sql.ref('r.profile_id'))}
    ORDER BY r.profile_id LIMIT ${q.limit}`.execute(db);
  return rows;
}

/**
 * Serialises the choosing of recipients of one connector's mass messages until the transaction
 * ends: the count of a customer's messages in the period and the new places taken in it are then
 * read and written by one task at a time, so concurrent tasks never exceed the cap together.
 */
export async function lockCap(trx: Db, tenantId: string, connectorId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`siyu.wecom_mass_cap:${tenantId}:${connectorId}`}, 0))`.execute(trx);
}

/** Consultants whose friendships the principal may send through: HQ every one, dealer staff those of their units. */
function consultantInScope(principal: Principal, wecomUserId: RawBuilder<unknown> | ReturnType<typeof sql.ref>): RawBuilder<boolean> {
  const scope = principal.scope;
  switch (scope.kind) {
    case 'all':
      return sql<boolean>`TRUE`;
    case 'units':
      return sql<boolean>`(${wecomUserId} = ANY(${[...scope.wecomUserIds]}::text[]))`;
    case 'own':
      return sql<boolean>`(${wecomUserId} = ${scope.wecomUserId}::text)`;
  }
}

export interface ChooseInput {
  messageId: string;
  connectorId: string;
  corpId: string;
  audience: { kind: 'segment' | 'tag'; id: string };
  principal: Principal;
  cap: { limit: number; from: Date; until: Date };
  /** Customers per add_msg_template call. */
  chunkSize: number;
  now: Date;
}

/**
 * Writes one row per person of the audience in the principal's scope, in one statement: the person's
 * live friendships on the connector (through consultants in scope) found by their external_userid in
 * the corp; of those with an active consultant (active staff with that WeCom id, in an active unit)
 * the most recent. Then the first reason that holds: no friendship, no active consultant, no WeCom
 * marketing consent (the current state must be granted), or the customer's messages in the cap's
 * period already at the limit. The others are queued, take a place in the cap and are numbered into
 * add_msg_template calls: per consultant, in external_userid order, at most `chunkSize` a call.
 *
 * The statement must stay linear in the audience whatever the planner believes about the tables: a
 * tenant's fresh rows have no statistics yet, and joins planned on those estimates were measured to
 * go quadratic (a nested loop scanning the tenant's friendships once per person: seconds for 1,000
 * people). So the transaction plans it without nested-loop joins (hash joins read each table's
 * range once) and what is read per person is a scalar subquery: an index probe.
 */
export async function chooseRecipients(trx: Db, tenantId: string, c: ChooseInput): Promise<void> {
  const members =
    c.audience.kind === 'segment'
      ? sql`SELECT m.profile_id FROM segment_members m WHERE m.tenant_id = ${tenantId} AND m.segment_id = ${c.audience.id}`
      : sql`SELECT m.profile_id FROM profile_tags m WHERE m.tenant_id = ${tenantId} AND m.tag_id = ${c.audience.id}`;
  const now = ts(c.now);
  await sql`SET LOCAL enable_nestloop = off`.execute(trx);
  await sql`
    WITH audience AS MATERIALIZED (
      SELECT a.profile_id FROM (${members}) a
      WHERE (SELECT p.merged_into IS NULL FROM profiles p WHERE p.tenant_id = ${tenantId} AND p.id = a.profile_id)
        AND ${customerVisible(c.principal, sql.ref('a.profile_id'))}
    ),
    live AS (
      SELECT pi.profile_id, f.external_userid, f.wecom_user_id, f.added_at,
        (SELECT st.id FROM staff st
         WHERE st.tenant_id = ${tenantId} AND st.wecom_user_id = f.wecom_user_id AND st.active
           AND (SELECT u.active FROM org_units u WHERE u.tenant_id = st.tenant_id AND u.id = st.org_unit_id)) AS staff_id
      FROM audience a
      JOIN profile_identifiers pi ON pi.tenant_id = ${tenantId} AND pi.profile_id = a.profile_id AND pi.type = ${WECOM_EXTERNAL_USERID} AND pi.scope = ${c.corpId}
      JOIN wecom_friendships f ON f.tenant_id = ${tenantId} AND f.connector_id = ${c.connectorId} AND f.external_userid = pi.value AND f.removed_at IS NULL
      WHERE ${consultantInScope(c.principal, sql.ref('f.wecom_user_id'))}
    ),
    chosen AS (
      SELECT DISTINCT ON (profile_id) profile_id, external_userid, wecom_user_id, staff_id FROM live
      ORDER BY profile_id, (staff_id IS NOT NULL) DESC, added_at DESC, wecom_user_id
    ),
    judged AS (
      SELECT a.profile_id, ch.external_userid, ch.wecom_user_id, ch.staff_id,
        CASE
          WHEN ch.profile_id IS NULL THEN 'no_friendship'
          WHEN ch.staff_id IS NULL THEN 'consultant_inactive'
          WHEN (SELECT cs.state FROM consents cs
                WHERE cs.tenant_id = ${tenantId} AND cs.profile_id = a.profile_id AND cs.channel = 'wecom' AND cs.purpose = 'marketing') IS DISTINCT FROM 'granted'
            THEN 'no_consent'
          WHEN (SELECT count(*) FROM wecom_mass_recipients h
                WHERE h.tenant_id = ${tenantId} AND h.connector_id = ${c.connectorId} AND h.external_userid = ch.external_userid AND h.holds_cap
                  AND h.reserved_at >= ${ts(c.cap.from)} AND h.reserved_at < ${ts(c.cap.until)}) >= ${c.cap.limit}
            THEN 'cap_reached'
        END AS reason
      FROM audience a LEFT JOIN chosen ch ON ch.profile_id = a.profile_id
    ),
    numbered AS (
      SELECT judged.*, (row_number() OVER (PARTITION BY reason IS NULL, wecom_user_id ORDER BY external_userid, profile_id) - 1) / ${c.chunkSize} AS chunk FROM judged
    )
    INSERT INTO wecom_mass_recipients (tenant_id, message_id, profile_id, connector_id, external_userid, wecom_user_id, staff_id, batch_no, status, reason, holds_cap, reserved_at, updated_at)
    SELECT ${tenantId}, ${c.messageId}, profile_id, ${c.connectorId}, external_userid, wecom_user_id, staff_id,
      CASE WHEN reason IS NULL THEN dense_rank() OVER (PARTITION BY reason IS NULL ORDER BY wecom_user_id, chunk) END,
      CASE WHEN reason IS NULL THEN 'queued' ELSE 'skipped' END, reason, reason IS NULL, CASE WHEN reason IS NULL THEN ${now} END, ${now}
    FROM numbered`.execute(trx);
  await sql`SET LOCAL enable_nestloop = on`.execute(trx);
}

/** One pending batch per add_msg_template call the recipients were numbered into. */
export async function insertBatches(trx: Db, tenantId: string, messageId: string): Promise<void> {
  await sql`
    INSERT INTO wecom_mass_batches (tenant_id, message_id, batch_no, wecom_user_id, staff_id, recipients, state)
    SELECT tenant_id, message_id, batch_no, wecom_user_id, staff_id, count(*), 'pending' FROM wecom_mass_recipients
    WHERE tenant_id = ${tenantId} AND message_id = ${messageId} AND batch_no IS NOT NULL
    GROUP BY tenant_id, message_id, batch_no, wecom_user_id, staff_id`.execute(trx);
}

export interface StateChange {
  state: string;
  at: Date;
  error?: { code: string; message: string };
  /** The recipients were chosen under this cap. */
  prepared?: { period: string; limit: number; from: Date; until: Date };
  /** Every share was handed to WeCom; results are read until then at the latest. */
  resultsUntil?: Date;
  finished?: boolean;
}

export async function setMessageState(db: Db, tenantId: string, id: string, s: StateChange): Promise<void> {
  const sets = [sql`state = ${s.state}`, sql`updated_at = ${ts(s.at)}`];
  if (s.error) sets.push(sql`error = ${JSON.stringify(s.error)}::jsonb`);
  if (s.prepared) {
    const cap = s.prepared;
    sets.push(sql`prepared_at = ${ts(s.at)}, cap_period = ${cap.period}, cap_limit = ${cap.limit}, cap_from = ${ts(cap.from)}, cap_until = ${ts(cap.until)}`);
  }
  if (s.resultsUntil) sets.push(sql`sent_at = ${ts(s.at)}, results_until = ${ts(s.resultsUntil)}`);
  if (s.finished) sets.push(sql`finished_at = ${ts(s.at)}`);
  await sql`UPDATE wecom_mass_messages SET ${sql.join(sets)} WHERE tenant_id = ${tenantId} AND id = ${id}`.execute(db);
}
