import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { TenantCreated } from '../../contracts/tenancy.js';
import type { Store } from '../../platform/db/index.js';
import { personHolding, sendResolved } from '../../testing/identity.js';

/**
 * Test-only: people and leads in a given funnel state. A lead is a row as intake and routing leave
 * it (dealer, consultant, the dealer's customer link and the person's origin), inserted directly so
 * that a test can start from any status.
 */

export async function person(app: FastifyInstance, store: Store, tenant: TenantCreated, userId: string, traits: Record<string, unknown> = {}): Promise<string> {
  await sendResolved(app, store, tenant, [{ type: 'identify', userId, traits, messageId: `identify-${userId}` }]);
  const p = await personHolding(store, tenant.tenantId, `user_id::${userId}`);
  if (!p) throw new Error(`no profile for ${userId}`);
  return p.id;
}

export interface LeadSeed {
  profileId: string;
  dealerId: string | null;
  consultantId: string | null;
  status?: string;
  createdAt: Date;
  source?: string;
  series?: string;
}

export async function insertLead(store: Store, tenantId: string, seed: LeadSeed): Promise<string> {
  const id = randomUUID();
  const at = seed.createdAt;
  const status = seed.status ?? (seed.consultantId ? 'assigned' : 'new');
  await store.db
    .insertInto('leads')
    .values({
      tenant_id: tenantId,
      id,
      profile_id: seed.profileId,
      source: seed.source ?? 'website',
      external_id: id,
      series: seed.series ?? '汉',
      dealer_id: seed.dealerId,
      consultant_id: seed.consultantId,
      status,
      dedup: 'new',
      created_at: at,
      received_at: at,
      updated_at: at,
      assigned_at: seed.consultantId ? at : null,
      in_pool: seed.consultantId === null,
      raw: null,
    })
    .execute();
  if (seed.dealerId) {
    await store.db
      .insertInto('customer_links')
      .values({ tenant_id: tenantId, profile_id: seed.profileId, org_unit_id: seed.dealerId, reason: 'lead', since: at })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  await store.db
    .insertInto('profile_origins')
    .values({ tenant_id: tenantId, profile_id: seed.profileId, org_unit_id: seed.dealerId, source: seed.source ?? 'website', lead_id: id, at })
    .onConflict((oc) => oc.doNothing())
    .execute();
  return id;
}

/** Puts a lead in a status directly (the transition rules are what the test then checks). */
export async function setLeadStatus(store: Store, tenantId: string, leadId: string, status: string): Promise<void> {
  await store.db.updateTable('leads').set({ status }).where('tenant_id', '=', tenantId).where('id', '=', leadId).execute();
}

export async function leadRow(store: Store, tenantId: string, leadId: string) {
  return store.db.selectFrom('leads').selectAll().where('tenant_id', '=', tenantId).where('id', '=', leadId).executeTakeFirstOrThrow();
}

export async function transitionRows(store: Store, tenantId: string, leadId: string) {
  const rows = await store.db
    .selectFrom('lead_transitions')
    .select(['from_status', 'to_status', 'at', 'actor', 'reason', 'remark', 'details'])
    .where('tenant_id', '=', tenantId)
    .where('lead_id', '=', leadId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...r, at: r.at.toISOString() }));
}

export async function countRows(store: Store, tenantId: string, table: 'lead_transitions' | 'lead_follow_ups' | 'defeat_requests' | 'orders' | 'after_sales' | 'vehicle_relations'): Promise<number> {
  const row = await store.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
  return Number(row.n);
}
