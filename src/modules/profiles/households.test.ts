import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../platform/db/index.js';
import { json, useAppFixture } from '../../testing/app.js';
import { testEngines } from '../../testing/engines.js';
import { householdOfProfile } from './index.js';

async function newProfile(db: Db, tenantId: string, mergedInto: string | null = null): Promise<string> {
  const id = randomUUID();
  const now = new Date();
  await db.insertInto('profiles').values({ tenant_id: tenantId, id, merged_into: mergedInto, first_seen: now, last_seen: now }).execute();
  return id;
}

interface Household {
  id: string;
  name: string | null;
  members: { profileId: string; relation: string | null; addedAt: string }[];
  createdAt: string;
  updatedAt: string;
}

describe.each(testEngines)('households on %s', (engine) => {
  const fx = useAppFixture(engine);
  let admin: Record<string, string>;
  let tenantId: string;
  let people: string[];
  beforeEach(async () => {
    admin = { authorization: `Bearer ${fx.tenant.adminToken}` };
    tenantId = fx.tenant.tenantId;
    people = [];
    for (let i = 0; i < 4; i++) people.push(await newProfile(fx.store.db, tenantId));
  });

  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) =>
    fx.app.inject({
      method,
      url,
      headers: payload === undefined ? admin : { ...admin, 'content-type': 'application/json' },
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    });
  const p = (i: number) => people[i] ?? '';
  const members = (h: Household) => h.members.map((m) => [m.profileId, m.relation]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  const sorted = (rows: [string, string | null][]) => [...rows].sort((a, b) => a[0].localeCompare(b[0]));
  const count = async (table: 'households' | 'household_members') =>
    Number((await fx.store.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow()).n);

  it('creates a household, adds members idempotently, removes them, finds a person’s household', async () => {
    const res = await call('POST', '/api/v1/households', { name: '王家', members: [{ profileId: p(0), relation: 'self' }, { profileId: p(1), relation: 'spouse' }] });
    expect(res.statusCode, res.body).toBe(201);
    const h = json(res) as Household;
    expect(h).toMatchObject({ name: '王家' });
    expect(members(h)).toEqual(sorted([[p(0), 'self'], [p(1), 'spouse']]));
    expect(json(await call('GET', `/api/v1/households/${h.id}`))).toEqual(h);

    const add = await call('POST', `/api/v1/households/${h.id}/members`, { profileId: p(2), relation: 'child' });
    expect(add.statusCode, add.body).toBe(201);
    const again = await call('POST', `/api/v1/households/${h.id}/members`, { profileId: p(2), relation: 'child' });
    expect(again.statusCode).toBe(200);
    expect(json(again)).toEqual(json(add));
    const relabel = json(await call('POST', `/api/v1/households/${h.id}/members`, { profileId: p(2), relation: 'daughter' })) as Household;
    expect(members(relabel)).toEqual(sorted([[p(0), 'self'], [p(1), 'spouse'], [p(2), 'daughter']]));
    expect(await count('household_members')).toBe(3);

    const found = json(await call('GET', `/api/v1/households?profileId=${p(2)}`)) as { data: Household[] };
    expect(found.data.map((x) => x.id)).toEqual([h.id]);
    expect(json(await call('GET', `/api/v1/households?profileId=${p(3)}`))).toEqual({ data: [] });
    expect(await householdOfProfile(fx.store.db, tenantId, p(1))).toMatchObject({ id: h.id, name: '王家' });
    expect(await householdOfProfile(fx.store.db, tenantId, p(3))).toBeNull();

    const removed = await call('DELETE', `/api/v1/households/${h.id}/members/${p(1)}`);
    expect(removed.statusCode, removed.body).toBe(200);
    expect(members(json(removed) as Household)).toEqual(sorted([[p(0), 'self'], [p(2), 'daughter']]));
    expect((await call('DELETE', `/api/v1/households/${h.id}/members/${p(1)}`)).statusCode).toBe(200);
    expect(await count('household_members')).toBe(2);
    // Once out, a person may join another household.
    const other = await call('POST', '/api/v1/households', { members: [{ profileId: p(1) }] });
    expect(other.statusCode).toBe(201);
    expect(json(other)).toMatchObject({ name: null, members: [{ profileId: p(1), relation: null }] });
  });

  it('a person in another household is a 409 naming it, and nothing is written', async () => {
    const h1 = json(await call('POST', '/api/v1/households', { members: [{ profileId: p(0) }] })) as Household;
    const h2 = json(await call('POST', '/api/v1/households', { members: [{ profileId: p(1) }] })) as Household;
    const add = await call('POST', `/api/v1/households/${h2.id}/members`, { profileId: p(0) });
    expect(add.statusCode).toBe(409);
    expect(json(add)).toMatchObject({ error: { code: 'conflict', details: { field: 'profileId', profileId: p(0), householdId: h1.id } } });
    expect((json(add) as { error: { message: string } }).error.message).toContain(h1.id);
    const create = await call('POST', '/api/v1/households', { name: 'x', members: [{ profileId: p(2) }, { profileId: p(0) }] });
    expect(create.statusCode).toBe(409);
    expect(json(create)).toMatchObject({ error: { details: { field: 'members[1].profileId', householdId: h1.id } } });
    expect(await count('households')).toBe(2);
    expect(await count('household_members')).toBe(2);
  });

  it('members must be live profiles; bad input is a 400; unknown households are 404s', async () => {
    const merged = await newProfile(fx.store.db, tenantId, p(0));
    const cases: [unknown, number][] = [
      [{ members: [] }, 400],
      [{ members: [{ profileId: p(0) }, { profileId: p(0) }] }, 400],
      [{ members: [{ profileId: 'x' }] }, 400],
      [{ name: '', members: [{ profileId: p(0) }] }, 400],
      [{ members: [{ profileId: randomUUID() }] }, 404],
      [{ members: [{ profileId: p(1) }, { profileId: merged }] }, 409],
    ];
    for (const [body, status] of cases) {
      const res = await call('POST', '/api/v1/households', body);
      expect(res.statusCode, res.body).toBe(status);
    }
    const mergedRes = await call('POST', '/api/v1/households', { members: [{ profileId: merged }] });
    expect(json(mergedRes)).toMatchObject({ error: { details: { field: 'members[0].profileId', mergedInto: p(0) } } });
    expect(await count('households')).toBe(0);
    expect((await call('GET', `/api/v1/households/${randomUUID()}`)).statusCode).toBe(404);
    expect((await call('POST', `/api/v1/households/${randomUUID()}/members`, { profileId: p(0) })).statusCode).toBe(404);
    expect((await call('DELETE', `/api/v1/households/${randomUUID()}/members/${p(0)}`)).statusCode).toBe(404);
    expect((await call('GET', '/api/v1/households')).statusCode).toBe(400);
  });

  it('a merged-away profile id answers 308 with a Location at the survivor', async () => {
    const h = json(await call('POST', '/api/v1/households', { members: [{ profileId: p(0) }] })) as Household;
    const merged = await newProfile(fx.store.db, tenantId, p(0));
    const list = await call('GET', `/api/v1/households?profileId=${merged}`);
    expect(list.statusCode).toBe(308);
    expect(list.headers['location']).toBe(`/api/v1/households?profileId=${p(0)}`);
    const del = await call('DELETE', `/api/v1/households/${h.id}/members/${merged}`);
    expect(del.statusCode).toBe(308);
    expect(del.headers['location']).toBe(`/api/v1/households/${h.id}/members/${p(0)}`);
    expect(await count('household_members')).toBe(1);
  });
});
