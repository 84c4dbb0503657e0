import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Store } from '../../platform/db/index.js';
import { basicAuth, useAppFixture } from '../../testing/app.js';
import { testEngines } from '../../testing/engines.js';
import { resolveQueued } from '../../testing/identity.js';
import { resolutionHooks } from '../profiles/index.js';
import { blockValue, unblockValue } from './config.js';
import { jsonbText } from './jsonb-text.js';
import { rebuildIdentityGraph } from './rebuild.js';
import type { RebuildProgress, RebuildSummary } from './rebuild-types.js';

type Message = Record<string, unknown>;

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);
const at = (day: number, minute = 0) => new Date(T0 + day * DAY + minute * 60_000).toISOString();

/** What a rebuild must keep or recompute: who holds each identifier, each event's profile, live profiles' state. */
async function snapshot(store: Store, tenantId: string) {
  const identifiers = await store.db
    .selectFrom('profile_identifiers')
    .select(['type', 'scope', 'value', 'profile_id', 'first_seen', 'last_seen'])
    .where('tenant_id', '=', tenantId)
    .orderBy('type')
    .orderBy('scope')
    .orderBy('value')
    .execute();
  const events = await store.db.selectFrom('events').select(['message_id', 'profile_id']).where('tenant_id', '=', tenantId).orderBy('message_id').execute();
  const profiles = await store.db
    .selectFrom('profiles')
    .select(['id', 'merged_into', 'traits', 'trait_meta', 'first_seen', 'last_seen'])
    .where('tenant_id', '=', tenantId)
    .orderBy('id')
    .execute();
  const former = await store.db
    .selectFrom('former_identifiers')
    .select(['profile_id', 'type', 'value', 'first_seen', 'last_seen', 'valid_to', 'reason'])
    .where('tenant_id', '=', tenantId)
    .orderBy('value')
    .execute();
  return {
    identifiers: Object.fromEntries(identifiers.map((r) => [`${r.type}:${r.scope}:${r.value}`, r.profile_id])),
    identifierTimes: identifiers.map((r) => [r.value, r.first_seen.toISOString(), r.last_seen.toISOString()]),
    events: Object.fromEntries(events.map((r) => [r.message_id, r.profile_id])),
    profiles,
    former,
  };
}

const NO_CHANGE: Partial<RebuildSummary> = {
  eventsMoved: 0,
  profilesCreated: 0,
  profilesUpdated: 0,
  profilesMergedAway: 0,
  profilesDeleted: 0,
  identifiersAdded: 0,
  identifiersRemoved: 0,
  identifiersMoved: 0,
  identifiersRetimed: 0,
  formerAdded: 0,
  formerRemoved: 0,
  identifierWrite: 'none',
  eventWrite: 'none',
};

describe.each(testEngines)('identity rebuild on %s', (engine) => {
  const fx = useAppFixture(engine);

  const send = async (batch: Message[]) => {
    const res = await fx.app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { authorization: basicAuth(fx.tenant.writeKey), 'content-type': 'application/json' },
      payload: JSON.stringify({ batch }),
    });
    expect(res.statusCode, res.body).toBe(200);
    await resolveQueued(fx.store, fx.tenant.tenantId);
  };
  const rebuild = (onProgress?: (p: RebuildProgress) => void, eventWrite?: 'unnest' | 'copy') =>
    rebuildIdentityGraph(fx.store, fx.tenant.tenantId, {
      actor: 'test',
      ...resolutionHooks,
      ...(onProgress ? { onProgress } : {}),
      ...(eventWrite ? { eventWrite } : {}),
    });
  const holder = async (type: string, value: string, scope = '') =>
    (
      await fx.store.db
        .selectFrom('profile_identifiers')
        .select('profile_id')
        .where('tenant_id', '=', fx.tenant.tenantId)
        .where('type', '=', type)
        .where('scope', '=', scope)
        .where('value', '=', value)
        .executeTakeFirst()
    )?.profile_id;
  const profileOfEvent = async (messageId: string) =>
    (await fx.store.db.selectFrom('events').select('profile_id').where('tenant_id', '=', fx.tenant.tenantId).where('message_id', '=', messageId).executeTakeFirstOrThrow())
      .profile_id;
  const traitsOf = async (id: string) =>
    (await fx.store.db.selectFrom('profiles').select(['traits', 'merged_into']).where('tenant_id', '=', fx.tenant.tenantId).where('id', '=', id).executeTakeFirstOrThrow());

  it('finds the graph online resolution built; a second rebuild changes nothing', async () => {
    // Sent in time order, one scenario after another, some in the same batch.
    await send([
      // Anonymous browsing, then a sign-up with phone and e-mail: the history joins the person.
      { type: 'page', messageId: 'm01', anonymousId: 'a-1', name: 'X7', timestamp: at(0) },
      { type: 'track', messageId: 'm02', anonymousId: 'a-1', event: 'Car Configured', timestamp: at(0, 5) },
      { type: 'identify', messageId: 'm03', anonymousId: 'a-1', userId: 'u-1', traits: { name: '王伟', phone: '13812345678', email: 'Wang@Example.com' }, timestamp: at(0, 10) },
      // The same person on a second device.
      { type: 'page', messageId: 'm04', anonymousId: 'a-2', timestamp: at(1) },
      { type: 'identify', messageId: 'm05', anonymousId: 'a-2', userId: 'u-1', traits: { city: '上海' }, timestamp: at(1, 1) },
    ]);
    await send([
      // Two profiles bridged later: a phone-only lead and a logged-in user.
      { type: 'identify', messageId: 'm06', anonymousId: 'a-3', traits: { phone: '+86 139 1111 2222', name: '李娜' }, timestamp: at(2) },
      { type: 'identify', messageId: 'm07', anonymousId: 'a-4', userId: 'u-3', traits: { email: 'li@example.com' }, timestamp: at(3) },
      { type: 'track', messageId: 'm08', anonymousId: 'a-3', userId: 'u-3', event: 'Test Drive Booked', timestamp: at(4) },
      // A shared showroom tablet: two user ids never merge (a blocked merge).
      { type: 'track', messageId: 'm09', anonymousId: 'tablet-1', userId: 'u-5', event: 'Brochure Downloaded', timestamp: at(5) },
      { type: 'track', messageId: 'm10', anonymousId: 'tablet-1', userId: 'u-6', event: 'Brochure Downloaded', timestamp: at(5, 30) },
      // alias: an anonymous id taken over by a user id.
      { type: 'page', messageId: 'm11', anonymousId: 'a-7', timestamp: at(6) },
      { type: 'alias', messageId: 'm12', previousId: 'a-7', userId: 'u-7', timestamp: at(6, 1) },
      // Identifiers from context.traits and context.externalIds (scoped).
      { type: 'track', messageId: 'm13', anonymousId: 'a-8', event: 'Coupon Claimed', context: { traits: { phone: '13700001111' } }, timestamp: at(7) },
      {
        type: 'track',
        messageId: 'm14',
        userId: 'u-8',
        event: 'Mini Program Opened',
        context: { externalIds: [{ id: 'o-8', type: 'wechat_openid', collection: 'wx-app-1', encoding: 'none' }], traits: { phone: '13700001111' } },
        timestamp: at(7, 5),
      },
      // Junk values identify nobody.
      { type: 'identify', messageId: 'm15', anonymousId: 'a-9', traits: { phone: '13800138000', email: 'test@test.com' }, timestamp: at(8) },
    ]);
    await send([
      // A recycled phone number: the new owner signs up over 180 days later.
      { type: 'identify', messageId: 'm16', userId: 'u-10', traits: { phone: '13566667777' }, timestamp: at(9) },
      { type: 'identify', messageId: 'm17', userId: 'u-11', traits: { phone: '13566667777' }, timestamp: at(300) },
      { type: 'page', messageId: 'm18', userId: 'u-1', timestamp: at(301) },
    ]);

    const online = await snapshot(fx.store, fx.tenant.tenantId);
    expect(online.identifiers['user_id::u-3']).toBe(online.identifiers['phone::+8613911112222']);
    expect(online.identifiers['user_id::u-5']).not.toBe(online.identifiers['user_id::u-6']);
    expect(online.former).toHaveLength(1);

    const phases = new Set<string>();
    const first = await rebuild((p) => phases.add(p.phase));
    expect([...phases]).toEqual(['reading', 'resolving', 'writing']);
    expect(first).toMatchObject({ ...NO_CHANGE, events: 18, profilesBefore: first.profilesAfter, merges: 2, blockedMerges: 1, reassignments: 1 });
    expect(await snapshot(fx.store, fx.tenant.tenantId)).toEqual(online);

    const second = await rebuild(undefined, 'unnest');
    expect(second).toMatchObject({ ...NO_CHANGE, events: 18, merges: 2, blockedMerges: 1, reassignments: 1 });
    expect(await snapshot(fx.store, fx.tenant.tenantId)).toEqual(online);
    const logged = await fx.store.db.selectFrom('identity_log').select(['kind', 'actor', 'details']).where('tenant_id', '=', fx.tenant.tenantId).where('kind', '=', 'rebuild').execute();
    expect(logged).toHaveLength(2);
    expect(logged[1]).toMatchObject({ actor: 'test', details: { eventsMoved: 0, merges: 2, blockedMerges: 1, profilesBefore: first.profilesAfter } });
    const audit = await fx.store.db.selectFrom('audit_log').select(['action', 'actor']).where('tenant_id', '=', fx.tenant.tenantId).where('action', '=', 'identity.rebuild').execute();
    expect(audit).toEqual([{ action: 'identity.rebuild', actor: 'test' }, { action: 'identity.rebuild', actor: 'test' }]);
  });

  it.each(['unnest', 'copy'] as const)('separates two people glued by a phone once it is blocklisted (events written with %s)', async (eventWrite) => {
    await send([
      { type: 'identify', messageId: 'g1', anonymousId: 'ga-1', traits: { name: '张敏', phone: '13912340000', email: 'zhang@example.com' }, timestamp: at(0) },
      { type: 'page', messageId: 'g2', anonymousId: 'ga-1', timestamp: at(0, 1) },
      { type: 'identify', messageId: 'g3', anonymousId: 'ga-2', traits: { name: '刘强', email: 'liu@example.com', city: '成都' }, timestamp: at(1) },
      { type: 'page', messageId: 'g4', anonymousId: 'ga-2', timestamp: at(1, 1) },
      // 刘强 types the dealer's call-centre number into a form: the two are merged.
      { type: 'identify', messageId: 'g5', anonymousId: 'ga-2', traits: { phone: '13912340000', email: 'liu@example.com' }, timestamp: at(2) },
      { type: 'track', messageId: 'g6', anonymousId: 'ga-2', event: 'Test Drive Booked', timestamp: at(3) },
    ]);
    const zhang = (await holder('anonymous_id', 'ga-1'))!;
    const liuBefore = await profileOfEvent('g3');
    expect(await holder('anonymous_id', 'ga-2')).toBe(zhang);
    expect(liuBefore).toBe(zhang);

    await blockValue(fx.store.db, fx.tenant.tenantId, { type: 'phone', value: '13912340000' }, 'test');
    const summary = await rebuild(undefined, eventWrite);
    expect(summary).toMatchObject({
      profilesBefore: 1,
      profilesAfter: 2,
      profilesCreated: 1,
      profilesKept: 1,
      profilesUpdated: 1,
      merges: 0,
      identifiersRemoved: 1,
      identifiersMoved: 2,
      eventsMoved: 4,
      eventWrite,
    });
    // 张敏 was first: she keeps the id.
    expect(await holder('anonymous_id', 'ga-1')).toBe(zhang);
    expect(await holder('email', 'zhang@example.com')).toBe(zhang);
    const liu = (await holder('anonymous_id', 'ga-2'))!;
    expect(liu).not.toBe(zhang);
    expect(await holder('email', 'liu@example.com')).toBe(liu);
    expect(await holder('phone', '+8613912340000')).toBeUndefined();
    for (const m of ['g1', 'g2']) expect(await profileOfEvent(m)).toBe(zhang);
    for (const m of ['g3', 'g4', 'g5', 'g6']) expect(await profileOfEvent(m)).toBe(liu);
    expect((await traitsOf(zhang)).traits).toEqual({ name: '张敏', phone: '13912340000', email: 'zhang@example.com' });
    expect(await traitsOf(liu)).toMatchObject({ merged_into: null, traits: { name: '刘强', email: 'liu@example.com', city: '成都', phone: '13912340000' } });

    expect(await rebuild()).toMatchObject({ ...NO_CHANGE, profilesBefore: 2, profilesAfter: 2 });
  });

  it('merges a profile no cluster keeps (its belongings follow) and deletes one left with nothing', async () => {
    await blockValue(fx.store.db, fx.tenant.tenantId, { type: 'phone', value: '13612345678' }, 'test');
    await send([
      { type: 'page', messageId: 'k1', anonymousId: 'kiosk', timestamp: at(0) },
      { type: 'identify', messageId: 'k2', anonymousId: 'kb-1', userId: 'ku-1', traits: { phone: '13612345678' }, timestamp: at(1) },
      { type: 'identify', messageId: 'k3', anonymousId: 'kb-2', traits: { phone: '13612345678', name: '陈静' }, timestamp: at(2) },
    ]);
    const kiosk = (await holder('anonymous_id', 'kiosk'))!;
    const person = (await holder('user_id', 'ku-1'))!;
    const other = (await holder('anonymous_id', 'kb-2'))!;
    expect(new Set([kiosk, person, other]).size).toBe(3);
    const consent = await fx.app.inject({
      method: 'POST',
      url: `/api/v1/profiles/${other}/consents`,
      headers: { authorization: `Bearer ${fx.tenant.adminToken}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ channel: 'sms', purpose: 'marketing', state: 'denied' }),
    });
    expect(consent.statusCode, consent.body).toBe(201);

    // Rules change: the phone is a person's after all, and the kiosk's anonymous id identifies nobody.
    await unblockValue(fx.store.db, fx.tenant.tenantId, { type: 'phone', value: '+8613612345678' }, 'test');
    await blockValue(fx.store.db, fx.tenant.tenantId, { type: 'anonymous_id', value: 'kiosk' }, 'test');
    const summary = await rebuild();
    expect(summary).toMatchObject({
      profilesBefore: 3,
      profilesAfter: 1,
      profilesMergedAway: 1,
      profilesDeleted: 1,
      eventsWithoutProfile: 1,
      eventsMoved: 2,
      identifiersAdded: 1,
      identifiersRemoved: 1,
      identifiersMoved: 1,
    });
    expect(await holder('phone', '+8613612345678')).toBe(person);
    expect(await holder('anonymous_id', 'kb-2')).toBe(person);
    expect(await profileOfEvent('k3')).toBe(person);
    expect(await profileOfEvent('k1')).toBeNull();
    expect((await traitsOf(other)).merged_into).toBe(person);
    expect((await traitsOf(person)).traits).toMatchObject({ name: '陈静' });
    const consents = await fx.store.db.selectFrom('consents').select(['profile_id', 'state']).where('tenant_id', '=', fx.tenant.tenantId).execute();
    expect(consents).toEqual([{ profile_id: person, state: 'denied' }]);
    expect(await fx.store.db.selectFrom('profiles').select('id').where('tenant_id', '=', fx.tenant.tenantId).where('id', '=', kiosk).executeTakeFirst()).toBeUndefined();
    expect(await rebuild()).toMatchObject({ ...NO_CHANGE, profilesBefore: 1, profilesAfter: 1 });
  });

  it('re-points the lead and order of a profile it merges away, never deletes a profile an order names, and marks who changed', async () => {
    const phone = '13612349876';
    await blockValue(fx.store.db, fx.tenant.tenantId, { type: 'phone', value: phone }, 'test');
    await send([
      { type: 'identify', messageId: 'r1', anonymousId: 'rb-1', userId: 'ru-1', traits: { phone }, timestamp: at(0) },
      { type: 'page', messageId: 'r2', anonymousId: 'kiosk-2', timestamp: at(1) },
    ]);
    const person = (await holder('user_id', 'ru-1'))!;
    const kiosk = (await holder('anonymous_id', 'kiosk-2'))!;
    const admin = (url: string, body: unknown) =>
      fx.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${fx.tenant.adminToken}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    // The phone is blocked, so the lead gets a person of its own (its own anonymous id).
    const lead = await admin('/api/v1/leads', { source: 'website', externalId: 'rebuild-1', name: '周敏', phone });
    expect(lead.statusCode, lead.body).toBe(201);
    const leadPerson = String((JSON.parse(lead.body) as { profileId: string }).profileId);
    expect(new Set([person, kiosk, leadPerson]).size).toBe(3);
    for (const [orderNo, profileId] of [['R-1', leadPerson], ['R-2', kiosk]] as const) {
      const order = await admin('/api/v1/orders', { orderNo, profileId, series: '汉', amountFen: 20_000_000, orderedAt: at(2) });
      expect(order.statusCode, order.body).toBe(201);
    }
    await fx.store.db.deleteFrom('profiles_dirty').where('tenant_id', '=', fx.tenant.tenantId).execute();

    // The phone is a person's after all (the lead joins the user); the kiosk id identifies nobody.
    await unblockValue(fx.store.db, fx.tenant.tenantId, { type: 'phone', value: `+86${phone}` }, 'test');
    await blockValue(fx.store.db, fx.tenant.tenantId, { type: 'anonymous_id', value: 'kiosk-2' }, 'test');
    const summary = await rebuild();
    expect(summary).toMatchObject({ profilesMergedAway: 1, profilesDeleted: 0 });
    expect((await traitsOf(leadPerson)).merged_into).toBe(person);
    const named = async (table: 'leads' | 'orders') => (await fx.store.db.selectFrom(table).select('profile_id').where('tenant_id', '=', fx.tenant.tenantId).execute()).map((r) => r.profile_id).sort();
    expect(await named('leads')).toEqual([person]);
    expect(await named('orders')).toEqual([person, kiosk].sort());
    // The kiosk's profile lost its identifier and events but an order names it: it stays.
    expect(await fx.store.db.selectFrom('profiles').select('id').where('tenant_id', '=', fx.tenant.tenantId).where('id', '=', kiosk).executeTakeFirst()).toEqual({ id: kiosk });
    const dirty = (await fx.store.db.selectFrom('profiles_dirty').select('profile_id').where('tenant_id', '=', fx.tenant.tenantId).execute()).map((r) => r.profile_id);
    expect(dirty).toContain(person);
  });

  it('does not rewrite profiles whose traits hold unusual JSON when nothing changed', async () => {
    const traits = [
      { name: '王伟', phone: '13812345678', tags: ['a', 'b'], n: 3, x: 0.25, big: 1e21, ok: true, none: null },
      { zz: { b: 1, a: [{ y: 'q"\\', x: '\n\t\u0001' }] }, é: 1, e: 2, emoji: '🚗', long_key_name: {} },
    ];
    await send(traits.map((t, i) => ({ type: 'identify', userId: `odd-${i}`, traits: t, timestamp: at(i), messageId: `odd-${i}` })));
    await rebuild();
    const before = await snapshot(fx.store, fx.tenant.tenantId);
    expect(await rebuild()).toMatchObject(NO_CHANGE);
    expect(await snapshot(fx.store, fx.tenant.tenantId)).toEqual(before);
  });

  it('prints traits as the store prints a jsonb (so that unchanged profiles are compared as text)', async () => {
    const values: unknown[] = [
      { name: '王伟', phone: '13812345678', tags: ['a', 'b'], n: 3, x: 0.25, ok: true, none: null },
      { zz: { b: 1, a: [{ y: 'q"\\', x: '\n\t\u0001' }] }, é: 1, e: 2, emoji: '🚗', long_key_name: {} },
      [],
      'text',
    ];
    for (const v of values) {
      const { rows } = await sql<{ t: string }>`SELECT ${JSON.stringify(v)}::jsonb::text AS t`.execute(fx.store.db);
      expect(jsonbText(v)).toBe(rows[0]?.t);
    }
  });

  it('rebuilds an empty tenant', async () => {
    expect(await rebuild()).toMatchObject({ ...NO_CHANGE, events: 0, profilesBefore: 0, profilesAfter: 0 });
  });
});
