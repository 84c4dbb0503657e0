import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { KpiCounts, KpiGroup, KpiQuery, LeadKpis } from '../../contracts/kpis.js';
import { ManualClock } from '../../platform/clock.js';
import type { Store } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import { freshTenant, openTestStore, testEngines } from '../../testing/engines.js';
import { systemPrincipal, type Principal } from '../tenancy/index.js';
import { leadKpis } from './index.js';
import { KpiSeed, seedKpiLeads } from './kpis.test-helpers.js';

/** The hand-built data set's figures (kpis.test-helpers.ts), January 2026 in Asia/Shanghai. */
const ZERO: KpiCounts = {
  received: 0,
  duplicates: 0,
  leads: 0,
  invalid: 0,
  valid: 0,
  assigned: 0,
  followedUpWithinSla: 0,
  followUpPending: 0,
  prospects: 0,
  visits: 0,
  testDrives: 0,
  orders: 0,
  deliveries: 0,
  defeatRequests: 0,
  defeatsApproved: 0,
  defeatsPending: 0,
  referredDeliveries: 0,
  reachableWithin7d: 0,
};
const TOTAL: KpiCounts = {
  received: 18,
  duplicates: 2,
  leads: 16,
  invalid: 2,
  valid: 14,
  assigned: 11,
  // Lead 10's first follow-up came exactly 48 h after the assignment: within.
  followedUpWithinSla: 8,
  followUpPending: 1,
  prospects: 8,
  visits: 5,
  testDrives: 2,
  orders: 5,
  deliveries: 3,
  defeatRequests: 3,
  defeatsApproved: 1,
  defeatsPending: 1,
  referredDeliveries: 2,
  reachableWithin7d: 4,
};
const DEALER1: KpiCounts = {
  received: 9,
  duplicates: 1,
  leads: 8,
  invalid: 1,
  valid: 7,
  assigned: 7,
  followedUpWithinSla: 5,
  followUpPending: 0,
  prospects: 5,
  visits: 3,
  testDrives: 1,
  orders: 3,
  deliveries: 2,
  defeatRequests: 2,
  defeatsApproved: 1,
  defeatsPending: 0,
  referredDeliveries: 2,
  reachableWithin7d: 2,
};
const DEALER2: KpiCounts = {
  received: 8,
  duplicates: 1,
  leads: 7,
  invalid: 1,
  valid: 6,
  assigned: 4,
  followedUpWithinSla: 3,
  followUpPending: 1,
  prospects: 3,
  visits: 2,
  testDrives: 1,
  orders: 2,
  deliveries: 1,
  defeatRequests: 1,
  defeatsApproved: 0,
  defeatsPending: 1,
  referredDeliveries: 0,
  reachableWithin7d: 1,
};
/** Consultant 1: dealer 1 without lead 7 (no consultant). */
const CONSULTANT1: KpiCounts = { ...DEALER1, received: 8, leads: 7, valid: 6, reachableWithin7d: 1 };
const JANUARY = { from: '2026-01-01', to: '2026-02-01' };

describe.each(testEngines)('lead KPIs on %s', (engine) => {
  let store: Store;
  let tenantId: string;
  let seed: KpiSeed;
  let units: { region: string; dealer1: string; team1: string; dealer2: string; team2: string };
  let staff: { c1: string; c2: string };
  const clock = new ManualClock(new Date('2026-02-15T00:00:00.000Z'));

  beforeAll(async () => {
    store = await openTestStore(engine);
  });
  afterAll(async () => {
    await store.close();
  });
  beforeEach(async () => {
    tenantId = (await freshTenant(store)).tenantId;
    seed = new KpiSeed(store.db, tenantId);
    const hq = await seed.unit('HQ', 'hq', null);
    const region = await seed.unit('EAST', 'region', hq);
    const dealer1 = await seed.unit('SH001', 'dealer', region);
    const team1 = await seed.unit('SH001-T1', 'team', dealer1);
    const dealer2 = await seed.unit('HZ001', 'dealer', region);
    const team2 = await seed.unit('HZ001-T1', 'team', dealer2);
    units = { region: region.id, dealer1: dealer1.id, team1: team1.id, dealer2: dealer2.id, team2: team2.id };
    staff = { c1: await seed.staff('c1', 'consultant', team1.id), c2: await seed.staff('c2', 'consultant', team2.id) };
    await seedKpiLeads(seed, { dealer1: dealer1.id, dealer2: dealer2.id, consultant1: staff.c1, consultant2: staff.c2 });
  });

  const hq = (): Principal => systemPrincipal(tenantId, 'test');
  const manager1 = (): Principal => ({
    tenantId,
    kind: 'staff',
    actor: 'staff:m1',
    role: 'dealer_manager',
    staffId: null,
    orgUnitId: units.dealer1,
    scope: { kind: 'units', rootUnitId: units.dealer1, unitIds: [units.dealer1, units.team1], wecomUserIds: [] },
    maskPii: false,
    tokenId: null,
  });
  const consultant1 = (): Principal => ({
    tenantId,
    kind: 'staff',
    actor: `staff:${staff.c1}`,
    role: 'consultant',
    staffId: staff.c1,
    orgUnitId: units.team1,
    scope: { kind: 'own', staffId: staff.c1, unitIds: [units.dealer1, units.team1], wecomUserId: null },
    maskPii: false,
    tokenId: null,
  });
  const kpis = (principal: Principal, query: Partial<KpiQuery> = {}): Promise<LeadKpis> => leadKpis({ db: store.db, clock }, principal, { ...JANUARY, ...query });
  const rejected = async (p: Promise<unknown>): Promise<string> => {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    return err instanceof AppError ? err.code : '';
  };
  const group = (r: LeadKpis, key: string | null): KpiGroup | undefined => r.groups.find((g) => g.key === key);

  it('computes every figure of the period exactly', async () => {
    const r = await kpis(hq());
    expect(r.from).toBe('2025-12-31T16:00:00.000Z');
    expect(r.to).toBe('2026-01-31T16:00:00.000Z');
    expect(r.timeZone).toBe('Asia/Shanghai');
    expect(r.slaHours).toBe(48);
    expect(r.orgUnit).toBeNull();
    expect(r.groups).toEqual([]);
    expect(r.total.counts).toEqual(TOTAL);
    expect(r.total.followUpRate).toEqual({ numerator: 8, denominator: 11, rate: 0.7273 });
    expect(r.total.visitRate).toEqual({ numerator: 5, denominator: 14, rate: 0.3571 });
    expect(r.total.testDriveRate).toEqual({ numerator: 2, denominator: 8, rate: 0.25 });
    expect(r.total.orderConversion).toEqual({ numerator: 5, denominator: 8, rate: 0.625 });
    expect(r.total.deliveryRate).toEqual({ numerator: 3, denominator: 5, rate: 0.6 });
    expect(r.total.defeatClarity).toEqual({ numerator: 1, denominator: 3, rate: 0.3333 });
    expect(r.total.referralRate).toEqual({ numerator: 2, denominator: 3, rate: 0.6667 });
    expect(r.total.precipitation).toEqual({ numerator: 4, denominator: 16, rate: 0.25 });
    // Orders after 5, 10, 20, 3 and 7 days.
    expect(r.total.avgDaysToOrder).toEqual({ totalDays: 45, orders: 5, average: 9 });
    expect(r.precipitationBySource).toEqual([
      { source: 'autohome', precipitation: { numerator: 2, denominator: 7, rate: 0.2857 } },
      { source: 'douyin', precipitation: { numerator: 1, denominator: 5, rate: 0.2 } },
      { source: 'website', precipitation: { numerator: 1, denominator: 4, rate: 0.25 } },
    ]);
  });

  it('a lead settings SLA changes the follow-up window', async () => {
    await store.db.insertInto('lead_settings').values({ tenant_id: tenantId, sla_hours: 24 }).execute();
    const r = await kpis(hq());
    expect(r.slaHours).toBe(24);
    // Within 24 h: leads 1 (10 h), 3 (2 h), 5 (1 h), 15 (2 h), 20 (5 h); lead 11's window is still open.
    expect(r.total.followUpRate).toEqual({ numerator: 5, denominator: 11, rate: 0.4545 });
    expect(r.total.counts.followUpPending).toBe(1);
    clock.set(new Date('2026-02-15T12:00:00.000Z'));
    try {
      expect((await kpis(hq())).total.counts.followUpPending).toBe(0);
    } finally {
      clock.set(new Date('2026-02-15T00:00:00.000Z'));
    }
  });

  it('groups by org unit, consultant and source', async () => {
    const byUnit = await kpis(hq(), { groupBy: 'org_unit' });
    expect(byUnit.groups.map((g) => [g.key, g.code, g.counts.received])).toEqual([
      [units.dealer1, 'SH001', 9],
      [units.dealer2, 'HZ001', 8],
      [null, null, 1],
    ]);
    expect(group(byUnit, units.dealer1)?.counts).toEqual(DEALER1);
    expect(group(byUnit, units.dealer2)?.counts).toEqual(DEALER2);
    expect(group(byUnit, units.dealer1)?.avgDaysToOrder).toEqual({ totalDays: 22, orders: 3, average: 7.33 });
    expect(byUnit.total.counts).toEqual(TOTAL);

    const byConsultant = await kpis(hq(), { groupBy: 'consultant' });
    expect(byConsultant.groups.map((g) => [g.key, g.name, g.counts.received])).toEqual([
      [staff.c1, 'c1', 8],
      [staff.c2, 'c2', 7],
      [null, null, 3],
    ]);
    expect(group(byConsultant, staff.c1)?.counts).toEqual(CONSULTANT1);

    const bySource = await kpis(hq(), { groupBy: 'source' });
    expect(bySource.groups.map((g) => [g.key, g.counts.received, g.counts.leads, g.counts.orders, g.precipitation.numerator])).toEqual([
      ['autohome', 8, 7, 4, 2],
      ['douyin', 6, 5, 1, 1],
      ['website', 4, 4, 0, 1],
    ]);
  });

  it('groups by day, week and month of the lead time in the tenant time zone, empty buckets included', async () => {
    const byDay = await kpis(hq(), { groupBy: 'day' });
    expect(byDay.groups).toHaveLength(31);
    expect(byDay.groups[0]?.key).toBe('2026-01-01');
    expect(byDay.groups[0]?.counts.received).toBe(1);
    expect(byDay.groups[1]?.counts).toEqual(ZERO);
    expect(byDay.groups[30]?.key).toBe('2026-01-31');
    expect(byDay.groups[30]?.counts.received).toBe(1);
    expect(byDay.groups.reduce((n, g) => n + g.counts.received, 0)).toBe(18);

    const byWeek = await kpis(hq(), { groupBy: 'week' });
    expect(byWeek.groups.map((g) => [g.key, g.counts.received])).toEqual([
      ['2025-12-29', 1],
      ['2026-01-05', 6],
      ['2026-01-12', 5],
      ['2026-01-19', 3],
      ['2026-01-26', 3],
    ]);
    const byMonth = await kpis(hq(), { groupBy: 'month', from: '2025-12-01', to: '2026-03-01' });
    expect(byMonth.groups.map((g) => [g.key, g.counts.received])).toEqual([
      ['2025-12-01', 1],
      ['2026-01-01', 18],
      ['2026-02-01', 1],
    ]);
    // December 2025 local time ends at 2025-12-31T16:00Z: lead 16 (one millisecond earlier) is in it.
    expect((await kpis(hq(), { from: '2025-12-01', to: '2026-01-01' })).total.counts.received).toBe(1);
    expect(await rejected(kpis(hq(), { groupBy: 'day', from: '2020-01-01' }))).toBe('invalid_request');
  });

  it('reads dates in the tenant time zone', async () => {
    await store.db.updateTable('tenants').set({ time_zone: 'UTC' }).where('id', '=', tenantId).execute();
    const r = await kpis(hq(), { groupBy: 'org_unit' });
    expect(r.from).toBe('2026-01-01T00:00:00.000Z');
    // Lead 15 (2025-12-31T16:00Z) leaves dealer 1; leads 17 and 18 (31 Jan, 15:59 and 16:00Z) are in.
    expect(group(r, units.dealer1)?.counts.received).toBe(8);
    expect(group(r, units.dealer2)?.counts.received).toBe(9);
    // A date-time with a zone is taken as it is.
    const exact = await kpis(hq(), { from: '2026-01-31T15:59:59.999Z', to: '2026-01-31T16:00:00.000Z' });
    expect(exact.total.counts.received).toBe(1);
  });

  it('covers a unit with its subtree; a team by its staff', async () => {
    expect((await kpis(hq(), { orgUnitCode: 'EAST' })).total.counts.received).toBe(17);
    const d1 = await kpis(hq(), { orgUnitCode: 'SH001' });
    expect(d1.orgUnit).toEqual({ id: units.dealer1, code: 'SH001', name: 'unit SH001', type: 'dealer' });
    expect(d1.total.counts).toEqual(DEALER1);
    expect(d1.precipitationBySource).toEqual([
      { source: 'autohome', precipitation: { numerator: 1, denominator: 3, rate: 0.3333 } },
      { source: 'website', precipitation: { numerator: 1, denominator: 3, rate: 0.3333 } },
      { source: 'douyin', precipitation: { numerator: 0, denominator: 2, rate: 0 } },
    ]);
    expect((await kpis(hq(), { orgUnitCode: 'SH001-T1' })).total.counts).toEqual(CONSULTANT1);
    expect((await kpis(hq(), { consultantId: staff.c1 })).total.counts).toEqual(CONSULTANT1);
    // A consultant outside the unit asked for: nothing.
    expect((await kpis(hq(), { orgUnitCode: 'SH001-T1', consultantId: staff.c2 })).total.counts).toEqual(ZERO);
    expect(await rejected(kpis(hq(), { orgUnitCode: 'NOPE' }))).toBe('not_found');
    expect(await rejected(kpis(hq(), { consultantId: '00000000-0000-4000-8000-000000000001' }))).toBe('not_found');
  });

  it('keeps dealer staff and consultants to their own figures', async () => {
    const m = await kpis(manager1());
    expect(m.orgUnit?.id).toBe(units.dealer1);
    expect(m.total.counts).toEqual(DEALER1);
    const mByConsultant = await kpis(manager1(), { groupBy: 'consultant' });
    expect(mByConsultant.groups.map((g) => [g.key, g.counts.received])).toEqual([
      [staff.c1, 8],
      [null, 1],
    ]);
    // Another dealer, a unit above theirs, another dealer's consultant: as if they did not exist.
    expect(await rejected(kpis(manager1(), { orgUnitCode: 'HZ001' }))).toBe('not_found');
    expect(await rejected(kpis(manager1(), { orgUnitCode: 'EAST' }))).toBe('not_found');
    expect(await rejected(kpis(manager1(), { consultantId: staff.c2 }))).toBe('not_found');

    const c = await kpis(consultant1(), { groupBy: 'org_unit' });
    expect(c.consultantId).toBe(staff.c1);
    expect(c.total.counts).toEqual(CONSULTANT1);
    expect(c.groups.map((g) => [g.key, g.counts.received])).toEqual([[units.dealer1, 8]]);
    expect(await rejected(kpis(consultant1(), { consultantId: staff.c2 }))).toBe('not_found');
    expect((await kpis(consultant1(), { orgUnitCode: 'SH001' })).total.counts).toEqual(CONSULTANT1);
  });

  it('follows defeat decisions and deletions through the lead counters', async () => {
    const defeats = async () => {
      const c = (await kpis(hq())).total.counts;
      return [c.defeatRequests, c.defeatsApproved, c.defeatsPending];
    };
    expect(await defeats()).toEqual([3, 1, 1]);
    await store.db.updateTable('defeat_requests').set({ state: 'approved' }).where('tenant_id', '=', tenantId).where('state', '=', 'pending').execute();
    expect(await defeats()).toEqual([3, 2, 0]);
    await store.db.deleteFrom('defeat_requests').where('tenant_id', '=', tenantId).where('state', '=', 'rejected').execute();
    expect(await defeats()).toEqual([2, 2, 0]);
  });

  it('answers zeros and null rates for an empty period, and refuses a reversed one', async () => {
    const r = await kpis(hq(), { from: '2027-01-01', to: '2027-02-01', groupBy: 'source' });
    expect(r.total.counts).toEqual(ZERO);
    expect(r.total.visitRate).toEqual({ numerator: 0, denominator: 0, rate: null });
    expect(r.total.avgDaysToOrder).toEqual({ totalDays: 0, orders: 0, average: null });
    expect(r.groups).toEqual([]);
    expect(r.precipitationBySource).toEqual([]);
    expect(await rejected(kpis(hq(), { from: '2026-02-01', to: '2026-01-01' }))).toBe('invalid_request');
  });
});
