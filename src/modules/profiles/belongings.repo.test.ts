import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../platform/db/index.js';
import { useAppFixture } from '../../testing/app.js';
import { testEngines } from '../../testing/engines.js';
import { deleteProfileBelongings, moveProfileBelongings } from './belongings.repo.js';

const VIN = 'LSVAU2187N2123456';
const VIN2 = 'LGXCE4CB0P0000001';

async function newProfile(db: Db, tenantId: string): Promise<string> {
  const id = randomUUID();
  const now = new Date();
  await db.insertInto('profiles').values({ tenant_id: tenantId, id, first_seen: now, last_seen: now }).execute();
  return id;
}

const T0 = '2025-01-01T00:00:00.000Z';
const T1 = '2025-06-01T00:00:00.000Z';
type State = 'granted' | 'denied' | 'withdrawn';
type Cell = [State, string] | null;

/** channel/purpose: [to's state and time, from's state and time, the state that must win and whose]. */
const MATRIX: [string, string, Cell, Cell, [State, string, 'to' | 'from']][] = [
  ['sms', 'marketing', ['granted', T1], ['denied', T0], ['denied', T0, 'from']],
  ['sms', 'service', ['denied', T0], ['granted', T1], ['denied', T0, 'to']],
  ['sms', 'survey', ['granted', T0], ['granted', T1], ['granted', T1, 'from']],
  ['email', 'marketing', ['granted', T1], ['granted', T0], ['granted', T1, 'to']],
  ['email', 'service', ['denied', T0], ['withdrawn', T1], ['withdrawn', T1, 'from']],
  ['email', 'survey', ['withdrawn', T1], ['denied', T0], ['withdrawn', T1, 'to']],
  ['wecom', 'marketing', null, ['granted', T0], ['granted', T0, 'from']],
  ['wecom', 'service', ['denied', T1], null, ['denied', T1, 'to']],
  ['app_push', 'marketing', ['granted', T0], ['granted', T0], ['granted', T0, 'to']],
  ['phone_call', 'marketing', ['withdrawn', T0], ['granted', T1], ['withdrawn', T0, 'to']],
];

describe.each(testEngines)('profile belongings on %s', (engine) => {
  const fx = useAppFixture(engine);
  let tenantId: string;
  let db: Db;
  beforeEach(() => {
    tenantId = fx.tenant.tenantId;
    db = fx.store.db;
  });

  const consent = (profileId: string, channel: string, purpose: string, [state, at]: [State, string], source: string) =>
    Promise.all([
      db.insertInto('consents').values({ tenant_id: tenantId, profile_id: profileId, channel, purpose, state, at, source, org_unit: null }).execute(),
      db.insertInto('consent_history').values({ tenant_id: tenantId, profile_id: profileId, channel, purpose, state, at, source, org_unit: null, note: null }).execute(),
    ]);
  const vehicle = (vin: string) => db.insertInto('vehicles').values({ tenant_id: tenantId, vin }).onConflict((oc) => oc.doNothing()).execute();
  const relation = async (vin: string, profileId: string, role: string, from: string, to: string | null = null) => {
    await vehicle(vin);
    await db.insertInto('vehicle_relations').values({ tenant_id: tenantId, id: randomUUID(), vin, profile_id: profileId, role, valid_from: from, valid_to: to, source: profileId.slice(0, 4) }).execute();
  };
  const household = async (...members: string[]) => {
    const id = randomUUID();
    await db.insertInto('households').values({ tenant_id: tenantId, id, name: 'h' }).execute();
    for (const m of members) await db.insertInto('household_members').values({ tenant_id: tenantId, household_id: id, profile_id: m, relation: null }).execute();
    return id;
  };
  const inTx = <T>(fn: (trx: Db) => Promise<T>) => db.transaction().execute(fn);
  const rowsOf = async (profileId: string) => ({
    consents: await db.selectFrom('consents').selectAll().where('tenant_id', '=', tenantId).where('profile_id', '=', profileId).execute(),
    history: await db.selectFrom('consent_history').selectAll().where('tenant_id', '=', tenantId).where('profile_id', '=', profileId).execute(),
    members: await db.selectFrom('household_members').selectAll().where('tenant_id', '=', tenantId).where('profile_id', '=', profileId).execute(),
    relations: await db.selectFrom('vehicle_relations').selectAll().where('tenant_id', '=', tenantId).where('profile_id', '=', profileId).execute(),
  });

  it('consents on merge: the most restrictive state wins, then the later one; history is kept', async () => {
    const [from, to] = [await newProfile(db, tenantId), await newProfile(db, tenantId)];
    for (const [channel, purpose, toCell, fromCell] of MATRIX) {
      if (toCell) await consent(to, channel, purpose, toCell, 'to');
      if (fromCell) await consent(from, channel, purpose, fromCell, 'from');
    }
    const summary = await inTx((trx) => moveProfileBelongings(trx, tenantId, from, to));
    expect(summary.consents).toEqual({ moved: 1, replaced: 3, kept: 5, history: 9 });
    const after = await rowsOf(to);
    const got = after.consents.map((c) => [c.channel, c.purpose, c.state, c.at.toISOString(), c.source]).sort();
    const want = MATRIX.map(([channel, purpose, , , [state, at, whose]]) => [channel, purpose, state, at, whose]).sort();
    expect(got).toEqual(want);
    expect(after.history).toHaveLength(18);
    expect(await rowsOf(from)).toEqual({ consents: [], history: [], members: [], relations: [] });
  });

  it('households on merge: moved when the survivor has none, dropped (and reported) when it has its own', async () => {
    const p = () => newProfile(db, tenantId);
    const [pa, pb, pc, pd, pe, pf, pg] = [await p(), await p(), await p(), await p(), await p(), await p(), await p()];
    const h1 = await household(pa, pg);
    const moved = await inTx((trx) => moveProfileBelongings(trx, tenantId, pa, pb));
    expect(moved.household).toEqual({ outcome: 'moved', fromHouseholdId: h1, toHouseholdId: h1 });
    expect((await rowsOf(pb)).members.map((m) => m.household_id)).toEqual([h1]);

    const [h2, h3] = [await household(pc), await household(pd)];
    const conflict = await inTx((trx) => moveProfileBelongings(trx, tenantId, pc, pd));
    expect(conflict.household).toEqual({ outcome: 'conflict', fromHouseholdId: h2, toHouseholdId: h3 });
    expect((await rowsOf(pd)).members.map((m) => m.household_id)).toEqual([h3]);
    expect((await rowsOf(pc)).members).toEqual([]);

    const h4 = await household(pe, pf);
    expect((await inTx((trx) => moveProfileBelongings(trx, tenantId, pe, pf))).household).toEqual({ outcome: 'same', fromHouseholdId: h4, toHouseholdId: h4 });
    expect((await inTx((trx) => moveProfileBelongings(trx, tenantId, pe, pg))).household).toEqual({ outcome: 'none', fromHouseholdId: null, toHouseholdId: h1 });
    const all = await db.selectFrom('household_members').select(['household_id', 'profile_id']).where('tenant_id', '=', tenantId).execute();
    expect(all).toHaveLength(4);
  });

  it('vehicle relations on merge: re-pointed; of two current ones on the same (vin, role) the earlier stays', async () => {
    const [from, to] = [await newProfile(db, tenantId), await newProfile(db, tenantId)];
    await relation(VIN, from, 'owner', '2020-01-01T00:00:00Z');
    await relation(VIN, to, 'owner', '2021-01-01T00:00:00Z');
    await relation(VIN, to, 'payer', '2019-01-01T00:00:00Z');
    await relation(VIN, from, 'payer', '2022-01-01T00:00:00Z');
    await relation(VIN, from, 'driver', '2018-01-01T00:00:00Z', '2019-01-01T00:00:00Z');
    await relation(VIN2, from, 'driver', '2023-01-01T00:00:00Z');
    const summary = await inTx((trx) => moveProfileBelongings(trx, tenantId, from, to));
    expect(summary.vehicleRelations).toEqual({ moved: 3, dropped: 2 });
    const rels = (await rowsOf(to)).relations.map((r) => [r.vin, r.role, r.valid_from.toISOString(), r.valid_to?.toISOString() ?? null, r.source]).sort();
    expect(rels).toEqual(
      [
        [VIN, 'owner', '2020-01-01T00:00:00.000Z', null, from.slice(0, 4)],
        [VIN, 'payer', '2019-01-01T00:00:00.000Z', null, to.slice(0, 4)],
        [VIN, 'driver', '2018-01-01T00:00:00.000Z', '2019-01-01T00:00:00.000Z', from.slice(0, 4)],
        [VIN2, 'driver', '2023-01-01T00:00:00.000Z', null, from.slice(0, 4)],
      ].sort(),
    );
    expect((await rowsOf(from)).relations).toEqual([]);
  });

  it('erasure deletes everything of the person and nothing of others; vehicles stay', async () => {
    const [person, spouse, other] = [await newProfile(db, tenantId), await newProfile(db, tenantId), await newProfile(db, tenantId)];
    await consent(person, 'sms', 'marketing', ['granted', T0], 'dms');
    await consent(person, 'wecom', 'service', ['denied', T1], 'app');
    await db.insertInto('consent_history').values({ tenant_id: tenantId, profile_id: person, channel: 'sms', purpose: 'marketing', state: 'denied', at: '2024-01-01T00:00:00Z', source: null, org_unit: null, note: 'old' }).execute();
    await consent(spouse, 'sms', 'marketing', ['granted', T0], 'dms');
    const shared = await household(person, spouse);
    await relation(VIN, person, 'owner', '2020-01-01T00:00:00Z');
    await relation(VIN, spouse, 'driver', '2020-01-01T00:00:00Z');
    await relation(VIN2, person, 'buyer', '2019-01-01T00:00:00Z', '2019-02-01T00:00:00Z');
    const before = { spouse: await rowsOf(spouse), other: await rowsOf(other) };

    const deleted = await inTx((trx) => deleteProfileBelongings(trx, tenantId, person));
    expect(deleted).toEqual({ consents: 2, consentHistory: 3, householdMemberships: 1, householdsDeleted: 0, vehicleRelations: 2, leadsAnonymised: 0, customerLinks: 0 });
    expect(await rowsOf(person)).toEqual({ consents: [], history: [], members: [], relations: [] });
    expect({ spouse: await rowsOf(spouse), other: await rowsOf(other) }).toEqual(before);
    expect((await db.selectFrom('vehicles').select('vin').where('tenant_id', '=', tenantId).orderBy('vin').execute()).map((v) => v.vin)).toEqual([VIN2, VIN]);
    expect(await db.selectFrom('households').select('id').where('tenant_id', '=', tenantId).execute()).toEqual([{ id: shared }]);

    // The last member erased: the household (whose name may describe the person) goes too.
    const deletedSpouse = await inTx((trx) => deleteProfileBelongings(trx, tenantId, spouse));
    expect(deletedSpouse).toEqual({ consents: 1, consentHistory: 1, householdMemberships: 1, householdsDeleted: 1, vehicleRelations: 1, leadsAnonymised: 0, customerLinks: 0 });
    expect(await db.selectFrom('households').select('id').where('tenant_id', '=', tenantId).where('id', '=', shared).execute()).toEqual([]);
    expect(await inTx((trx) => deleteProfileBelongings(trx, tenantId, other))).toEqual({
      consents: 0,
      consentHistory: 0,
      householdMemberships: 0,
      householdsDeleted: 0,
      vehicleRelations: 0,
      leadsAnonymised: 0,
      customerLinks: 0,
    });
  });
});
