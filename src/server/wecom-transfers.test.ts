import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { wecomTransferPageSchema, wecomTransferSchema, type WecomTransfer } from '../contracts/wecom-transfers.js';
import { resetWecomRateLimits, TRANSFER_POLL_MS } from '../modules/wecom/index.js';
import { ManualClock } from '../platform/clock.js';
import { json, useAppFixture } from '../testing/app.js';
import { testEngines } from '../testing/engines.js';
import { startFakeWecom, type FakeWecom } from '../testing/fakes/wecom.js';
import { adminRequest } from '../testing/identity.js';
import { asStaff, seedNetwork, type Network } from '../testing/org.js';
import { contactEvent, postCallback, type CallbackKeys, type ContactChange, connectWecom } from '../testing/wecom-callbacks.js';
import { siyuWorker } from '../worker/index.js';

const NOW = new Date('2026-04-01T02:00:00Z');
const CORP_ID = 'wwtransfer00000001';
const SECRET = 'transfer-appSecret_0123456789abcdefghijABCD';
const KEYS: CallbackKeys = { corpId: CORP_ID, token: 'TransferTok3n', aesKey: 'tWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };
const DAY = 86_400_000;
const TRANSFER_PATH = '/cgi-bin/externalcontact/transfer_customer';
const RESIGNED_PATH = '/cgi-bin/externalcontact/resigned/transfer_customer';

const transferBody = z.object({ handover_userid: z.string(), takeover_userid: z.string(), external_userid: z.array(z.string()) });

describe.each(testEngines)('WeCom customer transfers on %s', (engine) => {
  const key = randomBytes(32);
  const clock = new ManualClock(NOW);
  const fx = useAppFixture(engine, { clock, secretKey: key });
  let fake: FakeWecom;
  let net: Network;
  let connectorId: string;
  const tenant = () => fx.tenant.tenantId;
  const seconds = () => Math.floor(clock.now().getTime() / 1000);

  beforeAll(async () => {
    fake = await startFakeWecom({ corpId: CORP_ID, secrets: [SECRET], now: () => clock.now().getTime() });
    // Every member WeCom knows (a takeover member must be one).
    fake.addExternalContact({ name: '同事的客户', follow_user: [{ userid: 'wa1' }, { userid: 'wa2' }, { userid: 'wb1' }] });
  });
  afterAll(() => fake.close());
  beforeEach(async () => {
    clock.set(NOW);
    resetWecomRateLimits();
    net = await seedNetwork(fx.app, fx.tenant);
    connectorId = await connectWecom(fx.app, fx.tenant, { ...KEYS, secret: SECRET }, fake.url);
  });

  const process = () => siyuWorker({ db: fx.store.db, store: fx.store, clock, secretKey: key, onlyTenant: tenant() }).drain();
  /** The next poll of the transfers job: an hour later. */
  const poll = async () => {
    clock.advance(TRANSFER_POLL_MS);
    await process();
  };
  const change = async (c: Omit<ContactChange, 'createTime'>) => {
    const res = await postCallback(fx.app, connectorId, KEYS, contactEvent(CORP_ID, { createTime: seconds(), ...c }), { timestamp: seconds() });
    expect(res.statusCode, res.body).toBe(200);
  };
  /** A customer who added `userid` in WeCom, through the real callback path. */
  const befriend = async (userid: string, name = '客户') => {
    const contact = fake.addExternalContact({ name, follow_user: [{ userid, remark: `${name}的备注` }] });
    await change({ changeType: 'add_external_contact', userId: userid, externalUserId: contact.external_userid });
    return contact.external_userid;
  };
  const calls = (path = TRANSFER_PATH) => fake.requests.filter((r) => r.path === path);
  const admin = (method: 'GET' | 'POST', url: string, payload?: unknown) => adminRequest(fx.app, fx.tenant, method, url, payload);
  const transferOf = (res: { statusCode: number; body: string }): WecomTransfer => wecomTransferSchema.parse(JSON.parse(res.body));
  const onJob = (from: string, to: string, externalUserIds: string[], extra: Record<string, unknown> = {}) => ({ connectorId, fromStaffId: from, toStaffId: to, externalUserIds, ...extra });
  const getTransfer = async (id: string) => {
    const res = await admin('GET', `/api/v1/wecom/transfers/${id}`);
    expect(res.statusCode, res.body).toBe(200);
    return transferOf(res);
  };
  const listTransfers = async (token?: string) => {
    const res = token ? await asStaff(fx.app, token, 'GET', '/api/v1/wecom/transfers') : await admin('GET', '/api/v1/wecom/transfers');
    expect(res.statusCode, res.body).toBe(200);
    return wecomTransferPageSchema.parse(json(res)).data;
  };
  const friendships = async (externalUserid: string) =>
    (
      await sql<{ wecom_user_id: string; staff_id: string | null; add_way: number | null; remark: string | null; removed_by: string | null; removed_source: string | null; live: boolean }>`
        SELECT wecom_user_id, staff_id, add_way, remark, removed_by, removed_source, removed_at IS NULL AS live FROM wecom_friendships
        WHERE tenant_id = ${tenant()} AND external_userid = ${externalUserid} ORDER BY added_at, id`.execute(fx.store.db)
    ).rows;
  const profileOf = async (externalUserid: string) =>
    (
      await sql<{ profile_id: string }>`
        SELECT profile_id FROM profile_identifiers WHERE tenant_id = ${tenant()} AND type = 'wecom_external_userid' AND scope = ${CORP_ID} AND value = ${externalUserid}`.execute(fx.store.db)
    ).rows[0]?.profile_id;
  const audits = async () =>
    (await sql<{ action: string }>`SELECT action FROM audit_log WHERE tenant_id = ${tenant()} AND target_type = 'wecom_transfer' ORDER BY id`.execute(fx.store.db)).rows.map((r) => r.action);

  it('refuses a third on-the-job transfer of a customer within 90 days before calling WeCom, and allows it once the window has passed', async () => {
    const customer = await befriend('wa1');
    await process();
    const { consultantA1: a1, consultantA2: a2 } = net.staff;
    const first = await admin('POST', '/api/v1/wecom/transfers', onJob(a1.id, a2.id, [customer], { message: '您好，我的同事将继续为您服务' }));
    expect(first.statusCode, first.body).toBe(201);
    expect(transferOf(first)).toMatchObject({ kind: 'on_job', status: 'open', from: { wecomUserId: 'wa1', staffId: a1.id }, to: { wecomUserId: 'wa2', staffId: a2.id }, batches: [{ batch: 1, customers: 1 }] });
    expect(transferOf(first).customers).toEqual([expect.objectContaining({ externalUserId: customer, outcome: 'waiting', batch: 1, profileId: await profileOf(customer) })]);
    expect(calls().at(-1)?.body).toMatchObject({ handover_userid: 'wa1', takeover_userid: 'wa2', external_userid: [customer], transfer_success_msg: '您好，我的同事将继续为您服务' });
    fake.settleTransfers();
    await poll();
    expect((await getTransfer(transferOf(first).id)).customers[0]?.outcome).toBe('taken_over');

    clock.advance(DAY);
    const second = await admin('POST', '/api/v1/wecom/transfers', onJob(a2.id, a1.id, [customer]));
    expect(transferOf(second).customers[0]?.outcome).toBe('waiting');
    fake.settleTransfers();
    await poll();
    expect((await getTransfer(transferOf(second).id)).status).toBe('settled');

    clock.advance(DAY);
    const before = calls().length;
    const third = await admin('POST', '/api/v1/wecom/transfers', onJob(a1.id, a2.id, [customer]));
    expect(third.statusCode, third.body).toBe(201);
    const refused = transferOf(third);
    expect(refused).toMatchObject({ status: 'settled', batches: [], counts: expect.objectContaining({ over_quota: 1, pending: 0 }) });
    expect(refused.customers[0]).toMatchObject({ outcome: 'over_quota', batch: null, reason: expect.stringContaining('2 times in the last 90 days (2026-04-01, 2026-04-02)') });
    expect(refused.customers[0]?.reason).toContain('possible from 2026-06-30');
    expect(calls()).toHaveLength(before);

    clock.set(new Date(NOW.getTime() + 91 * DAY));
    const later = await admin('POST', '/api/v1/wecom/transfers', onJob(a1.id, a2.id, [customer]));
    expect(transferOf(later).customers[0]?.outcome).toBe('waiting');
    expect(calls()).toHaveLength(before + 1);
    expect(await audits()).toEqual(['wecom_transfer.create', 'wecom_transfer.create', 'wecom_transfer.create', 'wecom_transfer.create']);
  });

  it('sends 230 customers in three calls of at most 100, records what WeCom answers per customer, and polls the results', async () => {
    const ids = Array.from({ length: 230 }, (_, i) => fake.addExternalContact({ name: `客户${i}`, follow_user: [{ userid: 'wa1' }] }).external_userid);
    const stranger = fake.addExternalContact({ name: '别人的客户', follow_user: [{ userid: 'wb1' }] }).external_userid;
    const before = calls().length;
    const res = await asStaff(fx.app, net.staff.hqOps.token, 'POST', '/api/v1/wecom/transfers', onJob(net.staff.consultantA1.id, net.staff.consultantA2.id, [...ids, stranger]));
    expect(res.statusCode, res.body).toBe(201);
    const sent = calls().slice(before).map((r) => transferBody.parse(r.body).external_userid.length);
    expect(sent).toEqual([100, 100, 31]);
    const t = transferOf(res);
    expect(t.batches).toEqual([
      { batch: 1, customers: 100 },
      { batch: 2, customers: 100 },
      { batch: 3, customers: 31 },
    ]);
    expect(t.counts).toMatchObject({ waiting: 230, failed: 1 });
    expect(t.customers.at(-1)).toMatchObject({ externalUserId: stranger, outcome: 'failed', errcode: 84061, reason: expect.stringContaining('no friendship') });
    expect(t.requestedBy).toBe(`staff:${net.staff.hqOps.id}`);

    // Nothing settled yet: the poll finds them all waiting.
    await poll();
    expect((await getTransfer(t.id)).counts).toMatchObject({ waiting: 230 });
    const takenOverAt = new Date(seconds() * 1000).toISOString();
    fake.settleTransfers(ids.slice(0, 2));
    await poll();
    const settled = await getTransfer(t.id);
    expect(settled).toMatchObject({ status: 'settled', counts: expect.objectContaining({ taken_over: 228, refused: 2, waiting: 0, failed: 1 }) });
    expect(settled.customers[0]).toMatchObject({ outcome: 'refused', reason: 'the customer refused to be transferred' });
    expect(settled.customers[2]).toMatchObject({ outcome: 'taken_over', takenOverAt });
    expect((await listTransfers()).map((s) => [s.id, s.status])).toEqual([[t.id, 'settled']]);
  });

  it("takes customers over: the old episode ends by transfer, the new consultant's begins, their dealer sees the customer, and WeCom's callbacks count nothing twice", async () => {
    const early = await befriend('wa1', '张先生');
    const late = await befriend('wa1', '李女士');
    await process();
    const person = (await profileOf(late))!;
    expect((await asStaff(fx.app, net.staff.managerB.token, 'GET', `/api/v1/profiles/${person}`)).statusCode).toBe(404);

    const res = await admin('POST', '/api/v1/wecom/transfers', onJob(net.staff.consultantA1.id, net.staff.consultantB1.id, [early, late]));
    expect(res.statusCode, res.body).toBe(201);
    clock.advance(60_000);
    fake.settleTransfers();
    // WeCom's callbacks for the first customer arrive before the poll, for the second after it.
    await change({ changeType: 'del_external_contact', userId: 'wa1', externalUserId: early, source: 'DELETE_BY_TRANSFER' });
    await change({ changeType: 'add_external_contact', userId: 'wb1', externalUserId: early });
    await process();
    await poll();
    expect((await getTransfer(transferOf(res).id)).counts).toMatchObject({ taken_over: 2 });
    await change({ changeType: 'del_external_contact', userId: 'wa1', externalUserId: late, source: 'DELETE_BY_TRANSFER' });
    await change({ changeType: 'add_external_contact', userId: 'wb1', externalUserId: late });
    await process();

    for (const customer of [early, late]) {
      expect((await friendships(customer)).map((f) => [f.wecom_user_id, f.live, f.removed_by, f.removed_source])).toEqual([
        ['wa1', false, 'transfer', 'DELETE_BY_TRANSFER'],
        ['wb1', true, null, null],
      ]);
    }
    // The poller wrote the second customer's new episode: assigned (add_way 202), with the remark WeCom moved along.
    expect((await friendships(late))[1]).toMatchObject({ staff_id: net.staff.consultantB1.id, add_way: 202, remark: '李女士的备注' });
    const profile = await asStaff(fx.app, net.staff.managerB.token, 'GET', `/api/v1/profiles/${person}`);
    expect(profile.statusCode, profile.body).toBe(200);
    const links = await sql<{ org_unit_id: string; reason: string }>`
      SELECT org_unit_id, reason FROM customer_links WHERE tenant_id = ${tenant()} AND profile_id = ${person} ORDER BY since`.execute(fx.store.db);
    expect(links.rows).toEqual([
      { org_unit_id: net.units.dealerA.id, reason: 'wecom' },
      { org_unit_id: net.units.dealerB.id, reason: 'wecom' },
    ]);
    const events = await sql<{ event: string; who: string }>`
      SELECT event, properties ->> 'staffUserId' AS who FROM events WHERE tenant_id = ${tenant()} AND profile_id = ${person} AND type = 'track' ORDER BY "timestamp", id`.execute(fx.store.db);
    expect(events.rows.map((e) => [e.event, e.who])).toEqual([
      ['WeCom Contact Added', 'wa1'],
      ['WeCom Contact Removed', 'wa1'],
      ['WeCom Contact Added', 'wb1'],
    ]);
  });

  it('a transfer_fail callback settles the customer as refused or over the limit; the customer stays with the consultant', async () => {
    const refusing = await befriend('wa1');
    const full = await befriend('wa1');
    await process();
    const res = await admin('POST', '/api/v1/wecom/transfers', onJob(net.staff.consultantA1.id, net.staff.consultantA2.id, [refusing, full]));
    const id = transferOf(res).id;
    clock.advance(60_000);
    await change({ changeType: 'transfer_fail', userId: 'wa2', externalUserId: refusing, failReason: 'customer_refused' });
    await change({ changeType: 'transfer_fail', userId: 'wa2', externalUserId: full, failReason: 'customer_limit_exceed' });
    await process();
    const t = await getTransfer(id);
    expect(t.status).toBe('settled');
    expect(t.customers.map((c) => [c.outcome, c.reason])).toEqual([
      ['refused', expect.stringContaining('customer_refused')],
      ['limit_exceeded', expect.stringContaining('customer_limit_exceed')],
    ]);
    const outcomes = await sql<{ outcome: string }>`SELECT outcome FROM wecom_callbacks WHERE tenant_id = ${tenant()} AND change_type = 'transfer_fail'`.execute(fx.store.db);
    expect(outcomes.rows).toEqual([{ outcome: 'applied' }, { outcome: 'applied' }]);
    expect((await friendships(refusing)).map((f) => [f.wecom_user_id, f.live])).toEqual([['wa1', true]]);
    // A refused customer does not count towards WeCom's limit: two more transfers are allowed.
    const again = await admin('POST', '/api/v1/wecom/transfers', onJob(net.staff.consultantA1.id, net.staff.consultantA2.id, [refusing]));
    expect(transferOf(again).customers[0]?.outcome).toBe('waiting');
    // Refused a second time: were refusals counted, two would be the limit and a third refused before calling.
    clock.advance(60_000);
    await change({ changeType: 'transfer_fail', userId: 'wa2', externalUserId: refusing, failReason: 'customer_refused' });
    await process();
    expect((await getTransfer(transferOf(again).id)).customers[0]?.outcome).toBe('refused');
    const third = await admin('POST', '/api/v1/wecom/transfers', onJob(net.staff.consultantA1.id, net.staff.consultantA2.id, [refusing]));
    expect(transferOf(third).customers[0]?.outcome).toBe('waiting');
  });

  it("resigned transfer: the departed member's live customers, in resigned/ calls; a repeat answers the same transfer", async () => {
    const customers = [await befriend('wa2'), await befriend('wa2'), await befriend('wa2')];
    const gone = await befriend('wa2');
    clock.advance(1_000);
    await change({ changeType: 'del_follow_user', userId: 'wa2', externalUserId: gone });
    await process();
    const body = { connectorId, fromWecomUserId: 'wa2', toStaffId: net.staff.consultantA1.id };
    const resignedBefore = calls(RESIGNED_PATH).length;
    const res = await asStaff(fx.app, net.staff.managerA.token, 'POST', '/api/v1/wecom/transfers/resigned', body);
    expect(res.statusCode, res.body).toBe(201);
    const t = transferOf(res);
    expect(t).toMatchObject({ kind: 'resigned', from: { wecomUserId: 'wa2', staffId: net.staff.consultantA2.id }, counts: expect.objectContaining({ waiting: 3 }) });
    expect(t.customers.map((c) => c.externalUserId).sort()).toEqual([...customers].sort());
    expect(calls(RESIGNED_PATH).slice(resignedBefore).map((r) => transferBody.parse(r.body))).toEqual([
      { handover_userid: 'wa2', takeover_userid: 'wa1', external_userid: t.customers.map((c) => c.externalUserId) },
    ]);

    const before = calls(RESIGNED_PATH).length;
    const repeat = await asStaff(fx.app, net.staff.managerA.token, 'POST', '/api/v1/wecom/transfers/resigned', body);
    expect(repeat.statusCode, repeat.body).toBe(200);
    expect(transferOf(repeat).id).toBe(t.id);
    expect(calls(RESIGNED_PATH)).toHaveLength(before);

    fake.settleTransfers();
    await poll();
    expect(fake.requests.some((r) => r.path === '/cgi-bin/externalcontact/resigned/transfer_result')).toBe(true);
    expect((await getTransfer(t.id)).counts).toMatchObject({ taken_over: 3 });
    for (const c of customers) expect((await friendships(c)).filter((f) => f.live).map((f) => f.wecom_user_id)).toEqual(['wa1']);
    expect(await audits()).toEqual(['wecom_transfer.resigned']);
    // Nothing left on record for the member.
    const none = await admin('POST', '/api/v1/wecom/transfers/resigned', { ...body, toStaffId: net.staff.consultantB1.id });
    expect(none.statusCode, none.body).toBe(409);
  });

  it("a dealer manager transfers only between their own dealer's consultants; consultants may not transfer", async () => {
    const customer = await befriend('wa1');
    await process();
    const before = calls().length;
    const { consultantA1: a1, consultantA2: a2, consultantB1: b1 } = net.staff;
    const otherDealer = await asStaff(fx.app, net.staff.managerB.token, 'POST', '/api/v1/wecom/transfers', onJob(a1.id, b1.id, [customer]));
    expect(otherDealer.statusCode, otherDealer.body).toBe(403);
    expect(otherDealer.body).toContain('outside your dealer');
    const outwards = await asStaff(fx.app, net.staff.managerA.token, 'POST', '/api/v1/wecom/transfers', onJob(a1.id, b1.id, [customer]));
    expect(outwards.statusCode, outwards.body).toBe(403);
    const consultant = await asStaff(fx.app, a1.token, 'POST', '/api/v1/wecom/transfers', onJob(a1.id, a2.id, [customer]));
    expect(consultant.statusCode, consultant.body).toBe(403);
    expect(calls()).toHaveLength(before);
    expect(await listTransfers()).toEqual([]);

    const own = await asStaff(fx.app, net.staff.managerA.token, 'POST', '/api/v1/wecom/transfers', onJob(a1.id, a2.id, [customer]));
    expect(own.statusCode, own.body).toBe(201);
    const id = transferOf(own).id;
    expect((await listTransfers(net.staff.managerA.token)).map((t) => t.id)).toEqual([id]);
    expect(await listTransfers(net.staff.managerB.token)).toEqual([]);
    expect((await asStaff(fx.app, net.staff.managerB.token, 'GET', `/api/v1/wecom/transfers/${id}`)).statusCode).toBe(404);
    expect((await asStaff(fx.app, a1.token, 'GET', '/api/v1/wecom/transfers')).statusCode).toBe(403);
  });

  it("a dealer manager naming another dealer's customer by profile learns nothing of their WeCom id", async () => {
    const customer = await befriend('wa1');
    await process();
    const profileId = await profileOf(customer);
    const { consultantB1: b1, managerB: mb } = net.staff;
    const res = await asStaff(fx.app, mb.token, 'POST', '/api/v1/wecom/transfers', { connectorId, fromStaffId: b1.id, toStaffId: mb.id, profileIds: [profileId] });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.body).not.toContain(customer);
    expect(await listTransfers()).toEqual([]);
  });

  it('an idempotency key answers the same transfer for the same request and 409 for another; customers waiting elsewhere are not sent again', async () => {
    const [one, two] = [await befriend('wa1'), await befriend('wa1')];
    await process();
    const { consultantA1: a1, consultantA2: a2 } = net.staff;
    const first = await admin('POST', '/api/v1/wecom/transfers', onJob(a1.id, a2.id, [one], { idempotencyKey: 'batch-42' }));
    expect(first.statusCode, first.body).toBe(201);
    const before = calls().length;
    const again = await admin('POST', '/api/v1/wecom/transfers', onJob(a1.id, a2.id, [one], { idempotencyKey: 'batch-42' }));
    expect([again.statusCode, transferOf(again).id]).toEqual([200, transferOf(first).id]);
    const other = await admin('POST', '/api/v1/wecom/transfers', onJob(a1.id, a2.id, [two], { idempotencyKey: 'batch-42' }));
    expect(other.statusCode, other.body).toBe(409);
    // Without a key: the same customers waiting in one transfer between the same consultants are that transfer.
    const natural = await admin('POST', '/api/v1/wecom/transfers', onJob(a1.id, a2.id, [one]));
    expect([natural.statusCode, transferOf(natural).id]).toEqual([200, transferOf(first).id]);
    expect(calls()).toHaveLength(before);
    // With another customer: a new transfer; the waiting one is refused as in_transfer, the other sent alone.
    clock.advance(1_000);
    const mixed = await admin('POST', '/api/v1/wecom/transfers', onJob(a1.id, a2.id, [one, two]));
    expect(mixed.statusCode, mixed.body).toBe(201);
    expect(transferOf(mixed).customers.map((c) => [c.externalUserId, c.outcome])).toEqual([
      [one, 'in_transfer'],
      [two, 'waiting'],
    ]);
    expect(transferOf(mixed).customers[0]?.reason).toContain(transferOf(first).id);
    expect(calls().slice(before).map((r) => transferBody.parse(r.body).external_userid)).toEqual([[two]]);
    // Newest first, a page at a time.
    const page = async (query: string) => {
      const res = await admin('GET', `/api/v1/wecom/transfers?${query}`);
      expect(res.statusCode, res.body).toBe(200);
      return wecomTransferPageSchema.parse(json(res));
    };
    const firstPage = await page('limit=1');
    expect(firstPage.data.map((t) => t.id)).toEqual([transferOf(mixed).id]);
    const secondPage = await page(`limit=1&cursor=${firstPage.nextCursor ?? ''}`);
    expect([secondPage.data.map((t) => t.id), secondPage.nextCursor]).toEqual([[transferOf(first).id], null]);
    expect((await page('status=settled')).data).toEqual([]);
    expect((await admin('GET', '/api/v1/wecom/transfers?cursor=nonsense')).statusCode).toBe(400);
  });

  it('a call WeCom refuses as a whole fails its customers with the reason, and they do not count towards the limit', async () => {
    const customer = await befriend('wa1');
    await process();
    fake.refuseIp(true);
    let res;
    try {
      // Twice: were failed customers counted, two would be the limit and the third refused before calling.
      await admin('POST', '/api/v1/wecom/transfers', onJob(net.staff.consultantA1.id, net.staff.consultantA2.id, [customer]));
      res = await admin('POST', '/api/v1/wecom/transfers', onJob(net.staff.consultantA1.id, net.staff.consultantA2.id, [customer]));
    } finally {
      fake.refuseIp(false);
    }
    expect(res.statusCode, res.body).toBe(201);
    expect(transferOf(res)).toMatchObject({ status: 'settled', batches: [{ batch: 1, customers: 1 }] });
    expect(transferOf(res).customers[0]).toMatchObject({ outcome: 'failed', errcode: 60020, reason: expect.stringContaining('企业可信IP') });
    const again = await admin('POST', '/api/v1/wecom/transfers', onJob(net.staff.consultantA1.id, net.staff.consultantA2.id, [customer]));
    expect(transferOf(again).customers[0]?.outcome).toBe('waiting');
  });

  it('bad input is a 4xx that changes nothing', async () => {
    const customer = await befriend('wa1');
    await process();
    const { consultantA1: a1, consultantA2: a2, advisorA } = net.staff;
    const before = { transfers: calls().length, resigned: calls(RESIGNED_PATH).length };
    const cases: Array<[string, string, unknown, number]> = [
      ['no customers', '/api/v1/wecom/transfers', { connectorId, fromStaffId: a1.id, toStaffId: a2.id }, 400],
      ['an empty list', '/api/v1/wecom/transfers', onJob(a1.id, a2.id, []), 400],
      ['the same consultant', '/api/v1/wecom/transfers', onJob(a1.id, a1.id, [customer]), 400],
      ['a message over 200 characters', '/api/v1/wecom/transfers', onJob(a1.id, a2.id, [customer], { message: '您'.repeat(201) }), 400],
      ['an unknown field', '/api/v1/wecom/transfers', onJob(a1.id, a2.id, [customer], { force: true }), 400],
      ['an unknown consultant', '/api/v1/wecom/transfers', onJob(a1.id, '00000000-0000-4000-8000-000000000001', [customer]), 400],
      ['a taker without a WeCom id', '/api/v1/wecom/transfers', onJob(a1.id, advisorA.id, [customer]), 400],
      ['a profile that is no WeCom customer', '/api/v1/wecom/transfers', { connectorId, fromStaffId: a1.id, toStaffId: a2.id, profileIds: ['00000000-0000-4000-8000-000000000002'] }, 400],
      ['an unknown connector', '/api/v1/wecom/transfers', { ...onJob(a1.id, a2.id, [customer]), connectorId: '00000000-0000-4000-8000-000000000003' }, 404],
      ['too many customers', '/api/v1/wecom/transfers', onJob(a1.id, a2.id, Array.from({ length: 1001 }, (_, i) => `wm${i}`)), 400],
      ['both departed-member fields', '/api/v1/wecom/transfers/resigned', { connectorId, fromWecomUserId: 'wa1', fromStaffId: a1.id, toStaffId: a2.id }, 400],
      ['neither departed-member field', '/api/v1/wecom/transfers/resigned', { connectorId, toStaffId: a2.id }, 400],
      ['a departed member without customers', '/api/v1/wecom/transfers/resigned', { connectorId, fromWecomUserId: 'wz9', toStaffId: a2.id }, 409],
    ];
    for (const [what, url, payload, status] of cases) {
      const res = await admin('POST', url, payload);
      expect([what, res.statusCode], res.body).toEqual([what, status]);
      expect(z.object({ error: z.object({ code: z.string(), message: z.string() }) }).parse(json(res)).error.message.length).toBeGreaterThan(10);
    }
    expect(await listTransfers()).toEqual([]);
    expect(await audits()).toEqual([]);
    expect({ transfers: calls().length, resigned: calls(RESIGNED_PATH).length }).toEqual(before);
    // Transfers a customer by profile: the profile's external_userid in the corp.
    const byProfile = await admin('POST', '/api/v1/wecom/transfers', { connectorId, fromStaffId: a1.id, toStaffId: a2.id, profileIds: [await profileOf(customer)] });
    expect(byProfile.statusCode, byProfile.body).toBe(201);
    expect(transferOf(byProfile).customers.map((c) => c.externalUserId)).toEqual([customer]);
    // A tampered cursor whose time JavaScript reads but PostgreSQL would not ("1", year 0000) is a 400, not a 500.
    for (const time of ['1', '0000-01-01T00:00:00Z']) {
      const cursor = Buffer.from(JSON.stringify([time, '00000000-0000-4000-8000-000000000001'])).toString('base64url');
      const listed = await admin('GET', `/api/v1/wecom/transfers?cursor=${cursor}`);
      expect([listed.statusCode, listed.body]).toEqual([400, expect.stringContaining('cursor')]);
    }
  });
});
