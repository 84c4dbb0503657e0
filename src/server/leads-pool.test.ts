import { describe, expect, it } from 'vitest';
import { ManualClock } from '../platform/clock.js';
import { json, useAppFixture } from '../testing/app.js';
import { testEngines } from '../testing/engines.js';
import { adminRequest } from '../testing/identity.js';
import { asStaff, seedNetwork, type Network } from '../testing/org.js';

const NOW = new Date('2026-03-10T02:00:00.000Z');
type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
interface Lead {
  id: string;
  status: string;
  dealerId: string | null;
  dealerCode: string | null;
  consultantId: string | null;
  inPool: boolean;
  poolReason: string | null;
  reassignCount: number;
}

describe.each(testEngines)('lead pool, claim, assign, settings and routing rules on %s', (engine) => {
  const clock = new ManualClock(NOW);
  const fx = useAppFixture(engine, { clock });
  const admin = (method: Method, url: string, payload?: unknown) => adminRequest(fx.app, fx.tenant, method, url, payload);
  const as = (net: Network, who: keyof Network['staff'], method: Method, url: string, payload?: unknown) => asStaff(fx.app, net.staff[who].token, method, url, payload);
  const ids = (page: unknown) => (page as { data: Lead[] }).data.map((l) => l.id).sort();
  const transitions = (id: string) =>
    fx.store.db.selectFrom('lead_transitions').select(['from_status', 'to_status', 'actor', 'reason']).where('tenant_id', '=', fx.tenant.tenantId).where('lead_id', '=', id).orderBy('id').execute();
  let n = 0;
  const post = async (extra: Record<string, unknown>) => {
    const res = await admin('POST', '/api/v1/leads', { source: 'website', externalId: `p-${(n += 1)}`, phone: `1370000${String(n).padStart(4, '0')}`, createdAt: NOW.toISOString(), ...extra });
    expect(res.statusCode, res.body).toBe(201);
    return json(res) as Lead;
  };

  /** Dealer A and B pool leads (nobody has room: the default cap is 0), and an HQ pool lead. */
  async function pools() {
    const net = await seedNetwork(fx.app, fx.tenant);
    expect((await admin('PUT', '/api/v1/lead-settings', { defaultMaxOpenLeads: 0 })).statusCode).toBe(200);
    const a = await post({ dealerCode: 'SH001' });
    const b = await post({ dealerCode: 'HZ001' });
    const hq = await post({ city: '成都' });
    expect([a, b, hq].map((l) => [l.status, l.inPool, l.poolReason, l.dealerCode])).toEqual([
      ['new', true, 'no_capacity', 'SH001'],
      ['new', true, 'no_capacity', 'HZ001'],
      ['new', true, 'no_route', null],
    ]);
    expect((await admin('PUT', '/api/v1/lead-settings', { defaultMaxOpenLeads: 1 })).statusCode).toBe(200);
    return { net, a, b, hq };
  }

  it('the pool: HQ sees every pool, dealer staff their own dealer pool', async () => {
    const { net, a, b, hq } = await pools();
    const pool = async (who: keyof Network['staff']) => ids(json(await as(net, who, 'GET', '/api/v1/leads/pool')));
    expect(await pool('hqOps')).toEqual([a.id, b.id, hq.id].sort());
    expect(await pool('managerA')).toEqual([a.id]);
    expect(await pool('consultantA1')).toEqual([a.id]);
    expect(await pool('managerB')).toEqual([b.id]);
    expect(ids(json(await admin('GET', '/api/v1/leads/pool?dealerCode=HZ001')))).toEqual([b.id]);
  });

  it('claim: a consultant takes a pool lead of their dealer, under their cap; twice is a no-op', async () => {
    const { net, a, b, hq } = await pools();
    expect((await as(net, 'consultantB1', 'POST', `/api/v1/leads/${a.id}/claim`)).statusCode).toBe(404);
    expect((await as(net, 'consultantA1', 'POST', `/api/v1/leads/${hq.id}/claim`)).statusCode).toBe(404);
    expect((await as(net, 'managerA', 'POST', `/api/v1/leads/${a.id}/claim`)).statusCode).toBe(403);
    const claimed = await as(net, 'consultantA1', 'POST', `/api/v1/leads/${a.id}/claim`);
    expect(claimed.statusCode, claimed.body).toBe(200);
    expect(json(claimed)).toMatchObject({ status: 'assigned', consultantId: net.staff.consultantA1.id, inPool: false, poolReason: null, assignedAt: NOW.toISOString() });
    const again = await as(net, 'consultantA1', 'POST', `/api/v1/leads/${a.id}/claim`);
    expect(again.statusCode).toBe(200);
    expect(await transitions(a.id)).toEqual([
      { from_status: null, to_status: 'new', actor: 'admin_token:' + (await tokenId()), reason: null },
      { from_status: 'new', to_status: 'assigned', actor: `staff:${net.staff.consultantA1.id}`, reason: 'claim' },
    ]);
    // Taken: A2 cannot claim it any more (it is no longer in the pool).
    expect((await as(net, 'consultantA2', 'POST', `/api/v1/leads/${a.id}/claim`)).statusCode).toBe(404);
    // At the cap (1 open lead) a second claim is refused.
    const more = await post({ dealerCode: 'SH001', consultant: 'nobody' });
    expect(more).toMatchObject({ consultantId: net.staff.consultantA2.id });
    await admin('PUT', '/api/v1/lead-settings', { defaultMaxOpenLeads: 0 });
    const pooled = await post({ dealerCode: 'SH001' });
    await admin('PUT', '/api/v1/lead-settings', { defaultMaxOpenLeads: 1 });
    const full = await as(net, 'consultantA1', 'POST', `/api/v1/leads/${pooled.id}/claim`);
    expect(full.statusCode, full.body).toBe(409);
    expect(b.inPool).toBe(true);
  });

  async function tokenId() {
    return (await fx.store.db.selectFrom('admin_tokens').select('id').where('tenant_id', '=', fx.tenant.tenantId).executeTakeFirstOrThrow()).id;
  }

  it('assign: managers within their dealer, HQ anywhere; the current assignment again is a no-op', async () => {
    const { net, a, b, hq } = await pools();
    const { consultantA1: a1, consultantA2: a2, consultantB1: b1, managerA } = net.staff;
    const assign = (who: keyof Network['staff'], id: string, body: unknown) => as(net, who, 'POST', `/api/v1/leads/${id}/assign`, body);

    expect((await assign('consultantA1', a.id, { consultantId: a1.id })).statusCode).toBe(403);
    expect((await assign('managerA', b.id, { consultantId: a1.id })).statusCode).toBe(404);
    expect((await assign('managerA', hq.id, { dealerCode: 'SH001' })).statusCode).toBe(404);
    expect((await assign('managerA', a.id, { consultantId: b1.id })).statusCode).toBe(400);
    expect((await assign('managerA', a.id, { dealerCode: 'HZ001' })).statusCode).toBe(400);
    expect((await assign('managerA', a.id, {})).statusCode).toBe(400);

    const done = await assign('managerA', a.id, { consultantId: a2.id });
    expect(done.statusCode, done.body).toBe(200);
    expect(json(done)).toMatchObject({ status: 'assigned', consultantId: a2.id, dealerCode: 'SH001', inPool: false, reassignCount: 0 });
    expect((await assign('managerA', a.id, { consultantId: a2.id, dealerCode: 'SH001' })).statusCode).toBe(200);
    expect((await transitions(a.id)).map((t) => [t.to_status, t.actor, t.reason])).toEqual([
      ['new', `admin_token:${await tokenId()}`, null],
      ['assigned', `staff:${managerA.id}`, 'manual_assign'],
    ]);
    // To another consultant: a reassignment (counted), the status stays.
    const moved = json(await assign('managerA', a.id, { consultantId: a1.id })) as Lead;
    expect(moved).toMatchObject({ status: 'assigned', consultantId: a1.id, reassignCount: 1 });
    // Back to the dealer's pool.
    expect(json(await assign('managerA', a.id, { dealerCode: 'SH001' }))).toMatchObject({ status: 'new', consultantId: null, inPool: true, poolReason: 'manual' });

    // HQ moves the HQ pool lead to dealer B's pool, then gives it to B1.
    const toB = await as(net, 'hqOps', 'POST', `/api/v1/leads/${hq.id}/assign`, { dealerCode: 'HZ001' });
    expect(json(toB)).toMatchObject({ dealerCode: 'HZ001', dealerId: net.units.dealerB.id, inPool: true, poolReason: 'manual', status: 'new' });
    expect(json(await as(net, 'hqOps', 'POST', `/api/v1/leads/${hq.id}/assign`, { consultantId: b1.id }))).toMatchObject({ status: 'assigned', consultantId: b1.id });
    const links = await fx.store.db.selectFrom('customer_links').select('org_unit_id').where('tenant_id', '=', fx.tenant.tenantId).where('profile_id', '=', (await leadProfile(hq.id))!).execute();
    expect(links).toEqual([{ org_unit_id: net.units.dealerB.id }]);
  });

  const leadProfile = async (id: string) => (await fx.store.db.selectFrom('leads').select('profile_id').where('tenant_id', '=', fx.tenant.tenantId).where('id', '=', id).executeTakeFirstOrThrow()).profile_id;

  it('lead settings: defaults, partial changes, OPS roles only, checked', async () => {
    const net = await seedNetwork(fx.app, fx.tenant);
    expect(json(await admin('GET', '/api/v1/lead-settings'))).toEqual({ duplicateWindowDays: 30, slaHours: 48, defaultMaxOpenLeads: 200, updatedAt: null });
    const put = await as(net, 'hqOps', 'PUT', '/api/v1/lead-settings', { slaHours: 24 });
    expect(json(put)).toEqual({ duplicateWindowDays: 30, slaHours: 24, defaultMaxOpenLeads: 200, updatedAt: NOW.toISOString() });
    expect((await as(net, 'managerA', 'PUT', '/api/v1/lead-settings', { slaHours: 1 })).statusCode).toBe(403);
    expect((await as(net, 'analyst', 'GET', '/api/v1/lead-settings')).statusCode).toBe(403);
    expect((await admin('PUT', '/api/v1/lead-settings', { slaHours: 0 })).statusCode).toBe(400);
    expect((await admin('PUT', '/api/v1/lead-settings', { sla: 3 })).statusCode).toBe(400);
    // New assignments use the new SLA.
    const lead = await post({ dealerCode: 'SH001' });
    expect(json(await admin('GET', `/api/v1/leads/${lead.id}`))).toMatchObject({ slaDueAt: new Date(NOW.getTime() + 24 * 3_600_000).toISOString() });
  });

  it('routing rules: create (idempotent by name), dealer codes checked, replace, delete', async () => {
    const net = await seedNetwork(fx.app, fx.tenant);
    const body = { name: '宁波', priority: 5, cities: ['宁波'], dealerCodes: ['HZ001'] };
    const created = await admin('POST', '/api/v1/routing-rules', body);
    expect(created.statusCode, created.body).toBe(201);
    const rule = json(created) as { id: string };
    expect(rule).toMatchObject({ name: '宁波', priority: 5, cities: ['宁波'], provinces: null, series: null, sources: null, dealerCodes: ['HZ001'], active: true });
    expect((await admin('POST', '/api/v1/routing-rules', body)).statusCode).toBe(200);
    expect((await admin('POST', '/api/v1/routing-rules', { ...body, priority: 6 })).statusCode).toBe(409);
    const unknown = await admin('POST', '/api/v1/routing-rules', { name: 'x', dealerCodes: ['HZ001', 'NOPE'] });
    expect(unknown.statusCode).toBe(400);
    expect((json(unknown) as { error: { details: unknown } }).error.details).toEqual({ field: 'dealerCodes', unknown: ['NOPE'] });
    expect((await as(net, 'managerA', 'GET', '/api/v1/routing-rules')).statusCode).toBe(403);

    // A lead from 宁波 (no dealer there) follows the rule to HZ001.
    expect(await post({ city: '宁波' })).toMatchObject({ dealerCode: 'HZ001', consultantId: net.staff.consultantB1.id });
    const replaced = await admin('PUT', `/api/v1/routing-rules/${rule.id}`, { ...body, dealerCodes: ['SH001'], active: false });
    expect(json(replaced)).toMatchObject({ id: rule.id, dealerCodes: ['SH001'], active: false });
    expect(await post({ city: '宁波' })).toMatchObject({ dealerCode: null, poolReason: 'no_route' });
    expect((json(await as(net, 'hqOps', 'GET', '/api/v1/routing-rules')) as { data: unknown[] }).data).toHaveLength(1);
    expect((await admin('DELETE', `/api/v1/routing-rules/${rule.id}`)).statusCode).toBe(204);
    expect((await admin('DELETE', `/api/v1/routing-rules/${rule.id}`)).statusCode).toBe(404);
    expect((await admin('PUT', `/api/v1/routing-rules/${rule.id}`, body)).statusCode).toBe(404);
  });
});
