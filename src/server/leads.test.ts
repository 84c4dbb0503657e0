import { describe, expect, it } from 'vitest';
import { ManualClock } from '../platform/clock.js';
import { json, useAppFixture } from '../testing/app.js';
import { testEngines } from '../testing/engines.js';
import { adminRequest } from '../testing/identity.js';
import { asStaff, seedNetwork, type Network } from '../testing/org.js';

const NOW = new Date('2026-03-10T02:00:00.000Z');
type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
interface Result {
  id: string;
  profileId: string | null;
  status: string;
  dedup: string;
  dealerCode: string | null;
  consultantId: string | null;
  created: boolean;
  inPool: boolean;
  score: number;
}
interface Page {
  data: Array<{ id: string; name: string | null; phone: string | null; raw: unknown; status: string }>;
  nextCursor: string | null;
}

describe.each(testEngines)('leads API on %s', (engine) => {
  const clock = new ManualClock(NOW);
  const fx = useAppFixture(engine, { clock });
  const admin = (method: Method, url: string, payload?: unknown) => adminRequest(fx.app, fx.tenant, method, url, payload);
  const as = (net: Network, who: keyof Network['staff'], method: Method, url: string, payload?: unknown) => asStaff(fx.app, net.staff[who].token, method, url, payload);
  const created = (createdAt = new Date(NOW.getTime() - 3_600_000).toISOString()) => ({ createdAt });
  const ids = (page: unknown) => (page as Page).data.map((l) => l.id);

  it('one lead → 201 with its outcome; the same lead again → 200, created false; a batch → 200 with results in order', async () => {
    const one = await admin('POST', '/api/v1/leads', { source: 'website', externalId: 'w-1', name: '王小明', phone: '13412341234', city: '北京', series: '汉', ...created() });
    expect(one.statusCode, one.body).toBe(201);
    const r = json(one) as Result;
    expect(r).toMatchObject({ status: 'new', dedup: 'new', created: true, inPool: true, poolReason: 'no_route', duplicateOf: null, dealerCode: null });
    expect(r.profileId).not.toBeNull();
    const again = await admin('POST', '/api/v1/leads', { source: 'website', externalId: 'w-1', name: '王小明', phone: '13412341234', city: '北京', series: '汉', ...created() });
    expect(again.statusCode).toBe(200);
    expect(json(again)).toEqual({ ...r, created: false });

    const batch = await admin('POST', '/api/v1/leads', {
      leads: [
        { source: 'autohome', externalId: 'a-1', phone: '13412341234', series: '汉', ...created() },
        { source: 'douyin', externalId: 'd-1', phone: '135****5678', ...created() },
      ],
    });
    expect(batch.statusCode, batch.body).toBe(200);
    const results = (json(batch) as { results: Result[] }).results;
    expect(results.map((x) => [x.dedup, x.status, x.created])).toEqual([
      ['duplicate', 'invalid', true],
      ['new', 'new', true],
    ]);
    const got = await admin('GET', `/api/v1/leads/${r.id}`);
    expect(got.statusCode).toBe(200);
    expect(json(got)).toMatchObject({ id: r.id, source: 'website', externalId: 'w-1', name: '王小明', phone: '+8613412341234', series: '汉', score: r.score + 5, inPool: true });

    // Bad input: 400 naming the field; an unknown route id 404; a non-UUID id 400.
    const bad = await admin('POST', '/api/v1/leads', { source: 'website', phone: '13412341234' });
    expect(bad.statusCode).toBe(400);
    expect((json(bad) as { error: { message: string } }).error.message).toContain('createdAt');
    expect((await admin('GET', '/api/v1/leads/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    expect((await admin('GET', '/api/v1/leads/nope')).statusCode).toBe(400);
  });

  it('dealer staff create leads for their own dealer only; a consultant gets their own lead; analysts cannot write', async () => {
    const net = await seedNetwork(fx.app, fx.tenant);
    const mine = await as(net, 'managerA', 'POST', '/api/v1/leads', { source: 'offline_store', externalId: 'walk-in-1', phone: '13412341234', ...created() });
    expect(mine.statusCode, mine.body).toBe(201);
    expect(json(mine)).toMatchObject({ dealerCode: 'SH001', status: 'assigned' });
    const foreign = await as(net, 'managerA', 'POST', '/api/v1/leads', { source: 'offline_store', externalId: 'walk-in-2', phone: '13412341235', dealerCode: 'HZ001', ...created() });
    const unknown = await as(net, 'managerA', 'POST', '/api/v1/leads', { source: 'offline_store', externalId: 'walk-in-3', phone: '13412341236', dealerCode: 'ZZ999', ...created() });
    expect([foreign.statusCode, unknown.statusCode]).toEqual([404, 404]);
    expect((json(foreign) as { error: { message: string } }).error.message).toBe('dealerCode: no dealer with code "HZ001"');
    const own = await as(net, 'consultantA2', 'POST', '/api/v1/leads', { source: 'offline_store', externalId: 'walk-in-4', phone: '13412341237', ...created() });
    expect(json(own)).toMatchObject({ dealerCode: 'SH001', consultantId: net.staff.consultantA2.id, status: 'assigned' });
    expect((await as(net, 'analyst', 'POST', '/api/v1/leads', { source: 'website', externalId: 'x', phone: '13412341238', ...created() })).statusCode).toBe(403);
  });

  it('scopes: dealer B cannot read dealer A leads, a consultant sees only theirs, analysts see PII masked', async () => {
    const net = await seedNetwork(fx.app, fx.tenant);
    const post = async (externalId: string, dealerCode: string, phone: string) => json(await admin('POST', '/api/v1/leads', { source: 'website', externalId, name: '王小明', phone, dealerCode, raw: { form: 'spring' }, ...created() })) as Result;
    const a1 = await post('1', 'SH001', '13412341234');
    const a2 = await post('2', 'SH001', '13412341235');
    const b1 = await post('3', 'HZ001', '13412341236');
    expect([a1.consultantId, a2.consultantId, b1.consultantId]).toEqual([net.staff.consultantA1.id, net.staff.consultantA2.id, net.staff.consultantB1.id]);

    const status = async (who: keyof Network['staff'], id: string) => (await as(net, who, 'GET', `/api/v1/leads/${id}`)).statusCode;
    expect(await status('managerA', a1.id)).toBe(200);
    expect(await status('managerA', b1.id)).toBe(404);
    expect(await status('managerB', a1.id)).toBe(404);
    expect(await status('consultantA1', a1.id)).toBe(200);
    expect(await status('consultantA1', a2.id)).toBe(404);
    expect(await status('advisorA', a2.id)).toBe(200);
    const notThere = await as(net, 'managerB', 'GET', `/api/v1/leads/${a1.id}`);
    const missing = await as(net, 'managerB', 'GET', '/api/v1/leads/00000000-0000-4000-8000-000000000000');
    expect((json(notThere) as { error: { message: string } }).error.message).toBe(`no lead ${a1.id}`);
    expect(json(missing)).toEqual({ error: { code: 'not_found', message: 'no lead 00000000-0000-4000-8000-000000000000', details: null } });

    const list = async (who: keyof Network['staff'], query = '') => json(await as(net, who, 'GET', `/api/v1/leads${query}`));
    expect(ids(await list('managerA')).sort()).toEqual([a1.id, a2.id].sort());
    expect(ids(await list('managerB'))).toEqual([b1.id]);
    expect(ids(await list('consultantA1'))).toEqual([a1.id]);
    expect(ids(await list('consultantA1', `?dealerId=${net.units.dealerB.id}`))).toEqual([]);
    expect(ids(await list('admin', '?dealerCode=HZ001'))).toEqual([b1.id]);

    const masked = (await list('analyst')) as Page;
    expect(masked.data.map((l) => [l.name, l.phone, l.raw]).sort()).toEqual([
      ['王**', '134****1234', null],
      ['王**', '134****1235', null],
      ['王**', '134****1236', null],
    ]);
    expect(json(await as(net, 'analyst', 'GET', `/api/v1/leads/${a1.id}`))).toMatchObject({ name: '王**', phone: '134****1234', raw: null });
    expect(json(await as(net, 'managerA', 'GET', `/api/v1/leads/${a1.id}`))).toMatchObject({ name: '王小明', phone: '+8613412341234', raw: { form: 'spring' } });
  });

  it('lists: filters and cursor pages, newest first', async () => {
    const at = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();
    const r = await admin('POST', '/api/v1/leads', {
      leads: [
        { source: 'website', externalId: '1', phone: '13400000001', createdAt: at(5) },
        { source: 'douyin', externalId: '2', phone: '13400000002', createdAt: at(4) },
        { source: 'website', externalId: '3', phone: '13400000003', createdAt: at(3) },
        { source: 'website', externalId: '4', phone: '13400000004', createdAt: at(2) },
        { source: 'website', externalId: '5', phone: '13400000004', createdAt: at(1) },
      ],
    });
    const res = (json(r) as { results: Result[] }).results.map((x) => x.id);
    const page1 = json(await admin('GET', '/api/v1/leads?source=website&limit=2')) as Page;
    expect(ids(page1)).toEqual([res[4], res[3]]);
    const page2 = json(await admin('GET', `/api/v1/leads?source=website&limit=2&cursor=${page1.nextCursor}`)) as Page;
    expect(ids(page2)).toEqual([res[2], res[0]]);
    expect(page2.nextCursor).toBeNull();
    expect(ids(json(await admin('GET', '/api/v1/leads?status=invalid')))).toEqual([res[4]]);
    expect(ids(json(await admin('GET', '/api/v1/leads?status=new,assigned&inPool=true&dedup=new&from=' + encodeURIComponent(at(4.5)) + '&to=' + encodeURIComponent(at(2.5)))))).toEqual([res[2], res[1]]);
    expect((await admin('GET', '/api/v1/leads?status=open')).statusCode).toBe(400);
    expect((await admin('GET', '/api/v1/leads?cursor=abc')).statusCode).toBe(400);
  });
});
