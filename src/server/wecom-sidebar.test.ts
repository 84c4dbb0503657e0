import { createHash, randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { insertLead } from '../modules/leads/funnel.test-helpers.js';
import { clearWecomTicketCache, clearWecomTokenCache, jsapiSignature, resetWecomRateLimits } from '../modules/wecom/index.js';
import { ManualClock } from '../platform/clock.js';
import { json, useAppFixture } from '../testing/app.js';
import { testEngines } from '../testing/engines.js';
import { startFakeWecom, type FakeWecom } from '../testing/fakes/wecom.js';
import { adminRequest, personHolding, resolveQueued, sendBatch } from '../testing/identity.js';
import { asStaff, seedNetwork, type Network, type StaffName } from '../testing/org.js';
import { refreshChangedProfiles } from '../worker/index.js';

const NOW = new Date('2026-03-10T02:00:00Z');
const CORP_ID = 'ww0123456789abcdef';
const OTHER_CORP_ID = 'ww00000000000000ff';
const SECRET = 'Sx9-appSecret_0123456789abcdefghijABCDEFGHIJ';
const CONNECTOR = { agentId: '1000002', secret: SECRET, token: 'Tk8sYQwq3Lm', encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };
/** The chat's customer (a customer of consultant A1 at dealer A) and a customer of dealer B. */
const LILEI = 'wmLiLei0001';
const HANMEIMEI = 'wmHanMeimei02';
const PAGE = 'https://sidebar.example.com/wecom/sidebar.html?from=chat&agent=1000002';
const SIDEBAR_KEYS = ['connectorId', 'corpId', 'externalUserId', 'openLead', 'person', 'recentEvents', 'stages', 'tags'];

type Body = Record<string, unknown>;
const rec = (v: unknown): Body => (typeof v === 'object' && v !== null && !Array.isArray(v) ? { ...v } : {});
const list = (v: unknown): Body[] => (Array.isArray(v) ? v.map(rec) : []);
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000).toISOString();
/** The documented signature, computed here on its own: hex SHA-1 of the string WeCom specifies. */
const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');
const q = (params: Record<string, string>) => new URLSearchParams(params).toString();

describe('the wx.agentConfig signature (pure)', () => {
  it("matches the example of WeCom's JS-SDK signature document and leaves the #fragment out", () => {
    const example = {
      ticket: 'sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg',
      nonceStr: 'Wm3WZYTPz0wzccnW',
      timestamp: 1414587457,
      url: 'http://mp.weixin.qq.com?params=value',
    };
    expect(jsapiSignature(example)).toBe('0f9de62fce790f9a083d5c99e95740ceb90c27ed');
    expect(jsapiSignature({ ...example, url: `${example.url}#wechat_redirect` })).toBe('0f9de62fce790f9a083d5c99e95740ceb90c27ed');
  });
});

describe.each(testEngines)('the WeCom consultant sidebar on %s', (engine) => {
  const clock = new ManualClock(NOW);
  const fx = useAppFixture(engine, { clock, secretKey: randomBytes(32) });
  const t = () => fx.tenant.tenantId;
  let fakes: FakeWecom[] = [];

  beforeEach(() => {
    clock.set(NOW);
    // Fakes listen on fresh ports that may repeat an earlier test's: no cached token or ticket may carry over.
    clearWecomTokenCache();
    clearWecomTicketCache();
    resetWecomRateLimits();
  });
  afterEach(async () => {
    await Promise.all(fakes.map((f) => f.close()));
    fakes = [];
  });

  /** A fake WeCom for `corpId` and a connector of the tenant pointing at it. */
  async function connect(corpId = CORP_ID): Promise<{ fake: FakeWecom; connectorId: string }> {
    const fake = await startFakeWecom({ corpId, secrets: [SECRET], now: () => clock.now().getTime() });
    fakes.push(fake);
    const res = await adminRequest(fx.app, fx.tenant, 'POST', '/api/v1/connectors/wecom', { ...CONNECTOR, corpId, apiBaseUrl: fake.url });
    expect(res.statusCode, res.body).toBe(201);
    return { fake, connectorId: String(rec(json(res)).id) };
  }

  const as = (net: Network, who: StaffName, url: string) => asStaff(fx.app, net.staff[who].token, 'GET', url);
  const sidebar = (net: Network, who: StaffName, externalUserId: string, connectorId?: string) =>
    as(net, who, `/api/v1/wecom/sidebar?${q({ externalUserId, ...(connectorId ? { connectorId } : {}) })}`);
  const signature = (net: Network, who: StaffName, url: string, connectorId?: string) =>
    as(net, who, `/api/v1/wecom/jsapi-signature?${q({ url, ...(connectorId ? { connectorId } : {}) })}`);
  const errorOf = (res: LightMyRequestResponse) => rec(rec(json(res)).error);

  /** What a tracking source sends about a WeCom contact: the external_userid scoped by the corp. */
  const contact = (externalUserId: string, message: Body): Body => ({
    anonymousId: `anon-${externalUserId}`,
    ...message,
    context: { externalIds: [{ type: 'wecom_external_userid', id: externalUserId, collection: CORP_ID }] },
  });

  /**
   * 李雷, consultant A1's WeCom friend with a lead at dealer A (a defeated older one, an open one with
   * a planned follow-up), a manual tag, events and a 5A stage; 韩梅梅, a customer of dealer B.
   */
  async function seedWorld() {
    const net = await seedNetwork(fx.app, fx.tenant);
    const { fake, connectorId } = await connect();
    const batch = await sendBatch(fx.app, fx.tenant, [
      contact(LILEI, { type: 'identify', traits: { name: '李雷', phone: '13812345678' }, messageId: 'sb-1', timestamp: minutesAgo(90) }),
      contact(LILEI, { type: 'track', event: 'WeCom Contact Added', properties: { staffUserId: 'wa1', state: 'c-spring-sh01' }, messageId: 'sb-2', timestamp: minutesAgo(80) }),
      contact(LILEI, { type: 'page', name: '汉EV 配置器', properties: { path: '/configurator/han-ev', title: '汉EV', referrer: 'wecom' }, messageId: 'sb-3', timestamp: minutesAgo(30) }),
      contact(LILEI, {
        type: 'track',
        event: 'Price Inquiry',
        properties: { series: '汉', model: '汉EV 冠军版', budget: 250000, financing: true, spec: { battery: 'blade' }, dealer: 'SH001', color: '星际灰' },
        messageId: 'sb-4',
        timestamp: minutesAgo(10),
      }),
      contact(HANMEIMEI, { type: 'identify', traits: { name: '韩梅梅', phone: '13987654321' }, messageId: 'sb-5', timestamp: minutesAgo(60) }),
    ]);
    expect(batch.statusCode, batch.body).toBe(200);
    await resolveQueued(fx.store, t());
    const holder = async (externalUserId: string) => (await personHolding(fx.store, t(), `wecom_external_userid:${CORP_ID}:${externalUserId}`))!.id;
    const lilei = await holder(LILEI);
    const hanmeimei = await holder(HANMEIMEI);

    const created = new Date(NOW.getTime() - 2 * 86_400_000);
    await insertLead(fx.store, t(), { profileId: lilei, dealerId: net.units.dealerA.id, consultantId: net.staff.consultantA1.id, status: 'defeated', createdAt: new Date(created.getTime() - 86_400_000), series: '唐' });
    const openLead = await insertLead(fx.store, t(), { profileId: lilei, dealerId: net.units.dealerA.id, consultantId: net.staff.consultantA1.id, createdAt: created, series: '汉' });
    await insertLead(fx.store, t(), { profileId: hanmeimei, dealerId: net.units.dealerB.id, consultantId: net.staff.consultantB1.id, createdAt: created });
    const nextFollowUpAt = new Date(NOW.getTime() + 2 * 86_400_000).toISOString();
    const followUp = await asStaff(fx.app, net.staff.consultantA1.token, 'POST', `/api/v1/leads/${openLead}/follow-ups`, { kind: 'wecom_chat', note: '约周六试驾', nextFollowUpAt });
    expect(followUp.statusCode, followUp.body).toBe(201);

    const group = rec(json(await adminRequest(fx.app, fx.tenant, 'POST', '/api/v1/tag-groups', { name: '意向' })));
    const tag = rec(json(await adminRequest(fx.app, fx.tenant, 'POST', '/api/v1/tags', { groupId: group.id, name: '试驾意向', kind: 'manual' })));
    expect((await adminRequest(fx.app, fx.tenant, 'POST', `/api/v1/tags/${String(tag.id)}/apply`, { profileIds: [lilei] })).statusCode).toBe(200);
    // The 5A model installed, then what the refresh job does: rollups (WeCom friends), stages.
    expect((await adminRequest(fx.app, fx.tenant, 'GET', '/api/v1/stage-models')).statusCode).toBe(200);
    await refreshChangedProfiles({ db: fx.store.db, clock }, t());
    return { net, fake, connectorId, lilei, hanmeimei, openLead, nextFollowUpAt };
  }

  describe('GET /api/v1/wecom/sidebar', () => {
    it("answers the consultant's customer: person, stage, open lead with its next follow-up, recent events and tags", async () => {
      const w = await seedWorld();
      const res = await sidebar(w.net, 'consultantA1', LILEI);
      expect(res.statusCode, res.body).toBe(200);
      const body = rec(json(res));
      // No suggested materials: there is no content library to suggest from.
      expect(Object.keys(body).sort()).toEqual(SIDEBAR_KEYS);
      expect(body).toMatchObject({ connectorId: w.connectorId, corpId: CORP_ID, externalUserId: LILEI });
      expect(body.person).toEqual({ id: w.lilei, name: '李雷', phone: '+8613812345678', lastSeen: expect.any(String) });
      expect(list(body.stages).map((s) => [s.model, s.stage, s.stageNameZh])).toEqual([['five_a', 'A3', '问询']]);
      expect(body.openLead).toEqual({
        id: w.openLead,
        status: 'contacted',
        series: '汉',
        model: null,
        dealerId: w.net.units.dealerA.id,
        dealerCode: 'SH001',
        consultantId: w.net.staff.consultantA1.id,
        consultantName: 'consultantA1 测试',
        nextFollowUpAt: w.nextFollowUpAt,
        slaDueAt: null,
      });
      expect(list(body.recentEvents).map((e) => [e.type, e.name, e.at])).toEqual([
        ['track', 'Price Inquiry', minutesAgo(10)],
        ['page', '汉EV 配置器', minutesAgo(30)],
        ['track', 'WeCom Contact Added', minutesAgo(80)],
      ]);
      // A few plain properties: objects are left out, five at most.
      const [inquiry] = list(body.recentEvents);
      expect(Object.keys(rec(inquiry?.properties))).toHaveLength(5);
      expect(rec(inquiry?.properties)).not.toHaveProperty('spec');
      expect(rec(inquiry?.properties)).toMatchObject({ series: '汉' });
      expect(list(body.tags).map((tag) => [tag.groupName, tag.name, tag.kind])).toEqual([['意向', '试驾意向', 'manual']]);

      // connectorId named explicitly: the same answer.
      const named = await sidebar(w.net, 'consultantA1', LILEI, w.connectorId);
      expect(named.statusCode).toBe(200);
      expect(rec(json(named)).person).toEqual(body.person);
    });

    it('shows personal data as the customer 360 does: masked for the analyst, in full for roles that may see it', async () => {
      const w = await seedWorld();
      // The 360's rule: every role sees the phone except the analyst (principal.maskPii).
      for (const who of ['admin', 'hqOps', 'managerA', 'consultantA1'] as const) {
        const res = await sidebar(w.net, who, LILEI);
        expect(res.statusCode, `${who}: ${res.body}`).toBe(200);
        expect(rec(rec(json(res)).person), who).toMatchObject({ name: '李雷', phone: '+8613812345678' });
        const profile = await as(w.net, who, `/api/v1/profiles/${w.lilei}`);
        expect(profile.body, who).toContain('+8613812345678');
      }
      const res = await sidebar(w.net, 'analyst', LILEI);
      expect(res.statusCode, res.body).toBe(200);
      const body = rec(json(res));
      expect(body.person).toMatchObject({ id: w.lilei, name: '李*', phone: '138****5678' });
      expect(rec(body.openLead).consultantName).toBe(`c${'*'.repeat([...'consultantA1 测试'].length - 1)}`);
      for (const raw of ['李雷', '13812345678', 'consultantA1 测试']) expect(res.body).not.toContain(raw);
      const profile = await as(w.net, 'analyst', `/api/v1/profiles/${w.lilei}`);
      expect(profile.body).not.toContain('13812345678');
    });

    it('answers 404 for an unknown external_userid and, alike, for a customer outside the caller\'s scope', async () => {
      const w = await seedWorld();
      const unknown = await sidebar(w.net, 'consultantA1', 'wmNobody999');
      expect(unknown.statusCode).toBe(404);
      expect(errorOf(unknown)).toMatchObject({ code: 'not_found', message: expect.stringContaining('no customer you can see holds WeCom external_userid wmNobody999') });

      // Dealer B's customer: dealer A's manager gets the same answer as for nobody; dealer B's manager sees them.
      const otherDealer = await sidebar(w.net, 'managerA', HANMEIMEI);
      expect(otherDealer.statusCode).toBe(404);
      const same = (res: LightMyRequestResponse, id: string) => JSON.stringify(json(res)).replaceAll(id, '<id>');
      expect(same(otherDealer, HANMEIMEI)).toBe(same(unknown, 'wmNobody999'));
      expect(otherDealer.body).not.toContain('韩梅梅');
      expect(otherDealer.body).not.toContain(w.hanmeimei);
      const ownDealer = await sidebar(w.net, 'managerB', HANMEIMEI);
      expect(ownDealer.statusCode, ownDealer.body).toBe(200);
      expect(rec(rec(json(ownDealer)).person).id).toBe(w.hanmeimei);

      // Another consultant of the same team: not their lead, not their WeCom friend.
      expect((await sidebar(w.net, 'consultantA2', LILEI)).statusCode).toBe(404);
      expect((await sidebar(w.net, 'managerB', LILEI)).statusCode).toBe(404);
      // The external_userid of another corp is another identifier.
      const other = await connect(OTHER_CORP_ID);
      expect((await sidebar(w.net, 'consultantA1', LILEI, other.connectorId)).statusCode).toBe(404);
    });

    it('refuses admin tokens and bad queries, and picks the connector only when there is exactly one', async () => {
      const net = await seedNetwork(fx.app, fx.tenant);
      const none = await sidebar(net, 'consultantA1', LILEI);
      expect(none.statusCode).toBe(404);
      expect(errorOf(none).message).toContain('no WeCom connector yet');

      const first = await connect();
      const token = await adminRequest(fx.app, fx.tenant, 'GET', `/api/v1/wecom/sidebar?${q({ externalUserId: LILEI })}`);
      expect(token.statusCode).toBe(403);
      expect(errorOf(token).message).toContain('signed-in staff');
      expect((await as(net, 'consultantA1', '/api/v1/wecom/sidebar')).statusCode).toBe(400);
      expect((await as(net, 'consultantA1', `/api/v1/wecom/sidebar?${q({ externalUserId: LILEI, connectorId: 'nope' })}`)).statusCode).toBe(400);

      const second = await connect(OTHER_CORP_ID);
      const ambiguous = await sidebar(net, 'consultantA1', LILEI);
      expect(ambiguous.statusCode).toBe(400);
      expect(errorOf(ambiguous)).toMatchObject({ code: 'invalid_request', details: { field: 'connectorId' } });
      expect(errorOf(ambiguous).message).toContain(first.connectorId);
      expect(errorOf(ambiguous).message).toContain(second.connectorId);
      const missing = await sidebar(net, 'consultantA1', LILEI, '00000000-0000-4000-8000-000000000000');
      expect(missing.statusCode).toBe(404);
      expect(errorOf(missing).message).toContain(first.connectorId);
    });
  });

  describe('GET /api/v1/wecom/jsapi-signature', () => {
    it("signs the page URL without its #fragment with the app's ticket, for staff of any role", async () => {
      const net = await seedNetwork(fx.app, fx.tenant);
      const { fake } = await connect();
      for (const who of ['consultantA1', 'advisorA', 'managerB', 'analyst', 'admin'] as const) {
        const res = await signature(net, who, `${PAGE}#/customer/42`);
        expect(res.statusCode, `${who}: ${res.body}`).toBe(200);
        const body = rec(json(res));
        expect(Object.keys(body).sort()).toEqual(['agentId', 'corpId', 'nonceStr', 'signature', 'timestamp']);
        expect(body).toMatchObject({ corpId: CORP_ID, agentId: '1000002', timestamp: Math.floor(NOW.getTime() / 1000) });
        const nonceStr = String(body.nonceStr);
        expect(nonceStr).toMatch(/^[A-Za-z0-9]{16,}$/);
        expect(body.signature).toBe(sha1(`jsapi_ticket=${fake.jsapiTicket()}&noncestr=${nonceStr}&timestamp=${String(body.timestamp)}&url=${PAGE}`));
        expect(body.signature).not.toBe(sha1(`jsapi_ticket=${fake.jsapiTicket()}&noncestr=${nonceStr}&timestamp=${String(body.timestamp)}&url=${PAGE}#/customer/42`));
      }
      const nonces = await Promise.all([1, 2, 3].map(async () => String(rec(json(await signature(net, 'consultantA1', PAGE))).nonceStr)));
      expect(new Set(nonces).size).toBe(3);

      const token = await adminRequest(fx.app, fx.tenant, 'GET', `/api/v1/wecom/jsapi-signature?${q({ url: PAGE })}`);
      expect(token.statusCode).toBe(403);
      expect(token.body).not.toContain(fake.jsapiTicket());
    });

    it('refuses a URL that is not http(s), not absolute or longer than 2000 characters', async () => {
      const net = await seedNetwork(fx.app, fx.tenant);
      await connect();
      const long = `https://sidebar.example.com/?q=${'x'.repeat(2000)}`;
      for (const url of ['ftp://sidebar.example.com/page', 'javascript:alert(1)', '/wecom/sidebar.html', 'https://sidebar.example.com/a page', long, '']) {
        const res = await signature(net, 'consultantA1', url);
        expect(res.statusCode, url.slice(0, 40)).toBe(400);
        expect(errorOf(res)).toMatchObject({ code: 'invalid_request', message: expect.stringContaining('url') });
      }
      expect((await as(net, 'consultantA1', '/api/v1/wecom/jsapi-signature')).statusCode).toBe(400);
      const exact = `https://sidebar.example.com/?q=${'x'.repeat(2000 - 'https://sidebar.example.com/?q='.length)}`;
      expect((await signature(net, 'consultantA1', exact)).statusCode).toBe(200);
    });

    it('fetches the ticket once for many signatures, concurrent or not, and again only when it is about to expire', async () => {
      const net = await seedNetwork(fx.app, fx.tenant);
      const { fake, connectorId } = await connect();
      const fetched = (path: string) => fake.requests.filter((r) => r.path === `/cgi-bin/${path}`).length;

      const concurrent = await Promise.all([1, 2, 3, 4, 5].map(() => signature(net, 'consultantA1', PAGE)));
      expect(concurrent.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
      for (const who of ['consultantA2', 'managerA', 'consultantB1'] as const) expect((await signature(net, who, PAGE, connectorId)).statusCode).toBe(200);
      expect(fetched('ticket/get')).toBe(1);
      expect(fetched('gettoken')).toBe(1);
      expect(fake.requests.find((r) => r.path === '/cgi-bin/ticket/get')?.query).toMatchObject({ type: 'agent_config', access_token: fake.tokens[0] });

      // WeCom's expires_in is 7200 s: cached until 5 minutes before that, then fetched anew (the token as well).
      clock.advance((7200 - 301) * 1000);
      expect((await signature(net, 'consultantA1', PAGE)).statusCode).toBe(200);
      expect(fetched('ticket/get')).toBe(1);
      clock.advance(2000);
      const after = await signature(net, 'consultantA1', PAGE);
      expect(after.statusCode).toBe(200);
      expect(fetched('ticket/get')).toBe(2);
      expect(fake.requests.filter((r) => r.path === '/cgi-bin/ticket/get').at(-1)?.query.access_token).toBe(fake.tokens[1]);
      const body = rec(json(after));
      expect(body.timestamp).toBe(Math.floor(clock.now().getTime() / 1000));
      expect(body.signature).toBe(sha1(`jsapi_ticket=${fake.jsapiTicket()}&noncestr=${String(body.nonceStr)}&timestamp=${String(body.timestamp)}&url=${PAGE}`));
      clock.advance(60_000);
      expect((await signature(net, 'consultantA1', PAGE)).statusCode).toBe(200);
      expect(fetched('ticket/get')).toBe(2);
    });

    it("answers WeCom's refusal in words, never the secret", async () => {
      const net = await seedNetwork(fx.app, fx.tenant);
      const { fake } = await connect();
      fake.refuseIp(true);
      const res = await signature(net, 'consultantA1', PAGE);
      expect(res.statusCode).toBe(403);
      expect(errorOf(res).message).toContain('企业可信IP');
      expect(res.body).not.toContain(SECRET);
      fake.refuseIp(false);
      // Nothing was cached from the refusal: the next call fetches and signs.
      expect((await signature(net, 'consultantA1', PAGE)).statusCode).toBe(200);
    });
  });
});
