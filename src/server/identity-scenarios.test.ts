import { describe, expect, it } from 'vitest';
import { json, storedCounts, testApp, useAppFixture } from '../testing/app.js';
import { openTestStore, testEngines } from '../testing/engines.js';
import { identityLog, people, personHolding, resolveQueued, sendBatch, sendResolved } from '../testing/identity.js';

const VIN = '1M8GDM9AXKP042788';
const at = (iso: string) => ({ timestamp: iso });

describe.each(testEngines)('One ID scenarios on %s', (engine) => {
  const fx = useAppFixture(engine);
  const send = async (batch: Array<Record<string, unknown>>) => {
    const res = await sendResolved(fx.app, fx.store, fx.tenant, batch);
    expect(res.statusCode, res.body).toBe(200);
  };
  const everyone = () => people(fx.store, fx.tenant.tenantId);
  const log = () => identityLog(fx.store, fx.tenant.tenantId);

  it('gives the anonymous history to the person who then identifies', async () => {
    await send([1, 2, 3].map((i) => ({ type: 'page', anonymousId: 'a1', name: `p${i}`, messageId: `pv${i}`, ...at(`2026-01-0${i}T10:00:00Z`) })));
    await send([{ type: 'identify', anonymousId: 'a1', userId: 'u1', traits: { name: '王伟' }, messageId: 'id1', ...at('2026-01-05T10:00:00Z') }]);
    expect(await everyone()).toMatchObject([
      { identifiers: ['anonymous_id::a1', 'user_id::u1'], events: ['id1', 'pv1', 'pv2', 'pv3'], traits: { name: '王伟' } },
    ]);
  });

  it('a family sharing a car and one phone: two people, one vehicle, never merged', async () => {
    await send([
      { type: 'identify', userId: 'dad', traits: { name: '王建国', phone: '134 1234 1234' }, messageId: 'dad-id', ...at('2026-02-01T09:00:00Z') },
      { type: 'track', userId: 'dad', event: 'Maintenance Booked', properties: { vin: VIN, vehicleRole: 'owner', series: 'X5' }, messageId: 'dad-mb', ...at('2026-02-02T09:00:00Z') },
    ]);
    await send([
      { type: 'identify', userId: 'mom', traits: { name: '李梅', phone: '13412341234' }, messageId: 'mom-id', ...at('2026-02-03T09:00:00Z') },
      { type: 'track', userId: 'mom', event: 'Service Survey Answered', properties: { vin: VIN }, messageId: 'mom-sv', ...at('2026-02-04T09:00:00Z') },
    ]);
    const [dad, mom] = await everyone();
    expect(dad).toMatchObject({ identifiers: ['phone::+8613412341234', 'user_id::dad'], events: ['dad-id', 'dad-mb'], traits: { name: '王建国', phone: '134 1234 1234' } });
    // The phone stays with the first holder; mom keeps it as a trait.
    expect(mom).toMatchObject({ identifiers: ['user_id::mom'], events: ['mom-id', 'mom-sv'], traits: { name: '李梅', phone: '13412341234' } });
    expect(await log()).toEqual([{ kind: 'blocked_merge', reason: 'single_value_conflict:user_id', trigger: 'mom-id' }]);
    const vehicles = await fx.store.db.selectFrom('vehicles').selectAll().where('tenant_id', '=', fx.tenant.tenantId).execute();
    expect(vehicles).toMatchObject([{ vin: VIN, series: 'X5' }]);
    const relations = await fx.store.db.selectFrom('vehicle_relations').select(['profile_id', 'role', 'valid_to']).where('tenant_id', '=', fx.tenant.tenantId).orderBy('role').execute();
    expect(relations).toEqual([
      { profile_id: mom!.id, role: 'driver', valid_to: null },
      { profile_id: dad!.id, role: 'owner', valid_to: null },
    ]);
  });

  it('a showroom tablet used by 60 visitors: 60 people, the tablet id glues nobody', async () => {
    const visitors = Array.from({ length: 60 }, (_, i) => i);
    await send(visitors.map((i) => ({ type: 'identify', anonymousId: 'tablet-01', userId: `visitor-${i}`, traits: { phone: `1391234${String(1000 + i)}` }, messageId: `t1-${i}` })));
    // Visitors who only leave a phone on the tablet.
    await send(visitors.map((i) => ({ type: 'identify', anonymousId: 'tablet-02', traits: { phone: `1371234${String(1000 + i)}` }, messageId: `t2-${i}` })));
    const all = await everyone();
    expect(all).toHaveLength(120);
    for (const i of visitors) {
      const withId = await personHolding(fx.store, fx.tenant.tenantId, `user_id::visitor-${i}`);
      expect(withId?.identifiers).toEqual([...(i === 0 ? ['anonymous_id::tablet-01'] : []), `phone::+861391234${1000 + i}`, `user_id::visitor-${i}`]);
      expect(withId?.events).toEqual([`t1-${i}`]);
      const phoneOnly = await personHolding(fx.store, fx.tenant.tenantId, `phone::+861371234${1000 + i}`);
      expect(phoneOnly?.identifiers).toEqual([...(i === 0 ? ['anonymous_id::tablet-02'] : []), `phone::+861371234${1000 + i}`]);
      expect(phoneOnly?.events).toEqual([`t2-${i}`]);
    }
    const reasons = (await log()).map((e) => `${e.kind}:${e.reason}`);
    expect(reasons.filter((r) => r === 'blocked_merge:single_value_conflict:user_id')).toHaveLength(59);
    expect(reasons.filter((r) => r === 'blocked_merge:priority_conflict:phone')).toHaveLength(59);
    expect(reasons).toHaveLength(118);
  });

  it('a recycled phone number moves to its new owner; the old one keeps it as history', async () => {
    await send([{ type: 'identify', userId: 'old-owner', traits: { phone: '13512345678' }, messageId: 'o1', ...at('2024-03-01T08:00:00Z') }]);
    await send([{ type: 'identify', userId: 'new-owner', traits: { phone: '+86 135 1234 5678' }, messageId: 'n1', ...at('2026-03-01T08:00:00Z') }]);
    const [newOwner, oldOwner] = await everyone();
    expect(newOwner).toMatchObject({ identifiers: ['phone::+8613512345678', 'user_id::new-owner'], events: ['n1'] });
    expect(oldOwner).toMatchObject({ identifiers: ['user_id::old-owner'], events: ['o1'] });
    const former = await fx.store.db.selectFrom('former_identifiers').selectAll().where('tenant_id', '=', fx.tenant.tenantId).execute();
    expect(former).toMatchObject([{ profile_id: oldOwner!.id, type: 'phone', value: '+8613512345678', reason: 'reassigned' }]);
    expect(former[0]!.valid_to.toISOString()).toBe('2026-03-01T08:00:00.000Z');
    expect(await log()).toEqual([{ kind: 'reassign', reason: 'not seen on its holder for over 180 days (recycled)', trigger: 'n1' }]);
  });

  it('junk and masked phones identify nobody and stay traits', async () => {
    await send([
      { type: 'identify', userId: 'u1', traits: { phone: '13800138000' }, messageId: 'j1' },
      { type: 'identify', userId: 'u2', traits: { phone: '13800138000' }, messageId: 'j2' },
      { type: 'identify', userId: 'u3', traits: { phone: '000 0000 0000' }, messageId: 'j3' },
      { type: 'identify', userId: 'u4', traits: { phone: '134****1234', email: 'null' }, messageId: 'j4' },
      { type: 'track', userId: 'anonymous', anonymousId: 'dev-9', event: 'Viewed', messageId: 'j5' },
      { type: 'track', userId: 'undefined', event: 'Viewed', messageId: 'j6' },
    ]);
    const all = await everyone();
    expect(all.map((p) => p.identifiers)).toEqual([['anonymous_id::dev-9'], ['user_id::u1'], ['user_id::u2'], ['user_id::u3'], ['user_id::u4']]);
    expect(all.find((p) => p.identifiers[0] === 'user_id::u4')?.traits).toEqual({ phone: '134****1234', email: 'null' });
    const orphan = await fx.store.db.selectFrom('events').select('profile_id').where('tenant_id', '=', fx.tenant.tenantId).where('message_id', '=', 'j6').executeTakeFirstOrThrow();
    expect(orphan.profile_id).toBeNull();
    expect(await log()).toEqual([]);
  });

  it('the same openid from two apps is two people', async () => {
    await send([
      { type: 'track', anonymousId: 'x1', event: 'Followed', context: { externalIds: [{ id: 'oSAME', type: 'wechat_openid', collection: 'wx-oa' }] }, messageId: 'oa' },
      { type: 'track', anonymousId: 'x2', event: 'Opened', context: { externalIds: [{ id: 'oSAME', type: 'wechat_openid', collection: 'wx-mini' }] }, messageId: 'mini' },
    ]);
    expect((await everyone()).map((p) => p.identifiers)).toEqual([
      ['anonymous_id::x1', 'wechat_openid:wx-oa:oSAME'],
      ['anonymous_id::x2', 'wechat_openid:wx-mini:oSAME'],
    ]);
  });

  it('a WeCom contact and a mini-program user are joined by their unionid', async () => {
    const wecom = { id: 'wmEXT1', type: 'wecom_external_userid', collection: 'ww-corp' };
    const mini = { id: 'oMINI1', type: 'wechat_openid', collection: 'wx-mini' };
    const union = { id: 'uUNION1', type: 'wechat_unionid' };
    await send([{ type: 'track', anonymousId: 'w1', event: 'Contact Added', context: { externalIds: [wecom] }, messageId: 'e1', ...at('2026-04-01T00:00:00Z') }]);
    await send([{ type: 'track', anonymousId: 'm1', event: 'Mini Program Opened', context: { externalIds: [mini] }, messageId: 'e2', ...at('2026-04-02T00:00:00Z') }]);
    expect(await everyone()).toHaveLength(2);
    await send([{ type: 'track', anonymousId: 'w1', event: 'Unionid Resolved', context: { externalIds: [wecom, union] }, messageId: 'e3', ...at('2026-04-03T00:00:00Z') }]);
    await send([{ type: 'track', anonymousId: 'm1', event: 'Logged In', context: { externalIds: [mini, union] }, messageId: 'e4', ...at('2026-04-04T00:00:00Z') }]);
    expect(await everyone()).toMatchObject([
      {
        identifiers: ['anonymous_id::m1', 'anonymous_id::w1', 'wechat_openid:wx-mini:oMINI1', 'wechat_unionid::uUNION1', 'wecom_external_userid:ww-corp:wmEXT1'],
        events: ['e1', 'e2', 'e3', 'e4'],
      },
    ]);
    expect(await log()).toEqual([{ kind: 'merge', reason: null, trigger: 'e4' }]);
  });

  it('splits a wrong merge back into the two people exactly', async () => {
    await send([
      { type: 'page', anonymousId: 'a-wang', name: 'Home', messageId: 'w1', ...at('2026-05-01T00:00:00Z') },
      { type: 'identify', anonymousId: 'a-wang', userId: 'wang', traits: { name: '王伟', city: '北京' }, messageId: 'w2', ...at('2026-05-02T00:00:00Z') },
      { type: 'page', anonymousId: 'a-li', name: 'Price', messageId: 'l1', ...at('2026-05-01T12:00:00Z') },
      { type: 'identify', anonymousId: 'a-li', traits: { name: '李娜', phone: '13612345678', city: '上海' }, messageId: 'l2', ...at('2026-05-03T00:00:00Z') },
    ]);
    const before = await everyone();
    expect(before).toHaveLength(2);
    // Wang logs in on Li's phone: the app sends his user id with her device's anonymous id.
    await send([{ type: 'track', anonymousId: 'a-li', userId: 'wang', event: 'Logged In', messageId: 'bridge', ...at('2026-05-04T00:00:00Z') }]);
    const merged = await everyone();
    expect(merged).toHaveLength(1);
    const res = await fx.app.inject({
      method: 'POST',
      url: `/api/v1/profiles/${merged[0]!.id}/split`,
      payload: { identifiers: [{ type: 'phone', value: '136 1234 5678' }, { type: 'anonymous_id', value: 'a-li' }] },
      headers: { authorization: `Bearer ${fx.tenant.adminToken}` },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(json(res)).toMatchObject({ profileId: merged[0]!.id, eventsMoved: 2, replayed: false });
    const after = await everyone();
    const strip = (p: { identifiers: string[]; events: string[]; traits: Record<string, unknown> }) => ({ identifiers: p.identifiers, events: p.events, traits: p.traits });
    const wangBefore = before.find((p) => p.identifiers.includes('user_id::wang'))!;
    const liBefore = before.find((p) => p.identifiers.includes('anonymous_id::a-li'))!;
    // The bridging event was Wang's (his user id outranks her device id): it stays with him.
    expect(after.map(strip)).toEqual([strip({ ...wangBefore, events: [...wangBefore.events, 'bridge'].sort() }), strip(liBefore)].sort((a, b) => (a.identifiers.join() < b.identifiers.join() ? -1 : 1)));
    expect((await log()).map((e) => e.kind)).toEqual(['merge', 'split']);
    // Replaying the split changes nothing and answers the same result.
    const again = await fx.app.inject({
      method: 'POST',
      url: `/api/v1/profiles/${merged[0]!.id}/split`,
      payload: { identifiers: [{ type: 'anonymous_id', value: 'a-li' }, { type: 'phone', value: '+8613612345678' }] },
      headers: { authorization: `Bearer ${fx.tenant.adminToken}` },
    });
    expect(again.statusCode, again.body).toBe(200);
    expect(json(again)).toMatchObject({ newProfileId: json(res) && (json(res) as { newProfileId: string }).newProfileId, replayed: true });
    expect(await everyone()).toEqual(after);
  });

  it('refuses bad identity input with a clear 400 and stores nothing', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ type: 'track', userId: 'u', event: 'Serviced', properties: { vin: '1M8GDM9A1KP042788' } }, 'batch[1].properties.vin'],
      [{ type: 'track', userId: 'u', event: 'X', context: { externalIds: [{ id: '1', type: 'loyalty_card' }] } }, 'batch[1].context.externalIds[0].type'],
      [{ type: 'track', userId: 'u', event: 'X', context: { externalIds: [{ id: '12345', type: 'phone' }] } }, 'batch[1].context.externalIds[0].id'],
      [{ type: 'track', userId: 'u', event: 'X', context: { externalIds: [{ id: 'o1', type: 'wechat_openid' }] } }, 'batch[1].context.externalIds[0].collection'],
    ];
    for (const [bad, field] of cases) {
      const res = await sendBatch(fx.app, fx.tenant, [{ type: 'identify', userId: 'fine', messageId: 'ok' }, bad]);
      expect(res.statusCode, res.body).toBe(400);
      expect(json(res)).toMatchObject({ error: { code: 'invalid_request', details: { field } } });
    }
    expect(await storedCounts(fx.store, fx.tenant.tenantId)).toEqual({ events: 0, messageIds: 0 });
    expect(await everyone()).toEqual([]);

    await send([{ type: 'identify', userId: 'keep', traits: { phone: '13712345678' }, messageId: 'k1' }]);
    const [person] = await everyone();
    const split = (identifiers: unknown) =>
      fx.app.inject({ method: 'POST', url: `/api/v1/profiles/${person!.id}/split`, payload: { identifiers }, headers: { authorization: `Bearer ${fx.tenant.adminToken}` } });
    const notHeld = await split([{ type: 'phone', value: '13900001111' }]);
    expect(notHeld.statusCode).toBe(400);
    expect(json(notHeld)).toMatchObject({ error: { details: { notHeld: [{ type: 'phone', value: '+8613900001111' }] } } });
    expect((await split([{ type: 'fax', value: '1' }])).statusCode).toBe(400);
    expect((await split([{ type: 'phone', value: '134****1234' }])).statusCode).toBe(400);
    expect((await split([{ type: 'phone', value: '13712345678' }, { type: 'user_id', value: 'keep' }])).statusCode).toBe(400);
    expect(await everyone()).toEqual([person]);
    expect(await log()).toEqual([]);
  });
});

describe.each(testEngines)('One ID under concurrency on %s', (engine) => {
  const fx = useAppFixture(engine);

  it('concurrent events bridging the same people never create duplicates, across two server processes', async () => {
    // A second store and app stand for a second server process (its own connection pool).
    const other = engine === 'postgres' ? await openTestStore(engine) : null;
    const otherApp = other ? await testApp(other) : null;
    try {
      const apps = otherApp ? [fx.app, otherApp] : [fx.app];
      const requests = Array.from({ length: 40 }, (_, i) =>
        sendBatch(apps[i % apps.length]!, fx.tenant, [
          { type: 'identify', anonymousId: `dev-${i}`, traits: { phone: '13912340000' }, messageId: `c-${i}` },
          { type: 'identify', anonymousId: `dev-${i}`, userId: i % 2 === 0 ? 'same-user' : undefined, messageId: `d-${i}` },
        ]),
      );
      const responses = await Promise.all(requests);
      expect(responses.map((r) => r.statusCode)).toEqual(responses.map(() => 200));
      await resolveQueued(fx.store, fx.tenant.tenantId);
      const all = await people(fx.store, fx.tenant.tenantId);
      expect(all).toHaveLength(1);
      expect(all[0]!.identifiers).toEqual(
        [...Array.from({ length: 40 }, (_, i) => `anonymous_id::dev-${i}`), 'phone::+8613912340000', 'user_id::same-user'].sort(),
      );
      expect(all[0]!.events).toHaveLength(80);
      const merged = await fx.store.db.selectFrom('profiles').select('id').where('tenant_id', '=', fx.tenant.tenantId).execute();
      expect(merged).toHaveLength(1);
    } finally {
      await otherApp?.close();
      await other?.close();
    }
  });
});
