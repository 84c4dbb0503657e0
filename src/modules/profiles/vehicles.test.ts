import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../platform/db/index.js';
import { json, useAppFixture } from '../../testing/app.js';
import { testEngines } from '../../testing/engines.js';
import type { VehicleLink } from '../identity/index.js';
import { linkVehiclesFromEvents, vehiclesOfProfile } from './index.js';

const VIN = 'LSVAU2187N2123456';
const VIN2 = 'LGXCE4CB0P0000001';
const VIN3 = 'WBA8E9G58GNT12345';

async function newProfile(db: Db, tenantId: string, mergedInto: string | null = null): Promise<string> {
  const id = randomUUID();
  const now = new Date();
  await db.insertInto('profiles').values({ tenant_id: tenantId, id, merged_into: mergedInto, first_seen: now, last_seen: now }).execute();
  return id;
}

interface Relation {
  id: string;
  vin?: string;
  profileId: string;
  role: string;
  validFrom: string;
  validTo: string | null;
  source: string | null;
}
interface Vehicle {
  vin: string;
  series: string | null;
  model: string | null;
  modelYear: number | null;
  relations: Relation[];
  createdAt: string;
  updatedAt: string;
}
interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

describe.each(testEngines)('vehicles on %s', (engine) => {
  const fx = useAppFixture(engine);
  let admin: Record<string, string>;
  let tenantId: string;
  beforeEach(() => {
    admin = { authorization: `Bearer ${fx.tenant.adminToken}` };
    tenantId = fx.tenant.tenantId;
  });

  const call = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
    fx.app.inject({
      method,
      url,
      headers: payload === undefined ? admin : { ...admin, 'content-type': 'application/json' },
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    });
  const count = async (table: 'vehicles' | 'vehicle_relations') =>
    Number((await fx.store.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow()).n);
  const relate = (vin: string, body: Record<string, unknown>) => call('POST', `/api/v1/vehicles/${vin}/relations`, body);
  const link = (links: VehicleLink[]) => fx.store.db.transaction().execute((trx) => linkVehiclesFromEvents(trx, tenantId, links));
  const relationsOf = async (vin: string) =>
    (
      await fx.store.db
        .selectFrom('vehicle_relations')
        .select(['profile_id', 'role', 'valid_from', 'valid_to', 'source'])
        .where('tenant_id', '=', tenantId)
        .where('vin', '=', vin)
        .orderBy('valid_from')
        .orderBy('profile_id')
        .execute()
    ).map((r) => ({ profileId: r.profile_id, role: r.role, from: r.valid_from.toISOString(), to: r.valid_to?.toISOString() ?? null, source: r.source }));

  it('upserts a vehicle idempotently under its canonical VIN; absent attributes keep, null clears', async () => {
    const res = await call('PUT', `/api/v1/vehicles/${VIN.toLowerCase()}`, { series: '汉', model: '汉 EV 冠军版', modelYear: 2023 });
    expect(res.statusCode, res.body).toBe(200);
    const v = json(res) as Vehicle;
    expect(v).toEqual({ vin: VIN, series: '汉', model: '汉 EV 冠军版', modelYear: 2023, relations: [], createdAt: v.createdAt, updatedAt: v.updatedAt });
    const again = await call('PUT', `/api/v1/vehicles/${VIN}`, { series: '汉', model: '汉 EV 冠军版', modelYear: 2023 });
    expect(json(again)).toEqual(v);
    const partial = json(await call('PUT', `/api/v1/vehicles/${VIN}`, { modelYear: 2024 })) as Vehicle;
    expect(partial).toMatchObject({ series: '汉', model: '汉 EV 冠军版', modelYear: 2024 });
    const cleared = json(await call('PUT', `/api/v1/vehicles/${VIN}`, { model: null })) as Vehicle;
    expect(cleared).toMatchObject({ series: '汉', model: null, modelYear: 2024 });
    expect(json(await call('GET', `/api/v1/vehicles/${VIN}`))).toEqual(cleared);
    expect((await call('PUT', `/api/v1/vehicles/${VIN2}`)).statusCode).toBe(200);
    expect(await count('vehicles')).toBe(2);
  });

  it('rejects invalid VINs with a 400 naming the problem and writes nothing', async () => {
    const cases: [string, string][] = [
      ['LSVAU2187N212345', 'length'],
      ['LSVAU2187N212345O', 'alphabet'],
      ['LSVAU2188N2123456', 'check_digit'],
    ];
    for (const [vin, problem] of cases) {
      for (const res of [await call('PUT', `/api/v1/vehicles/${vin}`, { series: 'x' }), await relate(vin, { profileId: randomUUID(), role: 'owner' })]) {
        expect(res.statusCode, res.body).toBe(400);
        expect(json(res)).toMatchObject({ error: { code: 'invalid_request', details: { field: 'vin', problem } } });
      }
    }
    const typo = json(await call('PUT', `/api/v1/vehicles/LSVAU2188N2123456`)) as ErrorBody;
    expect(typo.error.message).toContain('should be 7');
    const badYear = await call('PUT', `/api/v1/vehicles/${VIN}`, { modelYear: 1900 });
    expect(badYear.statusCode).toBe(400);
    expect((json(badYear) as ErrorBody).error.message).toContain('modelYear');
    expect((await call('PUT', `/api/v1/vehicles/${VIN}`, { model_year: 2020 })).statusCode).toBe(400);
    expect(await count('vehicles')).toBe(0);
    expect(await count('vehicle_relations')).toBe(0);
    expect((await call('GET', `/api/v1/vehicles/${VIN}`)).statusCode).toBe(404);
  });

  it('a resale closes the previous owner’s relation at the new owner’s validFrom; replays change nothing', async () => {
    const [a, b] = [await newProfile(fx.store.db, tenantId), await newProfile(fx.store.db, tenantId)];
    await call('PUT', `/api/v1/vehicles/${VIN}`, { series: '宋' });
    const first = await relate(VIN, { profileId: a, role: 'owner', validFrom: '2020-01-01T00:00:00Z', source: 'dms' });
    expect(first.statusCode, first.body).toBe(201);
    const aRel = json(first) as Relation;
    const replay = await relate(VIN, { profileId: a, role: 'owner', validFrom: '2020-01-01T00:00:00Z', source: 'dms' });
    expect(replay.statusCode).toBe(200);
    expect(json(replay)).toEqual(aRel);
    const resale = await relate(VIN, { profileId: b, role: 'owner', validFrom: '2023-06-01T08:00:00+08:00' });
    expect(resale.statusCode, resale.body).toBe(201);
    const bRel = json(resale) as Relation;
    // Replaying the first owner's request neither reopens nor duplicates it.
    const late = await relate(VIN, { profileId: a, role: 'owner', validFrom: '2020-01-01T00:00:00Z', source: 'dms' });
    expect(late.statusCode).toBe(200);
    expect((json(late) as Relation).id).toBe(aRel.id);
    const v = json(await call('GET', `/api/v1/vehicles/${VIN}`)) as Vehicle;
    expect(v.relations).toEqual([
      { id: aRel.id, profileId: a, role: 'owner', validFrom: '2020-01-01T00:00:00.000Z', validTo: '2023-06-01T00:00:00.000Z', source: 'dms' },
      { id: bRel.id, profileId: b, role: 'owner', validFrom: '2023-06-01T00:00:00.000Z', validTo: null, source: null },
    ]);
    expect(await count('vehicle_relations')).toBe(2);
  });

  it('an ownership learnt late ends where the current owner’s starts; other roles stay', async () => {
    const [a, b, c] = [await newProfile(fx.store.db, tenantId), await newProfile(fx.store.db, tenantId), await newProfile(fx.store.db, tenantId)];
    await call('PUT', `/api/v1/vehicles/${VIN}`);
    await relate(VIN, { profileId: b, role: 'owner', validFrom: '2023-01-01T00:00:00Z' });
    await relate(VIN, { profileId: c, role: 'driver', validFrom: '2022-01-01T00:00:00Z' });
    const older = json(await relate(VIN, { profileId: a, role: 'owner', validFrom: '2020-01-01T00:00:00Z' })) as Relation;
    expect(older).toMatchObject({ vin: VIN, profileId: a, validTo: '2023-01-01T00:00:00.000Z' });
    expect(await relationsOf(VIN)).toEqual([
      { profileId: a, role: 'owner', from: '2020-01-01T00:00:00.000Z', to: '2023-01-01T00:00:00.000Z', source: null },
      { profileId: c, role: 'driver', from: '2022-01-01T00:00:00.000Z', to: null, source: null },
      { profileId: b, role: 'owner', from: '2023-01-01T00:00:00.000Z', to: null, source: null },
    ]);
  });

  it('two people on one VIN are one vehicle with two relations, never merged', async () => {
    const [husband, wife] = [await newProfile(fx.store.db, tenantId), await newProfile(fx.store.db, tenantId)];
    await call('PUT', `/api/v1/vehicles/${VIN}`, { series: '汉', modelYear: 2023 });
    expect((await relate(VIN, { profileId: husband, role: 'owner', validFrom: '2023-03-01T00:00:00Z' })).statusCode).toBe(201);
    expect((await relate(VIN, { profileId: wife, role: 'driver', validFrom: '2023-03-01T00:00:00Z' })).statusCode).toBe(201);
    expect((await relate(VIN, { profileId: wife, role: 'driver', validFrom: '2024-01-01T00:00:00Z' })).statusCode).toBe(200);
    expect(await count('vehicles')).toBe(1);
    expect((await relationsOf(VIN)).map((r) => [r.profileId, r.role, r.to])).toEqual(
      [
        [husband, 'owner', null],
        [wife, 'driver', null],
      ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    );
    const profiles = await fx.store.db.selectFrom('profiles').select('id').where('tenant_id', '=', tenantId).where('merged_into', 'is', null).execute();
    expect(profiles).toHaveLength(2);
    const wifeCars = await vehiclesOfProfile(fx.store.db, tenantId, wife);
    expect(wifeCars).toEqual([
      { id: wifeCars[0]?.id, vin: VIN, profileId: wife, role: 'driver', validFrom: '2023-03-01T00:00:00.000Z', validTo: null, source: null, series: '汉', model: null, modelYear: 2023 },
    ]);
  });

  it('relations need an existing vehicle and a live profile; bad periods are 400s; nothing is written', async () => {
    const live = await newProfile(fx.store.db, tenantId);
    const merged = await newProfile(fx.store.db, tenantId, live);
    const unknownVehicle = await relate(VIN, { profileId: live, role: 'owner' });
    expect(unknownVehicle.statusCode).toBe(404);
    expect((json(unknownVehicle) as ErrorBody).error.details).toEqual({ vin: VIN });
    await call('PUT', `/api/v1/vehicles/${VIN}`);
    const unknown = await relate(VIN, { profileId: randomUUID(), role: 'owner' });
    expect(unknown.statusCode).toBe(404);
    expect(json(unknown)).toMatchObject({ error: { code: 'not_found', details: { field: 'profileId' } } });
    const wasMerged = await relate(VIN, { profileId: merged, role: 'owner' });
    expect(wasMerged.statusCode).toBe(409);
    expect(json(wasMerged)).toMatchObject({ error: { code: 'conflict', details: { field: 'profileId', profileId: merged, mergedInto: live } } });
    const backwards = await relate(VIN, { profileId: live, role: 'owner', validFrom: '2024-01-01T00:00:00Z', validTo: '2023-01-01T00:00:00Z' });
    expect(backwards.statusCode).toBe(400);
    expect(json(backwards)).toMatchObject({ error: { code: 'invalid_request', details: { field: 'validTo' } } });
    for (const body of [{ profileId: live, role: 'renter' }, { profileId: 'nope', role: 'owner' }, { role: 'owner' }, { profileId: live, role: 'owner', validFrom: 'yesterday' }]) {
      const res = await relate(VIN, body);
      expect(res.statusCode, res.body).toBe(400);
    }
    expect(await count('vehicle_relations')).toBe(0);
  });

  it('ends a relation once; again is a no-op, at another time a 409, before its start a 400', async () => {
    const a = await newProfile(fx.store.db, tenantId);
    await call('PUT', `/api/v1/vehicles/${VIN}`);
    const rel = json(await relate(VIN, { profileId: a, role: 'driver', validFrom: '2024-01-01T00:00:00Z' })) as Relation;
    const early = await call('POST', `/api/v1/vehicles/${VIN}/relations/${rel.id}/end`, { validTo: '2023-01-01T00:00:00Z' });
    expect(early.statusCode).toBe(400);
    const ended = await call('POST', `/api/v1/vehicles/${VIN}/relations/${rel.id}/end`, { validTo: '2024-05-01T00:00:00Z' });
    expect(ended.statusCode, ended.body).toBe(200);
    expect(json(ended)).toEqual({ ...rel, validTo: '2024-05-01T00:00:00.000Z' });
    expect(json(await call('POST', `/api/v1/vehicles/${VIN}/relations/${rel.id}/end`))).toEqual(json(ended));
    expect((await call('POST', `/api/v1/vehicles/${VIN}/relations/${rel.id}/end`, { validTo: '2024-06-01T00:00:00Z' })).statusCode).toBe(409);
    expect((await call('POST', `/api/v1/vehicles/${VIN2}/relations/${rel.id}/end`)).statusCode).toBe(404);
    // A new current relation may start after the ended one.
    expect((await relate(VIN, { profileId: a, role: 'driver', validFrom: '2025-01-01T00:00:00Z' })).statusCode).toBe(201);
    const now = json(await relate(VIN, { profileId: a, role: 'payer' })) as Relation;
    const endedNow = json(await call('POST', `/api/v1/vehicles/${VIN}/relations/${now.id}/end`)) as Relation;
    expect(endedNow.validTo).not.toBeNull();
  });

  describe('linkVehiclesFromEvents', () => {
    const at = (s: string) => new Date(s);

    it('upserts vehicles and ensures relations; replays change nothing; non-null attributes overwrite', async () => {
      const [a, b] = [await newProfile(fx.store.db, tenantId), await newProfile(fx.store.db, tenantId)];
      const links: VehicleLink[] = [
        { vin: VIN, profileId: a, role: 'owner', at: at('2024-01-01T00:00:00Z'), series: '汉', model: null, modelYear: 2023, source: 'dms' },
        { vin: VIN, profileId: a, role: 'owner', at: at('2024-02-01T00:00:00Z'), model: '汉 DM-i', source: 'dms' },
        { vin: VIN, profileId: b, role: 'driver', at: at('2024-01-15T00:00:00Z'), source: 'app' },
        { vin: VIN2, profileId: b, role: 'buyer', at: at('2024-03-01T00:00:00Z'), series: '唐', source: 'dms' },
      ];
      await link(links);
      await link(links);
      const vehicles = await fx.store.db.selectFrom('vehicles').select(['vin', 'series', 'model', 'model_year']).where('tenant_id', '=', tenantId).orderBy('vin').execute();
      expect(vehicles).toEqual([
        { vin: VIN2, series: '唐', model: null, model_year: null },
        { vin: VIN, series: '汉', model: '汉 DM-i', model_year: 2023 },
      ]);
      expect(await relationsOf(VIN)).toEqual([
        { profileId: a, role: 'owner', from: '2024-01-01T00:00:00.000Z', to: null, source: 'dms' },
        { profileId: b, role: 'driver', from: '2024-01-15T00:00:00.000Z', to: null, source: 'app' },
      ]);
      expect(await relationsOf(VIN2)).toEqual([{ profileId: b, role: 'buyer', from: '2024-03-01T00:00:00.000Z', to: null, source: 'dms' }]);
      await link([{ vin: VIN, profileId: a, role: 'driver', at: at('2024-04-01T00:00:00Z'), series: '汉 L', model: null, modelYear: null, source: 'app' }]);
      const v = await fx.store.db.selectFrom('vehicles').select(['series', 'model', 'model_year']).where('tenant_id', '=', tenantId).where('vin', '=', VIN).executeTakeFirst();
      expect(v).toEqual({ series: '汉 L', model: '汉 DM-i', model_year: 2023 });
      await link([]);
    });

    it('an ownership claim closes other owners that started before it, not those that started after', async () => {
      const [a, b, c] = [await newProfile(fx.store.db, tenantId), await newProfile(fx.store.db, tenantId), await newProfile(fx.store.db, tenantId)];
      await link([{ vin: VIN, profileId: a, role: 'owner', at: at('2020-01-01T00:00:00Z'), source: 'dms' }]);
      await link([{ vin: VIN, profileId: b, role: 'owner', at: at('2023-06-01T00:00:00Z'), source: 'dms' }]);
      expect(await relationsOf(VIN)).toEqual([
        { profileId: a, role: 'owner', from: '2020-01-01T00:00:00.000Z', to: '2023-06-01T00:00:00.000Z', source: 'dms' },
        { profileId: b, role: 'owner', from: '2023-06-01T00:00:00.000Z', to: null, source: 'dms' },
      ]);
      // A late event of the first owner, inside its period: nothing changes.
      await link([{ vin: VIN, profileId: a, role: 'owner', at: at('2021-01-01T00:00:00Z'), source: 'dms' }]);
      // Somebody claiming ownership before b's started: b stays current, c's claim ends where b's starts.
      await link([{ vin: VIN, profileId: c, role: 'owner', at: at('2022-01-01T00:00:00Z'), source: 'crm' }]);
      expect(await relationsOf(VIN)).toEqual([
        { profileId: a, role: 'owner', from: '2020-01-01T00:00:00.000Z', to: '2023-06-01T00:00:00.000Z', source: 'dms' },
        { profileId: c, role: 'owner', from: '2022-01-01T00:00:00.000Z', to: '2023-06-01T00:00:00.000Z', source: 'crm' },
        { profileId: b, role: 'owner', from: '2023-06-01T00:00:00.000Z', to: null, source: 'dms' },
      ]);
    });

    it('resales within one batch become consecutive ownerships', async () => {
      const [a, b] = [await newProfile(fx.store.db, tenantId), await newProfile(fx.store.db, tenantId)];
      await link([{ vin: VIN3, profileId: a, role: 'owner', at: at('2019-01-01T00:00:00Z'), source: 'dms' }]);
      const batch: VehicleLink[] = [
        { vin: VIN3, profileId: a, role: 'owner', at: at('2024-03-01T00:00:00Z'), source: 'dms' },
        { vin: VIN3, profileId: b, role: 'owner', at: at('2024-01-01T00:00:00Z'), source: 'dms' },
        { vin: VIN3, profileId: a, role: 'owner', at: at('2023-01-01T00:00:00Z'), source: 'dms' },
      ];
      await link(batch);
      await link(batch);
      expect(await relationsOf(VIN3)).toEqual([
        { profileId: a, role: 'owner', from: '2019-01-01T00:00:00.000Z', to: '2024-01-01T00:00:00.000Z', source: 'dms' },
        { profileId: b, role: 'owner', from: '2024-01-01T00:00:00.000Z', to: '2024-03-01T00:00:00.000Z', source: 'dms' },
        { profileId: a, role: 'owner', from: '2024-03-01T00:00:00.000Z', to: null, source: 'dms' },
      ]);
    });
  });
});
