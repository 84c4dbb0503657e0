import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../platform/clock.js';
import { json, useAppFixture } from '../testing/app.js';
import { testEngines } from '../testing/engines.js';
import { startFakeWecom, type FakeWecom } from '../testing/fakes/wecom.js';
import { adminRequest } from '../testing/identity.js';
import { asStaff, login, seedNetwork, type Network } from '../testing/org.js';
import { contactEvent, postCallback, type CallbackKeys, connectWecom } from '../testing/wecom-callbacks.js';
import { siyuWorker } from '../worker/index.js';

const NOW = new Date('2026-05-10T04:00:00Z');
const CORP_ID = 'wwcodes00000000001';
const SECRET = 'codes-appSecret_0123456789abcdefghijABCDEFGH';
const KEYS: CallbackKeys = { corpId: CORP_ID, token: 'CodesTok3n', aesKey: 'mWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };
const DAY = 86_400_000;

describe.each(testEngines)('WeCom channel codes on %s', (engine) => {
  const key = randomBytes(32);
  const clock = new ManualClock(NOW);
  const fx = useAppFixture(engine, { clock, secretKey: key });
  let fake: FakeWecom;
  let net: Network;
  let connectorId: string;
  beforeAll(async () => {
    fake = await startFakeWecom({ corpId: CORP_ID, secrets: [SECRET], now: () => clock.now().getTime() });
  });
  afterAll(() => fake.close());
  beforeEach(async () => {
    clock.set(NOW);
    net = await seedNetwork(fx.app, fx.tenant);
    connectorId = await connectWecom(fx.app, fx.tenant, { ...KEYS, secret: SECRET }, fake.url);
  });
  const seconds = () => Math.floor(clock.now().getTime() / 1000);
  const hq = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) => asStaff(fx.app, net.staff.hqOps.token, method, url, payload);
  const codeBody = (o: Record<string, unknown> = {}) => ({ connectorId, name: '展厅活码', source: 'showroom', dealerCode: 'SH001', consultantIds: [net.staff.consultantA1.id], ...o });
  const codeRows = async () => (await sql<{ id: string }>`SELECT id FROM wecom_channel_codes WHERE tenant_id = ${fx.tenant.tenantId}`.execute(fx.store.db)).rows;
  const process = () => siyuWorker({ db: fx.store.db, store: fx.store, clock, secretKey: key, onlyTenant: fx.tenant.tenantId }).drain();
  const scan = async (state: string, userid: string, o: { welcome?: boolean } = {}) => {
    const contact = fake.addExternalContact({ name: '客户', follow_user: [{ userid, state }] });
    const welcomeCode = o.welcome ? fake.issueWelcomeCode(userid, contact.external_userid) : undefined;
    const fields = contactEvent(CORP_ID, { changeType: 'add_external_contact', userId: userid, externalUserId: contact.external_userid, state, createTime: seconds(), ...(welcomeCode ? { welcomeCode } : {}) });
    expect((await postCallback(fx.app, connectorId, KEYS, fields, { timestamp: seconds() })).statusCode).toBe(200);
    return contact.external_userid;
  };

  it('a rota of two consultants is a multi-member contact way; an update and a delete follow on WeCom', async () => {
    const res = await hq('POST', '/api/v1/wecom/channel-codes', codeBody({ state: 'showroom-sh', consultantIds: [net.staff.consultantA1.id, net.staff.consultantA2.id], skipVerify: false }));
    expect(res.statusCode, res.body).toBe(201);
    const code = json(res) as { id: string; configId: string; activeUserIds: string[]; state: string };
    expect(code).toMatchObject({ state: 'showroom-sh', activeUserIds: ['wa1', 'wa2'] });
    expect(fake.state.contactWays.get(code.configId)).toMatchObject({ type: 2, scene: 2, user: ['wa1', 'wa2'], skip_verify: false, state: 'showroom-sh' });

    const updated = await hq('PUT', `/api/v1/wecom/channel-codes/${code.id}`, { name: '展厅活码 2', source: 'showroom', dealerCode: 'SH001', consultantIds: [net.staff.consultantA2.id] });
    expect(updated.statusCode, updated.body).toBe(200);
    expect(fake.state.contactWays.get(code.configId)).toMatchObject({ user: ['wa2'], skip_verify: true });
    expect((await hq('DELETE', `/api/v1/wecom/channel-codes/${code.id}`)).statusCode).toBe(204);
    expect(fake.state.contactWays.has(code.configId)).toBe(false);
    expect(await codeRows()).toEqual([]);
  });

  it('a link code answers its URL with customer_channel; its state attributes like a QR code\'s', async () => {
    const res = await hq('POST', '/api/v1/wecom/channel-codes', codeBody({ kind: 'link', state: 'douyin-ad-7', linkUrl: 'https://work.weixin.qq.com/ca/cawcde123' }));
    expect(res.statusCode, res.body).toBe(201);
    const code = json(res) as { id: string; url: string; configId: string | null };
    expect(code).toMatchObject({ url: 'https://work.weixin.qq.com/ca/cawcde123?customer_channel=douyin-ad-7', configId: null });
    await scan('douyin-ad-7', 'wa1');
    await process();
    const f = await sql<{ channel_code_id: string }>`SELECT channel_code_id FROM wecom_friendships WHERE tenant_id = ${fx.tenant.tenantId}`.execute(fx.store.db);
    expect(f.rows).toEqual([{ channel_code_id: code.id }]);
  });

  it("serves a contact way's QR image from WeCom through Siyu, within the caller's scope", async () => {
    const code = json(await hq('POST', '/api/v1/wecom/channel-codes', codeBody({ state: 'qr-image' }))) as { id: string; configId: string; qrCode: string };
    const fromWecom = await fetch(code.qrCode);
    const wecomBytes = Buffer.from(await fromWecom.arrayBuffer());
    const res = await hq('GET', `/api/v1/wecom/channel-codes/${code.id}/qr`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.rawPayload.equals(wecomBytes)).toBe(true);
    expect(res.rawPayload.subarray(1, 4).toString('latin1')).toBe('PNG');
    // Another dealer's manager cannot see the code, so not its image either.
    expect((await asStaff(fx.app, net.staff.managerB.token, 'GET', `/api/v1/wecom/channel-codes/${code.id}/qr`)).statusCode).toBe(404);
    // An acquisition link has no WeCom image.
    const link = json(await hq('POST', '/api/v1/wecom/channel-codes', codeBody({ kind: 'link', state: 'qr-link', linkUrl: 'https://work.weixin.qq.com/ca/cawqr' }))) as { id: string };
    const none = await hq('GET', `/api/v1/wecom/channel-codes/${link.id}/qr`);
    expect([none.statusCode, none.body.includes('acquisition link')]).toEqual([404, true]);
    // WeCom no longer serving the image is WeCom being unavailable, said in words.
    fake.state.contactWays.delete(code.configId);
    const gone = await hq('GET', `/api/v1/wecom/channel-codes/${code.id}/qr`);
    expect(gone.statusCode, gone.body).toBe(503);
    expect(json(gone)).toMatchObject({ error: { code: 'unavailable', details: { httpStatus: 404 } } });
  });

  it('refuses what cannot work, naming the field, changing nothing', async () => {
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [codeBody({ state: 'x'.repeat(31) }), 400, 'state'],
      [codeBody({ state: 'has space' }), 400, 'state'],
      [codeBody({ consultantIds: [] }), 400, 'consultantIds'],
      [codeBody({ consultantIds: [net.staff.advisorA.id] }), 400, 'consultantIds'],
      [codeBody({ dealerCode: 'NOPE' }), 404, 'dealerCode'],
      [codeBody({ kind: 'link' }), 400, 'linkUrl'],
      [codeBody({ connectorId: '00000000-0000-4000-8000-000000000000' }), 404, 'connectorId'],
      [codeBody({ welcome: {} }), 400, 'welcome'],
    ];
    for (const [body, status, field] of cases) {
      const res = await hq('POST', '/api/v1/wecom/channel-codes', body);
      expect([res.statusCode, res.body.includes(field)], JSON.stringify(body)).toEqual([status, true]);
    }
    expect(await codeRows()).toEqual([]);
    expect(fake.state.contactWays.size).toBe(0);
    // The same state twice on the connector: 409 naming the code that has it.
    const first = json(await hq('POST', '/api/v1/wecom/channel-codes', codeBody({ state: 'dup' }))) as { id: string };
    const again = await hq('POST', '/api/v1/wecom/channel-codes', codeBody({ state: 'dup' }));
    expect([again.statusCode, again.body.includes(first.id)]).toEqual([409, true]);
    expect(await codeRows()).toHaveLength(1);
  });

  it('a dealer manager manages their dealer\'s codes with their own consultants only; consultants none', async () => {
    const mine = await asStaff(fx.app, net.staff.managerA.token, 'POST', '/api/v1/wecom/channel-codes', codeBody({ state: 'mine' }));
    expect(mine.statusCode, mine.body).toBe(201);
    const theirs = await asStaff(fx.app, net.staff.managerA.token, 'POST', '/api/v1/wecom/channel-codes', codeBody({ state: 'theirs', dealerCode: 'HZ001' }));
    expect(theirs.statusCode).toBe(404);
    const otherStaff = await asStaff(fx.app, net.staff.managerA.token, 'POST', '/api/v1/wecom/channel-codes', codeBody({ state: 'other', consultantIds: [net.staff.consultantB1.id] }));
    expect(otherStaff.statusCode).toBe(400);
    expect((await asStaff(fx.app, net.staff.consultantA1.token, 'POST', '/api/v1/wecom/channel-codes', codeBody({ state: 'c' }))).statusCode).toBe(403);
    const id = (json(mine) as { id: string }).id;
    expect((await asStaff(fx.app, net.staff.managerB.token, 'GET', `/api/v1/wecom/channel-codes/${id}`)).statusCode).toBe(404);
    expect((json(await asStaff(fx.app, net.staff.managerB.token, 'GET', '/api/v1/wecom/channel-codes')) as { data: unknown[] }).data).toEqual([]);
    expect((json(await hq('GET', '/api/v1/wecom/channel-codes')) as { data: unknown[] }).data).toHaveLength(1);
  });

  it('a welcome code past its 20 s is recorded as expired (41051) and never retried', async () => {
    const code = json(await hq('POST', '/api/v1/wecom/channel-codes', codeBody({ state: 'late', welcome: { text: '欢迎' } }))) as { id: string };
    await scan('late', 'wa1', { welcome: true });
    clock.advance(21_000); // the worker comes after WeCom's window closed
    await process();
    await process();
    const sends = await sql<{ status: string; errcode: number | null }>`SELECT status, errcode FROM wecom_welcome_sends WHERE tenant_id = ${fx.tenant.tenantId}`.execute(fx.store.db);
    expect(sends.rows).toEqual([{ status: 'expired', errcode: 41051 }]);
    expect(fake.requests.filter((r) => r.path.endsWith('/send_welcome_msg') && r.body !== undefined && JSON.stringify(r.body).includes('欢迎'))).toHaveLength(1);
    const stats = json(await hq('GET', `/api/v1/wecom/channel-codes/${code.id}/stats`)) as { welcome: Record<string, number> };
    expect(stats.welcome).toEqual({ sent: 0, expired: 1, failed: 0, pending: 0 });
  });

  it('precipitation per day: alive after 7 and 30 days of the adds old enough, deleted by the customer, by lead source', async () => {
    const code = json(await hq('POST', '/api/v1/wecom/channel-codes', codeBody({ state: 'stats' }))) as { id: string };
    // Day 1: three adds; one customer deletes after 2 days, one after 10 days.
    const day1 = [await scan('stats', 'wa1'), await scan('stats', 'wa1'), await scan('stats', 'wa1')];
    await process();
    const remove = async (ext: string) => {
      await postCallback(fx.app, connectorId, KEYS, contactEvent(CORP_ID, { changeType: 'del_follow_user', userId: 'wa1', externalUserId: ext, createTime: seconds() }), { timestamp: seconds() });
      await process();
    };
    clock.advance(2 * DAY);
    await remove(day1[0]!);
    clock.advance(8 * DAY);
    await remove(day1[1]!);
    // Day 11: one add that came in as an Autohome lead first.
    const lead = await adminRequest(fx.app, fx.tenant, 'POST', '/api/v1/leads', { source: 'autohome', externalId: 'ah-1', phone: '13957016688', name: '钱', dealerCode: 'SH001' });
    expect(lead.statusCode, lead.body).toBe(201);
    const ext = await scan('stats', 'wa1');
    fake.state.contacts.contacts.get(ext)!.follows.get('wa1')!.remark_mobiles = ['13957016688'];
    await process();
    // Sessions do not last the ten days that passed: sign in again.
    const token = await login(fx.app, net.staff.hqOps.username);
    const stats = json(await asStaff(fx.app, token, 'GET', `/api/v1/wecom/channel-codes/${code.id}/stats?from=2026-05-10&to=2026-05-20`)) as {
      totals: Record<string, unknown>;
      days: Array<{ day: string; adds: number; matured7: number; alive7: number }>;
      byLeadSource: Array<{ leadSource: string | null; adds: number }>;
    };
    expect(stats.totals).toMatchObject({ adds: 4, matured7: 3, alive7: 2, matured30: 0, deletedByCustomer: 2, deletedByCustomerRate: 0.5, alive7Rate: 0.6667 });
    expect(stats.days).toHaveLength(11);
    expect(stats.days[0]).toMatchObject({ day: '2026-05-10', adds: 3, matured7: 3, alive7: 2 });
    expect(stats.days[10]).toMatchObject({ day: '2026-05-20', adds: 1, matured7: 0 });
    expect(stats.byLeadSource.map((s) => [s.leadSource, s.adds])).toEqual([
      ['autohome', 1],
      [null, 3],
    ]);
    const bad = await asStaff(fx.app, token, 'GET', `/api/v1/wecom/channel-codes/${code.id}/stats?from=2026-05-20&to=2026-05-10`);
    expect(bad.statusCode).toBe(400);
  });
});
