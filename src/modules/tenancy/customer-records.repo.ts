import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';

/**
 * What ties a person to the dealer network: the dealers they belong to (customer_links), the unit
 * that first brought them in (profile_origins), and the leads, orders and after-sales records that
 * name them. Merges move these to the survivor; erasure unlinks them. Set-based, inside the caller's
 * transaction (the profiles module calls these with its other belongings).
 */

const count = (r: { numAffectedRows?: bigint; numUpdatedRows?: bigint; numDeletedRows?: bigint }) => Number(r.numAffectedRows ?? r.numUpdatedRows ?? r.numDeletedRows ?? 0);

export interface CustomerRecordsMoved {
  leads: number;
  orders: number;
  afterSales: number;
  links: number;
  /** Whose origin the survivor keeps: the earlier of the two ('from' when it was earlier). */
  origin: 'none' | 'kept' | 'from';
}

/** `from` merged into `to`: links are united (earliest `since`), the earlier origin wins, records follow. */
/** Which of `ids` are named by a lead, order, after-sales record, dealer link or origin. */
export async function profilesWithCustomerRecords(trx: Db, tenantId: string, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const { rows } = await sql<{ profile_id: string }>`
    SELECT profile_id FROM leads WHERE tenant_id = ${tenantId} AND profile_id = ANY(${ids}::uuid[])
    UNION SELECT profile_id FROM orders WHERE tenant_id = ${tenantId} AND profile_id = ANY(${ids}::uuid[])
    UNION SELECT profile_id FROM after_sales WHERE tenant_id = ${tenantId} AND profile_id = ANY(${ids}::uuid[])
    UNION SELECT profile_id FROM customer_links WHERE tenant_id = ${tenantId} AND profile_id = ANY(${ids}::uuid[])
    UNION SELECT profile_id FROM profile_origins WHERE tenant_id = ${tenantId} AND profile_id = ANY(${ids}::uuid[])`.execute(trx);
  return rows.map((r) => r.profile_id);
}

export async function moveCustomerRecords(trx: Db, tenantId: string, from: string, to: string): Promise<CustomerRecordsMoved> {
  const t = tenantId;
  const leads = count(await trx.updateTable('leads').set({ profile_id: to }).where('tenant_id', '=', t).where('profile_id', '=', from).executeTakeFirst());
  const orders = count(await trx.updateTable('orders').set({ profile_id: to }).where('tenant_id', '=', t).where('profile_id', '=', from).executeTakeFirst());
  const afterSales = count(await trx.updateTable('after_sales').set({ profile_id: to }).where('tenant_id', '=', t).where('profile_id', '=', from).executeTakeFirst());
  const links = count(
    await sql`
      INSERT INTO customer_links (tenant_id, profile_id, org_unit_id, reason, since)
      SELECT tenant_id, ${to}::uuid, org_unit_id, reason, since FROM customer_links WHERE tenant_id = ${t} AND profile_id = ${from}
      ON CONFLICT (tenant_id, profile_id, org_unit_id) DO UPDATE SET since = LEAST(customer_links.since, excluded.since)`.execute(trx),
  );
  await trx.deleteFrom('customer_links').where('tenant_id', '=', t).where('profile_id', '=', from).execute();

  const origins = await trx.selectFrom('profile_origins').select(['profile_id', 'at']).where('tenant_id', '=', t).where('profile_id', 'in', [from, to]).execute();
  const fromOrigin = origins.find((o) => o.profile_id === from);
  const toOrigin = origins.find((o) => o.profile_id === to);
  let origin: CustomerRecordsMoved['origin'] = toOrigin ? 'kept' : 'none';
  if (fromOrigin && (!toOrigin || fromOrigin.at < toOrigin.at)) {
    await trx.deleteFrom('profile_origins').where('tenant_id', '=', t).where('profile_id', '=', to).execute();
    await trx.updateTable('profile_origins').set({ profile_id: to }).where('tenant_id', '=', t).where('profile_id', '=', from).execute();
    origin = 'from';
  } else {
    await trx.deleteFrom('profile_origins').where('tenant_id', '=', t).where('profile_id', '=', from).execute();
  }
  return { leads, orders, afterSales, links, origin };
}

export interface CustomerRecordsErased {
  /** Leads kept for the funnel's counts, with name, phone, hash and payload blanked and no person. */
  leadsAnonymised: number;
  links: number;
}

/**
 * Erasure: the person's dealer links and origin go; their leads stay for the funnel's counts but lose
 * every personal field and the link to the person. Orders and after-sales records stay (sales and
 * service records the dealer must keep) naming only the erased profile's id, which identifies nobody.
 */
export async function eraseCustomerRecords(trx: Db, tenantId: string, profileId: string): Promise<CustomerRecordsErased> {
  const t = tenantId;
  const leadsAnonymised = count(
    await trx
      .updateTable('leads')
      .set({ profile_id: null, name: null, phone: null, phone_masked: null, phone_hash: null, raw: null, consultant_hint: null })
      .where('tenant_id', '=', t)
      .where('profile_id', '=', profileId)
      .executeTakeFirst(),
  );
  const links = count(await trx.deleteFrom('customer_links').where('tenant_id', '=', t).where('profile_id', '=', profileId).executeTakeFirst());
  await trx.deleteFrom('profile_origins').where('tenant_id', '=', t).where('profile_id', '=', profileId).execute();
  return { leadsAnonymised, links };
}
