import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { json, useAppFixture } from '../testing/app.js';
import { testDatabaseUrl, testEngines } from '../testing/engines.js';
import { adminRequest, people, resolveQueued, sendBatch, sendResolved } from '../testing/identity.js';

// Review of the One ID change: every test here fails on the reviewed code because of a bug.

describe.each(testEngines)('One ID review on %s', (engine) => {
  const fx = useAppFixture(engine);
  const send = async (batch: Array<Record<string, unknown>>, body: Record<string, unknown> = {}) => {
    const res = await fx.app.inject({
      method: 'POST',
      url: '/v1/batch',
      payload: JSON.stringify({ ...body, batch }),
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${fx.tenant.writeKey}:`).toString('base64')}` },
    });
    expect(res.statusCode, res.body).toBe(200);
    await resolveQueued(fx.store, fx.tenant.tenantId);
  };
  const profileRows = () => fx.store.db.selectFrom('profiles').select(['id', 'merged_into']).where('tenant_id', '=', fx.tenant.tenantId).execute();

  it('chain merge A → B(new in batch) → C: nothing is left pointing at the merged-away B', async () => {
    // C: seen first (2020), phone only. A: a user seen in 2023.
    await send([
      { type: 'identify', anonymousId: 'c-dev', traits: { phone: '13412340000' }, messageId: 'c0', timestamp: '2020-01-01T00:00:00Z' },
      { type: 'identify', userId: 'user-a', messageId: 'a0', timestamp: '2023-01-01T00:00:00Z' },
    ]);
    // One batch of back-dated events (an offline SDK queue, an import): device n is first seen 2021 (new profile B),
    // then user-a logs in on n (A merges into the older B), then n identifies with C's phone (B merges into C).
    await send([
      { type: 'page', anonymousId: 'n', name: 'Home', messageId: 'b0', timestamp: '2021-01-01T00:00:00Z' },
      { type: 'track', anonymousId: 'n', userId: 'user-a', event: 'Logged In', messageId: 'b1', timestamp: '2021-01-02T00:00:00Z' },
      { type: 'identify', anonymousId: 'n', traits: { phone: '13412340000' }, messageId: 'b2', timestamp: '2021-01-03T00:00:00Z' },
    ]);
    const live = await people(fx.store, fx.tenant.tenantId);
    expect(live).toHaveLength(1);
    const survivor = live[0]!.id;
    // Every identifier and event is on the survivor ...
    expect(live[0]!.identifiers).toEqual(['anonymous_id::c-dev', 'anonymous_id::n', 'phone::+8613412340000', 'user_id::user-a']);
    expect(live[0]!.events).toEqual(['a0', 'b0', 'b1', 'b2', 'c0']);
    // ... and merged_into is always the final survivor.
    for (const p of await profileRows()) if (p.id !== survivor) expect(p.merged_into, p.id).toBe(survivor);
  });

  it('a recycled phone reassigned within one batch leaves the old holder a former identifier', async () => {
    // A DMS history import: the old owner (2023) and, two years later, the new owner of the same number.
    await send([
      { type: 'identify', userId: 'old-owner', traits: { phone: '13512345678' }, messageId: 'o1', timestamp: '2023-03-01T08:00:00Z' },
      { type: 'identify', userId: 'new-owner', traits: { phone: '13512345678' }, messageId: 'n1', timestamp: '2026-03-01T08:00:00Z' },
    ]);
    const old = (await people(fx.store, fx.tenant.tenantId)).find((p) => p.identifiers.includes('user_id::old-owner'))!;
    expect(old.identifiers).toEqual(['user_id::old-owner']);
    const former = await fx.store.db.selectFrom('former_identifiers').select(['profile_id', 'type', 'value']).where('tenant_id', '=', fx.tenant.tenantId).execute();
    // docs/identity.md: "the old profile keeps it under formerIdentities with the date it ended".
    expect(former).toEqual([{ profile_id: old.id, type: 'phone', value: '+8613512345678' }]);
  });

  it('an active customer keeps their phone: "after 180 days without the old holder", not 180 days without the phone in an event', async () => {
    // Registered with a phone once; since then the app sends the user id only (as Segment SDKs do).
    await send([
      { type: 'identify', userId: 'owner', traits: { phone: '13512345678' }, messageId: 'r1', timestamp: '2025-01-01T08:00:00Z' },
      { type: 'track', userId: 'owner', event: 'Service Booked', messageId: 'r2', timestamp: '2025-11-30T08:00:00Z' },
    ]);
    // The next day the spouse leaves the owner's number on a test-drive form.
    await send([{ type: 'identify', userId: 'spouse', traits: { phone: '135 1234 5678' }, messageId: 's1', timestamp: '2025-12-01T08:00:00Z' }]);
    const owner = (await people(fx.store, fx.tenant.tenantId)).find((p) => p.identifiers.includes('user_id::owner'))!;
    expect(owner.identifiers).toEqual(['phone::+8613512345678', 'user_id::owner']);
  });

  it('removing a custom identifier type that profiles hold does not turn later batches into 500s', async () => {
    const put = await adminRequest(fx.app, fx.tenant, 'PUT', '/api/v1/identity/types/crm_id', { priority: 60, maxPerProfile: 1, merges: true, scoped: false, normalizer: 'exact' });
    expect(put.statusCode, put.body).toBe(200);
    await send([
      { type: 'identify', userId: 'u1', context: { externalIds: [{ id: 'crm-1', type: 'crm_id' }] }, messageId: 'm1' },
      { type: 'page', anonymousId: 'dev-x', name: 'Home', messageId: 'm2' },
    ]);
    const del = await adminRequest(fx.app, fx.tenant, 'DELETE', '/api/v1/identity/types/crm_id');
    // Either the type cannot go while profiles hold it (409), or resolution copes with identifiers of a removed type.
    if (del.statusCode === 409) return;
    expect(del.statusCode, del.body).toBe(204);
    // u1 logs in on dev-x: resolution checks the join against u1's profile, which holds a crm_id.
    const res = await sendBatch(fx.app, fx.tenant, [{ type: 'track', userId: 'u1', anonymousId: 'dev-x', event: 'Logged In', messageId: 'm3' }]);
    expect(res.statusCode, res.body).toBe(200);
    // Resolution, which now follows the acknowledgement, must cope too.
    await resolveQueued(fx.store, fx.tenant.tenantId);
  });

  it('externalIds: a numeric id beyond 2^53 is refused like userId, not rounded into another customer', async () => {
    // Two DMS customers whose ids differ in the last digit; JSON numbers above 2^53 round to the same double.
    const payload = `{"batch":[
      {"type":"track","anonymousId":"d1","event":"Serviced","messageId":"x1","context":{"externalIds":[{"id":9007199254740993,"type":"dms_customer_id","collection":"D001"}]}},
      {"type":"track","anonymousId":"d2","event":"Serviced","messageId":"x2","context":{"externalIds":[{"id":9007199254740992,"type":"dms_customer_id","collection":"D001"}]}}]}`;
    const res = await fx.app.inject({
      method: 'POST',
      url: '/v1/batch',
      payload,
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${fx.tenant.writeKey}:`).toString('base64')}` },
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(json(res)).toMatchObject({ error: { code: 'invalid_request' } });
  });

  it('batch-level context.traits count for identity like they count in the stored event', async () => {
    await send(
      [{ type: 'track', anonymousId: 'dev-1', event: 'Lead Submitted', context: { traits: { email: 'wang@example.com' } }, messageId: 'l1' }],
      { context: { traits: { phone: '13712345678' } } },
    );
    const stored = await fx.store.db.selectFrom('events').select('context').where('tenant_id', '=', fx.tenant.tenantId).executeTakeFirstOrThrow();
    expect(JSON.stringify(stored.context)).toContain('13712345678');
    const [person] = await people(fx.store, fx.tenant.tenantId);
    // The stored context (what split and rebuild read) carries both traits; online resolution must see both too.
    expect(person!.identifiers).toEqual(['anonymous_id::dev-1', 'email::wang@example.com', 'phone::+8613712345678']);
  });

  it('splitting a busy profile (130k events, e.g. a showroom tablet) answers 201, not a 500', async () => {
    await send([
      { type: 'identify', userId: 'big-user', anonymousId: 'tablet-9', messageId: 'big-0', timestamp: '2026-01-01T00:00:00Z' },
    ]);
    const [person] = await people(fx.store, fx.tenant.tenantId);
    const src = await fx.store.db.selectFrom('events').select(['source_id', 'received_at']).where('tenant_id', '=', fx.tenant.tenantId).executeTakeFirstOrThrow();
    await sql`
      INSERT INTO events (tenant_id, received_at, message_id, type, source_id, event, user_id, "timestamp", profile_id)
      SELECT ${fx.tenant.tenantId}::uuid, ${src.received_at}::timestamptz, 'bulk-' || g, 'track', ${src.source_id}::uuid, 'Viewed', 'big-user',
        timestamptz '2025-01-01' + g * interval '1 second', ${person!.id}::uuid
      FROM generate_series(1, 130000) g`.execute(fx.store.db);
    const res = await adminRequest(fx.app, fx.tenant, 'POST', `/api/v1/profiles/${person!.id}/split`, { identifiers: [{ type: 'anonymous_id', value: 'tablet-9' }] });
    expect(res.statusCode, res.body).toBe(201);
  }, 120_000);

  it('a blocklist entry can be removed with the same body that added it', async () => {
    const entry = { type: 'phone', value: '400 800 1234' };
    const add = await adminRequest(fx.app, fx.tenant, 'POST', '/api/v1/identity/blocklist', entry);
    expect(add.statusCode, add.body).toBe(200);
    const del = await adminRequest(fx.app, fx.tenant, 'DELETE', '/api/v1/identity/blocklist', entry);
    expect(del.statusCode, del.body).toBe(204);
  });

  it('a long externalIds collection is a 400, not a 500 from the index', async () => {
    const collection = randomBytes(3000).toString('base64');
    const res = await sendBatch(fx.app, fx.tenant, [
      { type: 'track', anonymousId: 'dev-1', event: 'Opened', context: { externalIds: [{ id: 'o1', type: 'wechat_openid', collection }] }, messageId: 'c1' },
    ]);
    expect(res.statusCode, res.body).toBe(400);
    expect(await profileRows()).toEqual([]);
  });
});

describe.each(testEngines.filter((e) => e === 'postgres'))('One ID review: lock order on %s', (engine) => {
  const fx = useAppFixture(engine);
  const VIN = '1M8GDM9AXKP042788';

  it('a merge that moves an ownership does not deadlock with a concurrent resale of the same vehicle', async () => {
    const t = fx.tenant.tenantId;
    // Z: an owner known from the DMS, on record before the events arrive (same start as F's, so neither ends the other).
    const r2 = randomUUID();
    await fx.store.db.insertInto('vehicles').values({ tenant_id: t, vin: VIN }).execute();
    await fx.store.db
      .insertInto('vehicle_relations')
      .values({ tenant_id: t, id: r2, vin: VIN, profile_id: '00000000-0000-4000-8000-000000000001', role: 'owner', valid_from: '2025-06-01T00:00:00Z', source: 'dms' })
      .execute();
    const first = await sendResolved(fx.app, fx.store, fx.tenant, [
      { type: 'identify', anonymousId: 't-dev', traits: { phone: '13600001111' }, messageId: 't0', timestamp: '2025-01-01T00:00:00Z' },
      { type: 'track', userId: 'f-user', event: 'Delivered', properties: { vin: VIN, vehicleRole: 'owner' }, messageId: 'f0', timestamp: '2025-06-01T00:00:00Z' },
      { type: 'identify', userId: 'q-user', messageId: 'q0', timestamp: '2025-02-01T00:00:00Z' },
    ]);
    expect(first.statusCode, first.body).toBe(200);
    const q = (await people(fx.store, t)).find((p) => p.identifiers.includes('user_id::q-user'))!;

    const client = new pg.Client({ connectionString: testDatabaseUrl });
    await client.connect();
    /** Until `n` backends of this database wait on a lock (or `done()`). */
    const lockWaiters = async (n: number, done: () => boolean = () => false) => {
      for (let i = 0; i < 400 && !done(); i++) {
        const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
        if (rows[0]!.n >= n) return;
        await new Promise((r) => setTimeout(r, 25));
      }
      if (!done()) throw new Error(`fewer than ${n} lock waiters`);
    };
    const blocker = new pg.Client({ connectionString: testDatabaseUrl });
    await blocker.connect();
    try {
      // Hold Z's relation so that the resale stops inside closeOtherOwners, holding the vehicle row.
      await blocker.query('BEGIN');
      await blocker.query('SELECT 1 FROM vehicle_relations WHERE tenant_id = $1 AND id = $2 FOR UPDATE', [t, r2]);
      const resale = adminRequest(fx.app, fx.tenant, 'POST', `/api/v1/vehicles/${VIN}/relations`, { profileId: q.id, role: 'owner' });
      await lockWaiters(1);
      // F logs in on T's device with the car: once resolved, F merges into T (seen first), F's ownership moves, the VIN is upserted.
      let ingestDone = false;
      const ingest = sendResolved(fx.app, fx.store, fx.tenant, [
        { type: 'track', userId: 'f-user', anonymousId: 't-dev', event: 'Service Booked', properties: { vin: VIN }, messageId: 'bridge', timestamp: '2026-01-01T00:00:00Z' },
      ]).finally(() => {
        ingestDone = true;
      });
      await lockWaiters(2, () => ingestDone);
      await blocker.query('COMMIT');
      const [a, b] = await Promise.all([resale, ingest]);
      expect([a.statusCode, b.statusCode], `${a.body} ${b.body}`).toEqual([201, 200]);
    } finally {
      await blocker.end();
      await client.end();
    }
  });
});
