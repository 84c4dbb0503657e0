import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  type TransferKind,
  type TransferOutcome,
  type WecomResignedTransferCreate,
  type WecomTransfer,
  type WecomTransferCreate,
  type WecomTransferCustomer,
  type WecomTransferListQuery,
  type WecomTransferSummary,
} from '../../contracts/wecom-transfers.js';
import { ensureJob } from '../../platform/jobs/index.js';
import { AppError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { insertAudit, MANAGER_ROLES, OPS_ROLES, type Principal } from '../tenancy/index.js';
import type { WecomConnectorRow } from './connectors.repo.js';
import { chooseWecomConnector } from './sidebar.js';
import * as repo from './transfers.repo.js';
import { sendPending, TRANSFER_POLL_MS, TRANSFER_RESEND_MS, wecomClientFor, type TransferDeps } from './transfers-run.js';
import { decodeCursor, encodeCursor } from '../../platform/cursor.js';
import { isoDateTime } from '../../contracts/common.js';

/**
 * Customer transfers as the API asks for them: who may hand whose customers to whom, which customers
 * Siyu refuses before calling WeCom (WeCom's two on-the-job transfers per customer in 90 days, a
 * transfer already waiting), the request recorded with each customer's outcome, the first batches
 * sent at once and the rest, and the results, left to the `wecom.transfers` job.
 */

/** WeCom's window for its on-the-job limit, and the limit. */
export const TRANSFER_WINDOW_DAYS = 90;
export const TRANSFERS_PER_WINDOW = 2;
/** WeCom calls (100 customers each) a request makes itself; the job sends the rest at once. */
export const SYNC_BATCHES = 10;

const DAY_MS = 24 * 60 * 60_000;
/**
 * Who transfers and reads transfers: the managers (HQ operations all of them, dealer managers those
 * into or out of their units). Not analysts: a transfer lists external_userids, identifier values
 * they see masked.
 */
const READER_ROLES = MANAGER_ROLES;

const day = (d: Date) => d.toISOString().slice(0, 10);

function requireTransferRole(principal: Principal): void {
  if (MANAGER_ROLES.includes(principal.role)) return;
  throw new AppError('forbidden', `your role (${principal.role}) may not transfer customers: a dealer manager (within their dealer) or HQ operations may`, {
    role: principal.role,
    allowed: MANAGER_ROLES,
  });
}

/** HQ operations transfer anywhere; a dealer manager between members of their own units only. */
function requireWithinScope(principal: Principal, members: ReadonlyArray<{ field: string; unitId: string | null; label: string }>): void {
  if (OPS_ROLES.includes(principal.role)) return;
  const scope = principal.scope;
  const units = scope.kind === 'units' ? scope.unitIds : [];
  const outside = members.find((m) => m.unitId === null || !units.includes(m.unitId));
  if (!outside) return;
  throw new AppError('forbidden', `${outside.label} works outside your dealer: a dealer manager transfers customers between their own dealer's consultants; ask HQ operations`, {
    field: outside.field,
  });
}

function invalid(field: string, message: string, extra: Record<string, unknown> = {}): AppError {
  return new AppError('invalid_request', message, { field, ...extra });
}

async function requireStaff(deps: TransferDeps, tenantId: string, id: string, field: string): Promise<repo.StaffMember> {
  const staff = await repo.staffMember(deps.store.db, tenantId, id);
  if (!staff) throw invalid(field, `${field}: no staff member ${id} in this tenant; GET /api/v1/staff lists them`);
  return staff;
}

function requireWecomId(staff: repo.StaffMember, field: string): string {
  if (staff.wecomUserId === null) throw invalid(field, `${field}: ${staff.name} has no WeCom user id: set wecomUserId on the staff member (PUT /api/v1/staff/${staff.id}) first`);
  return staff.wecomUserId;
}

async function requireTaker(deps: TransferDeps, tenantId: string, id: string): Promise<repo.StaffMember & { wecomUserId: string }> {
  const to = await requireStaff(deps, tenantId, id, 'toStaffId');
  if (!to.active) throw invalid('toStaffId', `toStaffId: ${to.name} is deactivated and cannot take customers over; choose an active consultant`);
  return { ...to, wecomUserId: requireWecomId(to, 'toStaffId') };
}

const hashOf = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('base64url');

interface Plan {
  connector: WecomConnectorRow;
  kind: TransferKind;
  from: { wecomUserId: string; staff: repo.StaffMember | null };
  to: repo.StaffMember & { wecomUserId: string };
  customers: string[];
  message: string | null;
  idempotencyKey: string | null;
  requestHash: string;
}

export interface TransferAnswer {
  transfer: WecomTransfer;
  /** false: the request repeated an earlier one (its key, or customers all waiting in it). */
  created: boolean;
}

/** 在职继承: hands the named customers of one consultant to another. */
export async function createTransfer(deps: TransferDeps, principal: Principal, input: WecomTransferCreate): Promise<TransferAnswer> {
  requireTransferRole(principal);
  const { tenantId } = principal;
  const connector = await chooseWecomConnector(deps.store.db, tenantId, input.connectorId);
  const fromStaff = await requireStaff(deps, tenantId, input.fromStaffId, 'fromStaffId');
  const to = await requireTaker(deps, tenantId, input.toStaffId);
  requireWithinScope(principal, [
    { field: 'fromStaffId', unitId: fromStaff.unitId, label: fromStaff.name },
    { field: 'toStaffId', unitId: to.unitId, label: to.name },
  ]);
  const fromUserId = requireWecomId(fromStaff, 'fromStaffId');
  const customers = await namedCustomers(deps, principal, connector.corpId, input);
  const message = input.message ?? null;
  return requestTransfer(deps, principal, {
    connector,
    kind: 'on_job',
    from: { wecomUserId: fromUserId, staff: fromStaff },
    to,
    customers,
    message,
    idempotencyKey: input.idempotencyKey ?? null,
    requestHash: hashOf(['on_job', connector.id, fromUserId, to.wecomUserId, [...customers].sort(), message]),
  });
}

/**
 * The request's customers as external_userids, in the order named, each once. A profile outside the
 * caller's scope is treated as one without a WeCom id: its ids are never answered.
 */
async function namedCustomers(deps: TransferDeps, principal: Principal, corpId: string, input: WecomTransferCreate): Promise<string[]> {
  const profileIds = [...new Set(input.profileIds ?? [])];
  const byProfile = await repo.customersOfProfiles(deps.store.db, principal.tenantId, corpId, profileIds, principal);
  const missing = profileIds.filter((id) => !byProfile.has(id));
  if (missing.length > 0) {
    throw invalid('profileIds', `profileIds: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''} have no WeCom customer id in corp ${corpId}: they are not customers of this corp's WeCom (or give externalUserIds)`, {
      profileIds: missing,
    });
  }
  return [...new Set([...(input.externalUserIds ?? []), ...profileIds.flatMap((id) => byProfile.get(id) ?? [])])];
}

/** 离职继承: hands every customer a departed member has (their live friendships) to a consultant. */
export async function createResignedTransfer(deps: TransferDeps, principal: Principal, input: WecomResignedTransferCreate): Promise<TransferAnswer> {
  requireTransferRole(principal);
  const { tenantId } = principal;
  const db = deps.store.db;
  const connector = await chooseWecomConnector(db, tenantId, input.connectorId);
  let fromStaff: repo.StaffMember | null;
  let fromUserId: string;
  if (input.fromStaffId !== undefined) {
    fromStaff = await requireStaff(deps, tenantId, input.fromStaffId, 'fromStaffId');
    fromUserId = requireWecomId(fromStaff, 'fromStaffId');
  } else {
    fromUserId = input.fromWecomUserId ?? '';
    fromStaff = await repo.staffMemberByWecomId(db, tenantId, fromUserId);
  }
  const to = await requireTaker(deps, tenantId, input.toStaffId);
  if (fromUserId === to.wecomUserId) throw invalid('toStaffId', 'toStaffId: the departed member and the taker are the same WeCom user; choose another consultant');
  requireWithinScope(principal, [
    { field: 'fromWecomUserId', unitId: fromStaff?.unitId ?? null, label: fromStaff?.name ?? `WeCom user ${fromUserId}` },
    { field: 'toStaffId', unitId: to.unitId, label: to.name },
  ]);
  const customers = await repo.liveCustomersOf(db, tenantId, connector.id, fromUserId);
  if (customers.length === 0) {
    throw new AppError(
      'conflict',
      `WeCom user ${fromUserId} has no customers on record in corp ${connector.corpId}: Siyu knows the friendships WeCom's callbacks reported; transfer unknown ones in WeCom's admin console`,
      { fromWecomUserId: fromUserId },
    );
  }
  return requestTransfer(deps, principal, {
    connector,
    kind: 'resigned',
    from: { wecomUserId: fromUserId, staff: fromStaff },
    to,
    customers,
    message: null,
    idempotencyKey: input.idempotencyKey ?? null,
    requestHash: hashOf(['resigned', connector.id, fromUserId, to.wecomUserId]),
  });
}

/**
 * Records the transfer with each customer's outcome so far (in one transaction, under the tenant's
 * transfer lock), then sends the first batches. A repeat (same idempotency key, or every customer
 * waiting in one transfer between the same members) answers that transfer instead.
 */
async function requestTransfer(deps: TransferDeps, principal: Principal, plan: Plan): Promise<TransferAnswer> {
  const { tenantId } = principal;
  const db = deps.store.db;
  // The credentials first: a connector Siyu cannot call is refused before anything is written.
  const client = wecomClientFor(deps, plan.connector);
  const now = deps.clock.now();
  const decided = await db.transaction().execute(async (trx) => {
    await repo.lockTransfers(trx, tenantId);
    if (plan.idempotencyKey !== null) {
      const earlier = await repo.transferByKey(trx, tenantId, plan.idempotencyKey);
      if (earlier && earlier.requestHash !== plan.requestHash) {
        throw new AppError('conflict', `idempotencyKey ${plan.idempotencyKey} was used for another transfer (${earlier.id}): use a new key for a new request`, { transferId: earlier.id });
      }
      if (earlier) return { id: earlier.id, created: false };
    }
    const open = await repo.openTransfersOf(trx, tenantId, plan.connector.id, plan.customers);
    const repeated = repeatOf(plan, open);
    if (repeated !== null) return { id: repeated, created: false };
    const recent = plan.kind === 'on_job' ? await repo.recentOnJobTransfers(trx, tenantId, plan.connector.id, plan.customers, new Date(now.getTime() - TRANSFER_WINDOW_DAYS * DAY_MS)) : new Map<string, Date[]>();
    const profiles = await repo.profilesOfCustomers(trx, tenantId, plan.connector.corpId, plan.customers, principal);
    const customers = plan.customers.map((id): repo.NewCustomer => ({ externalUserid: id, profileId: profiles.get(id) ?? null, ...firstOutcome(open.get(id), recent.get(id)) }));
    const pending = customers.filter((c) => c.outcome === 'pending').length;
    const id = newId();
    const row: repo.TransferRow = {
      tenantId,
      id,
      connectorId: plan.connector.id,
      kind: plan.kind,
      handoverUserid: plan.from.wecomUserId,
      handoverStaffId: plan.from.staff?.id ?? null,
      handoverUnitId: plan.from.staff?.unitId ?? null,
      takeoverUserid: plan.to.wecomUserId,
      takeoverStaffId: plan.to.id,
      takeoverUnitId: plan.to.unitId,
      message: plan.message,
      idempotencyKey: plan.idempotencyKey,
      requestHash: plan.requestHash,
      requestedBy: principal.actor,
      createdAt: now,
      settledAt: pending === 0 ? now : null,
    };
    await repo.insertTransfer(trx, row, now);
    await repo.insertCustomers(trx, row, customers, now);
    const counts = countOutcomes(customers.map((c) => c.outcome));
    await insertAudit(trx, {
      tenantId,
      actor: principal.actor,
      action: plan.kind === 'on_job' ? 'wecom_transfer.create' : 'wecom_transfer.resigned',
      targetType: 'wecom_transfer',
      targetId: id,
      details: { connectorId: plan.connector.id, from: plan.from.wecomUserId, to: plan.to.wecomUserId, customers: customers.length, pending, overQuota: counts.over_quota, inTransfer: counts.in_transfer },
    });
    if (pending > 0) await ensureJob(trx, { tenantId, kind: repo.TRANSFERS_JOB, key: id, runAt: new Date(now.getTime() + TRANSFER_POLL_MS) });
    return { id, created: true };
  });
  if (decided.created) {
    const row = await repo.findTransfer(db, tenantId, decided.id);
    if (row && row.settledAt === null) {
      const sent = await sendPending(deps, client, row, SYNC_BATCHES);
      if (sent.left > 0) await ensureJob(db, { tenantId, kind: repo.TRANSFERS_JOB, key: row.id, runAt: new Date(deps.clock.now().getTime() + (sent.retry ? TRANSFER_RESEND_MS : 0)) });
    }
  }
  return { transfer: await transferView(deps, tenantId, decided.id), created: decided.created };
}

/** The transfer this request repeats: every customer waiting in the same one, between the same members. */
function repeatOf(plan: Plan, open: ReadonlyMap<string, repo.OpenCustomer>): string | null {
  const first = open.get(plan.customers[0] ?? '');
  if (!first || first.kind !== plan.kind || first.handoverUserid !== plan.from.wecomUserId || first.takeoverUserid !== plan.to.wecomUserId) return null;
  return plan.customers.every((id) => open.get(id)?.transferId === first.transferId) ? first.transferId : null;
}

/** Refused by Siyu before WeCom is called, or pending (to be sent). */
function firstOutcome(open: repo.OpenCustomer | undefined, recent: readonly Date[] | undefined): { outcome: TransferOutcome; reason: string | null } {
  if (open) {
    return {
      outcome: 'in_transfer',
      reason: `already waiting in transfer ${open.transferId} (${open.handoverUserid} → ${open.takeoverUserid}); GET /api/v1/wecom/transfers/${open.transferId}`,
    };
  }
  if (recent && recent.length >= TRANSFERS_PER_WINDOW) {
    const next = new Date((recent[0]?.getTime() ?? 0) + TRANSFER_WINDOW_DAYS * DAY_MS);
    return {
      outcome: 'over_quota',
      reason: `transferred ${recent.length} times in the last ${TRANSFER_WINDOW_DAYS} days (${recent.map(day).join(', ')}): WeCom allows ${TRANSFERS_PER_WINDOW}; the next transfer is possible from ${day(next)}`,
    };
  }
  return { outcome: 'pending', reason: null };
}

function countOutcomes(outcomes: Iterable<TransferOutcome>): Record<TransferOutcome, number> {
  const counts: Record<TransferOutcome, number> = { pending: 0, waiting: 0, taken_over: 0, refused: 0, limit_exceeded: 0, not_found: 0, failed: 0, over_quota: 0, in_transfer: 0 };
  for (const o of outcomes) counts[o] += 1;
  return counts;
}

function summaryOf(t: repo.TransferRow, agg: repo.TransferAggregate | undefined): WecomTransferSummary {
  const counts = countOutcomes([]);
  for (const [outcome, n] of agg?.counts ?? []) counts[outcome] += n;
  return {
    id: t.id,
    connectorId: t.connectorId,
    kind: t.kind,
    from: { wecomUserId: t.handoverUserid, staffId: t.handoverStaffId },
    to: { wecomUserId: t.takeoverUserid, staffId: t.takeoverStaffId },
    message: t.message,
    status: t.settledAt === null ? 'open' : 'settled',
    counts,
    batches: agg?.batches ?? [],
    requestedBy: t.requestedBy,
    createdAt: t.createdAt.toISOString(),
    settledAt: t.settledAt?.toISOString() ?? null,
  };
}

const customerView = (c: repo.CustomerRow): WecomTransferCustomer => ({
  externalUserId: c.externalUserid,
  profileId: c.profileId,
  outcome: c.outcome,
  reason: c.reason,
  errcode: c.errcode,
  batch: c.batch,
  takenOverAt: c.takenOverAt?.toISOString() ?? null,
  settledAt: c.settledAt?.toISOString() ?? null,
});

async function transferView(deps: TransferDeps, tenantId: string, id: string): Promise<WecomTransfer> {
  const db = deps.store.db;
  const t = await repo.findTransfer(db, tenantId, id);
  if (!t) throw new AppError('not_found', `no WeCom transfer ${id} in this tenant; GET /api/v1/wecom/transfers lists them`);
  const [agg, customers] = await Promise.all([repo.aggregates(db, tenantId, [id]), repo.transferCustomers(db, tenantId, id)]);
  return { ...summaryOf(t, agg.get(id)), customers: customers.map(customerView) };
}

/** null: the caller reads every transfer; otherwise the units whose transfers they read. */
function readableUnits(principal: Principal): readonly string[] | null {
  if (!READER_ROLES.includes(principal.role)) {
    throw new AppError('forbidden', `your role (${principal.role}) may not read customer transfers: HQ operations and dealer managers may`, { role: principal.role, allowed: READER_ROLES });
  }
  if (principal.role !== 'dealer_manager' || principal.scope.kind === 'all') return null;
  return principal.scope.unitIds;
}

export async function getTransfer(deps: TransferDeps, principal: Principal, id: string): Promise<WecomTransfer> {
  const units = readableUnits(principal);
  const t = await repo.findTransfer(deps.store.db, principal.tenantId, id);
  const visible = t !== null && (units === null || [t.handoverUnitId, t.takeoverUnitId].some((u) => u !== null && units.includes(u)));
  if (!visible) throw new AppError('not_found', `no WeCom transfer ${id} you may see; GET /api/v1/wecom/transfers lists them`);
  return transferView(deps, principal.tenantId, id);
}

/** (created_at, id), the time checked as the database can hold it. */
const cursorSchema = z.tuple([isoDateTime, z.uuid()]).transform(([createdAt, id]) => ({ createdAt, id }));

export async function listTransfers(deps: TransferDeps, principal: Principal, q: WecomTransferListQuery): Promise<{ data: WecomTransferSummary[]; nextCursor: string | null }> {
  const units = readableUnits(principal);
  const db = deps.store.db;
  const rows = await repo.listTransfers(db, {
    tenantId: principal.tenantId,
    unitIds: units,
    connectorId: q.connectorId,
    status: q.status,
    before: q.cursor ? decodeCursor(q.cursor, cursorSchema) : undefined,
    limit: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  const agg = await repo.aggregates(db, principal.tenantId, page.map((t) => t.id));
  const last = page[page.length - 1];
  return {
    data: page.map((t) => summaryOf(t, agg.get(t.id))),
    nextCursor: rows.length > q.limit && last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null,
  };
}
