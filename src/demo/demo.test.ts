import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { leadKpisSchema } from '../contracts/kpis.js';
import { leadPageSchema, type Lead } from '../contracts/leads.js';
import { orderPageSchema } from '../contracts/sales.js';
import { reachablePoolSchema } from '../contracts/analytics.js';
import { vehicleSchema } from '../contracts/vehicles.js';
import { systemClock } from '../platform/clock.js';
import type { Store } from '../platform/db/index.js';
import { testApp } from '../testing/app.js';
import { openTestStore, testEngines } from '../testing/engines.js';
import { createDemo, type DemoResult } from './index.js';

/**
 * A small demo brand, checked through the API as its users would read it: the funnel's rates, the
 * cars of delivered leads, the 5A stages, the reachable pool, dealer scope, and determinism.
 */

const PEOPLE = 2_000;
const SEED = 'demo-test';
const secretKey = randomBytes(32);

function get(app: FastifyInstance, token: string, url: string): Promise<unknown> {
  return app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } }).then((res) => {
    if (res.statusCode !== 200) throw new Error(`GET ${url} answered ${res.statusCode}: ${res.body}`);
    return JSON.parse(res.body) as unknown;
  });
}

async function allLeads(app: FastifyInstance, token: string, query: string): Promise<Lead[]> {
  const leads: Lead[] = [];
  let cursor: string | null = null;
  do {
    const page = leadPageSchema.parse(await get(app, token, `/api/v1/leads?limit=200&${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`));
    leads.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return leads;
}

async function preview(app: FastifyInstance, token: string, condition: unknown): Promise<number> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/segments/preview', headers: { authorization: `Bearer ${token}` }, payload: { definition: { condition } } });
  if (res.statusCode !== 200) throw new Error(`preview answered ${res.statusCode}: ${res.body}`);
  return z.object({ count: z.number() }).parse(JSON.parse(res.body)).count;
}

async function login(app: FastifyInstance, username: string, password: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
  if (res.statusCode !== 200) throw new Error(`login ${username} answered ${res.statusCode}: ${res.body}`);
  return z.object({ token: z.string() }).parse(JSON.parse(res.body)).token;
}

/** What a demo is, by its business ids: the same seed must give the same. */
async function fingerprint(app: FastifyInstance, demo: DemoResult) {
  const leads = await allLeads(app, demo.adminToken, '');
  const orders = orderPageSchema.parse(await get(app, demo.adminToken, '/api/v1/orders?limit=500')).data;
  return {
    counts: demo.counts,
    leads: leads.map((l) => `${l.externalId}|${l.status}|${l.dealerCode}`).sort(),
    orders: orders.map((o) => `${o.orderNo}|${o.status}|${o.vin ?? ''}|${o.amountFen}`).sort(),
    staff: demo.staff.map((s) => `${s.role}|${s.username.replace(/^ls\d*\./, '')}|${s.orgUnitCode}`),
  };
}

describe.each(testEngines)('the demo brand (%s)', (engine) => {
  let store: Store;
  let app: FastifyInstance;
  let demo: DemoResult;

  beforeAll(async () => {
    store = await openTestStore(engine);
    app = await testApp(store, systemClock, { secretKey });
    demo = await createDemo({ store, app, clock: systemClock, secretKey }, { people: PEOPLE, seed: SEED });
  }, 600_000);
  afterAll(async () => {
    await app.close();
    await store.close();
  });

  it('gives every delivered lead a car with a current owner', async () => {
    const delivered = await allLeads(app, demo.adminToken, 'status=delivered');
    expect(delivered.length).toBeGreaterThan(10);
    const orders = orderPageSchema.parse(await get(app, demo.adminToken, '/api/v1/orders?status=delivered&limit=500')).data;
    const byLead = new Map(orders.filter((o) => o.leadId).map((o) => [o.leadId, o]));
    for (const lead of delivered) {
      const order = byLead.get(lead.id);
      expect(order?.vin, `lead ${lead.externalId}`).toMatch(/^[A-HJ-NPR-Z0-9]{17}$/);
      const vehicle = vehicleSchema.parse(await get(app, demo.adminToken, `/api/v1/vehicles/${order!.vin}`));
      const owners = vehicle.relations.filter((r) => r.role === 'owner' && r.validTo === null);
      expect(owners.map((r) => r.profileId)).toEqual([order!.profileId]);
    }
  });

  it('runs the funnel at the rates a car brand sees, some dealers clearly better than others', async () => {
    const from = new Date(Date.now() - 600 * 86_400_000).toISOString();
    const kpis = leadKpisSchema.parse(await get(app, demo.adminToken, `/api/v1/kpis/leads?from=${from}&groupBy=org_unit`));
    const rate = (r: { rate: number | null }) => r.rate ?? -1;
    const t = kpis.total;
    expect(rate(t.followUpRate)).toBeGreaterThan(0.55);
    expect(rate(t.followUpRate)).toBeLessThan(0.95);
    expect(rate(t.visitRate)).toBeGreaterThan(0.2);
    expect(rate(t.visitRate)).toBeLessThan(0.5);
    expect(rate(t.testDriveRate)).toBeGreaterThan(0.1);
    expect(rate(t.testDriveRate)).toBeLessThan(0.5);
    expect(rate(t.orderConversion)).toBeGreaterThan(0.03);
    expect(rate(t.orderConversion)).toBeLessThan(0.2);
    expect(rate(t.deliveryRate)).toBeGreaterThan(0.7);
    expect(rate(t.defeatClarity)).toBeGreaterThan(0.7);
    expect(rate(t.defeatClarity)).toBeLessThan(0.97);
    const visitRates = kpis.groups.filter((g) => g.counts.valid >= 15).map((g) => rate(g.visitRate));
    expect(visitRates.length).toBeGreaterThanOrEqual(10);
    expect(Math.max(...visitRates) - Math.min(...visitRates)).toBeGreaterThan(0.15);
  });

  it('puts everyone who took delivery in 5A A4 or A5, by the refresh alone', async () => {
    const delivered = { type: 'event', event: 'Vehicle Delivered' };
    expect(await preview(app, demo.adminToken, delivered)).toBeGreaterThan(10);
    expect(await preview(app, demo.adminToken, { type: 'and', conditions: [delivered, { type: 'not', condition: { type: 'stage', model: 'five_a', stages: ['A4', 'A5'] } }] })).toBe(0);
    expect(await preview(app, demo.adminToken, { type: 'stage', model: 'five_a', stages: ['A4', 'A5'] })).toBeGreaterThanOrEqual(await preview(app, demo.adminToken, delivered));
  });

  it('has WeCom friends in the reachable pool, by domain class', async () => {
    const pool = reachablePoolSchema.parse(await get(app, demo.adminToken, '/api/v1/analytics/reachable-pool'));
    expect(pool.wecom_friend).toBeGreaterThan(50);
    expect(pool.byDomainClass.filter((d) => d.wecom_friend > 0).length).toBeGreaterThanOrEqual(3);
  });

  it("shows a dealer manager their dealer's leads and nothing of another dealer's", async () => {
    const manager = demo.staff.find((s) => s.role === 'dealer_manager')!;
    const token = await login(app, manager.username, manager.password);
    const mine = await allLeads(app, token, '');
    expect(mine.length).toBeGreaterThan(5);
    expect(new Set(mine.map((l) => l.dealerCode))).toEqual(new Set([manager.orgUnitCode]));
    const other = (await allLeads(app, demo.adminToken, 'status=visited')).find((l) => l.dealerCode !== manager.orgUnitCode)!;
    const res = await app.inject({ method: 'GET', url: `/api/v1/leads/${other.id}`, headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(404);
  });

  it('is deterministic: the same seed gives the same brand, another seed another', async () => {
    const make = (seed: string) => createDemo({ store, app, clock: systemClock, secretKey }, { people: 300, seed });
    const [first, again, other] = [await make('same'), await make('same'), await make('other')];
    expect(again.tenantId).not.toBe(first.tenantId);
    expect(again.staff[0]!.username).not.toBe(first.staff[0]!.username);
    const [a, b, c] = [await fingerprint(app, first), await fingerprint(app, again), await fingerprint(app, other)];
    expect(b).toEqual(a);
    expect(a.leads.length).toBe(first.counts.leads);
    expect(c.leads).not.toEqual(a.leads);
  }, 600_000);
});
