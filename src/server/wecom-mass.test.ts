import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { wecomMassCapSettingSchema, wecomMassDetailSchema, wecomMassListSchema, wecomMassRecipientsSchema, type WecomMassDetail } from '../contracts/wecom-mass.js';
import { FIRST_POLL_MS, prepareMassMessage, resetWecomRateLimits, RESULT_WINDOW_MS, sendMassMessage } from '../modules/wecom/index.js';
import { ManualClock } from '../platform/clock.js';
import { json, useAppFixture } from '../testing/app.js';
import { freshTenant, testEngines } from '../testing/engines.js';
import { startFakeWecom, type FakeWecom } from '../testing/fakes/wecom.js';
import { adminRequest } from '../testing/identity.js';
import { asStaff, seedNetwork, TEST_PASSWORD, type Network } from '../testing/org.js';
import { contactEvent, postCallback, type CallbackKeys, connectWecom } from '../testing/wecom-callbacks.js';
import { siyuWorker } from '../worker/index.js';

const NOW = new Date('2026-03-10T02:00:00Z');
const CORP_ID = 'ww0123456789abcdef';
const SECRET = 'Sx9-appSecret_0123456789abcdefghijABCDEFGHIJ';
const KEYS: CallbackKeys = { corpId: CORP_ID, token: 'Tk8sYQwq3Lm', aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };
/**
 * Customers whose add events are processed per worker run: externalcontact/get is asked once per
 * customer, and the client allows bursts of 40 calls per API, refilled at 400 a minute (6 s for 40
 * on the test's clock).
 */
const ROUND = 40;
const REFILL_MS = 6_000;
const MASS = '/api/v1/wecom/mass-messages';

const idOf = z.object({ id: z.string() });
const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

/** A customer to make: their WeChat name and the consultants (WeCom user ids) who add them, in order. */
interface Friend {
  name: string;
  follows: string[];
}

describe.each(testEngines)('WeCom mass messages on %s', (engine) => {
  const key = randomBytes(32);
  const clock = new ManualClock(NOW);
  const fx = useAppFixture(engine, { clock, secretKey: key });
  let fake: FakeWecom;
  let connectorId: string;
  let net: Network;
  const tenant = () => fx.tenant.tenantId;

  beforeAll(async () => {
    resetWecomRateLimits();
    fake = await startFakeWecom({ corpId: CORP_ID, secrets: [SECRET], now: () => clock.now().getTime() });
  });
  afterAll(() => fake.close());
  beforeEach(async () => {
    net = await seedNetwork(fx.app, fx.tenant);
    connectorId = await connectWecom(fx.app, fx.tenant, { ...KEYS, secret: SECRET }, fake.url);
  });

  const work = () => siyuWorker({ db: fx.store.db, store: fx.store, clock, secretKey: key, onlyTenant: tenant() }).drain(1000);
  const admin = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => adminRequest(fx.app, fx.tenant, method, url, payload);
  const ok = (res: LightMyRequestResponse, status = 200) => {
    expect(res.statusCode, res.body).toBe(status);
    return json(res);
  };
  const change = (changeType: string, userId: string, externalUserId: string, at: Date) =>
    postCallback(fx.app, connectorId, KEYS, contactEvent(CORP_ID, { changeType, userId, externalUserId, createTime: seconds(at) }), { timestamp: seconds(clock.now()) });

  /**
   * Makes the customers in WeCom (the fake) and their friendships in Siyu through the callback
   * path: each consultant's add event (a second apart, in order), processed by the worker.
   */
  async function befriend(friends: readonly Friend[]): Promise<string[]> {
    const ids: string[] = [];
    for (let start = 0; start < friends.length; start += ROUND) {
      for (const f of friends.slice(start, start + ROUND)) {
        const at = clock.now();
        const contact = fake.addExternalContact({ name: f.name, follow_user: f.follows.map((userid, i) => ({ userid, createtime: seconds(at) + i })) });
        for (const [i, userid] of f.follows.entries()) {
          const res = await change('add_external_contact', userid, contact.external_userid, new Date(at.getTime() + i * 1000));
          expect(res.statusCode, res.body).toBe(200);
        }
        ids.push(contact.external_userid);
      }
      clock.advance(REFILL_MS);
      await work();
    }
    return ids;
  }

  /** The customer deletes the consultant (del_follow_user), in WeCom and through the callback. */
  async function unfriend(externalUserids: readonly string[], userid: string): Promise<void> {
    for (const id of externalUserids) {
      fake.state.contacts.contacts.get(id)?.follows.delete(userid);
      expect((await change('del_follow_user', userid, id, clock.now())).statusCode).toBe(200);
    }
    await work();
  }

  /** The person (profile id) of each external_userid. */
  async function peopleOf(externalUserids: readonly string[]): Promise<string[]> {
    const { rows } = await sql<{ value: string; profile_id: string }>`
      SELECT value, profile_id FROM profile_identifiers WHERE tenant_id = ${tenant()} AND type = 'wecom_external_userid' AND scope = ${CORP_ID}`.execute(fx.store.db);
    const byId = new Map(rows.map((r) => [r.value, r.profile_id]));
    return externalUserids.map((id) => {
      const person = byId.get(id);
      if (!person) throw new Error(`no person holds ${id}`);
      return person;
    });
  }

  async function consent(profileIds: readonly string[], channel: string, purpose: string, state: string): Promise<void> {
    for (const id of profileIds) ok(await admin('POST', `/api/v1/profiles/${id}/consents`, { channel, purpose, state, source: 'wecom_form' }), 201);
  }

  async function segment(name: string, contains: string): Promise<string> {
    const body = { name, definition: { condition: { type: 'trait', trait: 'wechatName', op: 'contains', value: contains } } };
    const id = idOf.parse(ok(await admin('POST', '/api/v1/segments', body), 201)).id;
    await work();
    return id;
  }

  const create = async (body: Record<string, unknown>, token?: string): Promise<LightMyRequestResponse> =>
    token ? asStaff(fx.app, token, 'POST', MASS, body) : admin('POST', MASS, body);
  const detail = async (id: string, token?: string): Promise<WecomMassDetail> =>
    wecomMassDetailSchema.parse(ok(token ? await asStaff(fx.app, token, 'GET', `${MASS}/${id}`) : await admin('GET', `${MASS}/${id}`)));
  const shareOf = (task: WecomMassDetail, wecomUserId: string) => task.byConsultant.find((c) => c.wecomUserId === wecomUserId);
  const text = (t: string) => ({ text: t });

  it('sends to a segment of 1,000 people through their consultants, honouring consent and the per-customer cap exactly, and collects the results', async () => {
    const t0 = performance.now();
    const consultants = ['wa1', 'wa2', 'wb1'];
    // A consultant who leaves before the mass message.
    const wa3 = idOf.parse(
      ok(
        await admin('POST', '/api/v1/staff', { username: `wa3-${tenant().slice(0, 8)}`, password: TEST_PASSWORD, name: '离职顾问', role: 'consultant', orgUnitCode: 'SH001-T1', wecomUserId: 'wa3' }),
        201,
      ),
    ).id;
    const regular = await befriend(Array.from({ length: 780 }, (_, i) => ({ name: `春季-${i}`, follows: [consultants[i % 3]!] })));
    const twoConsultants = await befriend(Array.from({ length: 20 }, (_, i) => ({ name: `春季-双-${i}`, follows: ['wa1', 'wb1'] })));
    const capped = await befriend(Array.from({ length: 50 }, (_, i) => ({ name: `春季-CAP-${i}`, follows: ['wa2'] })));
    const noConsent = await befriend(Array.from({ length: 100 }, (_, i) => ({ name: `春季-无同意-${i}`, follows: ['wa1'] })));
    const gone = await befriend(Array.from({ length: 30 }, (_, i) => ({ name: `春季-已删-${i}`, follows: ['wa1'] })));
    const inactive = await befriend(Array.from({ length: 20 }, (_, i) => ({ name: `春季-离职-${i}`, follows: ['wa3'] })));
    await unfriend(gone, 'wa1');
    ok(await admin('PUT', `/api/v1/staff/${wa3}`, { active: false }));
    const seeded = performance.now();

    // WeCom marketing consent granted, except: none recorded (60), denied (20), granted for SMS
    // marketing only (10), granted for WeCom service messages only (10).
    const [regularP, twoP, cappedP, noConsentP, inactiveP] = await Promise.all([regular, twoConsultants, capped, noConsent, inactive].map((ids) => peopleOf(ids)));
    await consent([...regularP!, ...twoP!, ...cappedP!, ...inactiveP!], 'wecom', 'marketing', 'granted');
    await consent(noConsentP!.slice(60, 80), 'wecom', 'marketing', 'denied');
    await consent(noConsentP!.slice(80, 90), 'sms', 'marketing', 'granted');
    await consent(noConsentP!.slice(90, 100), 'wecom', 'service', 'granted');
    const consented = performance.now();

    // The connector allows 2 mass messages per customer this month; the 50 have had two already
    // (one sent, one still waiting for the consultant).
    wecomMassCapSettingSchema.parse(ok(await admin('PUT', '/api/v1/wecom/mass-message-caps', { connectorId, period: 'month', limit: 2 })));
    const capSegment = await segment('春季 CAP', 'CAP');
    for (const [i, name] of ['三月保养', '三月试驾'].entries()) {
      const earlier = idOf.parse(ok(await create({ connectorId, name, audience: { segmentId: capSegment }, content: text(name) }), 202)).id;
      await work();
      const task = await detail(earlier);
      expect(task.counts).toMatchObject({ audience: 50, waiting: 50 });
      if (i === 0) fake.confirmMsgTemplate(shareOf(task, 'wa2')!.msgids[0]!, 'wa2');
    }

    const spring = await segment('春季活动', '春季');
    const content = {
      text: '春季试驾季：到店试驾即送保养券',
      attachments: [
        { type: 'link', title: '预约试驾', url: 'https://brand.example.com/test-drive', desc: '三月到店礼' },
        { type: 'miniprogram', title: '车主小程序', appId: 'wx0123456789abcdef', page: 'pages/index.html', picMediaId: 'MEDIA_ID_1' },
      ],
    };
    const res = await create({ connectorId, name: '春季试驾邀约', audience: { segmentId: spring }, content, idempotencyKey: 'spring-2026' });
    const queued = wecomMassDetailSchema.parse(ok(res, 202));
    expect(res.headers.location).toBe(`${MASS}/${queued.id}`);
    expect(queued).toMatchObject({ state: 'queued', counts: { audience: 0 } });
    await work();
    const sent = await detail(queued.id);
    expect(sent.state).toBe('sent');
    expect(sent.cap).toEqual({ period: 'month', limit: 2, from: '2026-02-28T16:00:00.000Z', until: '2026-03-31T16:00:00.000Z' });
    expect(sent.counts).toEqual({
      audience: 1000,
      queued: 0,
      waiting: 800,
      sent: 0,
      notFriend: 0,
      wecomCap: 0,
      unsent: 0,
      failed: 0,
      skipped: { no_friendship: 30, consultant_inactive: 20, no_consent: 100, cap_reached: 50, wecom_refused: 0 },
    });
    // Each consultant's share in one call; the two-consultant people through the newer friendship (wb1).
    expect(sent.byConsultant.map((c) => [c.wecomUserId, c.recipients, c.msgids.length])).toEqual([
      ['wa1', 260, 1],
      ['wa2', 260, 1],
      ['wb1', 280, 1],
    ]);
    const calls = fake.requests.filter((r) => r.path === '/cgi-bin/externalcontact/add_msg_template').slice(-3);
    expect(calls.map((c) => z.looseObject({ chat_type: z.string(), sender: z.string(), external_userid: z.array(z.string()) }).parse(c.body))).toEqual(
      ['wa1', 'wa2', 'wb1'].map((sender) => expect.objectContaining({ chat_type: 'single', sender, external_userid: expect.any(Array) })),
    );
    expect(z.looseObject({ attachments: z.array(z.unknown()) }).parse(calls[0]!.body).attachments).toEqual([
      { msgtype: 'link', link: { title: '预约试驾', url: 'https://brand.example.com/test-drive', desc: '三月到店礼' } },
      { msgtype: 'miniprogram', miniprogram: { title: '车主小程序', appid: 'wx0123456789abcdef', page: 'pages/index.html', pic_media_id: 'MEDIA_ID_1' } },
    ]);
    const twoPeople = new Set(twoP);
    const recipients = wecomMassRecipientsSchema.parse(ok(await admin('GET', `${MASS}/${queued.id}/recipients?limit=1000`)));
    expect(recipients.data).toHaveLength(1000);
    expect(recipients.data.filter((r) => twoPeople.has(r.profileId)).every((r) => r.wecomUserId === 'wb1' && r.status === 'waiting')).toBe(true);
    const skipped = wecomMassRecipientsSchema.parse(ok(await admin('GET', `${MASS}/${queued.id}/recipients?reason=cap_reached&limit=100`)));
    expect(new Set(skipped.data.map((r) => r.profileId))).toEqual(new Set(cappedP));

    // wa1 and wb1 send; WeCom reports some of wa2's customers as no longer friends or at its own cap.
    fake.confirmMsgTemplate(shareOf(sent, 'wa1')!.msgids[0]!, 'wa1');
    fake.confirmMsgTemplate(shareOf(sent, 'wb1')!.msgids[0]!, 'wb1');
    const wa2Rows = fake.state.contacts.msgTemplates.get(shareOf(sent, 'wa2')!.msgids[0]!)!.send_list;
    wa2Rows.slice(0, 5).forEach((row) => Object.assign(row, { status: 2 }));
    wa2Rows.slice(5, 8).forEach((row) => Object.assign(row, { status: 3 }));
    clock.advance(FIRST_POLL_MS);
    await work();
    const read = await detail(queued.id);
    expect(read.state).toBe('sent');
    expect(read.counts).toMatchObject({ waiting: 252, sent: 540, notFriend: 5, wecomCap: 3 });
    expect(read.byConsultant.map((c) => [c.wecomUserId, c.sent, c.waiting, c.notFriend, c.wecomCap])).toEqual([
      ['wa1', 260, 0, 0, 0],
      ['wa2', 0, 252, 5, 3],
      ['wb1', 280, 0, 0, 0],
    ]);
    const sentToWb1 = wecomMassRecipientsSchema.parse(ok(await admin('GET', `${MASS}/${queued.id}/recipients?wecomUserId=wb1&status=sent&limit=1000`)));
    expect(sentToWb1.data).toHaveLength(280);
    expect(sentToWb1.data.every((r) => r.wecomStatus === 1 && r.sentAt !== null)).toBe(true);

    // The cap is counted exactly: each of the 50 holds two places this month, every other recipient one.
    const holds = await sql<{ n: number; people: number }>`
      SELECT places::int AS n, count(*)::int AS people FROM (
        SELECT external_userid, count(*) AS places FROM wecom_mass_recipients WHERE tenant_id = ${tenant()} AND holds_cap GROUP BY external_userid) x
      GROUP BY places ORDER BY places`.execute(fx.store.db);
    expect(holds.rows.map((r) => [Number(r.n), Number(r.people)])).toEqual([
      [1, 792],
      [2, 50],
    ]);

    // After the results window, who still waits is unsent and frees the place.
    clock.advance(RESULT_WINDOW_MS);
    await work();
    const done = await detail(queued.id);
    expect(done).toMatchObject({ state: 'completed', counts: { waiting: 0, unsent: 252, sent: 540 } });
    console.log(
      `${engine}: 1,000 people made through callbacks in ${((seeded - t0) / 1000).toFixed(1)} s, consents in ${((consented - seeded) / 1000).toFixed(1)} s, ` +
        `the mass messages in ${((performance.now() - consented) / 1000).toFixed(1)} s`,
    );
  });

  /** Friends of the consultants with WeCom marketing consent, and a segment of them (by name). */
  async function audience(prefix: string, follows: readonly string[][]): Promise<{ segmentId: string; people: string[]; externalUserids: string[] }> {
    const externalUserids = await befriend(follows.map((f, i) => ({ name: `${prefix}-${i}`, follows: [...f] })));
    const people = await peopleOf(externalUserids);
    await consent(people, 'wecom', 'marketing', 'granted');
    return { segmentId: await segment(prefix, prefix), people, externalUserids };
  }

  const massJobs = async () =>
    (await sql<{ n: number }>`SELECT count(*)::int AS n FROM jobs WHERE tenant_id = ${tenant()} AND kind = 'wecom.mass.send'`.execute(fx.store.db)).rows[0]?.n ?? 0;
  const templateCalls = () => fake.requests.filter((r) => r.path === '/cgi-bin/externalcontact/add_msg_template').length;

  it('is idempotent: the same key (or, without one, the same request that day) answers the same task; the key with another request is a 409', async () => {
    const { segmentId } = await audience('夏季', [['wa1'], ['wb1']]);
    const body = { connectorId, name: '夏季保养', audience: { segmentId }, content: text('夏季保养提醒'), idempotencyKey: 'summer-1' };
    const first = wecomMassDetailSchema.parse(ok(await create(body), 202));
    const again = await create(body);
    expect(again.statusCode, again.body).toBe(200);
    expect(wecomMassDetailSchema.parse(json(again)).id).toBe(first.id);
    const clash = await create({ ...body, name: '夏季保养（改）' });
    expect(clash.statusCode, clash.body).toBe(409);
    expect(json(clash)).toMatchObject({ error: { code: 'conflict', details: { id: first.id } } });
    // Without a key: the same request is the same task; another request is another task.
    const { idempotencyKey: _key, ...unkeyed } = body;
    clock.advance(1_000);
    const second = wecomMassDetailSchema.parse(ok(await create(unkeyed), 202));
    expect(wecomMassDetailSchema.parse(ok(await create(unkeyed))).id).toBe(second.id);
    expect(second.id).not.toBe(first.id);
    expect(await massJobs()).toBe(2);

    const calls = templateCalls();
    await work();
    expect(templateCalls()).toBe(calls + 4);
    // Replays after the sending answer the task as it is and send nothing again.
    // Without a setting, WeCom's cap: as many as the days of the month (March).
    expect(wecomMassDetailSchema.parse(ok(await create(body)))).toMatchObject({ id: first.id, state: 'sent', counts: { waiting: 2 }, cap: { period: 'month', limit: 31 } });
    await work();
    expect(templateCalls()).toBe(calls + 4);
    const listed = wecomMassListSchema.parse(ok(await admin('GET', `${MASS}?limit=1`)));
    expect(listed.data.map((t) => t.id)).toEqual([second.id]);
    const rest = wecomMassListSchema.parse(ok(await admin('GET', `${MASS}?limit=1&cursor=${listed.nextCursor ?? ''}`)));
    expect(rest.data.map((t) => t.id)).toEqual([first.id]);
    // The last page says there is no next one (not a cursor to an empty page).
    expect(rest.nextCursor).toBeNull();
  });

  it("keeps a dealer manager to the people in their scope and their units' consultants; other roles may not create", async () => {
    // Three customers of dealer A, two of dealer B, one friend of wa1 (first) and wb1 (later).
    const { segmentId, people } = await audience('秋季', [['wa1'], ['wa1'], ['wa2'], ['wb1'], ['wb1'], ['wa1', 'wb1']]);
    const both = people[5]!;
    const body = { connectorId, name: '秋季关怀', audience: { segmentId }, content: text('秋季用车关怀') };
    for (const who of ['consultantA1', 'advisorA', 'analyst'] as const) expect((await create(body, net.staff[who].token)).statusCode).toBe(403);
    const mine = wecomMassDetailSchema.parse(ok(await create(body, net.staff.managerA.token), 202));
    const hq = wecomMassDetailSchema.parse(ok(await create(body), 202));
    await work();

    const a = await detail(mine.id, net.staff.managerA.token);
    expect(a.counts).toMatchObject({ audience: 4, waiting: 4 });
    expect(a.byConsultant.map((c) => [c.wecomUserId, c.recipients])).toEqual([
      ['wa1', 3],
      ['wa2', 1],
    ]);
    const all = await detail(hq.id);
    expect(all.counts).toMatchObject({ audience: 6, waiting: 6 });
    const throughHq = wecomMassRecipientsSchema.parse(ok(await admin('GET', `${MASS}/${hq.id}/recipients`)));
    expect(throughHq.data.find((r) => r.profileId === both)?.wecomUserId).toBe('wb1');
    const throughA = wecomMassRecipientsSchema.parse(ok(await asStaff(fx.app, net.staff.managerA.token, 'GET', `${MASS}/${mine.id}/recipients`)));
    expect(throughA.data.find((r) => r.profileId === both)?.wecomUserId).toBe('wa1');

    // Dealer B's manager sees neither A's task nor A's customers of HQ's task.
    expect((await asStaff(fx.app, net.staff.managerB.token, 'GET', `${MASS}/${mine.id}`)).statusCode).toBe(404);
    expect(wecomMassListSchema.parse(ok(await asStaff(fx.app, net.staff.managerB.token, 'GET', MASS))).data).toEqual([]);
    expect(wecomMassListSchema.parse(ok(await asStaff(fx.app, net.staff.managerA.token, 'GET', MASS))).data.map((t) => t.id)).toEqual([mine.id]);
    expect((await asStaff(fx.app, net.staff.consultantA1.token, 'GET', MASS)).statusCode).toBe(403);
    // The analyst reads every task, the customers' external_userid masked.
    const masked = wecomMassRecipientsSchema.parse(ok(await asStaff(fx.app, net.staff.analyst.token, 'GET', `${MASS}/${hq.id}/recipients`)));
    const raw = new Set(throughHq.data.map((r) => r.externalUserid));
    expect(masked.data).toHaveLength(6);
    expect(masked.data.some((r) => raw.has(r.externalUserid))).toBe(false);
  });

  it('refuses bad input with a 4xx and writes nothing', async () => {
    const { segmentId } = await audience('冬季', [['wa1']]);
    const other = await freshTenant(fx.store);
    const foreignConnector = await connectWecom(fx.app, other, { ...KEYS, corpId: 'ww00000000000000ff', secret: SECRET }, fake.url);
    const unknown = '00000000-0000-4000-8000-000000000000';
    const good = { connectorId, name: '冬季', audience: { segmentId }, content: text('冬季用车') };
    const link = { type: 'link', title: '看看', url: 'https://brand.example.com/' };
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['an unknown segment', { ...good, audience: { segmentId: unknown } }, 'audience.segmentId'],
      ['an unknown tag', { ...good, audience: { tagId: unknown } }, 'audience.tagId'],
      ['an unknown connector', { ...good, connectorId: unknown }, 'connectorId'],
      ["another tenant's connector", { ...good, connectorId: foreignConnector }, 'connectorId'],
      ['a segment and a tag', { ...good, audience: { segmentId, tagId: unknown } }, 'audience'],
      ['no content', { ...good, content: {} }, 'content'],
      ['a text over 4,000 characters', { ...good, content: text('好'.repeat(4001)) }, 'content.text'],
      ['ten attachments', { ...good, content: { attachments: Array.from({ length: 10 }, () => link) } }, 'content.attachments'],
      ['an attachment WeCom does not take here', { ...good, content: { attachments: [{ type: 'video', title: 'x' }] } }, 'content.attachments[0].type'],
      ['an unknown field', { ...good, sendAt: '2026-03-11T00:00:00Z' }, ''],
    ];
    for (const [what, body, field] of cases) {
      const res = await create(body);
      expect(res.statusCode, `${what}: ${res.body}`).toBe(400);
      if (field) expect(JSON.stringify(json(res)), what).toContain(field);
    }
    expect((await admin('PUT', '/api/v1/wecom/mass-message-caps', { connectorId: unknown, period: 'week' })).statusCode).toBe(400);
    expect((await admin('PUT', '/api/v1/wecom/mass-message-caps', { period: 'year' })).statusCode).toBe(400);
    expect((await asStaff(fx.app, net.staff.managerA.token, 'PUT', '/api/v1/wecom/mass-message-caps', { period: 'week' })).statusCode).toBe(403);
    expect((await admin('GET', `${MASS}/${unknown}`)).statusCode).toBe(404);
    expect((await admin('GET', `${MASS}/${unknown}/recipients`)).statusCode).toBe(404);

    const written = await sql<{ n: number }>`SELECT (SELECT count(*) FROM wecom_mass_messages WHERE tenant_id = ${tenant()}) + (SELECT count(*) FROM wecom_mass_caps WHERE tenant_id = ${tenant()})
      + (SELECT count(*) FROM audit_log WHERE tenant_id = ${tenant()} AND action LIKE 'wecom_mass%') AS n`.execute(fx.store.db);
    expect(Number(written.rows[0]?.n)).toBe(0);
    expect(await massJobs()).toBe(0);
    expect(wecomMassListSchema.parse(ok(await admin('GET', MASS))).data).toEqual([]);
    expect(z.object({ data: z.array(wecomMassCapSettingSchema) }).parse(ok(await admin('GET', '/api/v1/wecom/mass-message-caps'))).data).toEqual([
      { connectorId: null, period: 'month', limit: null, updatedAt: null },
    ]);
  });

  it('never lets tasks prepared at the same time exceed the cap together; a new period starts afresh', async () => {
    const { segmentId, externalUserids } = await audience('元旦', Array.from({ length: 30 }, (_, i) => [i % 2 === 0 ? 'wa1' : 'wb1']));
    // The tenant's default: WeCom's 1 a day.
    expect(wecomMassCapSettingSchema.parse(ok(await admin('PUT', '/api/v1/wecom/mass-message-caps', { period: 'day' })))).toMatchObject({ connectorId: null, period: 'day', limit: null });
    const ids = [];
    for (const name of ['元旦一', '元旦二', '元旦三']) ids.push(idOf.parse(ok(await create({ connectorId, name, audience: { segmentId }, content: text(name) }), 202)).id);
    const deps = { store: fx.store, clock, secretKey: key };
    await Promise.all(ids.map((id) => prepareMassMessage(deps, tenant(), id)));
    const tasks = await Promise.all(ids.map((id) => detail(id)));
    expect(tasks[0]!.cap).toMatchObject({ period: 'day', limit: 1 });
    const sum = (f: (t: WecomMassDetail) => number) => tasks.reduce((n, t) => n + f(t), 0);
    expect(sum((t) => t.counts.queued)).toBe(30);
    expect(sum((t) => t.counts.skipped.cap_reached)).toBe(60);
    const holds = await sql<{ external_userid: string; n: number }>`
      SELECT external_userid, count(*)::int AS n FROM wecom_mass_recipients WHERE tenant_id = ${tenant()} AND holds_cap GROUP BY external_userid`.execute(fx.store.db);
    expect(holds.rows.map((r) => [r.external_userid, Number(r.n)]).sort()).toEqual(externalUserids.map((id) => [id, 1]).sort());
    await work();
    // A task whose every person was already at the cap has nothing to hand to WeCom: it is completed.
    for (const [i, id] of ids.entries()) expect((await detail(id)).state).toBe(tasks[i]!.counts.queued > 0 ? 'sent' : 'completed');

    // The next day (tenant time zone) everyone may receive one again.
    clock.advance(24 * 3600_000);
    const next = idOf.parse(ok(await create({ connectorId, name: '元旦次日', audience: { segmentId }, content: text('元旦次日') }), 202)).id;
    await work();
    expect((await detail(next)).counts).toMatchObject({ audience: 30, waiting: 30, skipped: { cap_reached: 0 } });
  });

  it('sends to a tag in chunks; records fail_list as wecom_refused; retries a busy WeCom, fails a refused share and never repeats a call whose answer was lost', async () => {
    const externalUserids = await befriend(Array.from({ length: 28 }, (_, i) => ({ name: `标签-${i}`, follows: [i < 25 ? 'wa1' : 'wa2'] })));
    const people = await peopleOf(externalUserids);
    await consent(people, 'wecom', 'marketing', 'granted');
    const group = idOf.parse(ok(await admin('POST', '/api/v1/tag-groups', { name: '活动' }), 201)).id;
    const tag = idOf.parse(ok(await admin('POST', '/api/v1/tags', { groupId: group, name: '车展到访', kind: 'manual' }), 201)).id;
    ok(await admin('POST', `/api/v1/tags/${tag}/apply`, { profileIds: people }));
    await work();
    // WeCom no longer knows one friendship (no callback came).
    fake.state.contacts.contacts.get(externalUserids[3]!)?.follows.delete('wa1');
    const deps = { store: fx.store, clock, secretKey: key, chunkSize: 10, client: { backoffMs: [] } };
    const task = async (name: string) => idOf.parse(ok(await create({ connectorId, name, audience: { tagId: tag }, content: text(name) }), 202)).id;

    const first = await task('车展回访');
    fake.failNext(45009, 1);
    await expect(sendMassMessage(deps, tenant(), first)).rejects.toMatchObject({ code: 'unavailable' });
    expect((await detail(first)).counts).toMatchObject({ queued: 28 });
    const before = templateCalls();
    await sendMassMessage(deps, tenant(), first);
    const sizes = fake.requests
      .filter((r) => r.path === '/cgi-bin/externalcontact/add_msg_template')
      .slice(before)
      .map((r) => z.looseObject({ sender: z.string(), external_userid: z.array(z.string()) }).parse(r.body))
      .map((b) => [b.sender, b.external_userid.length]);
    expect(sizes).toEqual([
      ['wa1', 10],
      ['wa1', 10],
      ['wa1', 5],
      ['wa2', 3],
    ]);
    const sent = await detail(first);
    expect(sent.counts).toMatchObject({ audience: 28, waiting: 27, skipped: { wecom_refused: 1 } });
    expect(shareOf(sent, 'wa1')).toMatchObject({ recipients: 25, msgids: [expect.any(String), expect.any(String), expect.any(String)], refused: 1 });

    // WeCom refuses the first call outright (the app lost its permission): that share fails and frees its places.
    const second = await task('车展二次回访');
    fake.failNext(48002, 1);
    await sendMassMessage(deps, tenant(), second);
    const refused = await detail(second);
    expect(refused.counts.failed).toBe(10);
    expect(refused.counts.waiting + refused.counts.skipped.wecom_refused).toBe(18);
    expect(shareOf(refused, 'wa1')?.errors).toEqual([expect.stringContaining('permission')]);

    // The answer to each call is lost: WeCom may have the tasks, so they are failed, still count, and are not asked again.
    const losing: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (String(input).includes('add_msg_template')) throw new TypeError('fetch failed');
      return res;
    };
    const third = await task('车展三次回访');
    await sendMassMessage({ ...deps, client: { backoffMs: [], fetch: losing } }, tenant(), third);
    const calls = templateCalls();
    await sendMassMessage(deps, tenant(), third);
    expect(templateCalls()).toBe(calls);
    const lost = await detail(third);
    expect(lost).toMatchObject({ state: 'completed', counts: { failed: 28 } });
    const places = await sql<{ message_id: string; n: number }>`
      SELECT message_id, count(*)::int AS n FROM wecom_mass_recipients WHERE tenant_id = ${tenant()} AND holds_cap GROUP BY message_id`.execute(fx.store.db);
    expect(new Map(places.rows.map((r) => [r.message_id, Number(r.n)]))).toEqual(
      new Map([
        [first, 27],
        [second, refused.counts.waiting],
        [third, 28],
      ]),
    );
  });
});
