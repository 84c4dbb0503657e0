import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../platform/db/index.js';
import { json, useAppFixture } from '../../testing/app.js';
import { freshTenant, testEngines } from '../../testing/engines.js';
import { ensureEventPartitions } from '../ingest/index.js';
import { maskPhone } from '../../platform/pii.js';

// Rows are written directly: these tests are about reading the graph, not about building it.
interface SeedIdentifier {
  type: string;
  value: string;
  scope?: string;
  firstSeen?: string;
  lastSeen?: string;
}
interface SeedProfile {
  id?: string;
  traits?: Record<string, unknown>;
  traitMeta?: Record<string, unknown>;
  mergedInto?: string;
  firstSeen?: string;
  lastSeen?: string;
  updatedAt?: string;
  identifiers?: SeedIdentifier[];
  former?: Array<SeedIdentifier & { validTo: string; reason: string }>;
}

const T0 = '2026-03-01T08:00:00.000Z';

async function seedProfile(store: Store, tenantId: string, p: SeedProfile): Promise<string> {
  const id = p.id ?? randomUUID();
  await store.db
    .insertInto('profiles')
    .values({
      tenant_id: tenantId,
      id,
      merged_into: p.mergedInto ?? null,
      traits: JSON.stringify(p.traits ?? {}),
      trait_meta: JSON.stringify(p.traitMeta ?? {}),
      first_seen: p.firstSeen ?? T0,
      last_seen: p.lastSeen ?? T0,
      created_at: T0,
      updated_at: p.updatedAt ?? T0,
    })
    .execute();
  for (const i of p.identifiers ?? []) {
    await store.db
      .insertInto('profile_identifiers')
      .values({ tenant_id: tenantId, type: i.type, scope: i.scope ?? '', value: i.value, profile_id: id, first_seen: i.firstSeen ?? T0, last_seen: i.lastSeen ?? T0 })
      .execute();
  }
  for (const f of p.former ?? []) {
    await store.db
      .insertInto('former_identifiers')
      .values({ tenant_id: tenantId, profile_id: id, type: f.type, scope: f.scope ?? '', value: f.value, first_seen: f.firstSeen ?? T0, last_seen: f.lastSeen ?? T0, valid_to: f.validTo, reason: f.reason })
      .execute();
  }
  return id;
}

async function seedEvent(
  store: Store,
  t: { tenantId: string; sourceId: string },
  e: { profileId: string | null; messageId: string; timestamp: string; type?: string; event?: string },
): Promise<string> {
  await ensureEventPartitions(store, [new Date(e.timestamp)]);
  await store.db.insertInto('event_message_ids').values({ tenant_id: t.tenantId, message_id: e.messageId, received_at: e.timestamp }).execute();
  const row = await store.db
    .insertInto('events')
    .values({
      tenant_id: t.tenantId, received_at: e.timestamp, message_id: e.messageId, type: e.type ?? 'track', source_id: t.sourceId,
      event: e.event ?? (e.type === undefined || e.type === 'track' ? 'Viewed' : null), name: null, category: null, user_id: null,
      anonymous_id: null, group_id: null, previous_id: null, timestamp: e.timestamp, original_timestamp: null, sent_at: null,
      properties: '{}', traits: null, context: '{}', integrations: null, profile_id: e.profileId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function seedLog(
  store: Store,
  tenantId: string,
  e: { kind: string; at: string; before: string[]; after: string | null; reason?: string; identifiers?: unknown[]; details?: unknown },
): Promise<string> {
  const row = await store.db
    .insertInto('identity_log')
    .values({
      tenant_id: tenantId, at: e.at, kind: e.kind, reason: e.reason ?? null, trigger_message_id: `m-${e.at}`,
      identifiers: JSON.stringify(e.identifiers ?? []), profiles_before: e.before, profile_after: e.after, actor: null,
      details: e.details === undefined ? null : JSON.stringify(e.details),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

interface Page<T> {
  data: T[];
  nextCursor: string | null;
}
interface ErrorBody {
  error: { code: string; message: string; details: unknown };
}

describe('maskPhone', () => {
  it('keeps the first three and last four digits', () => {
    expect(maskPhone('+8613412341234')).toBe('134****1234');
    expect(maskPhone('+861012345678')).toBe('101****5678');
    expect(maskPhone('+447911123456')).toBe('+44****3456');
    expect(maskPhone('+1234')).toBe('+****');
  });
});

describe.each(testEngines)('customer 360 API on %s', (engine) => {
  const fx = useAppFixture(engine);
  let admin: Record<string, string>;
  beforeEach(() => {
    admin = { authorization: `Bearer ${fx.tenant.adminToken}` };
  });
  const get = (url: string, headers = admin) => fx.app.inject({ method: 'GET', url, headers });
  const seed = (p: SeedProfile) => seedProfile(fx.store, fx.tenant.tenantId, p);

  /** A person with identifiers of several types, a former phone, and a profile merged into them. */
  async function person() {
    const id = await seed({
      traits: { name: '王小明', city: '北京' },
      traitMeta: { name: { at: '2026-03-02T00:00:00.000Z', source: 'dms' } },
      firstSeen: '2026-01-05T00:00:00.000Z',
      lastSeen: '2026-03-09T00:00:00.000Z',
      updatedAt: '2026-03-09T00:00:01.000Z',
      identifiers: [
        { type: 'anonymous_id', value: 'anon-1', lastSeen: '2026-03-09T00:00:00.000Z' },
        { type: 'phone', value: '+8613412341234', lastSeen: '2026-03-01T00:00:00.000Z' },
        { type: 'wechat_openid', value: 'oOPEN1', scope: 'wx-app-1', lastSeen: '2026-03-05T00:00:00.000Z' },
        { type: 'phone', value: '+8613900001111', lastSeen: '2026-03-08T00:00:00.000Z' },
        { type: 'user_id', value: 'u-1001', lastSeen: '2026-02-01T00:00:00.000Z' },
      ],
      former: [{ type: 'phone', value: '+8613700000000', validTo: '2026-02-10T00:00:00.000Z', reason: 'reassign' }],
    });
    const mergedAway = await seed({ mergedInto: id, traits: { name: '小明' } });
    return { id, mergedAway };
  }

  it('GET /profiles/{id}: traits, identities by type priority then last seen, former identities', async () => {
    const { id } = await person();
    const res = await get(`/api/v1/profiles/${id}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(json(res)).toEqual({
      id,
      traits: { name: '王小明', city: '北京' },
      traitMeta: { name: { at: '2026-03-02T00:00:00.000Z', source: 'dms' } },
      identities: [
        { type: 'user_id', value: 'u-1001', scope: null, firstSeen: T0, lastSeen: '2026-02-01T00:00:00.000Z' },
        { type: 'phone', value: '+8613900001111', scope: null, firstSeen: T0, lastSeen: '2026-03-08T00:00:00.000Z' },
        { type: 'phone', value: '+8613412341234', scope: null, firstSeen: T0, lastSeen: '2026-03-01T00:00:00.000Z' },
        { type: 'wechat_openid', value: 'oOPEN1', scope: 'wx-app-1', firstSeen: T0, lastSeen: '2026-03-05T00:00:00.000Z' },
        { type: 'anonymous_id', value: 'anon-1', scope: null, firstSeen: T0, lastSeen: '2026-03-09T00:00:00.000Z' },
      ],
      formerIdentities: [{ type: 'phone', value: '+8613700000000', scope: null, validTo: '2026-02-10T00:00:00.000Z', reason: 'reassign' }],
      vehicles: [],
      household: null,
      consents: [],
      firstSeen: '2026-01-05T00:00:00.000Z',
      lastSeen: '2026-03-09T00:00:00.000Z',
      createdAt: T0,
      updatedAt: '2026-03-09T00:00:01.000Z',
    });
  });

  it('GET /profiles/{id}: vehicles, household and consents', async () => {
    const { id } = await person();
    const spouse = await seed({ traits: { name: '李红' } });
    const t = fx.tenant.tenantId;
    const db = fx.store.db;
    const vin = 'LSVAU2180N2183294';
    const relation = randomUUID();
    const household = randomUUID();
    await db.insertInto('vehicles').values({ tenant_id: t, vin, series: '汉', model: '汉 EV', model_year: 2024 }).execute();
    await db.insertInto('vehicle_relations').values({ tenant_id: t, id: relation, vin, profile_id: id, role: 'owner', valid_from: T0, valid_to: null, source: 'dms' }).execute();
    await db.insertInto('households').values({ tenant_id: t, id: household, name: '王家', created_at: T0, updated_at: T0 }).execute();
    await db
      .insertInto('household_members')
      .values([
        { tenant_id: t, household_id: household, profile_id: id, relation: 'self', added_at: T0 },
        { tenant_id: t, household_id: household, profile_id: spouse, relation: 'spouse', added_at: '2026-03-02T08:00:00.000Z' },
      ])
      .execute();
    await db.insertInto('consents').values({ tenant_id: t, profile_id: id, channel: 'sms', purpose: 'marketing', state: 'granted', at: T0, source: 'dms', org_unit: 'BJ001' }).execute();

    const body = json(await get(`/api/v1/profiles/${id}`)) as Record<string, unknown>;
    expect(body['vehicles']).toEqual([{ id: relation, profileId: id, role: 'owner', validFrom: T0, validTo: null, source: 'dms', vin, series: '汉', model: '汉 EV', modelYear: 2024 }]);
    expect(body['household']).toEqual({
      id: household,
      name: '王家',
      members: [
        { profileId: id, relation: 'self', addedAt: T0 },
        { profileId: spouse, relation: 'spouse', addedAt: '2026-03-02T08:00:00.000Z' },
      ],
      createdAt: T0,
      updatedAt: T0,
    });
    expect(body['consents']).toEqual([{ channel: 'sms', purpose: 'marketing', state: 'granted', at: T0, source: 'dms', orgUnit: 'BJ001' }]);
  });

  it('a merged-away id answers 308 with Location naming the survivor, on every profile route', async () => {
    const { id, mergedAway } = await person();
    for (const suffix of ['', '/events?limit=5', '/merges']) {
      const res = await get(`/api/v1/profiles/${mergedAway}${suffix}`);
      expect(res.statusCode, res.body).toBe(308);
      expect(res.headers['location']).toBe(`/api/v1/profiles/${id}${suffix}`);
      expect((json(res) as ErrorBody).error).toMatchObject({ code: 'profile_merged', details: { mergedId: mergedAway, profileId: id } });
    }
    const del = await fx.app.inject({ method: 'DELETE', url: `/api/v1/profiles/${mergedAway}`, headers: admin });
    expect(del.statusCode).toBe(308);
    expect(del.headers['location']).toBe(`/api/v1/profiles/${id}`);
    expect((await get(`/api/v1/profiles/${id}`)).statusCode).toBe(200);
  });

  it('unknown id → 404, malformed id → 400 naming the parameter', async () => {
    const unknown = await get(`/api/v1/profiles/${randomUUID()}`);
    expect(unknown.statusCode).toBe(404);
    expect((json(unknown) as ErrorBody).error.code).toBe('not_found');
    const bad = await get('/api/v1/profiles/not-a-uuid');
    expect(bad.statusCode).toBe(400);
    expect((json(bad) as ErrorBody).error.message).toBe('params id: must be a UUID');
  });

  it('lookup normalises the value as ingestion does', async () => {
    const { id } = await person();
    for (const value of ['134 1234 1234', '+86 134-1234-1234', '008613412341234', '8613412341234', '+8613412341234']) {
      const res = await get(`/api/v1/profiles/lookup?type=phone&value=${encodeURIComponent(value)}`);
      expect(res.statusCode, `${value}: ${res.body}`).toBe(200);
      expect((json(res) as { id: string }).id).toBe(id);
    }
    const scoped = await get('/api/v1/profiles/lookup?type=wechat_openid&value=oOPEN1&scope=wx-app-1');
    expect((json(scoped) as { id: string }).id).toBe(id);
    const byUser = await get('/api/v1/profiles/lookup?type=user_id&value=%20u-1001%20');
    expect((json(byUser) as { id: string; identities: unknown[] }).identities).toHaveLength(5);
  });

  it('lookup: bad input → 400 with a clear message, no holder → 404', async () => {
    await person();
    const cases: Array<[string, unknown]> = [
      ['type=fax&value=1', 'query: unknown identifier type "fax"'],
      ['type=phone&value=134****1234', 'query: a masked phone number identifies nobody (kept as a trait)'],
      ['type=phone&value=12345', expect.stringMatching(/^query: not a mainland China mobile/)],
      ['type=phone&value=13800138000', 'query: "+8613800138000" is on the junk list for phone: many unrelated people send it'],
      ['type=wechat_openid&value=oOPEN1', 'query: wechat_openid values are unique only within a scope (app id, corp id or dealer code); give the scope'],
      ['type=phone&value=13412341234&scope=x', 'query: phone is not scoped; leave the scope out'],
      ['type=phone', 'querystring value: value is required'],
      ['value=13412341234', 'querystring type: type is required'],
    ];
    for (const [qs, message] of cases) {
      const res = await get(`/api/v1/profiles/lookup?${qs}`);
      expect(res.statusCode, qs).toBe(400);
      expect((json(res) as ErrorBody).error, qs).toMatchObject({ code: 'invalid_request', message });
    }
    const none = await get('/api/v1/profiles/lookup?type=phone&value=13512345678');
    expect(none.statusCode).toBe(404);
    expect((json(none) as ErrorBody).error.message).toBe('no profile holds phone +8613512345678');
    const otherScope = await get('/api/v1/profiles/lookup?type=wechat_openid&value=oOPEN1&scope=wx-app-2');
    expect(otherScope.statusCode).toBe(404);
  });

  describe('search', () => {
    type Row = { id: string; name: string | null; phone: string | null; lastSeen: string };
    const search = async (qs: string) => {
      const res = await get(`/api/v1/profiles?${qs}`);
      expect(res.statusCode, res.body).toBe(200);
      return json(res) as Page<Row>;
    };
    const names = async (q: string) => (await search(`q=${encodeURIComponent(q)}`)).data.map((r) => r.name);

    async function people() {
      const at = (n: number) => `2026-03-0${n}T00:00:00.000Z`;
      const wang = await seed({ traits: { name: '王小明' }, updatedAt: at(1), lastSeen: at(1), identifiers: [{ type: 'phone', value: '+8613412341234' }] });
      await seed({ traits: { name: '王大明' }, updatedAt: at(2), identifiers: [{ type: 'phone', value: '+8613599991234' }, { type: 'phone', value: '+8613600005678', lastSeen: at(5) }] });
      await seed({ traits: { name: 'Alice WANG' }, updatedAt: at(3), identifiers: [{ type: 'email', value: 'alice@example.com' }, { type: 'wechat_openid', scope: 'wx-app', value: 'oAliceOpenId' }] });
      await seed({ traits: { name: 'a_b 100%' }, updatedAt: at(4), identifiers: [{ type: 'user_id', value: 'u_1234' }] });
      await seed({ traits: { name: 'abc', phone: '137****0000' }, updatedAt: at(5) });
      await seed({ traits: { name: '王小明' }, mergedInto: wang, updatedAt: at(6), identifiers: [] });
      return { wang };
    }

    it('by name: starts with q, any case; merged-away profiles never show', async () => {
      await people();
      expect(await names('王')).toEqual(['王大明', '王小明']);
      expect(await names('王小')).toEqual(['王小明']);
      expect(await names('alice w')).toEqual(['Alice WANG']);
      expect(await names('ALI')).toEqual(['Alice WANG']);
      expect(await names('wang')).toEqual([]);
    });

    it('LIKE metacharacters in q are literal', async () => {
      await people();
      expect(await names('a_')).toEqual(['a_b 100%']);
      expect(await names('a_b 100%')).toEqual(['a_b 100%']);
      expect(await names('%')).toEqual([]);
      expect(await names('a%b')).toEqual([]);
      expect(await names('_')).toEqual([]);
      expect(await names('\\')).toEqual([]);
      expect(await names('12_4')).toEqual([]);
    });

    it('by phone suffix (4+ digits) and by exact identifier value; phones come masked', async () => {
      const { wang } = await people();
      const suffix = await search('q=1234');
      expect(suffix.data).toEqual([
        { id: expect.any(String), name: '王大明', phone: '135****1234', lastSeen: T0 },
        { id: wang, name: '王小明', phone: '134****1234', lastSeen: '2026-03-01T00:00:00.000Z' },
      ]);
      expect(await names('9991234')).toEqual(['王大明']);
      expect(await names('134 1234 1234')).toEqual(['王小明']);
      expect(await names('123')).toEqual([]);
      expect(await names('alice@example.com')).toEqual(['Alice WANG']);
      expect(await names('ALICE@example.com')).toEqual(['Alice WANG']);
      expect(await names('u_1234')).toEqual(['a_b 100%']);
      // Scoped values need their scope: GET /api/v1/profiles/lookup.
      expect(await names('oAliceOpenId')).toEqual([]);
      expect(await names('oalice')).toEqual([]);
      expect(await names('+8613600005678')).toEqual(['王大明']);
      const all = await search('');
      expect(all.data.map((r) => [r.name, r.phone])).toEqual([
        ['abc', '137****0000'],
        ['a_b 100%', null],
        ['Alice WANG', null],
        ['王大明', '136****5678'],
        ['王小明', '134****1234'],
      ]);
    });

    it('pages with a keyset cursor, most recently updated first, at microsecond precision', async () => {
      const ids: string[] = [];
      // Five profiles updated within the same millisecond, and two more a millisecond apart.
      for (const us of ['123001', '123005', '123002', '123004', '123003']) ids.push(await seed({ traits: { name: `p${us}` }, updatedAt: `2026-03-01T00:00:00.${us}Z` }));
      ids.push(await seed({ traits: { name: 'later' }, updatedAt: '2026-03-01T00:00:00.124Z' }));
      ids.push(await seed({ traits: { name: 'earlier' }, updatedAt: '2026-03-01T00:00:00.122Z' }));
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: Page<Row> = await search(`limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...page.data.map((r) => r.name ?? ''));
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor !== null && pages < 10);
      expect(seen).toEqual(['later', 'p123005', 'p123004', 'p123003', 'p123002', 'p123001', 'earlier']);
      expect(pages).toBe(4);
      const bad = await get('/api/v1/profiles?cursor=xyz');
      expect(bad.statusCode).toBe(400);
      expect((json(bad) as ErrorBody).error.details).toEqual({ field: 'cursor' });
      expect((await get('/api/v1/profiles?limit=0')).statusCode).toBe(400);
      expect((await get('/api/v1/profiles?limit=101')).statusCode).toBe(400);
    });
  });

  it('GET /profiles/{id}/events: newest first, paged, filtered by type and event', async () => {
    const { id } = await person();
    const other = await seed({});
    const t = fx.tenant;
    const e = (messageId: string, timestamp: string, type = 'track', event?: string) =>
      seedEvent(fx.store, t, { profileId: id, messageId, timestamp, type, ...(event ? { event } : type === 'track' ? { event: 'Viewed' } : {}) });
    const e1 = await e('m1', '2026-02-27T10:00:00.000Z');
    const e2 = await e('m2', '2026-03-01T10:00:00.000Z', 'identify');
    const e3 = await e('m3', '2026-03-01T10:00:00.000Z', 'track', 'Test Drive Booked');
    const e4 = await e('m4', '2026-03-02T10:00:00.000Z', 'page');
    const e5 = await e('m5', '2026-03-03T10:00:00.000Z', 'track', 'Test Drive Booked');
    await seedEvent(fx.store, t, { profileId: other, messageId: 'o1', timestamp: '2026-03-02T11:00:00.000Z' });
    await seedEvent(fx.store, t, { profileId: null, messageId: 'o2', timestamp: '2026-03-02T12:00:00.000Z' });

    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/api/v1/profiles/${id}/events?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode, res.body).toBe(200);
      const page = json(res) as Page<{ id: string }>;
      ids.push(...page.data.map((x) => x.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(ids).toEqual([e5, e4, e3, e2, e1]);

    const first = json(await get(`/api/v1/profiles/${id}/events?limit=1`)) as Page<Record<string, unknown>>;
    expect(first.data[0]).toEqual({
      id: e5, messageId: 'm5', type: 'track', sourceId: t.sourceId, event: 'Test Drive Booked', name: null, category: null, userId: null,
      anonymousId: null, groupId: null, previousId: null, profileId: id, timestamp: '2026-03-03T10:00:00.000Z', originalTimestamp: null, sentAt: null,
      receivedAt: '2026-03-03T10:00:00.000Z', properties: {}, traits: null, context: {}, integrations: null,
    });
    const tracks = json(await get(`/api/v1/profiles/${id}/events?type=track`)) as Page<{ id: string }>;
    expect(tracks.data.map((x) => x.id)).toEqual([e5, e3, e1]);
    const drives = json(await get(`/api/v1/profiles/${id}/events?event=Test%20Drive%20Booked`)) as Page<{ id: string }>;
    expect(drives.data.map((x) => x.id)).toEqual([e5, e3]);
    // A period of event time: from inclusive, to exclusive.
    const period = json(await get(`/api/v1/profiles/${id}/events?from=2026-03-01T10:00:00.000Z&to=2026-03-03T10:00:00.000Z`)) as Page<{ id: string }>;
    expect(period.data.map((x) => x.id)).toEqual([e4, e3, e2]);
    expect((await get(`/api/v1/profiles/${id}/events?type=click`)).statusCode).toBe(400);
    expect((await get(`/api/v1/profiles/${id}/events?cursor=abc`)).statusCode).toBe(400);
    expect((await get(`/api/v1/profiles/${randomUUID()}/events`)).statusCode).toBe(404);
  });

  it('GET /profiles/{id}/merges: entries about it and about profiles merged into it, newest first', async () => {
    const { id, mergedAway } = await person();
    const stranger = await seed({});
    const x = randomUUID();
    const l1 = await seedLog(fx.store, fx.tenant.tenantId, { kind: 'merge', at: '2026-01-01T00:00:00.000Z', before: [mergedAway, x], after: mergedAway, reason: 'shared_identifier' });
    const l2 = await seedLog(fx.store, fx.tenant.tenantId, {
      kind: 'merge', at: '2026-02-01T00:00:00.000Z', before: [id, mergedAway], after: id,
      identifiers: [{ type: 'phone', scope: '', value: '+8613412341234' }], details: { survivor: id },
    });
    const l3 = await seedLog(fx.store, fx.tenant.tenantId, { kind: 'blocked_merge', at: '2026-03-01T00:00:00.000Z', before: [stranger], after: id, reason: 'cap_exceeded:phone' });
    await seedLog(fx.store, fx.tenant.tenantId, { kind: 'merge', at: '2026-03-02T00:00:00.000Z', before: [stranger, x], after: stranger });

    const res = await get(`/api/v1/profiles/${id}/merges`);
    expect(res.statusCode, res.body).toBe(200);
    expect(json(res)).toEqual({
      data: [
        { id: l3, kind: 'blocked_merge', reason: 'cap_exceeded:phone', at: '2026-03-01T00:00:00.000Z', triggerMessageId: 'm-2026-03-01T00:00:00.000Z', identifiers: [], profilesBefore: [stranger], profileAfter: id, actor: null, details: null },
        {
          id: l2, kind: 'merge', reason: null, at: '2026-02-01T00:00:00.000Z', triggerMessageId: 'm-2026-02-01T00:00:00.000Z',
          identifiers: [{ type: 'phone', scope: '', value: '+8613412341234' }], profilesBefore: [id, mergedAway], profileAfter: id, actor: null, details: { survivor: id },
        },
        { id: l1, kind: 'merge', reason: 'shared_identifier', at: '2026-01-01T00:00:00.000Z', triggerMessageId: 'm-2026-01-01T00:00:00.000Z', identifiers: [], profilesBefore: [mergedAway, x], profileAfter: mergedAway, actor: null, details: null },
      ],
    });
    expect(json(await get(`/api/v1/profiles/${stranger}/merges`))).toMatchObject({ data: [{ profileAfter: stranger }, { id: l3 }] });
  });

  it('is scoped to the token tenant: another tenant gets 404s and finds nothing', async () => {
    const { id } = await person();
    const other = await freshTenant(fx.store);
    const h = { authorization: `Bearer ${other.adminToken}` };
    for (const url of [`/api/v1/profiles/${id}`, `/api/v1/profiles/${id}/events`, `/api/v1/profiles/${id}/merges`, '/api/v1/profiles/lookup?type=phone&value=13412341234']) {
      const res = await get(url, h);
      expect(res.statusCode, url).toBe(404);
    }
    expect((json(await get('/api/v1/profiles?q=王', h)) as Page<unknown>).data).toEqual([]);
    expect((json(await get('/api/v1/profiles', h)) as Page<unknown>).data).toEqual([]);
    const del = await fx.app.inject({ method: 'DELETE', url: `/api/v1/profiles/${id}`, headers: h });
    expect(del.statusCode).toBe(404);
    expect((await get(`/api/v1/profiles/${id}`)).statusCode).toBe(200);
    expect((await get(`/api/v1/profiles/${id}`, {})).statusCode).toBe(401);
  });
});
