import { describe, expect, it } from 'vitest';
import type { LeadKpis } from '../contracts/kpis.js';
import { KpiSeed, seedKpiLeads, DAY, HOUR } from '../modules/leads/kpis.test-helpers.js';
import { ManualClock } from '../platform/clock.js';
import { basicAuth, json, useAppFixture } from '../testing/app.js';
import { testEngines } from '../testing/engines.js';
import { adminRequest } from '../testing/identity.js';
import { asStaff, seedNetwork } from '../testing/org.js';
import { drainIdentityQueue, siyuWorker } from '../worker/index.js';

const JANUARY = 'from=2026-01-01&to=2026-02-01';

/** GET /api/v1/kpis/leads through the API: scopes per role, and reachable_at kept by the refresh job. */
describe.each(testEngines)('lead KPIs API on %s', (engine) => {
  const clock = new ManualClock(new Date('2026-02-15T00:00:00.000Z'));
  const fx = useAppFixture(engine, { clock });

  it('gives each role its own slice; out-of-scope units and consultants answer 404', async () => {
    const net = await seedNetwork(fx.app, fx.tenant);
    const seed = new KpiSeed(fx.store.db, fx.tenant.tenantId);
    await seedKpiLeads(seed, { dealer1: net.units.dealerA.id, dealer2: net.units.dealerB.id, consultant1: net.staff.consultantA1.id, consultant2: net.staff.consultantB1.id });
    const get = async (token: string, query: string) => {
      const res = await asStaff(fx.app, token, 'GET', `/api/v1/kpis/leads?${JANUARY}${query}`);
      return { status: res.statusCode, body: json(res) as LeadKpis & { error?: { code: string; message: string } } };
    };
    const s = net.staff;

    const admin = json(await adminRequest(fx.app, fx.tenant, 'GET', `/api/v1/kpis/leads?${JANUARY}&groupBy=org_unit`)) as LeadKpis;
    expect(admin.total.counts.received).toBe(18);
    expect(admin.total.orderConversion).toEqual({ numerator: 5, denominator: 8, rate: 0.625 });
    expect(admin.groups.map((g) => [g.code, g.counts.received])).toEqual([
      ['SH001', 9],
      ['HZ001', 8],
      [null, 1],
    ]);

    // The analyst reads everything (no PII in KPIs).
    const analyst = await get(s.analyst.token, '&groupBy=consultant');
    expect(analyst.status).toBe(200);
    expect(analyst.body.groups.map((g) => [g.key, g.counts.received])).toEqual([
      [s.consultantA1.id, 8],
      [s.consultantB1.id, 7],
      [null, 3],
    ]);
    expect((await get(s.hqOps.token, `&orgUnitCode=${net.units.east.code}`)).body.total.counts.received).toBe(17);

    // Manager A: dealer A by default, its team, never dealer B or B's consultant.
    const managerA = await get(s.managerA.token, '');
    expect(managerA.body.orgUnit?.code).toBe('SH001');
    expect(managerA.body.total.counts.received).toBe(9);
    expect((await get(s.managerA.token, '&orgUnitCode=SH001-T1')).body.total.counts.received).toBe(8);
    for (const query of ['&orgUnitCode=HZ001', '&orgUnitCode=HZ001-T1', `&orgUnitCode=${net.units.east.code}`, `&consultantId=${s.consultantB1.id}`]) {
      const res = await get(s.managerA.token, query);
      expect(res.status, query).toBe(404);
      expect(res.body.error?.code).toBe('not_found');
    }
    // 404 for a unit that exists elsewhere reads exactly like one that does not exist.
    const missing = await get(s.managerA.token, '&orgUnitCode=NOPE');
    const other = await get(s.managerA.token, '&orgUnitCode=HZ001');
    expect(other.body.error?.message.replace('HZ001', 'X')).toBe(missing.body.error?.message.replace('NOPE', 'X'));

    // Manager B by consultant: B1 and dealer B's pool lead; the service advisor of team A sees dealer A.
    expect((await get(s.managerB.token, '&groupBy=consultant')).body.groups.map((g) => [g.key, g.counts.received])).toEqual([
      [s.consultantB1.id, 7],
      [null, 1],
    ]);
    expect((await get(s.advisorA.token, '')).body.total.counts.received).toBe(9);

    // A consultant: their own figures only, whatever unit they name; colleagues are out of scope.
    const a1 = await get(s.consultantA1.token, '&groupBy=source');
    expect(a1.body.consultantId).toBe(s.consultantA1.id);
    expect(a1.body.total.counts.received).toBe(8);
    expect((await get(s.consultantA1.token, '&orgUnitCode=SH001')).body.total.counts.received).toBe(8);
    expect((await get(s.consultantA2.token, '')).body.total.counts.received).toBe(0);
    expect((await get(s.consultantA1.token, `&consultantId=${s.consultantA2.id}`)).status).toBe(404);
    expect((await get(s.consultantA1.token, `&consultantId=${s.consultantB1.id}`)).status).toBe(404);
    expect((await get(s.consultantA1.token, `&consultantId=${s.consultantA1.id}`)).status).toBe(200);
  });

  it('validates the query', async () => {
    const bad = async (query: string) => (await adminRequest(fx.app, fx.tenant, 'GET', `/api/v1/kpis/leads?${query}`)).statusCode;
    expect(await bad('')).toBe(400);
    expect(await bad('from=2026-02-30')).toBe(400);
    expect(await bad('from=2026-01-01&groupBy=year')).toBe(400);
    expect(await bad('from=2026-01-01&consultantId=nope')).toBe(400);
    expect(await bad('from=2026-02-01&to=2026-01-01')).toBe(400);
    expect(await bad('from=2026-01-01&extra=1')).toBe(400);
    expect((await fx.app.inject({ method: 'GET', url: `/api/v1/kpis/leads?${JANUARY}` })).statusCode).toBe(401);
  });
});

describe.each(testEngines)('leads.reachable_at follows WeCom friendships and consents on %s', (engine) => {
  const clock = new ManualClock(new Date('2026-03-01T01:00:00.000Z'));
  const fx = useAppFixture(engine, { clock });
  let seq = 0;
  const track = (userId: string, event: string, properties: Record<string, unknown> = {}) =>
    fx.app.inject({
      method: 'POST',
      url: '/v1/track',
      payload: { userId, event, properties, messageId: `r${(seq += 1)}-${Math.random()}` },
      headers: { authorization: basicAuth(fx.tenant.writeKey) },
    });
  const settle = async () => {
    // Resolve the tracked events first (on the test's clock, as the resolver would), then refresh.
    await drainIdentityQueue(fx.store.db, clock, fx.tenant.tenantId);
    clock.advance(6_000);
    await siyuWorker({ db: fx.store.db, clock, onlyTenant: fx.tenant.tenantId }).drain();
  };
  const profileOf = async (userId: string) =>
    (
      await fx.store.db
        .selectFrom('profile_identifiers')
        .select('profile_id')
        .where('tenant_id', '=', fx.tenant.tenantId)
        .where('value', '=', userId)
        .executeTakeFirstOrThrow()
    ).profile_id;
  const reachableAt = async (leadId: string) =>
    (await fx.store.db.selectFrom('leads').select('reachable_at').where('tenant_id', '=', fx.tenant.tenantId).where('id', '=', leadId).executeTakeFirstOrThrow()).reachable_at;

  it('sets reachable_at on the first friendship or marketing consent after the lead, or at the lead when already reachable', async () => {
    clock.set(new Date('2026-03-01T01:00:00.000Z'));
    const seed = new KpiSeed(fx.store.db, fx.tenant.tenantId);
    // buyer-3 is a WeCom friend before any lead; buyer-4 was, but removed the consultant.
    for (const res of [
      await track('buyer-1', 'Content Viewed'),
      await track('buyer-2', 'Content Viewed'),
      await track('buyer-3', 'WeCom Contact Added', { staffUserId: 'wa1' }),
      await track('buyer-4', 'WeCom Contact Added', { staffUserId: 'wa2' }),
    ]) {
      expect(res.statusCode, res.body).toBe(200);
    }
    clock.advance(HOUR);
    expect((await track('buyer-4', 'WeCom Contact Removed', { staffUserId: 'wa2' })).statusCode).toBe(200);
    await settle();

    clock.advance(HOUR);
    const leadTime = clock.now();
    const lead = async (userId: string, source: string) => seed.lead({ source, createdAt: leadTime.toISOString(), profileId: await profileOf(userId), status: 'new' });
    const l1 = await lead('buyer-1', 'autohome');
    const l2 = await lead('buyer-2', 'autohome');
    const l3 = await lead('buyer-3', 'douyin');
    const l4 = await lead('buyer-4', 'douyin');
    // Any change of the person brings the lead to the refresh (intake marks its person as changed).
    for (const userId of ['buyer-1', 'buyer-2', 'buyer-3', 'buyer-4']) expect((await track(userId, 'Lead Created')).statusCode).toBe(200);
    await settle();
    expect(await reachableAt(l1)).toBeNull();
    expect(await reachableAt(l2)).toBeNull();
    expect((await reachableAt(l3))?.toISOString()).toBe(leadTime.toISOString());
    expect(await reachableAt(l4)).toBeNull();

    // Two days later buyer-1 adds consultant wa1: reachable then.
    clock.set(new Date(leadTime.getTime() + 2 * DAY));
    const friendAt = clock.now();
    expect((await track('buyer-1', 'WeCom Contact Added', { staffUserId: 'wa1' })).statusCode).toBe(200);
    await settle();
    expect((await reachableAt(l1))?.toISOString()).toBe(friendAt.toISOString());

    // Eight days after the lead buyer-2 grants marketing consent: reachable, but not within 7 days.
    clock.set(new Date(leadTime.getTime() + 8 * DAY));
    const consentAt = clock.now();
    const consent = await adminRequest(fx.app, fx.tenant, 'POST', `/api/v1/profiles/${await profileOf('buyer-2')}/consents`, {
      channel: 'sms',
      purpose: 'marketing',
      state: 'granted',
      at: consentAt.toISOString(),
    });
    expect(consent.statusCode, consent.body).toBe(201);
    // buyer-1 removes the consultant again: the first time stays.
    expect((await track('buyer-1', 'WeCom Contact Removed', { staffUserId: 'wa1' })).statusCode).toBe(200);
    await settle();
    expect((await reachableAt(l2))?.toISOString()).toBe(consentAt.toISOString());
    expect((await reachableAt(l1))?.toISOString()).toBe(friendAt.toISOString());

    const kpis = json(await adminRequest(fx.app, fx.tenant, 'GET', '/api/v1/kpis/leads?from=2026-03-01&to=2026-03-02')) as LeadKpis;
    expect(kpis.total.precipitation).toEqual({ numerator: 2, denominator: 4, rate: 0.5 });
    expect(kpis.precipitationBySource).toEqual([
      { source: 'autohome', precipitation: { numerator: 1, denominator: 2, rate: 0.5 } },
      { source: 'douyin', precipitation: { numerator: 1, denominator: 2, rate: 0.5 } },
    ]);
  });
});
