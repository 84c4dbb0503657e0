import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import { leadVisible, unitVisible, type Principal } from '../tenancy/index.js';

/** SQL for orders. Reads carry the caller's scope: their units' orders; a consultant's, those of their leads. */

export interface OrderRow {
  id: string;
  order_no: string;
  lead_id: string | null;
  profile_id: string;
  dealer_id: string | null;
  dealer_code: string | null;
  dealer_name: string | null;
  consultant_id: string | null;
  series: string | null;
  model: string | null;
  vin: string | null;
  amount_fen: string;
  status: string;
  ordered_at: Date;
  invoiced_at: Date | null;
  delivered_at: Date | null;
  cancelled_at: Date | null;
  referred_by: string | null;
  origin_unit_id: string | null;
  created_at: Date;
  updated_at: Date;
}

/** An order the principal may see: of their units; a consultant's own or of their leads. */
export function orderVisible(principal: Principal): RawBuilder<boolean> {
  const scope = principal.scope;
  if (scope.kind !== 'own') return unitVisible(principal, sql.ref('o.dealer_id'));
  return sql<boolean>`(o.consultant_id = ${scope.staffId}::uuid OR EXISTS (SELECT 1 FROM leads ol WHERE ol.tenant_id = o.tenant_id
    AND ol.id = o.lead_id AND ${leadVisible(principal, sql.ref('ol.dealer_id'), sql.ref('ol.consultant_id'))}))`;
}

function orders(db: Db, tenantId: string) {
  return db
    .selectFrom('orders as o')
    .leftJoin('org_units as u', (j) => j.onRef('u.tenant_id', '=', 'o.tenant_id').onRef('u.id', '=', 'o.dealer_id'))
    .select([
      'o.id',
      'o.order_no',
      'o.lead_id',
      'o.profile_id',
      'o.dealer_id',
      'u.code as dealer_code',
      'u.name as dealer_name',
      'o.consultant_id',
      'o.series',
      'o.model',
      'o.vin',
      'o.amount_fen',
      'o.status',
      'o.ordered_at',
      'o.invoiced_at',
      'o.delivered_at',
      'o.cancelled_at',
      'o.referred_by',
      'o.origin_unit_id',
      'o.created_at',
      'o.updated_at',
    ])
    .where('o.tenant_id', '=', tenantId);
}

/** By order number, whatever the scope (idempotency checks); with `visible`, whether the caller may see it. */
export async function findOrderByNo(db: Db, principal: Principal, orderNo: string) {
  return orders(db, principal.tenantId).select(orderVisible(principal).as('visible')).where('o.order_no', '=', orderNo).executeTakeFirst();
}

/** An order the caller may see; `forUpdate` locks it. */
export async function findVisibleOrder(db: Db, principal: Principal, orderNo: string, options: { forUpdate?: boolean } = {}): Promise<OrderRow | undefined> {
  const q = orders(db, principal.tenantId).where('o.order_no', '=', orderNo).where(orderVisible(principal));
  return (options.forUpdate ? q.forUpdate('o') : q).executeTakeFirst();
}

export interface OrderInsert {
  id: string;
  orderNo: string;
  leadId: string | null;
  profileId: string;
  dealerId: string | null;
  consultantId: string | null;
  series: string;
  model: string | null;
  vin: string | null;
  amountFen: number;
  orderedAt: Date;
  referredBy: string | null;
  originUnitId: string | null;
  now: Date;
}

/** Inserts the order unless its number is taken (a concurrent create): false then. */
export async function insertOrder(db: Db, tenantId: string, o: OrderInsert): Promise<boolean> {
  const rows = await db
    .insertInto('orders')
    .values({
      tenant_id: tenantId,
      id: o.id,
      order_no: o.orderNo,
      lead_id: o.leadId,
      profile_id: o.profileId,
      dealer_id: o.dealerId,
      consultant_id: o.consultantId,
      series: o.series,
      model: o.model,
      vin: o.vin,
      amount_fen: o.amountFen,
      status: 'ordered',
      ordered_at: o.orderedAt,
      referred_by: o.referredBy,
      origin_unit_id: o.originUnitId,
      created_at: o.now,
      updated_at: o.now,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'order_no']).doNothing())
    .returning('id')
    .execute();
  return rows.length > 0;
}

export async function updateOrder(
  db: Db,
  tenantId: string,
  id: string,
  change: { status: string; invoicedAt?: Date; deliveredAt?: Date; cancelledAt?: Date; vin?: string; now: Date },
): Promise<void> {
  await db
    .updateTable('orders')
    .set({
      status: change.status,
      updated_at: change.now,
      ...(change.invoicedAt ? { invoiced_at: change.invoicedAt } : {}),
      ...(change.deliveredAt ? { delivered_at: change.deliveredAt } : {}),
      ...(change.cancelledAt ? { cancelled_at: change.cancelledAt } : {}),
      ...(change.vin ? { vin: change.vin } : {}),
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

/** Orders of the lead that are not cancelled. */
export async function liveOrdersOfLead(db: Db, tenantId: string, leadId: string): Promise<number> {
  const row = await db
    .selectFrom('orders')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('lead_id', '=', leadId)
    .where('status', '!=', 'cancelled')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function listOrders(
  db: Db,
  principal: Principal,
  q: { profileId?: string | undefined; dealerId?: string | undefined; status?: string | undefined; limit: number },
): Promise<OrderRow[]> {
  let query = orders(db, principal.tenantId).where(orderVisible(principal));
  if (q.profileId) query = query.where('o.profile_id', '=', q.profileId);
  if (q.dealerId) query = query.where('o.dealer_id', '=', q.dealerId);
  if (q.status) query = query.where('o.status', '=', q.status);
  return query.orderBy('o.ordered_at', 'desc').orderBy('o.order_no').limit(q.limit).execute();
}
