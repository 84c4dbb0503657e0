import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { profileTagSchema } from '../contracts/tags.js';
import { wecomTagSyncSchema, type WecomTagSync } from '../contracts/wecom-tags.js';
import { resetWecomRateLimits } from '../modules/wecom/index.js';
import { ManualClock } from '../platform/clock.js';
import { pendingJobs } from '../platform/jobs/index.js';
import { json, useAppFixture } from '../testing/app.js';
import { testEngines } from '../testing/engines.js';
import { startFakeWecom, type FakeWecom } from '../testing/fakes/wecom.js';
import { adminRequest } from '../testing/identity.js';
import { asStaff, seedNetwork, type Network } from '../testing/org.js';
import { contactEvent, postCallback, type CallbackKeys, type EventFields, connectWecom } from '../testing/wecom-callbacks.js';
import { siyuWorker } from '../worker/index.js';

const NOW = new Date('2026-05-06T02:00:00Z');
const CORP_ID = 'wwtagsync000000001';
const SECRET = 'tagsync-appSecret_0123456789abcdefghijABCD';
const KEYS: CallbackKeys = { corpId: CORP_ID, token: 'TagSyncTok3n', aesKey: 'kWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };
/** The calls that change something in WeCom. */
const WRITE_PATHS = new Set(['add_corp_tag', 'edit_corp_tag', 'del_corp_tag', 'mark_tag'].map((p) => `/cgi-bin/externalcontact/${p}`));

const idOf = z.object({ id: z.string() });
const profileTags = z.object({ data: z.array(profileTagSchema) });

describe.each(testEngines)('WeCom tag sync on %s', (engine) => {
  const key = randomBytes(32);
  const clock = new ManualClock(NOW);
  const fx = useAppFixture(engine, { clock, secretKey: key });
  let fake: FakeWecom;
  let net: Network;
  let connectorId: string;
  const tenant = () => fx.tenant.tenantId;
  const seconds = () => Math.floor(clock.now().getTime() / 1000);

  beforeEach(async () => {
    clock.set(NOW);
    resetWecomRateLimits();
    // A fresh corp per test: the corp's tags are WeCom's state, not the tenant's.
    fake = await startFakeWecom({ corpId: CORP_ID, secrets: [SECRET], now: () => clock.now().getTime() });
    net = await seedNetwork(fx.app, fx.tenant);
    connectorId = await connectWecom(fx.app, fx.tenant, { ...KEYS, secret: SECRET }, fake.url);
  });
  afterEach(() => fake.close());

  const admin = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) => adminRequest(fx.app, fx.tenant, method, url, payload);
  const work = () => siyuWorker({ db: fx.store.db, store: fx.store, clock, secretKey: key, onlyTenant: tenant() }).drain();
  const writes = () => fake.requests.filter((r) => WRITE_PATHS.has(r.path));
  const syncPath = () => `/api/v1/wecom/tag-sync/${connectorId}`;
  const syncOf = (res: LightMyRequestResponse, status = 200): WecomTagSync => {
    expect(res.statusCode, res.body).toBe(status);
    return wecomTagSyncSchema.parse(json(res));
  };
  const status = async () => syncOf(await admin('GET', syncPath()));
  const chooseGroups = async (tagGroupIds: string[]) => syncOf(await admin('PUT', syncPath(), { tagGroupIds }));
  const group = async (name: string, tagNames: string[]) => {
    const g = idOf.parse(json(await admin('POST', '/api/v1/tag-groups', { name })));
    const tags: Record<string, string> = {};
    for (const tag of tagNames) tags[tag] = idOf.parse(json(await admin('POST', '/api/v1/tags', { groupId: g.id, name: tag, kind: 'manual' }))).id;
    return { id: g.id, tags };
  };
  const wecomGroup = (name: string) => fake.state.tags.groups.find((g) => g.group_name === name);
  const wecomTagNames = (name: string) => (wecomGroup(name)?.tag ?? []).map((t) => t.name).sort();
  const wecomTagId = (groupName: string, tagName: string) => wecomGroup(groupName)?.tag.find((t) => t.name === tagName)?.id ?? '';
  const post = async (fields: EventFields) => {
    const res = await postCallback(fx.app, connectorId, KEYS, fields, { timestamp: seconds() });
    expect(res.statusCode, res.body).toBe(200);
  };
  const tagEvent = (changeType: string, id: string, tagType: 'tag' | 'tag_group' = 'tag') =>
    post({ ToUserName: CORP_ID, FromUserName: 'sys', CreateTime: String(seconds()), MsgType: 'event', Event: 'change_external_tag', Id: id, TagType: tagType, ChangeType: changeType });
  const contactChange = (changeType: string, userId: string, externalUserId: string) =>
    post(contactEvent(CORP_ID, { changeType, userId, externalUserId, createTime: seconds() }));
  /** A customer who added these consultants in WeCom, through the real callback path; answers the external_userid and the person. */
  const befriend = async (name: string, userids: string[], tags: string[] = []) => {
    const contact = fake.addExternalContact({ name, follow_user: userids.map((userid) => ({ userid, tags })) });
    for (const userid of userids) await contactChange('add_external_contact', userid, contact.external_userid);
    await work();
    const person = await sql<{ profile_id: string }>`
      SELECT profile_id FROM profile_identifiers WHERE tenant_id = ${tenant()} AND type = 'wecom_external_userid' AND scope = ${CORP_ID} AND value = ${contact.external_userid}`.execute(fx.store.db);
    const profileId = person.rows[0]?.profile_id;
    if (!profileId) throw new Error(`no person for ${contact.external_userid}`);
    return { externalUserid: contact.external_userid, profileId };
  };
  const tagsOf = async (profileId: string) => profileTags.parse(json(await admin('GET', `/api/v1/profiles/${profileId}/tags`))).data.map((t) => `${t.groupName}/${t.name}`).sort();
  const wecomTagsOf = (externalUserid: string, userid: string) => {
    const follow = fake.state.contacts.contacts.get(externalUserid)?.follows.get(userid);
    return [...(follow?.tags ?? [])].map((id) => fake.state.tags.find(id)?.tag.name ?? id).sort();
  };
  const historyCount = async () => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM tag_history WHERE tenant_id = ${tenant()}`.execute(fx.store.db)).rows[0]?.n);
  /** The consultant changes the customer's corp tags in the WeCom app, and WeCom sends the edit event. */
  const consultantTags = async (externalUserid: string, userid: string, change: { add?: string[]; remove?: string[] }) => {
    const follow = fake.state.contacts.contacts.get(externalUserid)?.follows.get(userid);
    if (!follow) throw new Error(`${userid} is no friend of ${externalUserid}`);
    for (const id of change.add ?? []) follow.tags.add(id);
    for (const id of change.remove ?? []) follow.tags.delete(id);
    clock.advance(1_000);
    await contactChange('edit_external_contact', userid, externalUserid);
    await work();
  };

  it('pushes a synced group to WeCom, maps the ids, and follows Siyu renames and deletions', async () => {
    const intent = await group('意向车型', ['SUV', '轿车']);
    const chosen = await chooseGroups([intent.id]);
    expect(chosen.run.state).toBe('queued');
    expect(writes()).toEqual([]);
    await work();
    expect(wecomTagNames('意向车型')).toEqual(['SUV', '轿车']);
    const synced = await status();
    expect(synced.run).toMatchObject({ state: 'succeeded', result: { pushed: { created: 2 }, problems: [] } });
    expect(synced.tagGroups).toEqual([
      expect.objectContaining({
        id: intent.id,
        wecomGroupId: wecomGroup('意向车型')?.group_id,
        tags: [expect.objectContaining({ name: 'SUV', wecomTagId: wecomTagId('意向车型', 'SUV') }), expect.objectContaining({ name: '轿车', wecomTagId: wecomTagId('意向车型', '轿车') })],
      }),
    ]);

    clock.advance(60_000);
    expect((await admin('PUT', `/api/v1/tags/${intent.tags['SUV']}`, { name: '城市SUV' })).statusCode).toBe(200);
    expect((await admin('POST', '/api/v1/tags', { groupId: intent.id, name: 'MPV', kind: 'manual' })).statusCode).toBe(201);
    expect((await admin('DELETE', `/api/v1/tags/${intent.tags['轿车']}`)).statusCode).toBe(204);
    await work();
    expect(wecomTagNames('意向车型')).toEqual(['MPV', '城市SUV']);
    expect(writes().map((w) => w.path.split('/').pop())).toEqual(['add_corp_tag', 'del_corp_tag', 'edit_corp_tag', 'add_corp_tag']);
  });

  it('pulls tags made in WeCom into a Siyu group of the same name, and pushes the Siyu ones into the same WeCom group', async () => {
    fake.addTagGroup('意向车型', ['MPV', 'SUV']);
    const intent = await group('意向车型', ['SUV', '轿车']);
    await chooseGroups([intent.id]);
    await work();
    const synced = await status();
    expect(synced.tagGroups[0]?.tags.map((t) => [t.name, t.wecomTagId])).toEqual([
      ['MPV', wecomTagId('意向车型', 'MPV')],
      ['SUV', wecomTagId('意向车型', 'SUV')],
      ['轿车', wecomTagId('意向车型', '轿车')],
    ]);
    expect(fake.state.tags.groups).toHaveLength(1);
    expect(wecomTagNames('意向车型')).toEqual(['MPV', 'SUV', '轿车']);
    expect(synced.run.result).toMatchObject({ pushed: { created: 1 }, pulled: { created: 1 } });
    expect(synced.wecomGroups).toEqual([{ wecomGroupId: wecomGroup('意向车型')?.group_id, name: '意向车型', tagCount: 3, tagGroupId: intent.id }]);
  });

  it('change_external_tag callbacks: a tag created, renamed and deleted in WeCom is created, renamed and deleted in Siyu', async () => {
    const intent = await group('意向车型', ['SUV']);
    await chooseGroups([intent.id]);
    await work();
    const groupId = wecomGroup('意向车型')?.group_id ?? '';
    const siyuNames = async () => (await status()).tagGroups[0]?.tags.map((t) => t.name) ?? [];

    clock.advance(60_000);
    const made = fake.state.tags.add({ group_id: groupId, tag: [{ name: '皮卡' }] }).tag_group.tag[0]?.id ?? '';
    await tagEvent('create', made);
    await work();
    expect(await siyuNames()).toEqual(['SUV', '皮卡']);

    clock.advance(60_000);
    fake.state.tags.edit({ id: made, name: '越野皮卡' });
    await tagEvent('update', made);
    await work();
    expect(await siyuNames()).toEqual(['SUV', '越野皮卡']);

    clock.advance(60_000);
    fake.state.tags.del({ tag_id: [made] });
    await tagEvent('delete', made);
    await work();
    expect(await siyuNames()).toEqual(['SUV']);
    const outcomes = await sql<{ outcome: string }>`
      SELECT outcome FROM wecom_callbacks WHERE tenant_id = ${tenant()} AND event = 'change_external_tag' ORDER BY id`.execute(fx.store.db);
    expect(outcomes.rows.map((r) => r.outcome)).toEqual(['applied', 'applied', 'applied']);
    // Nothing the callbacks brought was written back to WeCom.
    expect(writes().map((w) => [w.path.split('/').pop(), w.body])).toEqual([['add_corp_tag', expect.anything()]]);
  });

  it("an edit event brings a customer's corp tags to the person: any consultant's tag counts, and it goes when none has it", async () => {
    const intent = await group('意向车型', ['SUV', '轿车']);
    await chooseGroups([intent.id]);
    await work();
    const suv = wecomTagId('意向车型', 'SUV');
    const customer = await befriend('周先生', ['wa1', 'wa2']);
    expect(await tagsOf(customer.profileId)).toEqual([]);

    await consultantTags(customer.externalUserid, 'wa1', { add: [suv] });
    expect(await tagsOf(customer.profileId)).toEqual(['意向车型/SUV']);
    await consultantTags(customer.externalUserid, 'wa2', { add: [suv] });
    await consultantTags(customer.externalUserid, 'wa1', { remove: [suv] });
    expect(await tagsOf(customer.profileId)).toEqual(['意向车型/SUV']);
    await consultantTags(customer.externalUserid, 'wa2', { remove: [suv] });
    expect(await tagsOf(customer.profileId)).toEqual([]);
    const history = await sql<{ action: string; actor: string }>`
      SELECT action, actor FROM tag_history WHERE tenant_id = ${tenant()} AND profile_id = ${customer.profileId} ORDER BY id`.execute(fx.store.db);
    expect(history.rows).toEqual([
      { action: 'applied', actor: `wecom-tag-sync:${connectorId}` },
      { action: 'removed', actor: `wecom-tag-sync:${connectorId}` },
    ]);
    // What was pulled is not pushed back: no mark_tag at all.
    expect(writes().filter((w) => w.path.endsWith('/mark_tag'))).toEqual([]);
  });

  it('a Siyu tag applied or removed is marked on every live friendship of the person by the job, in one mark_tag per friendship', async () => {
    const intent = await group('意向车型', ['SUV', '轿车']);
    await chooseGroups([intent.id]);
    await work();
    const customer = await befriend('吴女士', ['wa1', 'wa2']);
    const res = await admin('POST', `/api/v1/tags/${intent.tags['SUV']}/apply`, { profileIds: [customer.profileId] });
    expect(res.statusCode, res.body).toBe(200);
    await admin('POST', `/api/v1/tags/${intent.tags['轿车']}/apply`, { profileIds: [customer.profileId] });
    // The request only queues: WeCom hears of it from the job (the one write so far made the group).
    expect(writes().map((w) => w.path.split('/').pop())).toEqual(['add_corp_tag']);
    await work();
    expect(wecomTagsOf(customer.externalUserid, 'wa1')).toEqual(['SUV', '轿车']);
    expect(wecomTagsOf(customer.externalUserid, 'wa2')).toEqual(['SUV', '轿车']);
    expect(writes().filter((w) => w.path.endsWith('/mark_tag')).map((w) => w.body)).toEqual([
      { userid: 'wa1', external_userid: customer.externalUserid, add_tag: expect.arrayContaining([wecomTagId('意向车型', 'SUV'), wecomTagId('意向车型', '轿车')]) },
      { userid: 'wa2', external_userid: customer.externalUserid, add_tag: expect.arrayContaining([wecomTagId('意向车型', 'SUV'), wecomTagId('意向车型', '轿车')]) },
    ]);

    clock.advance(60_000);
    await admin('POST', `/api/v1/tags/${intent.tags['轿车']}/remove`, { profileIds: [customer.profileId] });
    await work();
    expect(wecomTagsOf(customer.externalUserid, 'wa1')).toEqual(['SUV']);
    expect(wecomTagsOf(customer.externalUserid, 'wa2')).toEqual(['SUV']);
    expect(await tagsOf(customer.profileId)).toEqual(['意向车型/SUV']);

    // An edit made in WeCom before Siyu's last mark, processed after it: what was stored with it may
    // predate the mark, so the sync reads the customer again before trusting it; nothing flips.
    const reads = () => fake.requests.filter((r) => r.path.endsWith('/externalcontact/get')).length;
    const readsBefore = reads();
    const marksBefore = writes().length;
    await post(contactEvent(CORP_ID, { changeType: 'edit_external_contact', userId: 'wa1', externalUserId: customer.externalUserid, createTime: seconds() - 30 }));
    await work();
    expect(reads() - readsBefore).toBe(2);
    expect(writes()).toHaveLength(marksBefore);
    expect(await tagsOf(customer.profileId)).toEqual(['意向车型/SUV']);
  });

  it('a rule tag of a synced group is pushed by a full run and marked back when a consultant removes it: it follows its definition', async () => {
    const level = await group('会员等级', ['金卡']);
    const derived = idOf.parse(json(await admin('POST', '/api/v1/tag-groups', { name: '客户价值' }))).id;
    const vip = await admin('POST', '/api/v1/tags', { groupId: derived, name: '高价值', kind: 'rule', definition: { condition: { type: 'tag', tag: level.tags['金卡'] } } });
    expect(vip.statusCode, vip.body).toBe(201);
    await chooseGroups([derived]);
    await work();
    const customer = await befriend('郑先生', ['wa1']);
    await admin('POST', `/api/v1/tags/${level.tags['金卡']}/apply`, { profileIds: [customer.profileId] });
    await work();
    expect(await tagsOf(customer.profileId)).toEqual(['会员等级/金卡', '客户价值/高价值']);
    syncOf(await admin('POST', `${syncPath()}/run`), 202);
    await work();
    expect(wecomTagsOf(customer.externalUserid, 'wa1')).toEqual(['高价值']);

    await consultantTags(customer.externalUserid, 'wa1', { remove: [wecomTagId('客户价值', '高价值')] });
    expect(wecomTagsOf(customer.externalUserid, 'wa1')).toEqual(['高价值']);
    expect(await tagsOf(customer.profileId)).toEqual(['会员等级/金卡', '客户价值/高价值']);
  });

  it('pull → push → pull: the second round changes nothing on either side', async () => {
    const wecomMade = fake.addTagGroup('意向车型', ['MPV']);
    const mpv = wecomMade.tag[0]?.id ?? '';
    const intent = await group('意向车型', ['SUV']);
    const stage = await group('购车阶段', ['看车', '试驾']);
    const zhang = await befriend('张先生', ['wa1'], [mpv]);
    const li = await befriend('李女士', ['wa1', 'wb1']);
    await admin('POST', `/api/v1/tags/${stage.tags['看车']}/apply`, { profileIds: [zhang.profileId, li.profileId] });
    await chooseGroups([intent.id, stage.id]);
    await work();
    expect(await tagsOf(zhang.profileId)).toEqual(['意向车型/MPV', '购车阶段/看车']);
    expect(wecomTagsOf(zhang.externalUserid, 'wa1')).toEqual(['MPV', '看车']);
    expect(wecomTagsOf(li.externalUserid, 'wb1')).toEqual(['看车']);

    // Push: a Siyu change; pull: a consultant's change.
    clock.advance(60_000);
    await admin('POST', `/api/v1/tags/${intent.tags['SUV']}/apply`, { profileIds: [li.profileId] });
    await work();
    await consultantTags(zhang.externalUserid, 'wa1', { add: [wecomTagId('购车阶段', '试驾')] });
    expect(await tagsOf(zhang.profileId)).toEqual(['意向车型/MPV', '购车阶段/看车', '购车阶段/试驾']);

    const before = { writes: writes().length, history: await historyCount(), corp: JSON.stringify(fake.state.tags.groups), zhang: await tagsOf(zhang.profileId), li: await tagsOf(li.profileId) };
    for (let round = 0; round < 2; round++) {
      clock.advance(60_000);
      syncOf(await admin('POST', `${syncPath()}/run`), 202);
      await work();
      expect((await status()).run).toMatchObject({ state: 'succeeded', result: { pushed: { created: 0, renamed: 0, deleted: 0, marked: 0 }, pulled: { created: 0, renamed: 0, deleted: 0, applied: 0, removed: 0 } } });
    }
    expect({ writes: writes().length, history: await historyCount(), corp: JSON.stringify(fake.state.tags.groups), zhang: await tagsOf(zhang.profileId), li: await tagsOf(li.profileId) }).toEqual(before);
    expect(fake.requests.filter((r) => r.path.endsWith('/get_corp_tag_list')).length).toBeGreaterThanOrEqual(3);
  });

  it("a full run WeCom refuses ends failed with WeCom's reason in words, and the next run goes through", async () => {
    const intent = await group('意向车型', ['SUV']);
    fake.failNext(48002, 1);
    await chooseGroups([intent.id]);
    await work();
    const failed = await status();
    expect(failed.run).toMatchObject({ state: 'failed', error: { code: 'forbidden', message: expect.stringContaining('可调用接口的应用') } });
    expect(failed.lastError).toMatchObject({ code: 'forbidden' });
    expect(wecomGroup('意向车型')).toBeUndefined();
    // Nothing starts again by itself.
    await work();
    expect((await status()).run.state).toBe('failed');

    clock.advance(60_000);
    syncOf(await admin('POST', `${syncPath()}/run`), 202);
    await work();
    const done = await status();
    expect(done).toMatchObject({ run: { state: 'succeeded', error: null }, lastError: null });
    expect(wecomTagNames('意向车型')).toEqual(['SUV']);
  });

  it('bad input is a 4xx that changes nothing', async () => {
    const intent = await group('意向车型', ['SUV']);
    const long = await group('长名字的分组', ['一个名字超过三十个字符的标签一个名字超过三十个字符的标签一二三']);
    const unknownConnector = '00000000-0000-4000-8000-000000000000';
    const cases: Array<[string, Promise<LightMyRequestResponse>, number, string]> = [
      ['an unknown connector', admin('PUT', `/api/v1/wecom/tag-sync/${unknownConnector}`, { tagGroupIds: [intent.id] }), 404, 'not_found'],
      ['an unknown group', admin('PUT', syncPath(), { tagGroupIds: [intent.id, unknownConnector] }), 400, 'invalid_request'],
      ['a tag name WeCom refuses', admin('PUT', syncPath(), { tagGroupIds: [long.id] }), 400, 'invalid_request'],
      ['not a list', admin('PUT', syncPath(), { tagGroupIds: intent.id }), 400, 'invalid_request'],
      ['an unknown field', admin('PUT', syncPath(), { tagGroupIds: [], connector: 'x' }), 400, 'invalid_request'],
      ['a run with nothing synced', admin('POST', `${syncPath()}/run`), 409, 'conflict'],
      ['a run of an unknown connector', admin('POST', `/api/v1/wecom/tag-sync/${unknownConnector}/run`), 404, 'not_found'],
      ['a consultant', asStaff(fx.app, net.staff.consultantA1.token, 'PUT', syncPath(), { tagGroupIds: [intent.id] }), 403, 'forbidden'],
    ];
    for (const [what, request, code, errorCode] of cases) {
      const res = await request;
      expect(res.statusCode, `${what}: ${res.body}`).toBe(code);
      expect(z.object({ error: z.object({ code: z.string(), message: z.string() }) }).parse(json(res)).error.code, what).toBe(errorCode);
    }
    const unknownGroup = await admin('PUT', syncPath(), { tagGroupIds: [intent.id, unknownConnector] });
    expect(json(unknownGroup)).toMatchObject({ error: { message: expect.stringContaining('tagGroupIds[1]'), details: { issues: [{ path: 'tagGroupIds[1]' }] } } });
    expect(json(await admin('PUT', syncPath(), { tagGroupIds: [long.id] }))).toMatchObject({ error: { message: expect.stringContaining('WeCom takes at most 30') } });
    const now = await status();
    expect(now).toMatchObject({ tagGroups: [], pendingCustomers: 0, run: { state: 'idle' } });
    expect((await pendingJobs(fx.store.db, tenant())).filter((j) => j.kind === 'wecom.tag_sync')).toEqual([]);
    await work();
    expect(writes()).toEqual([]);
  });
});
