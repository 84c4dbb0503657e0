import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Database, Store } from '../../platform/db/index.js';
import { basicAuth, json, useAppFixture } from '../../testing/app.js';
import { freshTenant, testEngines } from '../../testing/engines.js';
import { resolveQueued } from '../../testing/identity.js';
import { ensureEventPartitions } from '../ingest/index.js';
import { personalData, scrubDetails, scrubReason } from './erase.js';

// Rows are written directly (identity resolution is not what is under test): one person with
// everything Siyu can know about them, a profile merged into them, and a bystander who must survive.

const T0 = '2026-03-01T08:00:00.000Z';
const VIN_A = 'LSVAU2180N2183294';

async function seedProfile(
  store: Store,
  tenantId: string,
  p: { traits: Record<string, unknown>; mergedInto?: string; identifiers?: Array<[type: string, value: string, scope?: string]>; former?: Array<[type: string, value: string]> },
): Promise<string> {
  const id = randomUUID();
  await store.db
    .insertInto('profiles')
    .values({ tenant_id: tenantId, id, merged_into: p.mergedInto ?? null, traits: JSON.stringify(p.traits), trait_meta: '{}', first_seen: T0, last_seen: T0 })
    .execute();
  for (const [type, value, scope = ''] of p.identifiers ?? []) {
    await store.db.insertInto('profile_identifiers').values({ tenant_id: tenantId, type, scope, value, profile_id: id, first_seen: T0, last_seen: T0 }).execute();
  }
  for (const [type, value] of p.former ?? []) {
    await store.db
      .insertInto('former_identifiers')
      .values({ tenant_id: tenantId, profile_id: id, type, scope: '', value, first_seen: T0, last_seen: T0, valid_to: T0, reason: 'reassign' })
      .execute();
  }
  return id;
}

async function seedEvent(store: Store, t: { tenantId: string; sourceId: string }, profileId: string, messageId: string, traits: unknown): Promise<void> {
  await ensureEventPartitions(store, [new Date(T0)]);
  await store.db.insertInto('event_message_ids').values({ tenant_id: t.tenantId, message_id: messageId, received_at: T0 }).execute();
  await store.db
    .insertInto('events')
    .values({
      tenant_id: t.tenantId, received_at: T0, message_id: messageId, type: 'identify', source_id: t.sourceId, event: null, name: null,
      category: null, user_id: null, anonymous_id: null, group_id: null, previous_id: null, timestamp: T0, original_timestamp: null,
      sent_at: null, properties: null, traits: JSON.stringify(traits), context: '{}', integrations: null, profile_id: profileId,
    })
    .execute();
}

async function seedLog(store: Store, tenantId: string, e: { kind: string; before: string[]; after: string; reason?: string; identifiers: unknown[]; details?: unknown }) {
  const row = await store.db
    .insertInto('identity_log')
    .values({
      tenant_id: tenantId, at: T0, kind: e.kind, reason: e.reason ?? null, trigger_message_id: 'msg-1', identifiers: JSON.stringify(e.identifiers),
      profiles_before: e.before, profile_after: e.after, actor: 'ingest', details: e.details === undefined ? null : JSON.stringify(e.details),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Every row of the tenant in every table that may hold personal data, as JSON text. */
async function tenantRows(store: Store, tenantId: string): Promise<Record<string, string>> {
  const tables = [
    'profiles', 'profile_identifiers', 'former_identifiers', 'events', 'event_message_ids', 'identity_log', 'consents', 'consent_history',
    'households', 'household_members', 'vehicle_relations', 'vehicles', 'audit_log',
  ] as const satisfies ReadonlyArray<keyof Database>;
  const out: Record<string, string> = {};
  for (const table of tables) out[table] = JSON.stringify(await store.db.selectFrom(table).selectAll().where('tenant_id', '=', tenantId).execute());
  return out;
}

const PII = ['李四光', 'lisi@example.com', '+8613412341234', '13412341234', 'u-erase-1', '+8613700001111', '13700001111', 'anon-erase-b', '李家', 'Chaoyang'];

describe('scrubbing the identity log', () => {
  const pd = personalData(['+8613412341234', 'u-erase-1'], [{ name: '李四光', address: { city: 'Chaoyang' }, age: 41 }]);
  it('keeps ids, times, codes and plain values; drops anything else and anything mentioning the person', () => {
    const id = randomUUID();
    expect(
      scrubDetails(
        {
          survivor: id, at: T0, rule: 'cap_exceeded:phone', count: 2, ok: true, none: null,
          phone: '+8613412341234', national: '13412341234', asNumber: 13412341234, user: 'u-erase-1', note: 'called 13412341234 twice',
          name: '李四光', nested: [{ type: 'phone', value: '+8613412341234' }, 'chaoyang district', id], age: 41, 'u-erase-1': 1, 'a b': 1,
          other: 'Some Free Text',
        },
        pd,
      ),
    ).toEqual({ survivor: id, at: T0, rule: 'cap_exceeded:phone', count: 2, ok: true, none: null, nested: [{ type: 'phone' }, id], age: 41 });
    expect(scrubDetails('+8613412341234', pd)).toBeUndefined();
    expect(scrubReason('cap_exceeded:phone', pd)).toBe('cap_exceeded:phone');
    expect(scrubReason('shared phone 13412341234', pd)).toBeNull();
    expect(scrubReason('u-erase-1', pd)).toBeNull();
    expect(scrubReason('not seen on its holder for over 180 days (recycled)', pd)).toBe('not seen on its holder for over 180 days (recycled)');
    expect(scrubReason(null, pd)).toBeNull();
    expect(scrubReason('merged with 李四光 by hand', pd)).toBeNull();
    expect(scrubReason('lives in CHAOYANG', pd)).toBeNull();
  });
});

describe.each(testEngines)('erasure on %s', (engine) => {
  const fx = useAppFixture(engine);
  let admin: Record<string, string>;
  beforeEach(() => {
    admin = { authorization: `Bearer ${fx.tenant.adminToken}` };
  });
  const call = (method: 'GET' | 'DELETE', url: string, headers = admin) => fx.app.inject({ method, url, headers });

  async function world() {
    const { store } = fx;
    const t = fx.tenant;
    const db = store.db;
    const li = await seedProfile(store, t.tenantId, {
      traits: { name: '李四光', email: 'lisi@example.com', phone: '13412341234', address: { city: 'Chaoyang' } },
      identifiers: [['phone', '+8613412341234'], ['user_id', 'u-erase-1'], ['email', 'lisi@example.com'], ['wechat_openid', 'oLI', 'wx-app']],
      former: [['phone', '+8613700001111']],
    });
    const merged = await seedProfile(store, t.tenantId, { traits: { name: '李四光' }, mergedInto: li, identifiers: [['anonymous_id', 'anon-erase-b']] });
    const zhang = await seedProfile(store, t.tenantId, { traits: { name: '张三' }, identifiers: [['phone', '+8613512345678']] });

    await seedEvent(store, t, li, 'm-li-1', { name: '李四光', phone: '13412341234' });
    await seedEvent(store, t, li, 'm-li-2', { email: 'lisi@example.com' });
    await seedEvent(store, t, li, 'm-li-3', {});
    await seedEvent(store, t, merged, 'm-b-1', { anonymousId: 'anon-erase-b' });
    await seedEvent(store, t, zhang, 'm-zhang-1', { name: '张三' });

    await db.insertInto('consents').values({ tenant_id: t.tenantId, profile_id: li, channel: 'sms', purpose: 'marketing', state: 'granted', at: T0, source: 'dms', org_unit: 'BJ001' }).execute();
    for (const state of ['denied', 'granted']) {
      await db.insertInto('consent_history').values({ tenant_id: t.tenantId, profile_id: li, channel: 'sms', purpose: 'marketing', state, at: T0, source: 'dms', org_unit: 'BJ001', note: '李四光 by phone' }).execute();
    }
    const family = randomUUID();
    const alone = randomUUID();
    // 李家 loses its only member and goes (its name describes the person); 张家 keeps its member.
    await db.insertInto('households').values([{ tenant_id: t.tenantId, id: family, name: '张家' }, { tenant_id: t.tenantId, id: alone, name: '李家' }]).execute();
    await db
      .insertInto('household_members')
      .values([
        { tenant_id: t.tenantId, household_id: family, profile_id: zhang, relation: 'self' },
        { tenant_id: t.tenantId, household_id: alone, profile_id: li, relation: 'self' },
      ])
      .execute();
    await db.insertInto('vehicles').values({ tenant_id: t.tenantId, vin: VIN_A, series: '汉', model: null, model_year: 2024 }).execute();
    await db
      .insertInto('vehicle_relations')
      .values([
        { tenant_id: t.tenantId, id: randomUUID(), vin: VIN_A, profile_id: li, role: 'owner', valid_from: T0, valid_to: null, source: 'dms' },
        { tenant_id: t.tenantId, id: randomUUID(), vin: VIN_A, profile_id: zhang, role: 'driver', valid_from: T0, valid_to: null, source: 'dms' },
      ])
      .execute();

    const phoneId = { type: 'phone', scope: '', value: '+8613412341234' };
    const mergeLog = await seedLog(store, t.tenantId, {
      kind: 'merge', before: [li, merged], after: li, reason: 'shared_identifier', identifiers: [phoneId], details: { survivor: li, phone: '+8613412341234', count: 2 },
    });
    const blockedLog = await seedLog(store, t.tenantId, { kind: 'blocked_merge', before: [zhang], after: merged, reason: 'priority_conflict:user_id', identifiers: [{ type: 'user_id', scope: '', value: 'u-erase-1' }] });
    const zhangLog = await seedLog(store, t.tenantId, { kind: 'merge', before: [zhang, randomUUID()], after: zhang, identifiers: [{ type: 'phone', scope: '', value: '+8613512345678' }], details: { n: 1 } });
    return { li, merged, zhang, family, alone, mergeLog, blockedLog, zhangLog };
  }

  it('deletes everything about the person, scrubs the identity log and leaves a tombstone', async () => {
    const w = await world();
    const t = fx.tenant;
    const zhangBefore = json(await call('GET', `/api/v1/profiles/${w.zhang}`));
    const logRows = () =>
      fx.store.db
        .selectFrom('identity_log')
        .select(['id', 'kind', 'reason', 'at', 'trigger_message_id', 'identifiers', 'profiles_before', 'profile_after', 'actor', 'details'])
        .where('tenant_id', '=', t.tenantId)
        .orderBy('id')
        .execute();
    const zhangLogBefore = (await logRows()).filter((l) => l.id === w.zhangLog);

    const res = await call('DELETE', `/api/v1/profiles/${w.li}`);
    expect(res.statusCode, res.body).toBe(200);
    const erased = {
      profiles: 2, events: 4, identifiers: 5, formerIdentifiers: 1, consents: 1, consentHistory: 2, householdMemberships: 1, householdsDeleted: 1,
      vehicleRelations: 1, leadsAnonymised: 0, customerLinks: 0, identityLogScrubbed: 2,
    };
    expect(json(res)).toEqual({ id: w.li, erased });

    const rows = await tenantRows(fx.store, t.tenantId);
    for (const [table, text] of Object.entries(rows)) {
      for (const pii of PII) expect(text.includes(pii), `${table} still holds ${pii}`).toBe(false);
      if (table !== 'identity_log' && table !== 'audit_log') {
        expect(text.includes(w.li), `${table} still names the profile`).toBe(false);
        expect(text.includes(w.merged), `${table} still names the merged profile`).toBe(false);
      }
    }

    // The log keeps who, what and when without the identifiers.
    const at = new Date(T0);
    expect(await logRows()).toEqual([
      { id: w.mergeLog, kind: 'merge', reason: 'shared_identifier', at, trigger_message_id: 'msg-1', identifiers: [], profiles_before: [w.li, w.merged], profile_after: w.li, actor: 'ingest', details: { survivor: w.li, count: 2 } },
      { id: w.blockedLog, kind: 'blocked_merge', reason: 'priority_conflict:user_id', at, trigger_message_id: 'msg-1', identifiers: [], profiles_before: [w.zhang], profile_after: w.merged, actor: 'ingest', details: null },
      ...zhangLogBefore,
    ]);

    const audit = await fx.store.db.selectFrom('audit_log').select(['actor', 'action', 'target_type', 'target_id', 'details']).where('tenant_id', '=', t.tenantId).where('action', '=', 'profile.erase').execute();
    const tokenId = (json(await fx.app.inject({ method: 'GET', url: '/api/v1/admin-tokens', headers: admin })) as { data: Array<{ id: string }> }).data[0]?.id;
    expect(audit).toEqual([{ actor: `admin_token:${tokenId}`, action: 'profile.erase', target_type: 'profile', target_id: w.li, details: { erased, elsewhere: { wecomCallbacks: 0, wecomFriendships: 0, wecomGroupMemberships: 0, wecomMassRecipients: 0, wecomTagSyncRows: 0, wecomTransferCustomers: 0 } } }]);

    // Message ids stay, so that a replay of the same messages cannot bring the person back.
    const messageIds = await fx.store.db.selectFrom('event_message_ids').select('message_id').where('tenant_id', '=', t.tenantId).orderBy('message_id').execute();
    expect(messageIds.map((m) => m.message_id)).toEqual(['m-b-1', 'm-li-1', 'm-li-2', 'm-li-3', 'm-zhang-1']);

    // The bystander keeps everything: profile, events, household, vehicle relation.
    expect(json(await call('GET', `/api/v1/profiles/${w.zhang}`))).toEqual(zhangBefore);
    const zhangEvents = json(await call('GET', `/api/v1/profiles/${w.zhang}/events`)) as { data: Array<{ messageId: string }> };
    expect(zhangEvents.data.map((e) => e.messageId)).toEqual(['m-zhang-1']);
    expect(await fx.store.db.selectFrom('households').select(['id', 'name']).where('tenant_id', '=', t.tenantId).execute()).toEqual([{ id: w.family, name: '张家' }]);
    const relations = await fx.store.db.selectFrom('vehicle_relations').select(['vin', 'profile_id', 'role']).where('tenant_id', '=', t.tenantId).execute();
    expect(relations).toEqual([{ vin: VIN_A, profile_id: w.zhang, role: 'driver' }]);
  });

  it('end to end: a person made by ingestion is erased, and a replay of their messages does not bring them back', async () => {
    const identify = { type: 'identify', messageId: 'e2e-1', userId: 'u-erase-1', traits: { name: '李四光', phone: '134 1234 1234', email: 'lisi@example.com' }, timestamp: T0 };
    const track = { type: 'track', messageId: 'e2e-2', userId: 'u-erase-1', event: 'Test Drive Booked', properties: { series: '汉' }, timestamp: T0 };
    const ingest = () =>
      fx.app.inject({
        method: 'POST',
        url: '/v1/batch',
        headers: { authorization: basicAuth(fx.tenant.writeKey), 'content-type': 'application/json' },
        payload: JSON.stringify({ batch: [identify, track] }),
      });
    expect((await ingest()).statusCode).toBe(200);
    await resolveQueued(fx.store, fx.tenant.tenantId);
    const found = await call('GET', '/api/v1/profiles/lookup?type=phone&value=13412341234');
    expect(found.statusCode, found.body).toBe(200);
    const id = (json(found) as { id: string }).id;
    const events = json(await call('GET', `/api/v1/profiles/${id}/events`)) as { data: Array<{ messageId: string }> };
    expect(events.data.map((e) => e.messageId).sort()).toEqual(['e2e-1', 'e2e-2']);

    const res = await call('DELETE', `/api/v1/profiles/${id}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(json(res)).toMatchObject({ id, erased: { profiles: 1, events: 2 } });
    expect((await ingest()).statusCode).toBe(200);
    await resolveQueued(fx.store, fx.tenant.tenantId);
    expect((await call('GET', '/api/v1/profiles/lookup?type=user_id&value=u-erase-1')).statusCode).toBe(404);
    const rows = await tenantRows(fx.store, fx.tenant.tenantId);
    for (const [table, text] of Object.entries(rows)) for (const pii of PII) expect(text.includes(pii), `${table} still holds ${pii}`).toBe(false);
  });

  it('a second DELETE, and every later read, answers 404', async () => {
    const w = await world();
    expect((await call('DELETE', `/api/v1/profiles/${w.li}`)).statusCode).toBe(200);
    const again = await call('DELETE', `/api/v1/profiles/${w.li}`);
    expect(again.statusCode).toBe(404);
    expect(json(again)).toMatchObject({ error: { code: 'not_found' } });
    for (const url of [`/api/v1/profiles/${w.li}`, `/api/v1/profiles/${w.merged}`, `/api/v1/profiles/${w.li}/events`, '/api/v1/profiles/lookup?type=phone&value=13412341234']) {
      expect((await call('GET', url)).statusCode, url).toBe(404);
    }
    expect((await fx.store.db.selectFrom('audit_log').select('id').where('tenant_id', '=', fx.tenant.tenantId).where('action', '=', 'profile.erase').execute()).length).toBe(1);
  });

  it('a merged-away id → 308 to the survivor; a bad id → 400; another tenant → 404; nothing is erased', async () => {
    const w = await world();
    const before = await tenantRows(fx.store, fx.tenant.tenantId);
    const moved = await call('DELETE', `/api/v1/profiles/${w.merged}`);
    expect(moved.statusCode).toBe(308);
    expect(moved.headers['location']).toBe(`/api/v1/profiles/${w.li}`);
    const bad = await call('DELETE', '/api/v1/profiles/lookup');
    expect(bad.statusCode).toBe(400);
    expect(json(bad)).toMatchObject({ error: { code: 'invalid_request', message: 'params id: must be a UUID' } });
    const other = await freshTenant(fx.store);
    const foreign = await call('DELETE', `/api/v1/profiles/${w.li}`, { authorization: `Bearer ${other.adminToken}` });
    expect(foreign.statusCode).toBe(404);
    expect(await tenantRows(fx.store, fx.tenant.tenantId)).toEqual(before);
  });
});
