import { sql, type RawBuilder } from 'kysely';
import type { TransferKind, TransferOutcome } from '../../contracts/wecom-transfers.js';
import type { Db } from '../../platform/db/index.js';
import { customerVisible, type Principal } from '../tenancy/index.js';

/** SQL of customer transfers (`wecom_transfers`, `wecom_transfer_customers`). */

export const TRANSFERS_JOB = 'wecom.transfers';

const iso = (d: Date) => d.toISOString();

/** Outcomes a customer may still leave (the job's work); the rest are final. */
const OPEN = sql`('pending', 'waiting')`;

/**
 * Serialises the tenant's transfer requests until the transaction ends, so that the 90-day count,
 * the open-transfer check and the idempotency key see every earlier request.
 */
export async function lockTransfers(trx: Db, tenantId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`siyu.wecom_transfers:${tenantId}`}, 0))`.execute(trx);
}

export interface StaffMember {
  id: string;
  name: string;
  wecomUserId: string | null;
  unitId: string;
  active: boolean;
}

export async function staffMember(db: Db, tenantId: string, id: string): Promise<StaffMember | null> {
  const { rows } = await sql<{ id: string; name: string; wecom_user_id: string | null; org_unit_id: string; active: boolean }>`
    SELECT id, name, wecom_user_id, org_unit_id, active FROM staff WHERE tenant_id = ${tenantId} AND id = ${id}`.execute(db);
  const r = rows[0];
  return r ? { id: r.id, name: r.name, wecomUserId: r.wecom_user_id, unitId: r.org_unit_id, active: r.active } : null;
}

export async function staffMemberByWecomId(db: Db, tenantId: string, wecomUserId: string): Promise<StaffMember | null> {
  const { rows } = await sql<{ id: string }>`SELECT id FROM staff WHERE tenant_id = ${tenantId} AND wecom_user_id = ${wecomUserId}`.execute(db);
  return rows[0] ? staffMember(db, tenantId, rows[0].id) : null;
}

/** Only the people `principal` may see (none given: the system, everyone). */
const visibleTo = (principal: Principal | undefined) => (principal ? customerVisible(principal, sql.ref('profile_id')) : sql`TRUE`);

/** The person behind each external_userid of the corp (among those `principal` may see). */
export async function profilesOfCustomers(db: Db, tenantId: string, corpId: string, externalUserids: readonly string[], principal?: Principal): Promise<Map<string, string>> {
  if (externalUserids.length === 0) return new Map();
  const { rows } = await sql<{ value: string; profile_id: string }>`
    SELECT value, profile_id FROM profile_identifiers
    WHERE tenant_id = ${tenantId} AND type = 'wecom_external_userid' AND scope = ${corpId} AND value = ANY(${[...externalUserids]}::text[])
      AND ${visibleTo(principal)}`.execute(db);
  return new Map(rows.map((r) => [r.value, r.profile_id]));
}

/** Each profile's external_userids in the corp (of the profiles `principal` may see). */
export async function customersOfProfiles(db: Db, tenantId: string, corpId: string, profileIds: readonly string[], principal?: Principal): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (profileIds.length === 0) return out;
  const { rows } = await sql<{ value: string; profile_id: string }>`
    SELECT value, profile_id FROM profile_identifiers
    WHERE tenant_id = ${tenantId} AND type = 'wecom_external_userid' AND scope = ${corpId} AND profile_id = ANY(${[...profileIds]}::uuid[])
      AND ${visibleTo(principal)}
    ORDER BY value`.execute(db);
  for (const r of rows) out.set(r.profile_id, [...(out.get(r.profile_id) ?? []), r.value]);
  return out;
}

/** The customers a member has as live friends, as the callbacks recorded them. */
export async function liveCustomersOf(db: Db, tenantId: string, connectorId: string, wecomUserId: string): Promise<string[]> {
  const { rows } = await sql<{ external_userid: string }>`
    SELECT external_userid FROM wecom_friendships
    WHERE tenant_id = ${tenantId} AND connector_id = ${connectorId} AND wecom_user_id = ${wecomUserId} AND removed_at IS NULL
    ORDER BY added_at, external_userid`.execute(db);
  return rows.map((r) => r.external_userid);
}

export interface TransferRow {
  tenantId: string;
  id: string;
  connectorId: string;
  kind: TransferKind;
  handoverUserid: string;
  handoverStaffId: string | null;
  handoverUnitId: string | null;
  takeoverUserid: string;
  takeoverStaffId: string;
  takeoverUnitId: string;
  message: string | null;
  idempotencyKey: string | null;
  requestHash: string;
  requestedBy: string;
  createdAt: Date;
  settledAt: Date | null;
}

type TransferDbRow = {
  tenant_id: string;
  id: string;
  connector_id: string;
  kind: TransferKind;
  handover_userid: string;
  handover_staff_id: string | null;
  handover_unit_id: string | null;
  takeover_userid: string;
  takeover_staff_id: string;
  takeover_unit_id: string;
  message: string | null;
  idempotency_key: string | null;
  request_hash: string;
  requested_by: string;
  created_at: Date;
  settled_at: Date | null;
};

const fromTransferRow = (r: TransferDbRow): TransferRow => ({
  tenantId: r.tenant_id,
  id: r.id,
  connectorId: r.connector_id,
  kind: r.kind,
  handoverUserid: r.handover_userid,
  handoverStaffId: r.handover_staff_id,
  handoverUnitId: r.handover_unit_id,
  takeoverUserid: r.takeover_userid,
  takeoverStaffId: r.takeover_staff_id,
  takeoverUnitId: r.takeover_unit_id,
  message: r.message,
  idempotencyKey: r.idempotency_key,
  requestHash: r.request_hash,
  requestedBy: r.requested_by,
  createdAt: r.created_at,
  settledAt: r.settled_at,
});

const TRANSFER_COLUMNS = sql`t.tenant_id, t.id, t.connector_id, t.kind, t.handover_userid, t.handover_staff_id, t.handover_unit_id, t.takeover_userid,
  t.takeover_staff_id, t.takeover_unit_id, t.message, t.idempotency_key, t.request_hash, t.requested_by, t.created_at, t.settled_at`;

export async function findTransfer(db: Db, tenantId: string, id: string): Promise<TransferRow | null> {
  const { rows } = await sql<TransferDbRow>`SELECT ${TRANSFER_COLUMNS} FROM wecom_transfers t WHERE t.tenant_id = ${tenantId} AND t.id = ${id}`.execute(db);
  return rows[0] ? fromTransferRow(rows[0]) : null;
}

export async function transferByKey(db: Db, tenantId: string, key: string): Promise<TransferRow | null> {
  const { rows } = await sql<TransferDbRow>`SELECT ${TRANSFER_COLUMNS} FROM wecom_transfers t WHERE t.tenant_id = ${tenantId} AND t.idempotency_key = ${key}`.execute(db);
  return rows[0] ? fromTransferRow(rows[0]) : null;
}

export interface OpenCustomer {
  externalUserid: string;
  transferId: string;
  kind: TransferKind;
  handoverUserid: string;
  takeoverUserid: string;
}

/** The transfers these customers are still open in (pending or waiting), any kind. */
export async function openTransfersOf(db: Db, tenantId: string, connectorId: string, externalUserids: readonly string[]): Promise<Map<string, OpenCustomer>> {
  if (externalUserids.length === 0) return new Map();
  const { rows } = await sql<{ external_userid: string; transfer_id: string; kind: TransferKind; handover_userid: string; takeover_userid: string }>`
    SELECT c.external_userid, c.transfer_id, t.kind, t.handover_userid, t.takeover_userid
    FROM wecom_transfer_customers c JOIN wecom_transfers t ON t.tenant_id = c.tenant_id AND t.id = c.transfer_id
    WHERE c.tenant_id = ${tenantId} AND c.connector_id = ${connectorId} AND c.external_userid = ANY(${[...externalUserids]}::text[]) AND c.outcome IN ${OPEN}
    ORDER BY c.requested_at`.execute(db);
  return new Map(
    rows.map((r) => [r.external_userid, { externalUserid: r.external_userid, transferId: r.transfer_id, kind: r.kind, handoverUserid: r.handover_userid, takeoverUserid: r.takeover_userid }]),
  );
}

/**
 * The on-the-job transfers of each customer since `since` that WeCom counts: sent or about to be
 * (pending), waiting, or taken over. Refusals by Siyu or WeCom do not count. Oldest first.
 */
export async function recentOnJobTransfers(db: Db, tenantId: string, connectorId: string, externalUserids: readonly string[], since: Date): Promise<Map<string, Date[]>> {
  const out = new Map<string, Date[]>();
  if (externalUserids.length === 0) return out;
  const { rows } = await sql<{ external_userid: string; requested_at: Date }>`
    SELECT external_userid, requested_at FROM wecom_transfer_customers
    WHERE tenant_id = ${tenantId} AND connector_id = ${connectorId} AND external_userid = ANY(${[...externalUserids]}::text[])
      AND kind = 'on_job' AND requested_at > ${iso(since)}::timestamptz AND outcome IN ('pending', 'waiting', 'taken_over')
    ORDER BY requested_at`.execute(db);
  for (const r of rows) out.set(r.external_userid, [...(out.get(r.external_userid) ?? []), r.requested_at]);
  return out;
}

export async function insertTransfer(db: Db, t: TransferRow, now: Date): Promise<void> {
  await sql`
    INSERT INTO wecom_transfers (tenant_id, id, connector_id, kind, handover_userid, handover_staff_id, handover_unit_id, takeover_userid, takeover_staff_id,
      takeover_unit_id, message, idempotency_key, request_hash, requested_by, created_at, settled_at, updated_at)
    VALUES (${t.tenantId}, ${t.id}, ${t.connectorId}, ${t.kind}, ${t.handoverUserid}, ${t.handoverStaffId}, ${t.handoverUnitId}, ${t.takeoverUserid},
      ${t.takeoverStaffId}, ${t.takeoverUnitId}, ${t.message}, ${t.idempotencyKey}, ${t.requestHash}, ${t.requestedBy}, ${iso(t.createdAt)}::timestamptz,
      ${t.settledAt ? iso(t.settledAt) : null}::timestamptz, ${iso(now)}::timestamptz)`.execute(db);
}

export interface NewCustomer {
  externalUserid: string;
  profileId: string | null;
  outcome: TransferOutcome;
  reason: string | null;
}

export async function insertCustomers(db: Db, t: Pick<TransferRow, 'tenantId' | 'id' | 'connectorId' | 'kind'>, customers: readonly NewCustomer[], now: Date): Promise<void> {
  if (customers.length === 0) return;
  const final = (c: NewCustomer) => c.outcome !== 'pending';
  await sql`
    INSERT INTO wecom_transfer_customers (tenant_id, transfer_id, position, connector_id, kind, external_userid, profile_id, outcome, reason, requested_at, settled_at)
    SELECT ${t.tenantId}::uuid, ${t.id}::uuid, c.position, ${t.connectorId}::uuid, ${t.kind}, c.external_userid, c.profile_id, c.outcome, c.reason,
      ${iso(now)}::timestamptz, CASE WHEN c.final THEN ${iso(now)}::timestamptz END
    FROM unnest(${customers.map((_, i) => i + 1)}::int[], ${customers.map((c) => c.externalUserid)}::text[], ${customers.map((c) => c.profileId)}::uuid[],
      ${customers.map((c) => c.outcome)}::text[], ${customers.map((c) => c.reason)}::text[], ${customers.map(final)}::boolean[])
      AS c(position, external_userid, profile_id, outcome, reason, final)`.execute(db);
}

export interface CustomerRow {
  position: number;
  externalUserid: string;
  profileId: string | null;
  batch: number | null;
  outcome: TransferOutcome;
  errcode: number | null;
  reason: string | null;
  requestedAt: Date;
  takenOverAt: Date | null;
  settledAt: Date | null;
}

type CustomerDbRow = {
  position: number;
  external_userid: string;
  profile_id: string | null;
  batch: number | null;
  outcome: TransferOutcome;
  errcode: number | null;
  reason: string | null;
  requested_at: Date;
  taken_over_at: Date | null;
  settled_at: Date | null;
};

const fromCustomerRow = (r: CustomerDbRow): CustomerRow => ({
  position: Number(r.position),
  externalUserid: r.external_userid,
  profileId: r.profile_id,
  batch: r.batch === null ? null : Number(r.batch),
  outcome: r.outcome,
  errcode: r.errcode === null ? null : Number(r.errcode),
  reason: r.reason,
  requestedAt: r.requested_at,
  takenOverAt: r.taken_over_at,
  settledAt: r.settled_at,
});

/** The transfer's customers in the order asked; `outcomes` keeps only those. */
export async function transferCustomers(db: Db, tenantId: string, transferId: string, outcomes?: readonly TransferOutcome[]): Promise<CustomerRow[]> {
  const { rows } = await sql<CustomerDbRow>`
    SELECT position, external_userid, profile_id, batch, outcome, errcode, reason, requested_at, taken_over_at, settled_at
    FROM wecom_transfer_customers WHERE tenant_id = ${tenantId} AND transfer_id = ${transferId}
      ${outcomes ? sql`AND outcome = ANY(${[...outcomes]}::text[])` : sql``}
    ORDER BY position`.execute(db);
  return rows.map(fromCustomerRow);
}

/** The highest batch number used so far (0 before the first call). */
export async function lastBatch(db: Db, tenantId: string, transferId: string): Promise<number> {
  const { rows } = await sql<{ n: number | null }>`
    SELECT max(batch) AS n FROM wecom_transfer_customers WHERE tenant_id = ${tenantId} AND transfer_id = ${transferId}`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

export interface CustomerUpdate {
  externalUserid: string;
  outcome: TransferOutcome;
  batch: number | null;
  errcode: number | null;
  reason: string | null;
  takenOverAt: Date | null;
}

/**
 * Writes outcomes of customers still open (a settled customer keeps its outcome, so a late answer
 * never undoes a transfer_fail or a takeover); final outcomes get `settled_at`. Answers the
 * customers changed.
 */
export async function updateCustomers(db: Db, tenantId: string, transferId: string, updates: readonly CustomerUpdate[], now: Date): Promise<string[]> {
  if (updates.length === 0) return [];
  const { rows } = await sql<{ external_userid: string }>`
    UPDATE wecom_transfer_customers c SET outcome = u.outcome, batch = COALESCE(u.batch, c.batch), errcode = u.errcode, reason = u.reason,
      taken_over_at = u.taken_over_at, settled_at = CASE WHEN u.outcome IN ${OPEN} THEN NULL ELSE ${iso(now)}::timestamptz END
    FROM unnest(${updates.map((u) => u.externalUserid)}::text[], ${updates.map((u) => u.outcome)}::text[], ${updates.map((u) => u.batch)}::int[],
      ${updates.map((u) => u.errcode)}::int[], ${updates.map((u) => u.reason)}::text[], ${updates.map((u) => (u.takenOverAt ? iso(u.takenOverAt) : null))}::timestamptz[])
      AS u(external_userid, outcome, batch, errcode, reason, taken_over_at)
    WHERE c.tenant_id = ${tenantId} AND c.transfer_id = ${transferId} AND c.external_userid = u.external_userid AND c.outcome IN ${OPEN}
    RETURNING c.external_userid`.execute(db);
  return rows.map((r) => r.external_userid);
}

/** Marks the transfer settled once none of its customers is open; answers whether it is settled. */
export async function settleTransferIfDone(db: Db, tenantId: string, transferId: string, now: Date): Promise<boolean> {
  await sql`
    UPDATE wecom_transfers t SET settled_at = ${iso(now)}::timestamptz, updated_at = ${iso(now)}::timestamptz
    WHERE t.tenant_id = ${tenantId} AND t.id = ${transferId} AND t.settled_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM wecom_transfer_customers c WHERE c.tenant_id = t.tenant_id AND c.transfer_id = t.id AND c.outcome IN ${OPEN})`.execute(db);
  const { rows } = await sql<{ settled: boolean }>`
    SELECT settled_at IS NOT NULL AS settled FROM wecom_transfers WHERE tenant_id = ${tenantId} AND id = ${transferId}`.execute(db);
  return rows[0]?.settled === true;
}

/**
 * The open customer row a transfer_fail callback is about: the newest transfer of this customer to
 * the takeover member that is still open.
 */
export async function openTransferTo(db: Db, tenantId: string, connectorId: string, externalUserid: string, takeoverUserid: string): Promise<string | null> {
  const { rows } = await sql<{ transfer_id: string }>`
    SELECT c.transfer_id FROM wecom_transfer_customers c JOIN wecom_transfers t ON t.tenant_id = c.tenant_id AND t.id = c.transfer_id
    WHERE c.tenant_id = ${tenantId} AND c.connector_id = ${connectorId} AND c.external_userid = ${externalUserid} AND t.takeover_userid = ${takeoverUserid}
      AND c.outcome IN ${OPEN}
    ORDER BY c.requested_at DESC LIMIT 1`.execute(db);
  return rows[0]?.transfer_id ?? null;
}

/** Whether the pair had an episode that a transfer ended at or after `since` (the result poller was first). */
export async function endedByTransferSince(db: Db, tenantId: string, connectorId: string, externalUserid: string, wecomUserId: string, since: Date): Promise<boolean> {
  const { rows } = await sql<{ one: number }>`
    SELECT 1 AS one FROM wecom_friendships
    WHERE tenant_id = ${tenantId} AND connector_id = ${connectorId} AND external_userid = ${externalUserid} AND wecom_user_id = ${wecomUserId}
      AND removed_by = 'transfer' AND removed_at >= ${iso(since)}::timestamptz
    LIMIT 1`.execute(db);
  return rows.length > 0;
}

export interface TransferAggregate {
  counts: Map<TransferOutcome, number>;
  batches: Array<{ batch: number; customers: number }>;
}

/** Customers per outcome and per WeCom call of each transfer. */
export async function aggregates(db: Db, tenantId: string, transferIds: readonly string[]): Promise<Map<string, TransferAggregate>> {
  const out = new Map<string, TransferAggregate>();
  if (transferIds.length === 0) return out;
  const of = (id: string) => {
    let a = out.get(id);
    if (!a) out.set(id, (a = { counts: new Map(), batches: [] }));
    return a;
  };
  const { rows } = await sql<{ transfer_id: string; outcome: TransferOutcome; batch: number | null; n: string }>`
    SELECT transfer_id, outcome, batch, count(*) AS n FROM wecom_transfer_customers
    WHERE tenant_id = ${tenantId} AND transfer_id = ANY(${[...transferIds]}::uuid[])
    GROUP BY transfer_id, outcome, batch ORDER BY transfer_id, batch`.execute(db);
  for (const r of rows) {
    const a = of(r.transfer_id);
    const n = Number(r.n);
    a.counts.set(r.outcome, (a.counts.get(r.outcome) ?? 0) + n);
    if (r.batch === null) continue;
    const batch = Number(r.batch);
    const entry = a.batches.find((b) => b.batch === batch);
    if (entry) entry.customers += n;
    else a.batches.push({ batch, customers: n });
  }
  for (const a of out.values()) a.batches.sort((x, y) => x.batch - y.batch);
  return out;
}

export interface ListFilter {
  tenantId: string;
  /** The caller's units, or null for every transfer of the tenant. */
  unitIds: readonly string[] | null;
  connectorId?: string | undefined;
  status?: 'open' | 'settled' | undefined;
  before?: { createdAt: string; id: string } | undefined;
  limit: number;
}

/** Transfers newest first, keyset-paged; a dealer manager's are those into or out of their units. */
export async function listTransfers(db: Db, f: ListFilter): Promise<TransferRow[]> {
  const conditions: RawBuilder<unknown>[] = [sql`t.tenant_id = ${f.tenantId}`];
  if (f.unitIds !== null) conditions.push(sql`(t.handover_unit_id = ANY(${[...f.unitIds]}::uuid[]) OR t.takeover_unit_id = ANY(${[...f.unitIds]}::uuid[]))`);
  if (f.connectorId !== undefined) conditions.push(sql`t.connector_id = ${f.connectorId}`);
  if (f.status === 'open') conditions.push(sql`t.settled_at IS NULL`);
  if (f.status === 'settled') conditions.push(sql`t.settled_at IS NOT NULL`);
  if (f.before) conditions.push(sql`(t.created_at, t.id) < (${f.before.createdAt}::timestamptz, ${f.before.id}::uuid)`);
  const { rows } = await sql<TransferDbRow>`
    SELECT ${TRANSFER_COLUMNS} FROM wecom_transfers t WHERE ${sql.join(conditions, sql` AND `)}
    ORDER BY t.created_at DESC, t.id DESC LIMIT ${f.limit}`.execute(db);
  return rows.map(fromTransferRow);
}

export interface TransferredEpisode {
  tenantId: string;
  id: string;
  connectorId: string;
  externalUserid: string;
  wecomUserId: string;
  staffId: string;
  addWay: number;
  /** The handed-over episode whose remark, description, mobiles and tags come along; null: none known. */
  fromEpisodeId: string | null;
  at: Date;
  now: Date;
}

/** The taker's new friendship episode; nothing when a live one exists already (the callback was first). */
export async function startTransferredEpisode(db: Db, e: TransferredEpisode): Promise<void> {
  await sql`
    INSERT INTO wecom_friendships (tenant_id, id, connector_id, external_userid, wecom_user_id, staff_id, channel_code_id, add_way, state,
      remark, description, remark_mobiles, wecom_tag_ids, added_at, updated_at)
    SELECT ${e.tenantId}::uuid, ${e.id}::uuid, ${e.connectorId}::uuid, ${e.externalUserid}, ${e.wecomUserId}, ${e.staffId}::uuid, NULL, ${e.addWay}::int, NULL,
      o.remark, o.description, COALESCE(o.remark_mobiles, '{}'), COALESCE(o.wecom_tag_ids, '{}'), ${iso(e.at)}::timestamptz, ${iso(e.now)}::timestamptz
    FROM (SELECT 1) AS one LEFT JOIN wecom_friendships o ON o.tenant_id = ${e.tenantId} AND o.id = ${e.fromEpisodeId}::uuid
    ON CONFLICT DO NOTHING`.execute(db);
}
