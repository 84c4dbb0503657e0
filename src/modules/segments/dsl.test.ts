import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { segmentDefinitionSchema, type Condition } from '../../contracts/segments.js';
import type { TenantCreated } from '../../contracts/tenancy.js';
import { systemClock } from '../../platform/clock.js';
import { freshTenant, testEngines } from '../../testing/engines.js';
import { useAppFixture } from '../../testing/app.js';
import { sendResolved } from '../../testing/identity.js';
import { compileCondition } from './compile.repo.js';
import { evaluationContext } from './context.js';
import { refreshRollupsFor } from './rollups.repo.js';
import { previewSegment } from './segments.js';

/**
 * Exact membership of every operator and condition type on a hand-built set of six people, in both
 * compiled forms (set: whole tenant; row: given profiles), on both engines.
 */

const DAY = 86_400_000;
const now = Date.now();
const ago = (days: number) => new Date(now - days * DAY).toISOString();
const dateIn = (days: number) => new Date(now + days * DAY).toISOString().slice(0, 10);
type Who = 'u1' | 'u2' | 'u3' | 'u4' | 'u5' | 'u6';

let seq = 0;
const track = (userId: Who, event: string, daysAgo: number, properties: Record<string, unknown> = {}) => ({
  type: 'track',
  userId,
  event,
  properties,
  timestamp: ago(daysAgo),
  messageId: `m${(seq += 1)}`,
});
const identify = (userId: Who, traits: Record<string, unknown>) => ({ type: 'identify', userId, traits, timestamp: ago(400), messageId: `m${(seq += 1)}` });

const TAG = '0b7e1d7c-3f7a-4d7e-9d1e-000000000001';
const GROUP = '0b7e1d7c-3f7a-4d7e-9d1e-000000000002';

describe.each(testEngines)('segment DSL on %s', (engine) => {
  const fx = useAppFixture(engine, { tenantPerTest: false });
  let tenant: TenantCreated;
  const idOf = new Map<Who, string>();
  const whoOf = new Map<string, Who>();

  beforeAll(async () => {
    tenant = await freshTenant(fx.store);
    const t = tenant.tenantId;
    const batch = [
      identify('u1', { name: 'Ann', city: '上海', 城市: '上海', age: 30, insurance_expires_at: dateIn(10), interests: ['SUV', 'EV'], vip: true, birthday: '1990-05-01' }),
      identify('u2', { city: '北京', age: '45', insurance_expires_at: dateIn(40), interests: ['sedan'] }),
      identify('u3', { city: '上海', age: 25, insurance_expires_at: 'not a date', score: 'abc' }),
      identify('u4', { city: '', age: null }),
      identify('u5', {}),
      identify('u6', { city: '广州', age: 60, birthday: '1966-02-30' }),
      track('u1', 'Content Viewed', 1),
      track('u1', 'Content Viewed', 5),
      track('u1', 'Content Viewed', 40),
      track('u1', 'Order Placed', 100, { amount: 300000, series: 'Model Y', meta: { channel: 'online' } }),
      track('u1', 'WeCom Contact Added', 50, { staffUserId: 'zhang' }),
      track('u2', 'Content Viewed', 3),
      track('u2', 'Test Drive Booked', 10),
      track('u2', 'Official Account Followed', 60, { appId: 'wx_oa1' }),
      ...[1, 4, 6, 8, 10].map((d) => track('u3', 'Content Viewed', d)),
      track('u4', 'Price Inquiry', 200),
      track('u5', 'Mini Program Opened', 3),
      track('u6', 'WeCom Contact Added', 20, { staffUserId: 'li' }),
      track('u6', 'WeCom Contact Removed', 15, { staffUserId: 'li' }),
    ];
    const res = await sendResolved(fx.app, fx.store, tenant, batch);
    expect(res.statusCode, res.body).toBe(200);
    const links = await fx.store.db.selectFrom('profile_identifiers').select(['value', 'profile_id']).where('tenant_id', '=', t).where('type', '=', 'user_id').execute();
    for (const l of links) {
      idOf.set(l.value as Who, l.profile_id);
      whoOf.set(l.profile_id, l.value as Who);
    }
    expect(idOf.size).toBe(6);
    const id = (w: Who) => idOf.get(w)!;
    const db = fx.store.db;
    await db.insertInto('tag_groups').values({ tenant_id: t, id: GROUP, name: '客户来源' }).execute();
    await db.insertInto('tags').values({ tenant_id: t, id: TAG, group_id: GROUP, name: 'VIP', kind: 'manual', definition: null }).execute();
    await db
      .insertInto('profile_tags')
      .values((['u1', 'u2'] as const).map((w) => ({ tenant_id: t, tag_id: TAG, profile_id: id(w), applied_at: ago(1), applied_by: 'test' })))
      .execute();
    await db
      .insertInto('stage_models')
      .values({ tenant_id: t, key: 'five_a', name: '5A', progression: 'highest_match', stages: JSON.stringify(['A1', 'A2', 'A3', 'A4', 'A5'].map((key) => ({ key, name: key }))) })
      .execute();
    await db
      .insertInto('profile_stages')
      .values([
        { tenant_id: t, model: 'five_a', profile_id: id('u1'), stage: 'A4', since: ago(5) },
        { tenant_id: t, model: 'five_a', profile_id: id('u2'), stage: 'A3', since: ago(3) },
        { tenant_id: t, model: 'five_a', profile_id: id('u3'), stage: 'A1', since: ago(9) },
      ])
      .execute();
    await db
      .insertInto('stage_transitions')
      .values([
        { tenant_id: t, model: 'five_a', profile_id: id('u1'), from_stage: null, to_stage: 'A1', at: ago(30) },
        { tenant_id: t, model: 'five_a', profile_id: id('u1'), from_stage: 'A1', to_stage: 'A3', at: ago(20) },
        { tenant_id: t, model: 'five_a', profile_id: id('u1'), from_stage: 'A3', to_stage: 'A4', at: ago(5) },
        { tenant_id: t, model: 'five_a', profile_id: id('u2'), from_stage: null, to_stage: 'A3', at: ago(3) },
        { tenant_id: t, model: 'five_a', profile_id: id('u3'), from_stage: null, to_stage: 'A1', at: ago(9) },
      ])
      .execute();
    await db
      .insertInto('vehicles')
      .values([
        { tenant_id: t, vin: 'LRW3E7FS5PC000001', series: 'Model Y', model: 'Long Range', model_year: 2024 },
        { tenant_id: t, vin: 'LRW3E7FS5PC000002', series: 'Model 3', model: 'Standard', model_year: 2020 },
      ])
      .execute();
    const rel = (vin: string, w: Who, role: string, from: string, to: string | null = null) => ({
      tenant_id: t,
      id: crypto.randomUUID(),
      vin,
      profile_id: id(w),
      role,
      valid_from: from,
      valid_to: to,
    });
    await db
      .insertInto('vehicle_relations')
      .values([
        rel('LRW3E7FS5PC000001', 'u1', 'buyer', ago(100)),
        rel('LRW3E7FS5PC000001', 'u2', 'driver', ago(90)),
        rel('LRW3E7FS5PC000002', 'u3', 'owner', '2021-03-01T00:00:00Z', ago(30)),
        rel('LRW3E7FS5PC000002', 'u6', 'owner', ago(30)),
      ])
      .execute();
    await db
      .insertInto('consents')
      .values([
        { tenant_id: t, profile_id: id('u1'), channel: 'sms', purpose: 'marketing', state: 'granted', at: ago(10), source: null, org_unit: null },
        { tenant_id: t, profile_id: id('u2'), channel: 'sms', purpose: 'marketing', state: 'denied', at: ago(10), source: null, org_unit: null },
      ])
      .execute();
    await db.transaction().execute((trx) => refreshRollupsFor(trx, t, [...idOf.values()], new Date()));
  });

  /** The members by both compiled forms; they must agree. */
  async function members(condition: unknown): Promise<Who[]> {
    const definition = segmentDefinitionSchema.parse({ condition });
    const preview = await previewSegment({ db: fx.store.db, clock: systemClock }, tenant.tenantId, definition);
    const viaSet = preview.sample.map((p) => whoOf.get(p.id)!).sort();
    expect(preview.count).toBe(viaSet.length);
    const ctx = await evaluationContext(fx.store.db, tenant.tenantId, new Date(preview.evaluatedAt), 'row');
    const predicate = compileCondition(definition.condition as Condition, ctx);
    const { rows } = await sql<{ id: string }>`
      SELECT p.id FROM profiles p WHERE p.tenant_id = ${tenant.tenantId} AND p.id = ANY(${[...idOf.values()]}::uuid[]) AND p.merged_into IS NULL AND ${predicate}`.execute(fx.store.db);
    const viaRow = rows.map((r) => whoOf.get(r.id)!).sort();
    expect(viaRow, 'row form agrees with set form').toEqual(viaSet);
    return viaSet;
  }

  const cases: Array<[string, unknown, Who[]]> = [
    // traits
    ['trait eq', { type: 'trait', trait: 'city', op: 'eq', value: '上海' }, ['u1', 'u3']],
    ['trait eq, a CJK trait name', { type: 'trait', trait: '城市', op: 'eq', value: '上海' }, ['u1']],
    ['trait neq counts people without the trait', { type: 'trait', trait: 'city', op: 'neq', value: '上海' }, ['u2', 'u4', 'u5', 'u6']],
    ['trait in', { type: 'trait', trait: 'city', op: 'in', values: ['北京', '广州'] }, ['u2', 'u6']],
    ['trait not_in', { type: 'trait', trait: 'city', op: 'not_in', values: ['上海'] }, ['u2', 'u4', 'u5', 'u6']],
    ['trait contains, array element', { type: 'trait', trait: 'interests', op: 'contains', value: 'EV' }, ['u1']],
    ['trait contains, substring ignoring case', { type: 'trait', trait: 'name', op: 'contains', value: 'an' }, ['u1']],
    ['trait exists (empty strings and nulls do not)', { type: 'trait', trait: 'city', op: 'exists' }, ['u1', 'u2', 'u3', 'u6']],
    ['trait not_exists', { type: 'trait', trait: 'city', op: 'not_exists' }, ['u4', 'u5']],
    ['trait gt reads numeric strings, ignores others', { type: 'trait', trait: 'age', op: 'gt', value: 28 }, ['u1', 'u2', 'u6']],
    ['trait lte', { type: 'trait', trait: 'age', op: 'lte', value: 30 }, ['u1', 'u3']],
    ['trait between numbers (inclusive)', { type: 'trait', trait: 'age', op: 'between', from: 25, to: 45 }, ['u1', 'u2', 'u3']],
    ['trait eq number matches "45"', { type: 'trait', trait: 'age', op: 'eq', value: 45 }, ['u2']],
    ['trait eq boolean', { type: 'trait', trait: 'vip', op: 'eq', value: true }, ['u1']],
    ['trait gt on a non-number is never true', { type: 'trait', trait: 'score', op: 'gt', value: 0 }, []],
    ['insurance expiring in the next 30 days', { type: 'trait', trait: 'insurance_expires_at', op: 'within_next_days', days: 30 }, ['u1']],
    ['date gte', { type: 'trait', trait: 'insurance_expires_at', op: 'gte', value: dateIn(20) }, ['u2']],
    ['date between', { type: 'trait', trait: 'insurance_expires_at', op: 'between', from: dateIn(0), to: dateIn(60) }, ['u1', 'u2']],
    ['date before skips impossible dates', { type: 'trait', trait: 'birthday', op: 'before', value: '2000-01-01' }, ['u1']],
    ['date after', { type: 'trait', trait: 'birthday', op: 'after', value: '1980-01-01T00:00:00+08:00' }, ['u1']],
    ['trait within_last_days', { type: 'trait', trait: 'insurance_expires_at', op: 'within_last_days', days: 30 }, []],
    // events
    ['performed at least once', { type: 'event', event: 'Content Viewed' }, ['u1', 'u2', 'u3']],
    ['at least 3 times in the last 30 days', { type: 'event', event: 'Content Viewed', count: { op: 'at_least', value: 3 }, window: { lastDays: 30 } }, ['u3']],
    ['at most once (includes never)', { type: 'event', event: 'Content Viewed', count: { op: 'at_most', value: 1 } }, ['u2', 'u4', 'u5', 'u6']],
    ['exactly 3 times', { type: 'event', event: 'Content Viewed', count: { op: 'exactly', value: 3 } }, ['u1']],
    ['exactly 0 times', { type: 'event', event: 'Content Viewed', count: { op: 'exactly', value: 0 } }, ['u4', 'u5', 'u6']],
    ['property filter gt', { type: 'event', event: 'Order Placed', where: [{ property: 'amount', op: 'gt', value: 100000 }] }, ['u1']],
    ['nested property path', { type: 'event', event: 'Order Placed', where: [{ property: 'meta.channel', op: 'eq', value: 'online' }] }, ['u1']],
    ['property filter that nobody matches', { type: 'event', event: 'Order Placed', where: [{ property: 'series', op: 'eq', value: 'Model 3' }] }, []],
    ['any event in the last 7 days', { type: 'event', window: { lastDays: 7 } }, ['u1', 'u2', 'u3', 'u5']],
    ['between dates', { type: 'event', event: 'Price Inquiry', window: { from: ago(250), to: ago(150) } }, ['u4']],
    ['last performed before 2 days ago', { type: 'last_event', event: 'Content Viewed', op: 'before', daysAgo: 2 }, ['u2']],
    ['last performed after 2 days ago', { type: 'last_event', event: 'Content Viewed', op: 'after', daysAgo: 2 }, ['u1', 'u3']],
    ['last performed after a date', { type: 'last_event', event: 'Price Inquiry', op: 'after', at: ago(300) }, ['u4']],
    // tags, stages
    ['has tag', { type: 'tag', tag: TAG }, ['u1', 'u2']],
    ['has not tag', { type: 'tag', tag: TAG, has: false }, ['u3', 'u4', 'u5', 'u6']],
    ['current stage is', { type: 'stage', model: 'five_a', stages: ['A3', 'A4'] }, ['u1', 'u2']],
    ['stage was at a date', { type: 'stage', model: 'five_a', stages: ['A3'], at: ago(10) }, ['u1']],
    ['stage was at a date, A1 (u3 entered 9 days ago)', { type: 'stage', model: 'five_a', stages: ['A1'], at: ago(8) }, ['u3']],
    ['no stage before entering', { type: 'stage', model: 'five_a', stages: ['A1', 'A2', 'A3', 'A4', 'A5'], at: ago(31) }, []],
    // vehicles
    ['vehicle series', { type: 'vehicle', series: ['Model Y'] }, ['u1', 'u2']],
    ['vehicle series and role', { type: 'vehicle', series: ['Model Y'], roles: ['buyer'] }, ['u1']],
    ['vehicle model', { type: 'vehicle', model: ['Standard'] }, ['u6']],
    ['purchased in the last 120 days', { type: 'vehicle', purchased: { op: 'within_last_days', days: 120 } }, ['u1', 'u6']],
    ['model year from', { type: 'vehicle', modelYear: { from: 2021 } }, ['u1', 'u2']],
    ['sold cars only with includePast', { type: 'vehicle', series: ['Model 3'], includePast: true }, ['u3', 'u6']],
    // reachability
    ['WeCom friend', { type: 'wecom_friend' }, ['u1']],
    ['WeCom friend of a consultant who was deleted', { type: 'wecom_friend', staffUserId: 'li' }, []],
    ['WeCom friend of zhang', { type: 'wecom_friend', staffUserId: 'zhang' }, ['u1']],
    ['official account follower', { type: 'oa_follower', appId: 'wx_oa1' }, ['u2']],
    ['SMS marketing consent granted', { type: 'consent', channel: 'sms', purpose: 'marketing' }, ['u1']],
    ['SMS marketing consent denied', { type: 'consent', channel: 'sms', purpose: 'marketing', state: 'denied' }, ['u2']],
    ['first touch on a website (absolute domain)', { type: 'first_touch', sourceKinds: ['website'], domainClasses: ['absolute'] }, ['u1', 'u2', 'u3', 'u4', 'u5', 'u6']],
    ['first touch from a public platform', { type: 'first_touch', domainClasses: ['public'] }, []],
    ['first touch time', { type: 'first_touch', at: { op: 'before', value: ago(300) } }, ['u1', 'u2', 'u3', 'u4', 'u5', 'u6']],
    // combinators
    ['and', { type: 'and', conditions: [{ type: 'trait', trait: 'city', op: 'eq', value: '上海' }, { type: 'event', event: 'Content Viewed' }] }, ['u1', 'u3']],
    ['or', { type: 'or', conditions: [{ type: 'tag', tag: TAG }, { type: 'oa_follower' }] }, ['u1', 'u2']],
    ['not of or', { type: 'not', condition: { type: 'or', conditions: [{ type: 'tag', tag: TAG }, { type: 'oa_follower' }] } }, ['u3', 'u4', 'u5', 'u6']],
    [
      'not is an exact complement even over missing values',
      { type: 'not', condition: { type: 'and', conditions: [{ type: 'trait', trait: 'age', op: 'gt', value: 28 }, { type: 'tag', tag: TAG, has: false }] } },
      ['u1', 'u2', 'u3', 'u4', 'u5'],
    ],
    ['empty and is everyone', { type: 'and', conditions: [] }, ['u1', 'u2', 'u3', 'u4', 'u5', 'u6']],
  ];

  it.each(cases)('%s', async (_name, condition, expected) => {
    expect(await members(condition)).toEqual(expected);
  });

  it('keeps injection attempts in values inert', async () => {
    for (const value of ["上海' OR '1'='1", "'; DROP TABLE profiles; --", '\\x00', '%', '_']) {
      expect(await members({ type: 'trait', trait: 'city', op: 'eq', value })).toEqual([]);
      expect(await members({ type: 'event', event: value })).toEqual([]);
      expect(await members({ type: 'event', event: 'Order Placed', where: [{ property: 'series', op: 'contains', value }] })).toEqual([]);
    }
    const left = await fx.store.db.selectFrom('profiles').select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', tenant.tenantId).executeTakeFirstOrThrow();
    expect(Number(left.n)).toBe(6);
  });
});
