import { orderStatusSchema, type Order, type OrderCancel, type OrderCreate, type OrderDeliver, type OrderInvoice, type OrderListQuery } from '../../contracts/sales.js';
import type { Clock } from '../../platform/clock.js';
import type { Db, Store } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { maskValue } from '../../platform/pii.js';
import { lockIdentityGraph, requireLiveProfile, requireVin } from '../identity/index.js';
import { ensureEventPartitions } from '../ingest/index.js';
import { applyOrderStep, findVisibleLeadRow, lockLeadForOrder, undoOrderSteps } from '../leads/index.js';
import { addVehicleRelationInTransaction, putVehicleInTransaction, recordFacts } from '../profiles/index.js';
import type { Principal } from '../tenancy/index.js';
import { orderPlacedMessages, vehicleDeliveredMessages } from './facts.js';
import * as repo from './orders.repo.js';
import { requireProfileRef, resolveDealer } from './refs.js';
import * as refs from './refs.repo.js';

/**
 * Orders and deliveries. Idempotent by order number. An order of a lead moves the lead (ordered →
 * invoiced → delivered); a delivery creates the vehicle and makes the buyer its buyer and owner, in
 * the same transaction. A new order and a delivery enter the people's timelines as standard events
 * (Order Placed, Referral Made, Vehicle Delivered) in that transaction too. Lock order: identity
 * graph (orders and deliveries record events) → profile → lead → order → vehicle.
 */

export interface SalesDeps {
  db: Db;
  /** The store behind `db`: event partitions are made outside the transaction. */
  store: Store;
  clock: Clock;
}

/** The order as stored now, for the events describing it. */
async function storedOrder(trx: Db, principal: Principal, orderNo: string): Promise<repo.OrderRow> {
  const o = await repo.findOrderByNo(trx, principal, orderNo);
  if (!o) throw noOrder(orderNo);
  return o;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function orderView(o: repo.OrderRow, principal: Principal): Order {
  return {
    id: o.id,
    orderNo: o.order_no,
    leadId: o.lead_id,
    profileId: o.profile_id,
    dealer: o.dealer_id && o.dealer_code && o.dealer_name ? { id: o.dealer_id, code: o.dealer_code, name: o.dealer_name } : null,
    consultantId: o.consultant_id,
    series: o.series,
    model: o.model,
    vin: o.vin && principal.maskPii ? maskValue(o.vin) : o.vin,
    amountFen: Number(o.amount_fen),
    status: orderStatusSchema.parse(o.status),
    orderedAt: o.ordered_at.toISOString(),
    invoicedAt: iso(o.invoiced_at),
    deliveredAt: iso(o.delivered_at),
    cancelledAt: iso(o.cancelled_at),
    referredByProfileId: o.referred_by,
    originUnitId: o.origin_unit_id,
    createdAt: o.created_at.toISOString(),
    updatedAt: o.updated_at.toISOString(),
  };
}

const noOrder = (orderNo: string) => new AppError('not_found', `no order ${orderNo}`, { orderNo });

async function reread(trx: Db, principal: Principal, orderNo: string): Promise<Order> {
  const o = await repo.findVisibleOrder(trx, principal, orderNo);
  if (!o) throw noOrder(orderNo);
  return orderView(o, principal);
}

function notFuture(at: Date, now: Date, field: string): void {
  if (at.getTime() > now.getTime()) throw new AppError('invalid_request', `${field} (${at.toISOString()}) is in the future`, { field });
}

function notBefore(at: Date, earlier: Date, field: string, what: string): void {
  if (at.getTime() < earlier.getTime()) {
    throw new AppError('invalid_request', `${field} (${at.toISOString()}) is before ${what} (${earlier.toISOString()})`, { field });
  }
}

/** A repeated create: the stored order matches every field the request gives. */
function sameOrder(o: repo.OrderRow, input: OrderCreate, vin: string | null): boolean {
  return (
    o.lead_id === (input.leadId ?? null) &&
    (input.profileId === undefined || o.profile_id === input.profileId) &&
    (input.dealerCode === undefined || o.dealer_code === input.dealerCode) &&
    o.series === input.series &&
    (input.model === undefined || o.model === input.model) &&
    (vin === null || o.vin === vin) &&
    Number(o.amount_fen) === input.amountFen &&
    o.ordered_at.toISOString() === input.orderedAt &&
    o.referred_by === (input.referredByProfileId ?? null)
  );
}

async function existingOrder(trx: Db, principal: Principal, input: OrderCreate, vin: string | null): Promise<Order | null> {
  const found = await repo.findOrderByNo(trx, principal, input.orderNo);
  if (!found) return null;
  if (!found.visible) throw new AppError('conflict', `order number ${input.orderNo} is already used`, { orderNo: input.orderNo });
  if (!sameOrder(found, input, vin)) {
    throw new AppError('conflict', `order ${input.orderNo} already exists with other details; an order number names one order`, { orderNo: input.orderNo, orderId: found.id });
  }
  return orderView(found, principal);
}

/** Creates an order (201), or answers the same order for a repeated request (200). */
export async function createOrder(deps: SalesDeps, principal: Principal, input: OrderCreate): Promise<{ order: Order; created: boolean }> {
  const now = deps.clock.now();
  const orderedAt = new Date(input.orderedAt);
  notFuture(orderedAt, now, 'orderedAt');
  const vin = input.vin === undefined ? null : requireVin(input.vin);
  if (principal.scope.kind === 'own' && input.leadId === undefined) {
    throw new AppError('invalid_request', 'leadId: a consultant records orders of their leads; give the leadId', { field: 'leadId' });
  }
  const t = principal.tenantId;
  await ensureEventPartitions(deps.store, [now]);
  return deps.db.transaction().execute(async (trx) => {
    await lockIdentityGraph(trx, t);
    const replay = await existingOrder(trx, principal, input, vin);
    if (replay) return { order: replay, created: false };
    const lead = input.leadId ? await findVisibleLeadRow(trx, principal, input.leadId) : null;
    if (input.leadId && !lead) throw new AppError('not_found', `leadId: no lead ${input.leadId}`, { field: 'leadId', leadId: input.leadId });
    if (lead?.profile_id && input.profileId && lead.profile_id !== input.profileId) {
      throw new AppError('invalid_request', `profileId: lead ${lead.id} belongs to profile ${lead.profile_id}, not ${input.profileId}`, { field: 'profileId' });
    }
    const profileRef = input.profileId ?? lead?.profile_id ?? null;
    if (!profileRef) throw new AppError('invalid_request', `profileId: lead ${input.leadId ?? ''} has no person yet; give the profileId`, { field: 'profileId' });
    // The lead makes its person visible to the caller; without a lead the caller must see the person.
    if (!lead?.profile_id) await requireProfileRef(trx, principal, profileRef, 'profileId');
    const dealer = lead?.dealer_id && input.dealerCode === undefined ? await refs.findUnitById(trx, t, lead.dealer_id) : await resolveDealer(trx, principal, input.dealerCode);
    if (lead?.dealer_id && dealer && dealer.id !== lead.dealer_id) {
      throw new AppError('invalid_request', `dealerCode: lead ${lead.id} is at another dealer; an order of a lead is made at the lead's dealer`, { field: 'dealerCode' });
    }
    if (input.referredByProfileId !== undefined) {
      if (input.referredByProfileId === profileRef) throw new AppError('invalid_request', 'referredByProfileId: a buyer cannot refer themselves', { field: 'referredByProfileId' });
      if (!(await refs.profileExists(trx, t, input.referredByProfileId))) {
        throw new AppError('not_found', `referredByProfileId: no profile ${input.referredByProfileId}`, { field: 'referredByProfileId' });
      }
    }
    const profileId = await requireLiveProfile(trx, t, profileRef, { forUpdate: true });
    if (lead && (await lockLeadForOrder(trx, t, lead.id)).profile_id !== lead.profile_id) {
      throw new AppError('conflict', `lead ${lead.id} moved to another person (a merge) while the order was made; retry`, { leadId: lead.id });
    }
    const originUnitId = await refs.ensureOrigin(trx, t, { profileId, unitId: dealer?.id ?? null, source: dealer ? 'order' : 'online_order', leadId: lead?.id ?? null, at: orderedAt });
    const inserted = await repo.insertOrder(trx, t, {
      id: newId(),
      orderNo: input.orderNo,
      leadId: lead?.id ?? null,
      profileId,
      dealerId: dealer?.id ?? null,
      consultantId: lead?.consultant_id ?? (principal.role === 'consultant' ? principal.staffId : null),
      series: input.series,
      model: input.model ?? null,
      vin,
      amountFen: input.amountFen,
      orderedAt,
      referredBy: input.referredByProfileId ?? null,
      originUnitId,
      now,
    });
    if (!inserted) throw new AppError('conflict', `order ${input.orderNo} was created at the same moment by another request; retry to read it`, { orderNo: input.orderNo });
    if (dealer) await refs.linkCustomer(trx, t, profileId, dealer.id, 'order', orderedAt);
    if (lead) await applyOrderStep(trx, t, lead.id, 'ordered', orderedAt, principal.actor, { orderNo: input.orderNo }, now);
    await recordFacts(trx, t, orderPlacedMessages(await storedOrder(trx, principal, input.orderNo)), now);
    return { order: await reread(trx, principal, input.orderNo), created: true };
  });
}

export async function getOrder(db: Db, principal: Principal, orderNo: string): Promise<Order> {
  return reread(db, principal, orderNo);
}

export async function listOrders(db: Db, principal: Principal, q: OrderListQuery): Promise<Order[]> {
  let dealerId: string | undefined;
  if (q.dealerCode !== undefined) {
    const unit = await refs.findUnitByCode(db, principal.tenantId, q.dealerCode);
    if (!unit) return [];
    dealerId = unit.id;
  }
  const rows = await repo.listOrders(db, principal, { profileId: q.profileId, dealerId, status: q.status, limit: q.limit });
  return rows.map((o) => orderView(o, principal));
}

const NEXT: Record<string, string[]> = { ordered: ['invoiced', 'delivered', 'cancelled'], invoiced: ['delivered', 'cancelled'], delivered: [], cancelled: [] };

function illegal(o: repo.OrderRow, to: string): AppError {
  const allowed = NEXT[o.status] ?? [];
  return new AppError('invalid_transition', `order ${o.order_no} is ${o.status}: it cannot become ${to} (allowed: ${allowed.join(', ') || 'nothing'})`, {
    from: o.status,
    to,
    allowed,
  });
}

/**
 * Locks what an order action changes, in the global order (profile → lead → order) and returns the
 * order as it is now. 404 when the caller may not see it.
 */
async function lockOrder(trx: Db, principal: Principal, orderNo: string, lockProfile: boolean): Promise<repo.OrderRow> {
  const first = await repo.findVisibleOrder(trx, principal, orderNo);
  if (!first) throw noOrder(orderNo);
  if (lockProfile) await requireLiveProfile(trx, principal.tenantId, first.profile_id, { forUpdate: true });
  if (first.lead_id) await lockLeadForOrder(trx, principal.tenantId, first.lead_id);
  const o = await repo.findVisibleOrder(trx, principal, orderNo, { forUpdate: true });
  if (!o) throw noOrder(orderNo);
  return o;
}

export async function invoiceOrder(deps: SalesDeps, principal: Principal, orderNo: string, input: OrderInvoice): Promise<{ order: Order; changed: boolean }> {
  const now = deps.clock.now();
  const at = new Date(input.at);
  notFuture(at, now, 'at');
  return deps.db.transaction().execute(async (trx) => {
    const o = await lockOrder(trx, principal, orderNo, false);
    if (o.invoiced_at && (o.status === 'invoiced' || o.status === 'delivered')) {
      if (o.invoiced_at.getTime() === at.getTime()) return { order: orderView(o, principal), changed: false };
      throw new AppError('conflict', `order ${orderNo} was invoiced at ${o.invoiced_at.toISOString()}`, { orderNo, invoicedAt: o.invoiced_at.toISOString() });
    }
    if (o.status !== 'ordered') throw illegal(o, 'invoiced');
    notBefore(at, o.ordered_at, 'at', 'the order');
    await repo.updateOrder(trx, principal.tenantId, o.id, { status: 'invoiced', invoicedAt: at, now });
    if (o.lead_id) await applyOrderStep(trx, principal.tenantId, o.lead_id, 'invoiced', at, principal.actor, { orderNo }, now);
    return { order: await reread(trx, principal, orderNo), changed: true };
  });
}

/**
 * Delivers the car: the order gets its VIN; the vehicle is created (or updated with the order's
 * series and model) and the buyer becomes its buyer and current owner from the delivery time
 * (a previous owner's ownership ends then); the lead becomes delivered.
 */
export async function deliverOrder(deps: SalesDeps, principal: Principal, orderNo: string, input: OrderDeliver): Promise<{ order: Order; changed: boolean }> {
  const now = deps.clock.now();
  const at = new Date(input.at);
  notFuture(at, now, 'at');
  const vin = requireVin(input.vin);
  const t = principal.tenantId;
  await ensureEventPartitions(deps.store, [now]);
  return deps.db.transaction().execute(async (trx) => {
    await lockIdentityGraph(trx, t);
    const o = await lockOrder(trx, principal, orderNo, true);
    if (o.status === 'delivered') {
      if (o.vin === vin && o.delivered_at?.getTime() === at.getTime()) return { order: orderView(o, principal), changed: false };
      throw new AppError('conflict', `order ${orderNo} was delivered at ${iso(o.delivered_at) ?? '?'} with VIN ${o.vin ?? '?'}`, { orderNo });
    }
    if (o.status !== 'ordered' && o.status !== 'invoiced') throw illegal(o, 'delivered');
    if (o.vin !== null && o.vin !== vin) throw new AppError('conflict', `vin: order ${orderNo} is for VIN ${o.vin}, not ${vin}`, { field: 'vin', orderVin: o.vin });
    notBefore(at, o.invoiced_at ?? o.ordered_at, 'at', o.invoiced_at ? 'the invoice' : 'the order');
    if (await refs.hasHiddenOwner(trx, principal, vin, o.profile_id)) {
      throw new AppError('conflict', `vin: ${vin} has a current owner among another dealer's customers; check the VIN or ask HQ to end that ownership`, { field: 'vin' });
    }
    await repo.updateOrder(trx, t, o.id, { status: 'delivered', deliveredAt: at, vin, now });
    await putVehicleInTransaction(trx, t, vin, { ...(o.series ? { series: o.series } : {}), ...(o.model ? { model: o.model } : {}) }, now);
    const relation = { profileId: o.profile_id, validFrom: at.toISOString(), source: `order:${orderNo}` };
    await addVehicleRelationInTransaction(trx, t, vin, { ...relation, role: 'buyer' }, now);
    await addVehicleRelationInTransaction(trx, t, vin, { ...relation, role: 'owner' }, now);
    if (o.dealer_id) await refs.linkCustomer(trx, t, o.profile_id, o.dealer_id, 'order', at);
    if (o.lead_id) await applyOrderStep(trx, t, o.lead_id, 'delivered', at, principal.actor, { orderNo, vin }, now);
    await recordFacts(trx, t, vehicleDeliveredMessages(await storedOrder(trx, principal, orderNo)), now);
    return { order: await reread(trx, principal, orderNo), changed: true };
  });
}

/** Cancels an order not yet delivered; a lead left without a live order returns to where it was. */
export async function cancelOrder(deps: SalesDeps, principal: Principal, orderNo: string, input: OrderCancel): Promise<{ order: Order; changed: boolean }> {
  const now = deps.clock.now();
  const at = input.at ? new Date(input.at) : now;
  notFuture(at, now, 'at');
  const t = principal.tenantId;
  return deps.db.transaction().execute(async (trx) => {
    const o = await lockOrder(trx, principal, orderNo, false);
    if (o.status === 'cancelled') return { order: orderView(o, principal), changed: false };
    if (o.status === 'delivered') throw illegal(o, 'cancelled');
    notBefore(at, o.ordered_at, 'at', 'the order');
    await repo.updateOrder(trx, t, o.id, { status: 'cancelled', cancelledAt: at, now });
    if (o.lead_id && (await repo.liveOrdersOfLead(trx, t, o.lead_id)) === 0) {
      await undoOrderSteps(trx, t, o.lead_id, at, principal.actor, { orderNo, ...(input.remark ? { remark: input.remark } : {}) }, now);
    }
    return { order: await reread(trx, principal, orderNo), changed: true };
  });
}
