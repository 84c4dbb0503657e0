import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { leadInputSchema, type LeadInputRaw } from '../../contracts/leads.js';
import { ManualClock } from '../../platform/clock.js';
import { pendingJobs } from '../../platform/jobs/index.js';
import { useAppFixture } from '../../testing/app.js';
import { testEngines } from '../../testing/engines.js';
import { adminRequest } from '../../testing/identity.js';
import { systemPrincipal } from '../tenancy/index.js';
import { intakeLeads } from './index.js';
import { indexDealers, nextConsultant, pickDealer, placeKey, type ConsultantInfo, type DealerInfo, type DealerStats } from './routing.js';

const NOW = new Date('2026-03-10T02:00:00.000Z'); // 10:00 in Shanghai
const HOUR = 3_600_000;

describe('routing decisions (pure)', () => {
  const dealer = (code: string, capacity: number | null, extra: Partial<DealerInfo> = {}): DealerInfo => ({ id: code, code, city: '上海', province: '上海', capacity, series: null, ...extra });

  it('city and province names compare without their suffix', () => {
    expect([placeKey('上海市'), placeKey('上海'), placeKey('浙江省'), placeKey('广西壮族自治区'), placeKey(' Shanghai '), placeKey(null)]).toEqual(['上海', '上海', '浙江', '广西', 'shanghai', null]);
  });

  it('the highest remaining capacity × (1 + conversion) wins, ties by code; full dealers are skipped', () => {
    const dealers = [dealer('B', 3), dealer('A', 2)];
    const stats = new Map<string, DealerStats>([
      ['A', { routedToday: 0, conversion: 0 }],
      ['B', { routedToday: 0, conversion: 0 }],
    ]);
    const lead = { source: 'website', city: '上海', province: null, series: null, dealerCode: null };
    const picks = Array.from({ length: 6 }, () => {
      const d = pickDealer(lead, indexDealers(dealers), [], stats);
      return d.kind === 'dealer' ? d.dealer.code : d.reason;
    });
    expect(picks).toEqual(['B', 'A', 'B', 'A', 'B', 'dealers_full']);
    // A dealer without a capacity never fills up.
    expect(pickDealer(lead, indexDealers([dealer('C', null)]), [], new Map())).toMatchObject({ kind: 'dealer', via: 'city' });
  });

  it('round-robin after the last one, skipping consultants at their cap and the excluded one', () => {
    const c = (id: string, open: number, maxOpen = 2): ConsultantInfo => ({ id, username: id, wecomUserId: null, dealerId: 'D', maxOpen, open });
    const list = [c('a', 0), c('b', 2), c('c', 1)];
    expect(nextConsultant(list, null)?.id).toBe('a');
    expect(nextConsultant(list, 'a')?.id).toBe('c');
    expect(nextConsultant(list, 'c')?.id).toBe('a');
    expect(nextConsultant(list, 'a', 'c')).toBeNull();
  });
});

describe.each(testEngines)('lead routing on %s', (engine) => {
  const clock = new ManualClock(NOW);
  const fx = useAppFixture(engine, { clock });
  const admin = async (method: 'POST' | 'PUT', url: string, body: unknown) => {
    const res = await adminRequest(fx.app, fx.tenant, method, url, body);
    expect(res.statusCode, res.body).toBeLessThan(300);
    return JSON.parse(res.body) as { id: string };
  };
  const suffix = () => fx.tenant.tenantId.slice(0, 8);
  const unit = (code: string, type: string, parentCode: string | null, extra: Record<string, unknown> = {}) => admin('POST', '/api/v1/org-units', { code, name: code, type, parentCode, ...extra });
  const consultant = (username: string, unitCode: string, extra: Record<string, unknown> = {}) =>
    admin('POST', '/api/v1/staff', { username: `${username}-${suffix()}`, password: 'Passw0rd!23', name: username, role: 'consultant', orgUnitCode: unitCode, ...extra });
  const intake = (leads: LeadInputRaw[]) => intakeLeads({ store: fx.store, clock }, systemPrincipal(fx.tenant.tenantId, 'test'), leads.map((l) => leadInputSchema.parse(l)));
  let n = 0;
  const lead = (extra: Partial<LeadInputRaw>): LeadInputRaw => ({ source: 'website', externalId: `l-${(n += 1)}`, phone: `1391234${String(n).padStart(4, '0')}`, createdAt: new Date(NOW.getTime() - HOUR).toISOString(), ...extra });

  async function network() {
    clock.set(NOW);
    await unit('HQ', 'hq', null);
    await unit('SH1', 'dealer', 'HQ', { city: '上海', province: '上海', capacity: 2 });
    await unit('SH2', 'dealer', 'HQ', { city: '上海', province: '上海', capacity: 3 });
    await unit('NJ1', 'dealer', 'HQ', { city: '南京', province: '江苏', capacity: 10, series: ['汉'] });
    await unit('HZ1', 'dealer', 'HQ', { city: '杭州', province: '浙江', capacity: 10 });
    await unit('SH1-T', 'team', 'SH1');
    const c = { a: await consultant('a', 'SH1-T'), b: await consultant('b', 'SH1-T', { maxOpenLeads: 1, wecomUserId: 'wb' }), c: await consultant('c', 'SH1') };
    const sh2 = await consultant('s2', 'SH2');
    const nj = await consultant('nj', 'NJ1');
    return { c, sh2, nj };
  }

  it('explicit dealer codes, round-robin over three consultants with a load cap, kept across batches', async () => {
    const { c } = await network();
    const first = await intake([lead({ dealerCode: 'SH1' }), lead({ dealerCode: 'SH1' }), lead({ dealerCode: 'SH1' })]);
    const second = await intake([lead({ dealerCode: 'SH1' }), lead({ dealerCode: 'SH1' }), lead({ dealerCode: 'SH1' })]);
    // b holds one open lead at most: skipped once full.
    expect([...first, ...second].map((r) => r.consultantId)).toEqual([c.a.id, c.b.id, c.c.id, c.a.id, c.c.id, c.a.id]);
    expect([...first, ...second].map((r) => [r.status, r.dealerCode, r.inPool])).toEqual(Array(6).fill(['assigned', 'SH1', false]));
    const cursor = await fx.store.db.selectFrom('routing_cursors').select('last_staff_id').where('tenant_id', '=', fx.tenant.tenantId).executeTakeFirstOrThrow();
    expect(cursor.last_staff_id).toBe(c.a.id);

    const row = await fx.store.db.selectFrom('leads').selectAll().where('tenant_id', '=', fx.tenant.tenantId).where('id', '=', first[0]!.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'assigned', assigned_at: NOW, sla_due_at: new Date(NOW.getTime() + 48 * HOUR), in_pool: false, pool_reason: null });
    const transitions = await fx.store.db.selectFrom('lead_transitions').select(['from_status', 'to_status', 'actor']).where('tenant_id', '=', fx.tenant.tenantId).where('lead_id', '=', first[0]!.id).orderBy('id').execute();
    expect(transitions).toEqual([
      { from_status: null, to_status: 'new', actor: 'system:test' },
      { from_status: 'new', to_status: 'assigned', actor: 'system:routing' },
    ]);
    const link = await fx.store.db.selectFrom('customer_links').select(['org_unit_id', 'reason']).where('tenant_id', '=', fx.tenant.tenantId).where('profile_id', '=', first[0]!.profileId!).execute();
    expect(link).toEqual([{ org_unit_id: first[0]!.dealerId, reason: 'lead' }]);
    const origin = await fx.store.db.selectFrom('profile_origins').select(['org_unit_id', 'source', 'lead_id']).where('tenant_id', '=', fx.tenant.tenantId).where('profile_id', '=', first[0]!.profileId!).execute();
    expect(origin).toEqual([{ org_unit_id: first[0]!.dealerId, source: 'website', lead_id: first[0]!.id }]);
    const jobs = (await pendingJobs(fx.store.db, fx.tenant.tenantId)).filter((j) => j.kind === 'leads.sla');
    expect(jobs.map((j) => [j.key, j.runAt.toISOString()]).sort()).toEqual([...first, ...second].map((r) => [r.id, new Date(NOW.getTime() + 48 * HOUR).toISOString()]).sort());
  });

  it('a consultant hint by user name or WeCom id; an unknown code goes to the HQ pool; no consultant → the dealer pool', async () => {
    const { c } = await network();
    const r = await intake([
      lead({ dealerCode: 'SH1', consultant: 'wb' }),
      lead({ dealerCode: 'SH1', consultant: `C-${suffix()}` }),
      lead({ dealerCode: 'SH1', consultant: 'wb' }), // b is at the cap now: round-robin
      lead({ dealerCode: 'NOPE' }),
      lead({ dealerCode: 'HZ1' }),
    ]);
    expect(r.map((x) => [x.consultantId, x.status, x.inPool, x.poolReason, x.dealerCode])).toEqual([
      [c.b.id, 'assigned', false, null, 'SH1'],
      [c.c.id, 'assigned', false, null, 'SH1'],
      [c.a.id, 'assigned', false, null, 'SH1'],
      [null, 'new', true, 'unknown_dealer', null],
      [null, 'new', true, 'no_capacity', 'HZ1'],
    ]);
  });

  it('rules by priority, then the city, then the province, filtered by series; no match → no_route', async () => {
    const { c, sh2, nj } = await network();
    await admin('POST', '/api/v1/routing-rules', { name: '汉 in Shanghai', priority: 10, cities: ['上海'], series: ['汉'], dealerCodes: ['SH2'] });
    await admin('POST', '/api/v1/routing-rules', { name: 'douyin', priority: 20, sources: ['douyin'], dealerCodes: ['NJ1'] });
    const r = await intake([
      lead({ city: '上海市', series: '汉' }),
      lead({ source: 'douyin', city: '上海', series: '汉' }),
      // NJ1 sells only 汉: the rule's set is empty, the city decides (SH1 has 2 left, SH2 1).
      lead({ source: 'douyin', city: '上海', series: '唐' }),
      lead({ city: '苏州', province: '江苏省', series: '汉' }),
      lead({ city: '苏州', province: '江苏', series: '唐' }),
      lead({ city: '北京' }),
    ]);
    expect(r.map((x) => [x.dealerCode, x.consultantId, x.poolReason])).toEqual([
      ['SH2', sh2.id, null],
      ['SH2', sh2.id, null],
      ['SH1', c.a.id, null],
      ['NJ1', nj.id, null],
      [null, null, 'no_route'],
      [null, null, 'no_route'],
    ]);
    const via = await fx.store.db.selectFrom('lead_transitions').select(['lead_id', 'details']).where('tenant_id', '=', fx.tenant.tenantId).where('to_status', '=', 'assigned').execute();
    const viaOf = (id: string) => (via.find((v) => v.lead_id === id)?.details as { via: string }).via;
    expect(r.slice(0, 4).map((x) => viaOf(x.id))).toEqual(['rule:汉 in Shanghai', 'rule:汉 in Shanghai', 'city', 'province']);
  });

  it('weighted by remaining capacity today (tenant time zone) × (1 + 90-day conversion)', async () => {
    await network();
    // Yesterday (Shanghai) a lead went to SH1 and it has an order: conversion 1/1.
    clock.set(new Date(NOW.getTime() - 24 * HOUR));
    const [old] = await intake([lead({ dealerCode: 'SH1', createdAt: new Date(NOW.getTime() - 25 * HOUR).toISOString() })]);
    await fx.store.db
      .insertInto('orders')
      .values({ tenant_id: fx.tenant.tenantId, id: randomUUID(), order_no: 'O-1', profile_id: old!.profileId!, dealer_id: old!.dealerId, amount_fen: 1, status: 'ordered', ordered_at: clock.now() })
      .execute();
    // 00:30 today in Shanghai (still yesterday in UTC): counts against today's capacity of SH2.
    clock.set(new Date('2026-03-09T16:30:00.000Z'));
    await intake([lead({ dealerCode: 'SH2', createdAt: '2026-03-09T16:00:00.000Z' })]);
    clock.set(NOW);
    // SH1: (2 - 0) × 2 = 4; SH2: (3 - 1) × 1 = 2.
    const r = await intake(Array.from({ length: 6 }, () => lead({ city: '上海' })));
    expect(r.map((x) => x.dealerCode ?? x.poolReason)).toEqual(['SH1', 'SH1', 'SH2', 'SH2', 'dealers_full', 'dealers_full']);
  });
});
