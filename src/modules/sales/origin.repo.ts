import type { Db } from '../../platform/db/index.js';

/** Attribution credit: the unit that first brought a person in, and the person's orders. */

export async function findOrigin(db: Db, tenantId: string, profileId: string) {
  return db
    .selectFrom('profile_origins as po')
    .leftJoin('org_units as u', (j) => j.onRef('u.tenant_id', '=', 'po.tenant_id').onRef('u.id', '=', 'po.org_unit_id'))
    .select(['po.org_unit_id', 'u.code', 'u.name', 'po.source', 'po.lead_id', 'po.at'])
    .where('po.tenant_id', '=', tenantId)
    .where('po.profile_id', '=', profileId)
    .executeTakeFirst();
}

/** The person's orders that are not cancelled, oldest first, with the selling dealer's code. */
export async function liveOrdersOf(db: Db, tenantId: string, profileId: string) {
  return db
    .selectFrom('orders as o')
    .leftJoin('org_units as u', (j) => j.onRef('u.tenant_id', '=', 'o.tenant_id').onRef('u.id', '=', 'o.dealer_id'))
    .select(['o.order_no', 'o.status', 'o.dealer_id', 'u.code as dealer_code', 'o.ordered_at'])
    .where('o.tenant_id', '=', tenantId)
    .where('o.profile_id', '=', profileId)
    .where('o.status', '!=', 'cancelled')
    .orderBy('o.ordered_at')
    .orderBy('o.order_no')
    .execute();
}
