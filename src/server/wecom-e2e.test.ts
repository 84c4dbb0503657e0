import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../platform/clock.js';
import { json, useAppFixture } from '../testing/app.js';
import { testEngines } from '../testing/engines.js';
import { startFakeWecom, type FakeWecom } from '../testing/fakes/wecom.js';
import { adminRequest } from '../testing/identity.js';
import { asStaff, login, seedNetwork } from '../testing/org.js';
import { connectWecom, contactEvent, postCallback, type CallbackKeys } from '../testing/wecom-callbacks.js';
import { siyuWorker } from '../worker/index.js';

const NOW = new Date('2026-04-01T02:00:00Z');
const CORP_ID = 'wwe2e0000000000001';
const SECRET = 'e2e-appSecret_0123456789abcdefghijABCDEFGHIJ';
const KEYS: CallbackKeys = { corpId: CORP_ID, token: 'E2eToken42', aesKey: 'kWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };

/**
 * A customer's whole WeCom life through the public paths: a channel code made by HQ, the scan's add
 * event with its State and WelcomeCode, attribution, scope, the welcome message, the "WeCom friends"
 * segment, and the customer deleting their consultant.
 */
describe.each(testEngines)('WeCom end to end on %s', (engine) => {
  const clock = new ManualClock(NOW);
  const key = randomBytes(32);
  const fx = useAppFixture(engine, { clock, secretKey: key });
  let fake: FakeWecom;
  beforeAll(async () => {
    fake = await startFakeWecom({ corpId: CORP_ID, secrets: [SECRET], now: () => clock.now().getTime() });
  });
  afterAll(() => fake.close());
  const seconds = () => Math.floor(clock.now().getTime() / 1000);

  it('channel code → add with State → attributed, in the consultant\'s scope only, welcomed once, in the segment → deleted by the customer → churn, out of the segment', async () => {
    const tenantId = fx.tenant.tenantId;
    const net = await seedNetwork(fx.app, fx.tenant);
    const admin = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) => adminRequest(fx.app, fx.tenant, method, url, payload);
    const connector = { id: await connectWecom(fx.app, fx.tenant, { ...KEYS, secret: SECRET }, fake.url) };
    const process = () => siyuWorker({ db: fx.store.db, store: fx.store, clock, secretKey: key, onlyTenant: tenantId }).drain();

    // HQ ops make a code for dealer A's consultant A1, with a welcome message.
    const created = await asStaff(fx.app, net.staff.hqOps.token, 'POST', '/api/v1/wecom/channel-codes', {
      connectorId: connector.id,
      name: '成都车展 A 馆',
      source: 'autohome',
      campaign: '2026 春季车展',
      series: '岚图 SUV',
      dealerCode: 'SH001',
      consultantIds: [net.staff.consultantA1.id],
      welcome: { text: '您好{name}，我是{consultant}，欢迎了解{series}！', attachment: { type: 'link', title: '预约试驾', url: 'https://example.com/test-drive' } },
    });
    expect(created.statusCode, created.body).toBe(201);
    const code = json(created) as { id: string; state: string; configId: string; qrCode: string; activeUserIds: string[] };
    expect(code.activeUserIds).toEqual(['wa1']);
    expect(fake.state.contactWays.get(code.configId)).toMatchObject({ state: code.state, user: ['wa1'], type: 1 });

    // The customer scans it: WeCom calls back with the code's State and a WelcomeCode.
    const contact = fake.addExternalContact({ name: '赵先生', gender: 1, unionid: 'oUnion-zhao', follow_user: [{ userid: 'wa1', add_way: 1, state: code.state }] });
    const welcomeCode = fake.issueWelcomeCode('wa1', contact.external_userid);
    const add = contactEvent(CORP_ID, { changeType: 'add_external_contact', userId: 'wa1', externalUserId: contact.external_userid, state: code.state, welcomeCode, createTime: seconds() });
    expect((await postCallback(fx.app, connector.id, KEYS, add, { timestamp: seconds() })).statusCode).toBe(200);
    clock.advance(2_000);
    await process();
    // WeCom retries the same callback (it did not see our 200): nothing happens twice.
    expect((await postCallback(fx.app, connector.id, KEYS, add, { timestamp: seconds() })).statusCode).toBe(200);
    await process();

    const profileId = (
      await sql<{ profile_id: string }>`SELECT profile_id FROM profile_identifiers WHERE tenant_id = ${tenantId} AND type = 'wecom_external_userid' AND value = ${contact.external_userid}`.execute(
        fx.store.db,
      )
    ).rows[0]!.profile_id;
    // Attributed to the code's source, campaign and dealer.
    const origin = await sql<{ source: string; org_unit_id: string }>`SELECT source, org_unit_id FROM profile_origins WHERE tenant_id = ${tenantId} AND profile_id = ${profileId}`.execute(fx.store.db);
    expect(origin.rows).toEqual([{ source: 'autohome', org_unit_id: net.units.dealerA.id }]);
    const events = await sql<{ properties: Record<string, unknown> }>`
      SELECT properties FROM events WHERE tenant_id = ${tenantId} AND profile_id = ${profileId} AND event = 'WeCom Contact Added'`.execute(fx.store.db);
    expect(events.rows).toEqual([
      { properties: expect.objectContaining({ channelCodeId: code.id, source: 'autohome', campaign: '2026 春季车展', dealerCode: 'SH001', series: '岚图 SUV', staffUserId: 'wa1' }) },
    ]);

    // Visible to that consultant and their manager, not to another dealer.
    const see = async (token: string) => (await asStaff(fx.app, token, 'GET', `/api/v1/profiles/${profileId}`)).statusCode;
    expect(await see(net.staff.consultantA1.token)).toBe(200);
    expect(await see(net.staff.managerA.token)).toBe(200);
    expect(await see(net.staff.managerB.token)).toBe(404);
    expect(await see(net.staff.consultantB1.token)).toBe(404);

    // The welcome message went out exactly once, personalised.
    const sends = fake.requests.filter((r) => r.path.endsWith('/externalcontact/send_welcome_msg'));
    expect(sends).toHaveLength(1);
    expect(sends[0]?.body).toMatchObject({
      welcome_code: welcomeCode,
      text: { content: '您好赵先生，我是consultantA1 测试，欢迎了解岚图 SUV！' },
      attachments: [{ msgtype: 'link', link: { title: '预约试驾', url: 'https://example.com/test-drive' } }],
    });

    // The operators' "WeCom friends" segment includes the person.
    const segment = json(await admin('POST', '/api/v1/segments', { name: '企微好友', definition: { condition: { type: 'wecom_friend' } } })) as { id: string };
    await process();
    const members = async () => (json(await admin('GET', `/api/v1/segments/${segment.id}/members`)) as { data: Array<{ profileId: string }> }).data.map((m) => m.profileId);
    expect(await members()).toEqual([profileId]);

    // The customer deletes the consultant.
    clock.advance(3 * 86_400_000);
    const del = contactEvent(CORP_ID, { changeType: 'del_follow_user', userId: 'wa1', externalUserId: contact.external_userid, createTime: seconds() });
    expect((await postCallback(fx.app, connector.id, KEYS, del, { timestamp: seconds() })).statusCode).toBe(200);
    await process();
    const friendship = await sql<{ removed_by: string | null; removed_at: Date | null }>`SELECT removed_by, removed_at FROM wecom_friendships WHERE tenant_id = ${tenantId}`.execute(fx.store.db);
    expect(friendship.rows).toEqual([{ removed_by: 'customer', removed_at: clock.now() }]);
    expect(await members()).toEqual([]);
    // The consultant's manager sees the churn; the other dealer's does not.
    const churn = async (username: string) => {
      // Sessions do not last the three days that passed: sign in again.
      const res = await asStaff(fx.app, await login(fx.app, username), 'GET', '/api/v1/wecom/churn');
      expect(res.statusCode, res.body).toBe(200);
      return (json(res) as { data: Array<{ profileId: string; customerName: string; daysAsFriend: number }> }).data;
    };
    expect(await churn(net.staff.managerA.username)).toEqual([expect.objectContaining({ profileId, customerName: '赵先生', daysAsFriend: 3 })]);
    expect(await churn(net.staff.managerB.username)).toEqual([]);
    expect((await churn(net.staff.analyst.username))[0]?.customerName).toBe('赵**');

    const stats = json(await asStaff(fx.app, await login(fx.app, net.staff.managerA.username), 'GET', `/api/v1/wecom/channel-codes/${code.id}/stats`)) as {
      totals: Record<string, unknown>;
      welcome: Record<string, number>;
      byLeadSource: Array<{ leadSource: string | null; adds: number }>;
    };
    expect(stats.totals).toMatchObject({ adds: 1, matured7: 0, deletedByCustomer: 1, deletedByCustomerRate: 1 });
    expect(stats.welcome).toEqual({ sent: 1, expired: 0, failed: 0, pending: 0 });
    expect(stats.byLeadSource).toEqual([expect.objectContaining({ leadSource: null, adds: 1 })]);
  });
});
