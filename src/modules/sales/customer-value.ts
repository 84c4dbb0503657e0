import { LTV_KINDS, orderStatusSchema, type Ltv, type LtvKind, type Origin } from '../../contracts/sales.js';
import type { Db } from '../../platform/db/index.js';
import type { Principal } from '../tenancy/index.js';
import * as ltvRepo from './ltv.repo.js';
import * as originRepo from './origin.repo.js';
import { requireVisibleProfile, unitRef } from './refs.js';

/** What a person is worth (LTV) and who gets the credit for bringing them in (origin). */

const isLtvKind = (k: string): k is LtvKind => (LTV_KINDS as readonly string[]).includes(k);

/** Revenue in fen per kind: delivered orders (new_car; cancelled and undelivered orders do not count) and after-sales. */
export async function profileLtv(db: Db, principal: Principal, profileId: string): Promise<Ltv> {
  await requireVisibleProfile(db, principal, profileId);
  const byKind: Record<LtvKind, number> = { new_car: 0, first_maintenance: 0, maintenance: 0, repair: 0, insurance_renewal: 0, accessories: 0, trade_in_appraisal: 0 };
  let orders = 0;
  let afterSales = 0;
  for (const r of await ltvRepo.revenueByKind(db, principal.tenantId, profileId)) {
    if (!isLtvKind(r.kind)) continue;
    byKind[r.kind] += r.fen;
    if (r.kind === 'new_car') orders += r.n;
    else afterSales += r.n;
  }
  const totalFen = Object.values(byKind).reduce((a, b) => a + b, 0);
  return { profileId, totalFen, byKind, orders, afterSales };
}

/**
 * The unit that first brought the person in and every live order, each credited to that unit:
 * `elsewhere` marks the conversions made online or at another unit (the credit that stores would
 * otherwise lose).
 */
export async function profileOrigin(db: Db, principal: Principal, profileId: string): Promise<Origin> {
  await requireVisibleProfile(db, principal, profileId);
  const origin = await originRepo.findOrigin(db, principal.tenantId, profileId);
  const unit = origin?.org_unit_id && origin.code && origin.name ? unitRef({ id: origin.org_unit_id, code: origin.code, name: origin.name }) : null;
  const orders = await originRepo.liveOrdersOf(db, principal.tenantId, profileId);
  return {
    profileId,
    orgUnit: unit,
    source: origin?.source ?? null,
    leadId: origin?.lead_id ?? null,
    at: origin ? origin.at.toISOString() : null,
    conversions: orders.map((o) => ({
      kind: o.dealer_id === null ? 'online' : 'order',
      orderNo: o.order_no,
      status: orderStatusSchema.parse(o.status),
      dealerCode: o.dealer_code,
      at: o.ordered_at.toISOString(),
      elsewhere: o.dealer_id === null || o.dealer_id !== (origin?.org_unit_id ?? null),
      creditedTo: unit,
    })),
  };
}
