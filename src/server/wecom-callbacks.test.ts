import { createCipheriv, randomBytes } from 'node:crypto';
import * as tencent from '@wecom/crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../platform/clock.js';
import { json, useAppFixture } from '../testing/app.js';
import { testEngines } from '../testing/engines.js';
import { startFakeWecom, type FakeWecom } from '../testing/fakes/wecom.js';
import { adminRequest } from '../testing/identity.js';
import { seedNetwork, type Network } from '../testing/org.js';
import { contactEvent, eventXml, postCallback, signedCallback, type CallbackKeys, type ContactChange, connectWecom } from '../testing/wecom-callbacks.js';
import { siyuWorker } from '../worker/index.js';

const NOW = new Date('2026-03-10T02:00:00Z');
const CORP_ID = 'ww0123456789abcdef';
const SECRET = 'Sx9-appSecret_0123456789abcdefghijABCDEFGHIJ';
const KEYS: CallbackKeys = { corpId: CORP_ID, token: 'Tk8sYQwq3Lm', aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };
const nowSeconds = (clock: ManualClock) => Math.floor(clock.now().getTime() / 1000);

describe.each(testEngines)('WeCom callbacks on %s', (engine) => {
  const key = randomBytes(32);
  const clock = new ManualClock(NOW);
  const fx = useAppFixture(engine, { clock, secretKey: key });
  let fake: FakeWecom;
  let connectorId: string;
  let net: Network;
  const tenant = () => fx.tenant.tenantId;

  beforeAll(async () => {
    fake = await startFakeWecom({ corpId: CORP_ID, secrets: [SECRET], now: () => clock.now().getTime() });
  });
  afterAll(() => fake.close());
  beforeEach(async () => {
    net = await seedNetwork(fx.app, fx.tenant);
    connectorId = await connectWecom(fx.app, fx.tenant, { ...KEYS, secret: SECRET }, fake.url);
  });

  const post = (fields: Record<string, string | string[] | undefined>, o: { timestamp?: number } = {}) =>
    postCallback(fx.app, connectorId, KEYS, fields, { timestamp: o.timestamp ?? nowSeconds(clock) });
  const change = (c: Omit<ContactChange, 'createTime'> & { createTime?: number }) => post(contactEvent(CORP_ID, { createTime: nowSeconds(clock), ...c }));
  const process = () => siyuWorker({ db: fx.store.db, store: fx.store, clock, secretKey: key, onlyTenant: tenant() }).drain();
  const callbacks = async () =>
    (
      await sql<{ change_type: string | null; processed_at: Date | null; outcome: string | null }>`
        SELECT change_type, processed_at, outcome FROM wecom_callbacks WHERE tenant_id = ${tenant()} ORDER BY id`.execute(fx.store.db)
    ).rows;
  const friendships = async () =>
    (
      await sql<{ external_userid: string; wecom_user_id: string; staff_id: string | null; removed_by: string | null; removed_source: string | null; remark: string | null; removed_at: Date | null }>`
        SELECT external_userid, wecom_user_id, staff_id, removed_by, removed_source, remark, removed_at FROM wecom_friendships WHERE tenant_id = ${tenant()} ORDER BY added_at, wecom_user_id, id`.execute(fx.store.db)
    ).rows;
  const personOf = async (externalUserid: string) =>
    (
      await sql<{ id: string; traits: Record<string, unknown> }>`
        SELECT p.id, p.traits FROM profile_identifiers i JOIN profiles p ON p.tenant_id = i.tenant_id AND p.id = i.profile_id
        WHERE i.tenant_id = ${tenant()} AND i.type = 'wecom_external_userid' AND i.scope = ${CORP_ID} AND i.value = ${externalUserid}`.execute(fx.store.db)
    ).rows[0];
  const timeline = async (profileId: string) =>
    (
      await sql<{ event: string | null; properties: Record<string, unknown> }>`
        SELECT event, properties FROM events WHERE tenant_id = ${tenant()} AND profile_id = ${profileId} AND type = 'track' ORDER BY "timestamp", id`.execute(fx.store.db)
    ).rows;

  describe('accepting', () => {
    it('answers 200 with an empty body, stores the event once however often WeCom retries it, and processes it once', async () => {
      const contact = fake.addExternalContact({ name: '张先生', gender: 1, unionid: 'oUnion-zhang', follow_user: [{ userid: 'wa1', add_way: 1 }] });
      const fields = contactEvent(CORP_ID, { changeType: 'add_external_contact', userId: 'wa1', externalUserId: contact.external_userid, createTime: nowSeconds(clock) });
      const first = await post(fields);
      expect([first.statusCode, first.body]).toEqual([200, '']);
      // WeCom's retries: the same event under a new nonce and timestamp, re-encrypted.
      clock.advance(5_000);
      for (let i = 0; i < 3; i++) expect((await post(fields)).statusCode).toBe(200);
      expect(await callbacks()).toEqual([{ change_type: 'add_external_contact', processed_at: null, outcome: null }]);

      await process();
      expect((await callbacks()).map((c) => c.outcome)).toEqual(['applied']);
      const person = await personOf(contact.external_userid);
      expect(person?.traits).toMatchObject({ unionid: 'oUnion-zhang', wechatName: '张先生', gender: 'male' });
      expect(await timeline(person!.id)).toEqual([{ event: 'WeCom Contact Added', properties: expect.objectContaining({ staffUserId: 'wa1', staffId: net.staff.consultantA1.id, addWay: 1 }) }]);
      expect(await friendships()).toEqual([expect.objectContaining({ external_userid: contact.external_userid, wecom_user_id: 'wa1', staff_id: net.staff.consultantA1.id, removed_at: null })]);
      const links = await sql<{ org_unit_id: string; reason: string }>`SELECT org_unit_id, reason FROM customer_links WHERE tenant_id = ${tenant()} AND profile_id = ${person!.id}`.execute(fx.store.db);
      expect(links.rows).toEqual([{ org_unit_id: net.units.dealerA.id, reason: 'wecom' }]);
      // A second run finds nothing to do.
      await process();
      expect(await timeline(person!.id)).toHaveLength(1);
    });

    it('callbacks arriving together are stored together: distinct ones all, the same one (a retry racing the original) once', async () => {
      const distinct = Array.from({ length: 12 }, (_, i) => contactEvent(CORP_ID, { changeType: 'del_follow_user', userId: 'wa1', externalUserId: `wmBurst${i}`, createTime: nowSeconds(clock) }));
      const same = contactEvent(CORP_ID, { changeType: 'del_follow_user', userId: 'wa2', externalUserId: 'wmTwice', createTime: nowSeconds(clock) });
      const answers = await Promise.all([...distinct, same, same, same].map((f) => post(f)));
      expect(answers.map((a) => a.statusCode)).toEqual(Array.from({ length: 15 }, () => 200));
      expect(await callbacks()).toHaveLength(13);
      await process();
      expect((await callbacks()).every((c) => c.outcome === 'applied')).toBe(true);
    });

    it('joins a WeCom friend with the mini-program user of the same unionid', async () => {
      const res = await fx.app.inject({
        method: 'POST',
        url: '/v1/identify',
        headers: { authorization: `Basic ${Buffer.from(`${fx.tenant.writeKey}:`).toString('base64')}` },
        payload: { userId: 'mp-user-1', traits: { unionid: 'oUnion-li' }, messageId: 'mp-1' },
      });
      expect(res.statusCode, res.body).toBe(200);
      const contact = fake.addExternalContact({ name: '李女士', gender: 2, unionid: 'oUnion-li', follow_user: [{ userid: 'wa1' }] });
      await change({ changeType: 'add_external_contact', userId: 'wa1', externalUserId: contact.external_userid });
      await process();
      const ids = await sql<{ type: string }>`
        SELECT type FROM profile_identifiers WHERE tenant_id = ${tenant()} AND profile_id = ${(await personOf(contact.external_userid))!.id} ORDER BY type`.execute(fx.store.db);
      expect(ids.rows.map((r) => r.type)).toEqual(['user_id', 'wechat_unionid', 'wecom_external_userid']);
    });
    it('shows admins the inbox (waiting since when, the last day by outcome) and lets go of processed callbacks after 7 days', async () => {
      const inbox = async () => {
        const res = await adminRequest(fx.app, fx.tenant, 'GET', `/api/v1/connectors/wecom/${connectorId}/callbacks`);
        expect(res.statusCode, res.body).toBe(200);
        return json(res);
      };
      const contact = fake.addExternalContact({ name: '吴', follow_user: [{ userid: 'wa1' }] });
      await change({ changeType: 'add_external_contact', userId: 'wa1', externalUserId: contact.external_userid });
      await post({ ToUserName: CORP_ID, FromUserName: 'sys', CreateTime: String(nowSeconds(clock)), MsgType: 'event', Event: 'change_external_tag', Id: 'et1', TagType: 'tag', ChangeType: 'create' });
      expect(await inbox()).toEqual({ pending: 2, oldestPendingAt: clock.now().toISOString(), last24h: { applied: 0, ignored: 0, failed: 0 }, failures: [] });
      await process();
      expect(await inbox()).toEqual({ pending: 0, oldestPendingAt: null, last24h: { applied: 1, ignored: 1, failed: 0 }, failures: [] });
      clock.advance(8 * 86_400_000);
      await change({ changeType: 'del_follow_user', userId: 'wa1', externalUserId: contact.external_userid });
      await process();
      await process();
      expect((await callbacks()).map((c) => c.change_type)).toEqual(['del_follow_user']);
    });
  });

  describe('each change type', () => {
    it('edit: the remark and the remark mobiles (a phone identifier); del_external_contact by transfer; del_follow_user is the customer\'s churn', async () => {
      const contact = fake.addExternalContact({ name: '王', follow_user: [{ userid: 'wa1' }, { userid: 'wa2' }] });
      await change({ changeType: 'add_external_contact', userId: 'wa1', externalUserId: contact.external_userid });
      await change({ changeType: 'add_external_contact', userId: 'wa2', externalUserId: contact.external_userid });
      const follow = contact.follows.get('wa1')!;
      follow.remark = '王先生 SUV';
      follow.remark_mobiles = ['13957016688', 'not a phone'];
      clock.advance(1_000);
      await change({ changeType: 'edit_external_contact', userId: 'wa1', externalUserId: contact.external_userid });
      await process();
      const person = (await personOf(contact.external_userid))!;
      const phone = await sql<{ profile_id: string }>`SELECT profile_id FROM profile_identifiers WHERE tenant_id = ${tenant()} AND type = 'phone' AND value = '+8613957016688'`.execute(fx.store.db);
      expect(phone.rows).toEqual([{ profile_id: person.id }]);
      expect((await friendships()).find((f) => f.wecom_user_id === 'wa1')?.remark).toBe('王先生 SUV');

      clock.advance(1_000);
      await change({ changeType: 'del_external_contact', userId: 'wa1', externalUserId: contact.external_userid, source: 'DELETE_BY_TRANSFER' });
      clock.advance(1_000);
      await change({ changeType: 'del_follow_user', userId: 'wa2', externalUserId: contact.external_userid });
      await process();
      expect((await friendships()).map((f) => [f.wecom_user_id, f.removed_by, f.removed_source])).toEqual([
        ['wa1', 'transfer', 'DELETE_BY_TRANSFER'],
        ['wa2', 'customer', null],
      ]);
      expect((await timeline(person.id)).map((e) => [e.event, e.properties['staffUserId'], e.properties['removedBy'] ?? null])).toEqual([
        ['WeCom Contact Added', 'wa1', null],
        ['WeCom Contact Added', 'wa2', null],
        ['WeCom Contact Removed', 'wa1', 'transfer'],
        ['WeCom Contact Removed', 'wa2', 'customer'],
      ]);
      // A re-add after the deletion is a new episode.
      clock.advance(1_000);
      await change({ changeType: 'add_external_contact', userId: 'wa2', externalUserId: contact.external_userid });
      await process();
      expect((await friendships()).filter((f) => f.wecom_user_id === 'wa2').map((f) => f.removed_by)).toEqual(['customer', null]);
    });

    it('add_half_external_contact: a friendship the consultant has not accepted yet is a friendship all the same, marked half; the full add after it changes nothing twice', async () => {
      const contact = fake.addExternalContact({ name: '周', follow_user: [{ userid: 'wa1', add_way: 3 }] });
      await change({ changeType: 'add_half_external_contact', userId: 'wa1', externalUserId: contact.external_userid });
      clock.advance(1_000);
      await change({ changeType: 'add_external_contact', userId: 'wa1', externalUserId: contact.external_userid });
      await process();
      expect((await friendships()).map((f) => [f.wecom_user_id, f.removed_at])).toEqual([['wa1', null]]);
      const person = (await personOf(contact.external_userid))!;
      expect((await timeline(person.id)).map((e) => [e.event, e.properties['half'] ?? false, e.properties['addWay']])).toEqual([
        ['WeCom Contact Added', true, 3],
        ['WeCom Contact Added', false, 3],
      ]);
    });

    it('change_external_chat: create, add_member, del_member, change_name and dismiss keep the group and its members', async () => {
      const t = nowSeconds(clock);
      const chat = fake.addGroupChat({ name: '车友群', owner: 'wa1', create_time: t, member_list: [{ userid: 'wa1', type: 1, join_time: t, join_scene: 1 }] });
      const chatEvent = (changeType: string, extra: Record<string, string | string[]> = {}) =>
        post({ ToUserName: CORP_ID, FromUserName: 'sys', CreateTime: String(nowSeconds(clock)), MsgType: 'event', Event: 'change_external_chat', ChatId: chat.chat_id, ChangeType: changeType, ...extra });
      await chatEvent('create');
      chat.member_list.push({ userid: 'wmCustomer1', type: 2, join_time: t + 5, join_scene: 3, unionid: 'oU1' }, { userid: 'wmCustomer2', type: 2, join_time: t + 5, join_scene: 3 });
      clock.advance(1_000);
      await chatEvent('update', { UpdateDetail: 'add_member', JoinScene: '3', MemChangeCnt: '2', MemChangeList: ['wmCustomer1', 'wmCustomer2'] });
      await process();
      const members = async () =>
        (
          await sql<{ member_id: string; left: boolean }>`
            SELECT member_id, left_at IS NOT NULL AS left FROM wecom_group_members WHERE tenant_id = ${tenant()} AND chat_id = ${chat.chat_id} ORDER BY member_id`.execute(fx.store.db)
        ).rows;
      expect(await members()).toEqual([
        { member_id: 'wa1', left: false },
        { member_id: 'wmCustomer1', left: false },
        { member_id: 'wmCustomer2', left: false },
      ]);
      chat.member_list = chat.member_list.filter((m) => m.userid !== 'wmCustomer2');
      chat.name = '岚山车友群';
      clock.advance(1_000);
      await chatEvent('update', { UpdateDetail: 'del_member', QuitScene: '0', MemChangeCnt: '1', MemChangeList: ['wmCustomer2'] });
      await chatEvent('update', { UpdateDetail: 'change_name' });
      await process();
      expect((await members()).map((m) => m.left)).toEqual([false, false, true]);
      const group = async () =>
        (await sql<{ name: string | null; dismissed: boolean }>`SELECT name, dismissed_at IS NOT NULL AS dismissed FROM wecom_groups WHERE tenant_id = ${tenant()}`.execute(fx.store.db)).rows;
      expect(await group()).toEqual([{ name: '岚山车友群', dismissed: false }]);
      clock.advance(1_000);
      await chatEvent('dismiss');
      await process();
      expect(await group()).toEqual([{ name: '岚山车友群', dismissed: true }]);
      expect((await members()).every((m) => m.left)).toBe(true);
    });
  });

  it('erasing a person takes their WeCom id, remark and remark mobiles off the friendships and their group memberships', async () => {
    const contact = fake.addExternalContact({ name: '孙', follow_user: [{ userid: 'wa1', remark: '孙先生 138', remark_mobiles: ['13957016688'] }] });
    await change({ changeType: 'add_external_contact', userId: 'wa1', externalUserId: contact.external_userid });
    const t = nowSeconds(clock);
    const chat = fake.addGroupChat({ name: '群', owner: 'wa1', create_time: t, member_list: [{ userid: contact.external_userid, type: 2, join_time: t, join_scene: 1 }] });
    await post({ ToUserName: CORP_ID, FromUserName: 'sys', CreateTime: String(t), MsgType: 'event', Event: 'change_external_chat', ChatId: chat.chat_id, ChangeType: 'create' });
    await process();
    const person = (await personOf(contact.external_userid))!;
    const erased = await adminRequest(fx.app, fx.tenant, 'DELETE', `/api/v1/profiles/${person.id}`);
    expect(erased.statusCode, erased.body).toBe(200);
    const rows = await friendships();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ remark: null, wecom_user_id: 'wa1' });
    expect(rows[0]?.external_userid).toMatch(/^erased:/);
    const left = await sql<{ n: string }>`SELECT count(*) AS n FROM wecom_group_members WHERE tenant_id = ${tenant()} AND member_id = ${contact.external_userid}`.execute(fx.store.db);
    const stored = await sql<{ n: string }>`SELECT count(*) AS n FROM wecom_callbacks WHERE tenant_id = ${tenant()} AND fields::text LIKE ${`%${contact.external_userid}%`}`.execute(fx.store.db);
    expect([Number(left.rows[0]?.n), Number(stored.rows[0]?.n)]).toEqual([0, 0]);
  });

  it('a new token takes effect at once, and a deleted connector refuses callbacks (404) although its keys were just used', async () => {
    const fields = () => contactEvent(CORP_ID, { changeType: 'del_follow_user', userId: 'wa1', externalUserId: `wm${randomBytes(4).toString('hex')}`, createTime: nowSeconds(clock) });
    expect((await post(fields())).statusCode).toBe(200);
    const put = await adminRequest(fx.app, fx.tenant, 'PUT', `/api/v1/connectors/wecom/${connectorId}`, { corpId: CORP_ID, agentId: '1000002', token: 'NewToken77' });
    expect(put.statusCode, put.body).toBe(200);
    expect((await post(fields())).statusCode).toBe(401);
    const renewed = { ...KEYS, token: 'NewToken77' };
    expect((await postCallback(fx.app, connectorId, renewed, fields(), { timestamp: nowSeconds(clock) })).statusCode).toBe(200);
    expect((await adminRequest(fx.app, fx.tenant, 'DELETE', `/api/v1/connectors/wecom/${connectorId}`)).statusCode).toBe(204);
    expect((await postCallback(fx.app, connectorId, renewed, fields(), { timestamp: nowSeconds(clock) })).statusCode).toBe(404);
    expect(await callbacks()).toEqual([]);
  });

  describe('refusals: 4xx, nothing stored', () => {
    const fields = () => contactEvent(CORP_ID, { changeType: 'add_external_contact', userId: 'wa1', externalUserId: 'wmX', createTime: nowSeconds(clock) });
    const send = (query: Record<string, string>, body: string, id = connectorId) =>
      fx.app.inject({ method: 'POST', url: `/connectors/wecom/${id}/callback?${new URLSearchParams(query).toString()}`, headers: { 'content-type': 'text/xml' }, payload: body });
    const aesKey = Buffer.from(`${KEYS.aesKey}=`, 'base64');

    it.each([
      ['a tampered signature', () => {
        const s = signedCallback(KEYS, eventXml(fields()), { timestamp: nowSeconds(clock) });
        return { query: { ...s.query, msg_signature: s.query.msg_signature.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')) }, body: s.body };
      }, 401, 'bad_signature'],
      ['another receive id', () => signedCallback(KEYS, eventXml(fields()), { timestamp: nowSeconds(clock), receiveId: 'wwOtherCorp' }), 400, 'wrong_receive_id'],
      ['a stale timestamp', () => signedCallback(KEYS, eventXml(fields()), { timestamp: nowSeconds(clock) - 301 }), 401, 'stale_timestamp'],
      ['malformed event XML', () => signedCallback(KEYS, '<xml><Event>change_external_contact</Event', { timestamp: nowSeconds(clock) }), 400, 'malformed_xml'],
      ['an entity-expansion payload', () => signedCallback(KEYS, '<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><xml><Event>&b;</Event></xml>', { timestamp: nowSeconds(clock) }), 400, 'forbidden_xml'],
      ['bad padding', () => {
        // WeCom's layout (random, length, message, receive id) with 33 as the last byte: not PKCS#7 to 32.
        const msg = Buffer.from(eventXml(fields()));
        const len = Buffer.alloc(4);
        len.writeUInt32BE(msg.length);
        const plain = Buffer.concat([randomBytes(16), len, msg, Buffer.from(CORP_ID)]);
        const padded = Buffer.concat([plain, Buffer.alloc(32 - (plain.length % 32), 33)]);
        const cipher = createCipheriv('aes-256-cbc', aesKey, aesKey.subarray(0, 16)).setAutoPadding(false);
        const encrypted = Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
        const timestamp = String(nowSeconds(clock));
        return {
          query: { msg_signature: tencent.getSignature(KEYS.token, timestamp, 'n1', encrypted), timestamp, nonce: 'n1' },
          body: `<xml><ToUserName><![CDATA[${CORP_ID}]]></ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`,
        };
      }, 400, 'bad_padding'],
    ])('%s', async (_what, make, status, reason) => {
      const { query, body } = make();
      const res = await send(query, body);
      expect(res.statusCode, res.body).toBe(status);
      expect((json(res) as { error: { details: { reason: string } } }).error.details.reason).toBe(reason);
      expect(await callbacks()).toEqual([]);
    });

    it('a body over 64 KB is a 413; malformed outer XML a 400; an unknown connector a 404', async () => {
      const s = signedCallback(KEYS, eventXml(fields()), { timestamp: nowSeconds(clock) });
      const big = await send(s.query, s.body.replace('</xml>', `<Pad>${'x'.repeat(70 * 1024)}</Pad></xml>`));
      expect(big.statusCode).toBe(413);
      expect((await send(s.query, '<xml><Encrypt>')).statusCode).toBe(400);
      expect((await send(s.query, s.body, '00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
      expect(await callbacks()).toEqual([]);
    });
  });
});

