import { describe, expect, it } from 'vitest';
import { AARRR, FIVE_A, Seed, pid } from '../modules/analytics/seed.test-helpers.js';
import { json, useAppFixture } from '../testing/app.js';
import { freshTenant, testEngines } from '../testing/engines.js';
import { adminRequest } from '../testing/identity.js';
import type { TenantCreated } from '../contracts/tenancy.js';

const labels5a = FIVE_A.map(({ key, name, nameZh }) => ({ key, name, nameZh }));

/**
 * Stage data of one tenant (model "five_a", the default). Profiles 1-6 live, 7 merged into 1.
 *  1: A1 (01-01) → A2 (01-10) → A4 (02-05)        now A4
 *  2: A1 (01-05) → A3 (02-01 02:00Z)               now A3
 *  3: A2 (01-20) → left (02-10)                    now none
 *  4: A1 (02-15)                                   now A1
 *  5: A3 (01-02)                                   now A3
 *  6: nothing
 *  7: A1 (01-03) → left (02-02, merged away)       a stale A1 row in profile_stages
 */
async function seedStages(s: Seed): Promise<void> {
  for (const n of [1, 2, 3, 4, 5, 6]) await s.profile(n);
  await s.profile(7, 1);
  await s.model('five_a', FIVE_A, true);
  await s.moves('five_a', 1, [[null, 'A1', '2026-01-01T00:00:00Z'], ['A1', 'A2', '2026-01-10T00:00:00Z'], ['A2', 'A4', '2026-02-05T00:00:00Z']]);
  await s.moves('five_a', 2, [[null, 'A1', '2026-01-05T00:00:00Z'], ['A1', 'A3', '2026-02-01T02:00:00Z']]);
  await s.moves('five_a', 3, [[null, 'A2', '2026-01-20T00:00:00Z'], ['A2', null, '2026-02-10T00:00:00Z']]);
  await s.moves('five_a', 4, [[null, 'A1', '2026-02-15T00:00:00Z']]);
  await s.moves('five_a', 5, [[null, 'A3', '2026-01-02T00:00:00Z']]);
  await s.moves('five_a', 7, [[null, 'A1', '2026-01-03T00:00:00Z'], ['A1', null, '2026-02-02T00:00:00Z']]);
  await s.current('five_a', 1, 'A4');
  await s.current('five_a', 2, 'A3');
  await s.current('five_a', 4, 'A1');
  await s.current('five_a', 5, 'A3');
  await s.current('five_a', 7, 'A1');
}

const S1 = pid(901);
const S2 = pid(902);

/**
 * AARRR cohort data: first touches in March 2026 (UTC) for 1-6 and 9; 7 before, 8 exactly at the end,
 * 10 merged away. Highest stage reached before 2026-04-01: 1 referral (5), 2 activation (2),
 * 3 acquisition (1), 4 retention (3, then back to activation), 5 none, 6 acquisition (revenue only
 * after the end), 9 none.
 */
async function seedFunnel(s: Seed): Promise<void> {
  for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9]) await s.profile(n);
  await s.profile(10, 1);
  await s.model('aarrr', AARRR);
  await s.source(901, 'Autohome leads', 'autohome', 'public');
  await s.source(902, 'Official site', 'website', 'absolute');
  const fromS1 = { sourceId: S1, sourceKind: 'autohome', domainClass: 'public' };
  const fromS2 = { sourceId: S2, sourceKind: 'website', domainClass: 'absolute' };
  await s.rollup(1, { firstTouchAt: '2026-03-02T00:00:00Z', ...fromS1 });
  await s.rollup(2, { firstTouchAt: '2026-03-03T00:00:00Z', ...fromS1 });
  await s.rollup(3, { firstTouchAt: '2026-03-04T00:00:00Z', ...fromS1 });
  await s.rollup(4, { firstTouchAt: '2026-03-05T00:00:00Z', ...fromS2 });
  await s.rollup(5, { firstTouchAt: '2026-03-06T00:00:00Z', ...fromS2 });
  await s.rollup(6, { firstTouchAt: '2026-03-07T00:00:00Z' });
  await s.rollup(7, { firstTouchAt: '2026-02-27T00:00:00Z', ...fromS1 });
  await s.rollup(8, { firstTouchAt: '2026-04-01T00:00:00Z', ...fromS1 });
  await s.rollup(9, { firstTouchAt: '2026-03-01T00:00:00Z', ...fromS2 });
  await s.rollup(10, { firstTouchAt: '2026-03-08T00:00:00Z', ...fromS1 });
  await s.moves('aarrr', 1, [[null, 'acquisition', '2026-03-02T00:00:00Z'], ['acquisition', 'revenue', '2026-03-10T00:00:00Z'], ['revenue', 'referral', '2026-03-20T00:00:00Z']]);
  await s.moves('aarrr', 2, [[null, 'acquisition', '2026-03-03T00:00:00Z'], ['acquisition', 'activation', '2026-03-04T00:00:00Z']]);
  await s.moves('aarrr', 3, [[null, 'acquisition', '2026-03-04T00:00:00Z']]);
  await s.moves('aarrr', 4, [
    [null, 'acquisition', '2026-03-05T00:00:00Z'],
    ['acquisition', 'retention', '2026-03-06T00:00:00Z'],
    ['retention', 'activation', '2026-03-25T00:00:00Z'],
  ]);
  await s.moves('aarrr', 6, [[null, 'acquisition', '2026-03-07T00:00:00Z'], ['acquisition', 'revenue', '2026-04-01T00:00:00Z']]);
  await s.moves('aarrr', 7, [[null, 'referral', '2026-03-01T00:00:00Z']]);
  await s.moves('aarrr', 8, [[null, 'referral', '2026-03-31T00:00:00Z']]);
  await s.moves('aarrr', 10, [[null, 'referral', '2026-03-09T00:00:00Z']]);
}

/**
 * Reachability: 1 public (WeCom + SMS marketing), 2 public (OA), 3 secondary (2 WeCom staff + OA),
 * 4 absolute (SMS denied for marketing, granted for service), 5 no rollup (SMS marketing), 6 no rollup,
 * 7 merged away (WeCom), 8 middle (SMS withdrawn).
 */
async function seedPool(s: Seed): Promise<void> {
  for (const n of [1, 2, 3, 4, 5, 6, 8]) await s.profile(n);
  await s.profile(7, 1);
  await s.rollup(1, { domainClass: 'public', wecomStaff: ['zhang'] });
  await s.rollup(2, { domainClass: 'public', oaApps: ['wx-oa-1'] });
  await s.rollup(3, { domainClass: 'secondary', wecomStaff: ['li', 'wang'], oaApps: ['wx-oa-1'] });
  await s.rollup(4, { domainClass: 'absolute' });
  await s.rollup(7, { domainClass: 'public', wecomStaff: ['zhang'] });
  await s.rollup(8, { domainClass: 'middle' });
  await s.consent(1, 'sms', 'marketing', 'granted');
  await s.consent(4, 'sms', 'marketing', 'denied');
  await s.consent(4, 'sms', 'service', 'granted');
  await s.consent(5, 'sms', 'marketing', 'granted');
  await s.consent(8, 'sms', 'marketing', 'withdrawn');
}

describe.each(testEngines)('analytics API on %s', (engine) => {
  const fx = useAppFixture(engine);
  const seed = (tenant: TenantCreated = fx.tenant) => new Seed(fx.store.db, tenant.tenantId);
  const get = async (url: string, tenant: TenantCreated = fx.tenant, status = 200) => {
    const res = await adminRequest(fx.app, tenant, 'GET', url);
    expect(res.statusCode, res.body).toBe(status);
    return json(res);
  };
  /** Another tenant holding the same data under the same profile ids, plus more. */
  const twin = async (fill: (s: Seed) => Promise<void>) => {
    const other = await freshTenant(fx.store);
    await fill(seed(other));
    return other;
  };

  it('stage distribution now: live profiles in model order, zeros included', async () => {
    await seedStages(seed());
    const other = await twin(async (s) => {
      await seedStages(s);
      await s.profile(20);
      await s.current('five_a', 20, 'A5');
    });
    const expected = {
      model: 'five_a',
      at: null,
      total: 4,
      stages: [
        { ...labels5a[0], count: 1, share: 0.25 },
        { ...labels5a[1], count: 0, share: 0 },
        { ...labels5a[2], count: 2, share: 0.5 },
        { ...labels5a[3], count: 1, share: 0.25 },
        { ...labels5a[4], count: 0, share: 0 },
      ],
    };
    expect(await get('/api/v1/analytics/stages')).toEqual(expected);
    expect(await get('/api/v1/analytics/stages?model=five_a')).toEqual(expected);
    expect(await get('/api/v1/analytics/stages', other)).toMatchObject({ total: 5, stages: [{ count: 1 }, { count: 0 }, { count: 2 }, { count: 1 }, { count: 1, share: 0.2 }] });
  });

  it('stage distribution at a past date: each profile\'s last transition by then', async () => {
    await seedStages(seed());
    await twin(seedStages);
    const counts = async (at: string) => {
      const body = await get(`/api/v1/analytics/stages?at=${encodeURIComponent(at)}`);
      expect(body).toMatchObject({ model: 'five_a' });
      const { at: when, total, stages } = body as { at: string; total: number; stages: Array<{ key: string; count: number; share: number }> };
      return { at: when, total, counts: stages.map((s) => s.count), shares: stages.map((s) => s.share) };
    };
    // 1 A2, 2 A1, 3 A2, 5 A3, 7 A1 (merged later, but a person of its own then); 4 not yet.
    expect(await counts('2026-01-31T00:00:00Z')).toEqual({ at: '2026-01-31T00:00:00.000Z', total: 5, counts: [2, 2, 1, 0, 0], shares: [0.4, 0.4, 0.2, 0, 0] });
    // A date is the start of that day in the tenant's time zone (Asia/Shanghai): 2 has not moved yet.
    expect(await counts('2026-02-01')).toEqual({ at: '2026-01-31T16:00:00.000Z', total: 5, counts: [2, 2, 1, 0, 0], shares: [0.4, 0.4, 0.2, 0, 0] });
    expect(await counts('2026-02-01T12:00:00+08:00')).toMatchObject({ total: 5, counts: [1, 2, 2, 0, 0] });
    // A transition exactly at the time counts; 3 left and 7 merged away by 02-12.
    expect(await counts('2026-01-10T00:00:00Z')).toMatchObject({ total: 4, counts: [2, 1, 1, 0, 0] });
    expect(await counts('2026-02-12T00:00:00Z')).toMatchObject({ total: 3, counts: [0, 0, 2, 1, 0] });
    expect(await counts('2025-12-31T00:00:00Z')).toEqual({ at: '2025-12-31T00:00:00.000Z', total: 0, counts: [0, 0, 0, 0, 0], shares: [0, 0, 0, 0, 0] });
  });

  it('stage flows between two dates: pairs with "none", ready for a Sankey', async () => {
    await seedStages(seed());
    await twin(seedStages);
    const body = await get('/api/v1/analytics/stage-flows?from=2026-01-31T00:00:00Z&to=2026-02-20T00:00:00Z');
    const node = (side: 'from' | 'to', stage: string | null) => {
      const info = FIVE_A.find((s) => s.key === stage);
      return { id: `${side}:${stage ?? 'none'}`, stage, side, name: info?.name ?? 'none', nameZh: info?.nameZh ?? '无' };
    };
    const link = (from: string | null, to: string | null, count: number) => ({ from, to, source: `from:${from ?? 'none'}`, target: `to:${to ?? 'none'}`, count });
    expect(body).toEqual({
      model: 'five_a',
      from: '2026-01-31T00:00:00.000Z',
      to: '2026-02-20T00:00:00.000Z',
      total: 6,
      nodes: [node('from', 'A1'), node('from', 'A2'), node('from', 'A3'), node('from', null), node('to', 'A1'), node('to', 'A3'), node('to', 'A4'), node('to', null)],
      links: [link('A1', 'A3', 1), link('A1', null, 1), link('A2', 'A4', 1), link('A2', null, 1), link('A3', 'A3', 1), link(null, 'A1', 1)],
    });
    // Same date on both sides: everyone stays where they are; profile 6 (none → none) never appears.
    expect(await get('/api/v1/analytics/stage-flows?model=five_a&from=2026-02-20T00:00:00Z&to=2026-02-20T00:00:00Z')).toMatchObject({
      total: 4,
      links: [link('A1', 'A1', 1), link('A3', 'A3', 2), link('A4', 'A4', 1)],
    });
  });

  it('AARRR funnel over a first-touch cohort, with conversion rates', async () => {
    await seedFunnel(seed());
    await twin(seedFunnel);
    const step = (i: number, count: number, ofCohort: number | null, fromPrevious: number | null, fromFirst: number | null) => ({
      key: AARRR[i]!.key,
      name: AARRR[i]!.name,
      nameZh: AARRR[i]!.nameZh,
      count,
      ofCohort,
      fromPrevious,
      fromFirst,
    });
    const overall = [
      step(0, 5, 0.7143, null, 1),
      step(1, 3, 0.4286, 0.6, 0.6),
      step(2, 2, 0.2857, 0.6667, 0.4),
      step(3, 1, 0.1429, 0.5, 0.2),
      step(4, 1, 0.1429, 1, 0.2),
    ];
    expect(await get('/api/v1/analytics/funnel?from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z')).toEqual({
      model: 'aarrr',
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-04-01T00:00:00.000Z',
      splitBy: null,
      cohort: 7,
      steps: overall,
    });

    const bySource = await get('/api/v1/analytics/funnel?model=aarrr&from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z&splitBy=source');
    expect(bySource).toEqual({
      model: 'aarrr',
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-04-01T00:00:00.000Z',
      splitBy: 'source',
      cohort: 7,
      steps: overall,
      truncated: false,
      groups: [
        {
          sourceId: S1,
          sourceName: 'Autohome leads',
          sourceKind: 'autohome',
          cohort: 3,
          steps: [step(0, 3, 1, null, 1), step(1, 2, 0.6667, 0.6667, 0.6667), step(2, 1, 0.3333, 0.5, 0.3333), step(3, 1, 0.3333, 1, 0.3333), step(4, 1, 0.3333, 1, 0.3333)],
        },
        {
          sourceId: S2,
          sourceName: 'Official site',
          sourceKind: 'website',
          cohort: 3,
          steps: [step(0, 1, 0.3333, null, 1), step(1, 1, 0.3333, 1, 1), step(2, 1, 0.3333, 1, 1), step(3, 0, 0, 0, 0), step(4, 0, 0, null, 0)],
        },
        {
          sourceId: null,
          sourceName: null,
          sourceKind: null,
          cohort: 1,
          steps: [step(0, 1, 1, null, 1), step(1, 0, 0, 0, 0), step(2, 0, 0, null, 0), step(3, 0, 0, null, 0), step(4, 0, 0, null, 0)],
        },
      ],
    });

    const byClass = await get('/api/v1/analytics/funnel?from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z&splitBy=domain_class');
    expect(byClass).toMatchObject({
      cohort: 7,
      groups: [
        { domainClass: 'absolute', cohort: 3, steps: [{ count: 1 }, { count: 1 }, { count: 1 }, { count: 0 }, { count: 0 }] },
        { domainClass: 'public', cohort: 3, steps: [{ count: 3 }, { count: 2 }, { count: 1 }, { count: 1 }, { count: 1 }] },
        { domainClass: 'unknown', cohort: 1, steps: [{ count: 1 }, { count: 0 }, { count: 0 }, { count: 0 }, { count: 0 }] },
      ],
    });

    // Dates are days in the tenant's time zone: [03-01 00:00+08, 03-08 00:00+08) holds 1-6 and 9 too,
    // and only stages reached before 03-08 00:00+08 count (1 is still at acquisition then).
    expect(await get('/api/v1/analytics/funnel?from=2026-03-01&to=2026-03-08')).toMatchObject({
      from: '2026-02-28T16:00:00.000Z',
      to: '2026-03-07T16:00:00.000Z',
      cohort: 7,
      steps: [{ count: 5 }, { count: 2 }, { count: 1 }, { count: 0 }, { count: 0 }],
    });
    // An empty cohort: rates are null, not NaN.
    expect(await get('/api/v1/analytics/funnel?from=2027-01-01T00:00:00Z&to=2027-02-01T00:00:00Z')).toMatchObject({
      cohort: 0,
      steps: [step(0, 0, null, null, null), step(1, 0, null, null, null), step(2, 0, null, null, null), step(3, 0, null, null, null), step(4, 0, null, null, null)],
    });
  });

  it('reachable pool per channel, by domain class of the first touch', async () => {
    await seedPool(seed());
    const other = await twin(async (s) => {
      await seedPool(s);
      await s.profile(30);
      await s.rollup(30, { domainClass: 'semi', wecomStaff: ['zhao'] });
    });
    const row = (domainClass: string, total: number, wecom_friend: number, sms: number, oa_follower: number, any: number) => ({ domainClass, total, wecom_friend, sms, oa_follower, any });
    const body = await get('/api/v1/analytics/reachable-pool');
    expect(body).toEqual({
      at: expect.any(String),
      total: 7,
      wecom_friend: 2,
      sms: 2,
      oa_follower: 2,
      any: 4,
      byDomainClass: [
        row('absolute', 1, 0, 0, 0, 0),
        row('secondary', 1, 1, 0, 1, 1),
        row('middle', 1, 0, 0, 0, 0),
        row('semi', 0, 0, 0, 0, 0),
        row('public', 2, 1, 1, 1, 2),
        row('unknown', 2, 0, 1, 0, 1),
      ],
    });
    const theirs = (await get('/api/v1/analytics/reachable-pool', other)) as { total: number; byDomainClass: unknown[] };
    expect(theirs).toMatchObject({ total: 8, wecom_friend: 3, any: 5 });
    expect(theirs.byDomainClass[3]).toEqual(row('semi', 1, 1, 0, 0, 1));
  });

  it('a tenant without data or models: an empty pool, 404 for the default models', async () => {
    const other = await twin(async (s) => {
      await seedStages(s);
    });
    expect(await get('/api/v1/analytics/reachable-pool')).toMatchObject({ total: 0, any: 0, byDomainClass: [{ total: 0 }, {}, {}, {}, {}, { total: 0 }] });
    const noDefault = (await get('/api/v1/analytics/stages', fx.tenant, 404)) as { error: { code: string; message: string } };
    expect(noDefault.error.code).toBe('not_found');
    expect(noDefault.error.message).toContain('no default stage model');
    const noAarrr = (await get('/api/v1/analytics/funnel?from=2026-01-01', fx.tenant, 404)) as { error: { message: string } };
    expect(noAarrr.error.message).toContain('no stage model "aarrr"');
    // The other tenant's model is not ours.
    const notOurs = (await get('/api/v1/analytics/stages?model=five_a', fx.tenant, 400)) as { error: { message: string } };
    expect(notOurs.error.message).toBe('querystring model: no stage model "five_a" in this tenant (it has none)');
    expect(await get('/api/v1/analytics/stages', other)).toMatchObject({ total: 4 });
  });

  it('bad query strings: 400 with a message naming the parameter', async () => {
    await seed().model('five_a', FIVE_A, true);
    const bad = async (url: string, expected: string | RegExp) => {
      const body = (await get(url, fx.tenant, 400)) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('invalid_request');
      expect(body.error.message).toMatch(expected);
    };
    await bad('/api/v1/analytics/stages?at=yesterday', /^querystring at: must be a date/);
    await bad('/api/v1/analytics/stages?at=2026-02-30', /^querystring at: must be a real calendar date/);
    await bad('/api/v1/analytics/stages?at=2026-02-10T10:00:00', /^querystring at: must be a date/);
    await bad('/api/v1/analytics/stages?model=nope', 'querystring model: no stage model "nope" in this tenant (it has five_a)');
    await bad('/api/v1/analytics/stages?model=5a%27%3B--', /^querystring model: must be a stage model key/);
    await bad('/api/v1/analytics/stages?modle=five_a', /^querystring .*modle/);
    await bad('/api/v1/analytics/stage-flows?to=2026-02-01', /^querystring from: /);
    await bad('/api/v1/analytics/stage-flows?from=2026-03-01&to=2026-02-01', 'querystring from (2026-02-28T16:00:00.000Z) must not be after to (2026-01-31T16:00:00.000Z)');
    await bad('/api/v1/analytics/funnel?model=five_a&from=2026-03-01T00:00:00Z&to=2026-02-01T00:00:00Z', /must not be after to/);
    await bad('/api/v1/analytics/funnel?model=five_a&from=2026-03-01&splitBy=dealer', /^querystring splitBy: splitBy must be one of source, domain_class/);
    await bad('/api/v1/analytics/funnel?model=aarrr&from=2026-03-01', 'querystring model: no stage model "aarrr" in this tenant (it has five_a)');
    const anonymous = await fx.app.inject({ method: 'GET', url: '/api/v1/analytics/reachable-pool' });
    expect(anonymous.statusCode).toBe(401);
  });
});
