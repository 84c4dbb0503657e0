import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { batchSchema } from '../contracts/ingest.js';
import { leadIntakeResultSchema } from '../contracts/leads.js';
import type { TenantCreated } from '../contracts/tenancy.js';
import { systemClock } from '../platform/clock.js';
import type { Store } from '../platform/db/index.js';
import { loadIdentityConfig, rebuildIdentityGraph, resolveQueuedBatch, SYNC_BACKLOG_LIMIT } from '../modules/identity/index.js';
import { resolutionHooks } from '../modules/profiles/index.js';
import { appendTracked, ensureEventPartitions, prepareBatch, type PreparedBatch } from '../modules/ingest/index.js';
import { json, useAppFixture } from '../testing/app.js';
import { Rng } from '../testing/fuzz/rng.js';
import { freshTenant, openTestStore, testDatabaseUrl, testEngines } from '../testing/engines.js';
import { adminRequest, identityLog, people, personHolding, resolveQueued, sendBatch } from '../testing/identity.js';
import { createResolver, drainIdentityQueue } from '../worker/index.js';

/**
 * One ID from the log: the tracking API stores and queues, the resolver consumes the queue. These
 * tests hold the design to its promises: nothing skipped whatever order transactions commit in, the
 * same graph as resolving each request at once, synchronous writes that see queued events, several
 * resolvers without deadlocks, and lag on GET /api/v1/status.
 */

const VINS = ['1M8GDM9AXKP042788', 'LSVAU2187N2123456'];
const phone = (i: number) => `+86 139 1027 ${String(4100 + i * 37).padStart(4, '0')}`;

type Message = Record<string, unknown>;

/**
 * A random stream of batches: identifies with phones shared and recycled across users (merges,
 * blocked merges, reassignments), anonymous browsing, aliases, vehicles in properties and traits.
 * user u-0 comes first and alone holds phone 0 (the split in the middle takes it off).
 */
function randomStream(seed: number, batches: number): Message[][] {
  // Seeded, so a failure replays.
  const rng = new Rng(seed);
  const rnd = () => rng.next();
  const pick = <T,>(xs: readonly T[]): T => rng.pick(xs);
  const users = Array.from({ length: 24 }, (_, i) => `u-${i}`);
  const anons = Array.from({ length: 50 }, (_, i) => `a-${i}`);
  let t = Date.parse('2024-01-01T00:00:00Z');
  let n = 0;
  const next = (): Message => {
    t += Math.floor(rnd() * 3 * 86_400_000);
    const base = { messageId: `m-${seed}-${n++}`, timestamp: new Date(t).toISOString() };
    const r = rnd();
    if (r < 0.3) {
      const user = pick(users.slice(1));
      return { ...base, type: 'identify', userId: user, anonymousId: pick(anons), traits: { phone: phone(1 + Math.floor(rnd() * 10)), name: `name-${Math.floor(rnd() * 5)}`, city: pick(['上海', '北京']) } };
    }
    if (r < 0.55) return { ...base, type: 'track', anonymousId: pick(anons), event: 'Car Configured', properties: rnd() < 0.15 ? { vin: pick(VINS), vehicleRole: 'owner' } : { model: 'x7' } };
    if (r < 0.7) return { ...base, type: 'track', userId: pick(users.slice(1)), event: 'Test Drive Booked', properties: {} };
    if (r < 0.8) return { ...base, type: 'alias', userId: pick(users.slice(1)), previousId: pick(anons) };
    if (r < 0.9) return { ...base, type: 'page', anonymousId: pick(anons), name: 'Home', properties: {} };
    return { ...base, type: 'identify', anonymousId: pick(anons), traits: { phone: phone(1 + Math.floor(rnd() * 10)) } };
  };
  const out: Message[][] = [[{ messageId: `m-${seed}-first`, type: 'identify', userId: 'u-0', anonymousId: 'a-first', timestamp: new Date(t).toISOString(), traits: { phone: phone(0), name: '零' } }]];
  for (let b = 1; b < batches; b++) out.push(Array.from({ length: 1 + Math.floor(rnd() * 30) }, next));
  return out;
}

/** The graph as people see it, without profile ids (which differ between tenants). */
async function graphOf(store: Store, tenantId: string) {
  const persons = await people(store, tenantId);
  const holder = new Map(persons.map((p) => [p.id, p.identifiers.join(' ')]));
  const relations = await store.db.selectFrom('vehicle_relations').select(['vin', 'profile_id', 'role', 'valid_to']).where('tenant_id', '=', tenantId).execute();
  const former = await store.db.selectFrom('former_identifiers').select(['profile_id', 'type', 'value', 'valid_to']).where('tenant_id', '=', tenantId).execute();
  const profileOf = async (id: string) => {
    const { rows } = await sql<{ live: string }>`SELECT coalesce(merged_into, id) AS live FROM profiles WHERE tenant_id = ${tenantId} AND id = ${id}`.execute(store.db);
    return holder.get(rows[0]?.live ?? '') ?? `gone:${id}`;
  };
  return {
    people: persons.map(({ identifiers, events, traits }) => ({ identifiers, events, traits })),
    log: (await identityLog(store, tenantId)).map((l) => `${l.kind} ${l.reason ?? ''} ${l.trigger ?? ''}`),
    vehicles: (await Promise.all(relations.map(async (r) => `${r.vin} ${r.role} ${r.valid_to ? 'ended' : 'open'} ${await profileOf(r.profile_id)}`))).sort(),
    former: (await Promise.all(former.map(async (f) => `${f.type}:${f.value} ${f.valid_to.toISOString()} ${await profileOf(f.profile_id)}`))).sort(),
  };
}

async function waitingEvents(store: Store, tenantId: string): Promise<number> {
  const { rows } = await sql<{ n: string | null }>`SELECT sum(events) AS n FROM identity_queue WHERE tenant_id = ${tenantId}`.execute(store.db);
  return Number(rows[0]?.n ?? 0);
}

async function unresolvedEvents(store: Store, tenantId: string): Promise<number> {
  const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM events WHERE tenant_id = ${tenantId} AND profile_id IS NULL`.execute(store.db);
  return Number(rows[0]?.n ?? 0);
}

describe.each(testEngines)('One ID from the log on %s', (engine) => {
  const fx = useAppFixture(engine);
  const admin = (tenant: TenantCreated, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) => adminRequest(fx.app, tenant, method, url, payload);

  it('a tracking call only stores and queues; the resolver makes the person, and the status shows the lag until it has', async () => {
    const res = await sendBatch(fx.app, fx.tenant, [{ type: 'identify', userId: 'q-1', anonymousId: 'qa-1', traits: { phone: '13910274100' } }]);
    expect(res.statusCode).toBe(200);
    expect(await people(fx.store, fx.tenant.tenantId)).toEqual([]);
    expect(await unresolvedEvents(fx.store, fx.tenant.tenantId)).toBe(1);
    const before = json(await admin(fx.tenant, 'GET', '/api/v1/status'));
    expect(before).toMatchObject({ identity: { waitingEvents: 1, waitingBatches: 1, resolvedTotal: 0, lastResolvedAt: null } });

    expect(await resolveQueued(fx.store, fx.tenant.tenantId)).toBe(1);
    expect((await personHolding(fx.store, fx.tenant.tenantId, 'user_id::q-1'))?.identifiers).toEqual(['anonymous_id::qa-1', 'phone::+8613910274100', 'user_id::q-1']);
    expect(await unresolvedEvents(fx.store, fx.tenant.tenantId)).toBe(0);
    const after = json(await admin(fx.tenant, 'GET', '/api/v1/status'));
    expect(after).toMatchObject({ identity: { waitingEvents: 0, waitingBatches: 0, oldestWaitingAt: null, resolvedTotal: 1 } });
    // Resolution marked the person changed, so tags, stages and segments follow.
    const dirty = await fx.store.db.selectFrom('profiles_dirty').select('profile_id').where('tenant_id', '=', fx.tenant.tenantId).execute();
    expect(new Set(dirty.map((d) => d.profile_id)).size).toBe(1);
  });

  it('resolving in large batches from the queue gives the graph that resolving each request at once gave, split in the middle included', { timeout: 60_000 }, async () => {
    const stream = randomStream(20261207, 40);
    const splitAt = 20;
    const sync = fx.tenant;
    const queued = await freshTenant(fx.store);
    const split = async (tenant: TenantCreated) => {
      const person = await personHolding(fx.store, tenant.tenantId, 'user_id::u-0');
      expect(person?.identifiers).toContain('phone::+8613910274100');
      const res = await admin(tenant, 'POST', `/api/v1/profiles/${person!.id}/split`, { identifiers: [{ type: 'phone', value: '13910274100' }] });
      expect(res.statusCode, res.body).toBe(201);
    };

    for (const [i, batch] of stream.entries()) {
      if (i === splitAt) await split(sync);
      expect((await sendBatch(fx.app, sync, batch)).statusCode).toBe(200);
      await resolveQueued(fx.store, sync.tenantId);
    }

    for (const [i, batch] of stream.entries()) {
      // The split names a profile, which an operator finds resolved: u-0's, resolved once at the start.
      if (i === 1) await resolveQueued(fx.store, queued.tenantId);
      if (i === splitAt) {
        expect(await waitingEvents(fx.store, queued.tenantId)).toBeGreaterThan(100);
        await split(queued); // resolves what was acknowledged before it, in its own transaction
        expect(await waitingEvents(fx.store, queued.tenantId)).toBe(0);
      }
      expect((await sendBatch(fx.app, queued, batch)).statusCode).toBe(200);
    }
    expect(await waitingEvents(fx.store, queued.tenantId)).toBeGreaterThan(100);
    await resolveQueued(fx.store, queued.tenantId);

    const expected = await graphOf(fx.store, sync.tenantId);
    const actual = await graphOf(fx.store, queued.tenantId);
    // The stream exercises what it should.
    expect(expected.log.some((l) => l.startsWith('merge'))).toBe(true);
    expect(expected.log.some((l) => l.startsWith('blocked_merge'))).toBe(true);
    expect(expected.log.some((l) => l.startsWith('reassign'))).toBe(true);
    expect(expected.vehicles.length).toBeGreaterThan(0);
    expect(expected.former.length).toBeGreaterThan(0);
    expect(actual).toEqual(expected);
  });

  it('a lead for a phone whose tracking events are still queued gets the answer it gets once they are resolved', async () => {
    const identify = [{ type: 'identify', userId: 'lead-q', traits: { phone: '13910277777', name: '李雷' } }];
    const lead = { source: 'website', externalId: `w-${randomUUID()}`, name: '李雷', phone: '13910277777', city: '北京' };
    const resolvedFirst = await freshTenant(fx.store);
    expect((await sendBatch(fx.app, resolvedFirst, identify)).statusCode).toBe(200);
    await resolveQueued(fx.store, resolvedFirst.tenantId);
    const a = await admin(resolvedFirst, 'POST', '/api/v1/leads', lead);

    expect((await sendBatch(fx.app, fx.tenant, identify)).statusCode).toBe(200);
    expect(await waitingEvents(fx.store, fx.tenant.tenantId)).toBe(1);
    const b = await admin(fx.tenant, 'POST', '/api/v1/leads', lead);

    expect(a.statusCode, a.body).toBe(201);
    expect(b.statusCode, b.body).toBe(201);
    const ra = leadIntakeResultSchema.parse(json(a));
    const rb = leadIntakeResultSchema.parse(json(b));
    expect(ra.dedup).toBe('merged');
    expect(rb.dedup).toBe(ra.dedup);
    expect(await waitingEvents(fx.store, fx.tenant.tenantId)).toBe(0);
    expect((await personHolding(fx.store, fx.tenant.tenantId, 'user_id::lead-q'))?.id).toBe(rb.profileId);
  });

  it('a lead, split or erasure is refused with 503 and Retry-After, changing nothing, while more tracked events wait than a request resolves', { timeout: 60_000 }, async () => {
    expect((await sendBatch(fx.app, fx.tenant, [{ type: 'identify', userId: 'known-1', traits: { phone: '13910274444' } }])).statusCode).toBe(200);
    await resolveQueued(fx.store, fx.tenant.tenantId);
    const known = (await personHolding(fx.store, fx.tenant.tenantId, 'user_id::known-1'))!;
    const batches = 5;
    const per = Math.ceil((SYNC_BACKLOG_LIMIT + 1) / batches);
    for (let b = 0; b < batches; b++) {
      const events = Array.from({ length: per }, (_, i) => ({ type: 'track', event: 'Page Viewed', anonymousId: `bulk-${b}-${i % 50}` }));
      expect((await sendBatch(fx.app, fx.tenant, events)).statusCode).toBe(200);
    }
    const waiting = await waitingEvents(fx.store, fx.tenant.tenantId);
    expect(waiting).toBeGreaterThan(SYNC_BACKLOG_LIMIT);
    const lead = { source: 'website', externalId: `w-${randomUUID()}`, name: '韩梅梅', phone: '13910275555', city: '北京' };
    const refused = await admin(fx.tenant, 'POST', '/api/v1/leads', lead);
    expect(refused.statusCode, refused.body).toBe(503);
    expect(json(refused)).toMatchObject({ error: { code: 'unavailable', details: { waitingEvents: waiting } } });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(await waitingEvents(fx.store, fx.tenant.tenantId)).toBe(waiting);
    expect(await fx.store.db.selectFrom('leads').select('id').where('tenant_id', '=', fx.tenant.tenantId).execute()).toEqual([]);

    // A split or an erasure of a known person waits too; an unknown id is a 404 at once, backlog or not.
    const split = await admin(fx.tenant, 'POST', `/api/v1/profiles/${known.id}/split`, { identifiers: [{ type: 'phone', value: '13910274444' }] });
    expect(split.statusCode, split.body).toBe(503);
    const erase = await admin(fx.tenant, 'DELETE', `/api/v1/profiles/${known.id}`);
    expect(erase.statusCode, erase.body).toBe(503);
    expect(await personHolding(fx.store, fx.tenant.tenantId, 'user_id::known-1')).toMatchObject({ id: known.id });
    for (const [method, path] of [['POST', `/api/v1/profiles/${randomUUID()}/split`], ['DELETE', `/api/v1/profiles/${randomUUID()}`]] as const) {
      const res = await admin(fx.tenant, method, path, method === 'POST' ? { identifiers: [{ type: 'phone', value: '13910274444' }] } : undefined);
      expect(res.statusCode, res.body).toBe(404);
    }
    expect(await waitingEvents(fx.store, fx.tenant.tenantId)).toBe(waiting);

    await resolveQueued(fx.store, fx.tenant.tenantId);
    const accepted = await admin(fx.tenant, 'POST', '/api/v1/leads', lead);
    expect(accepted.statusCode, accepted.body).toBe(201);
  });

  it('a queue row that does not decode (written by another version) is resolved from the stored events', async () => {
    const batch = [
      { type: 'identify', userId: 'skew-1', anonymousId: 'skew-a', traits: { phone: '13910276666', name: '王芳' } },
      { type: 'alias', userId: 'skew-1', previousId: 'skew-old' },
      { type: 'track', event: 'Page Viewed', anonymousId: 'skew-a' },
    ];
    const clean = await freshTenant(fx.store);
    expect((await sendBatch(fx.app, clean, batch)).statusCode).toBe(200);
    await resolveQueued(fx.store, clean.tenantId);

    expect((await sendBatch(fx.app, fx.tenant, batch)).statusCode).toBe(200);
    await sql`UPDATE identity_queue SET identity = '{"format": 2}' WHERE tenant_id = ${fx.tenant.tenantId}`.execute(fx.store.db);
    expect(await resolveQueued(fx.store, fx.tenant.tenantId)).toBe(3);
    expect(await unresolvedEvents(fx.store, fx.tenant.tenantId)).toBe(0);
    const shape = async (tenantId: string) => (await people(fx.store, tenantId)).map((p) => ({ identifiers: p.identifiers, traits: p.traits }));
    expect(await shape(fx.tenant.tenantId)).toEqual(await shape(clean.tenantId));
    expect(await shape(fx.tenant.tenantId)).toMatchObject([{ identifiers: ['anonymous_id::skew-a', 'anonymous_id::skew-old', 'phone::+8613910276666', 'user_id::skew-1'] }]);
  });

  it('a queue row that neither decodes nor names a stored event is counted as missing and dropped, and the tenant goes on', async () => {
    await sql`INSERT INTO identity_queue (tenant_id, received_at, event_ids, events, identity)
      VALUES (${fx.tenant.tenantId}, '2000-01-01T00:00:00Z', '{1}', 1, 'not json')`.execute(fx.store.db);
    expect((await sendBatch(fx.app, fx.tenant, [{ type: 'identify', userId: 'after-damage' }])).statusCode).toBe(200);
    const done = await fx.store.db.transaction().execute((trx) => resolveQueuedBatch(trx, fx.tenant.tenantId, resolutionHooks, new Date()));
    expect(done).toMatchObject({ events: 1, batches: 2, missing: 1 });
    expect(await waitingEvents(fx.store, fx.tenant.tenantId)).toBe(0);
    expect(await personHolding(fx.store, fx.tenant.tenantId, 'user_id::after-damage')).toBeDefined();
  });

  it('a merge made by resolution moves the merged-away person’s leads, dealer links and origin to the survivor', async () => {
    expect((await sendBatch(fx.app, fx.tenant, [{ type: 'identify', userId: 'u-lead', anonymousId: 'x-lead', timestamp: '2024-01-01T00:00:00Z' }])).statusCode).toBe(200);
    await resolveQueued(fx.store, fx.tenant.tenantId);
    const older = await personHolding(fx.store, fx.tenant.tenantId, 'user_id::u-lead');
    const lead = await admin(fx.tenant, 'POST', '/api/v1/leads', { source: 'website', externalId: `w-${randomUUID()}`, name: '韩梅梅', phone: '13910276666', city: '上海' });
    expect(lead.statusCode, lead.body).toBe(201);
    const leadPerson = leadIntakeResultSchema.parse(json(lead)).profileId;
    expect(leadPerson).not.toBe(older!.id);

    // The user logs in with the lead's phone: the lead's (younger) profile merges into the older one.
    expect((await sendBatch(fx.app, fx.tenant, [{ type: 'identify', userId: 'u-lead', traits: { phone: '13910276666' } }])).statusCode).toBe(200);
    await resolveQueued(fx.store, fx.tenant.tenantId);
    const merged = await fx.store.db.selectFrom('profiles').select('merged_into').where('tenant_id', '=', fx.tenant.tenantId).where('id', '=', leadPerson!).executeTakeFirstOrThrow();
    expect(merged.merged_into).toBe(older!.id);
    const named = async (table: 'leads' | 'customer_links' | 'profile_origins') =>
      (await fx.store.db.selectFrom(table).select('profile_id').where('tenant_id', '=', fx.tenant.tenantId).execute()).map((r) => r.profile_id);
    expect(await named('leads')).toEqual([older!.id]);
    for (const table of ['customer_links', 'profile_origins'] as const) expect((await named(table)).filter((id) => id === leadPerson)).toEqual([]);
  });

  it('a resale seen in events and a split mark every person they change, so segments follow', async () => {
    const dirty = async () => [...new Set((await fx.store.db.selectFrom('profiles_dirty').select('profile_id').where('tenant_id', '=', fx.tenant.tenantId).execute()).map((r) => r.profile_id))].sort();
    const clear = () => fx.store.db.deleteFrom('profiles_dirty').where('tenant_id', '=', fx.tenant.tenantId).execute();
    const vin = VINS[0]!;
    expect((await sendBatch(fx.app, fx.tenant, [{ type: 'identify', userId: 'seller', traits: { vin, vehicleRole: 'owner', phone: '13910275555' }, timestamp: '2025-01-01T00:00:00Z' }])).statusCode).toBe(200);
    await resolveQueued(fx.store, fx.tenant.tenantId);
    const seller = (await personHolding(fx.store, fx.tenant.tenantId, 'user_id::seller'))!;
    await clear();
    expect((await sendBatch(fx.app, fx.tenant, [{ type: 'identify', userId: 'buyer', traits: { vin, vehicleRole: 'owner' }, timestamp: '2026-01-01T00:00:00Z' }])).statusCode).toBe(200);
    await resolveQueued(fx.store, fx.tenant.tenantId);
    const buyer = (await personHolding(fx.store, fx.tenant.tenantId, 'user_id::buyer'))!;
    expect(await dirty()).toEqual([buyer.id, seller.id].sort());

    await clear();
    const split = await admin(fx.tenant, 'POST', `/api/v1/profiles/${seller.id}/split`, { identifiers: [{ type: 'phone', value: '13910275555' }] });
    expect(split.statusCode, split.body).toBe(201);
    const { newProfileId } = json(split) as { newProfileId: string };
    expect(await dirty()).toEqual([seller.id, newProfileId].sort());
  });

  it('a tenant whose queued batch cannot be resolved does not hold up another tenant', async () => {
    const broken = await freshTenant(fx.store);
    expect((await sendBatch(fx.app, broken, [{ type: 'identify', userId: 'broken-1' }])).statusCode).toBe(200);
    // The broken tenant's store refuses new people (a trigger standing in for a fault), so its batch fails on every try.
    const name = `refuse_${randomUUID().replaceAll('-', '')}`;
    await sql`CREATE FUNCTION ${sql.id(name)}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$`.execute(fx.store.db);
    await sql`CREATE TRIGGER ${sql.id(name)} BEFORE INSERT ON profiles FOR EACH ROW WHEN (NEW.tenant_id = ${sql.lit(broken.tenantId)}) EXECUTE FUNCTION ${sql.id(name)}()`.execute(fx.store.db);
    try {
      expect((await sendBatch(fx.app, fx.tenant, [{ type: 'identify', userId: 'healthy-1' }])).statusCode).toBe(200);
      const resolver = createResolver({ db: fx.store.db, clock: systemClock, onlyTenants: new Set([broken.tenantId, fx.tenant.tenantId]) });
      expect(await resolver.round()).toBe(1);
      expect(await waitingEvents(fx.store, fx.tenant.tenantId)).toBe(0);
      expect(await personHolding(fx.store, fx.tenant.tenantId, 'user_id::healthy-1')).toBeDefined();
      expect(await waitingEvents(fx.store, broken.tenantId)).toBe(1);
      expect(await personHolding(fx.store, broken.tenantId, 'user_id::broken-1')).toBeUndefined();
    } finally {
      await sql`DROP TRIGGER ${sql.id(name)} ON profiles`.execute(fx.store.db);
      await sql`DROP FUNCTION ${sql.id(name)}()`.execute(fx.store.db);
    }
    await fx.store.db.deleteFrom('identity_queue').where('tenant_id', '=', broken.tenantId).execute();
  });

  it('erasure first resolves the person’s queued events, so they go with the person', async () => {
    expect((await sendBatch(fx.app, fx.tenant, [{ type: 'identify', userId: 'erase-q', traits: { phone: '13910278888' } }])).statusCode).toBe(200);
    await resolveQueued(fx.store, fx.tenant.tenantId);
    const person = await personHolding(fx.store, fx.tenant.tenantId, 'user_id::erase-q');
    expect((await sendBatch(fx.app, fx.tenant, [{ type: 'track', userId: 'erase-q', event: 'Brochure Downloaded', properties: {} }])).statusCode).toBe(200);
    const res = await adminRequest(fx.app, fx.tenant, 'DELETE', `/api/v1/profiles/${person!.id}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(await waitingEvents(fx.store, fx.tenant.tenantId)).toBe(0);
    const left = await fx.store.db.selectFrom('events').select('id').where('tenant_id', '=', fx.tenant.tenantId).execute();
    expect(left).toEqual([]);
  });
});

describe.skipIf(!testDatabaseUrl)('One ID from the log on PostgreSQL, concurrently', () => {
  /** A PostgreSQL store of its own, a fresh tenant, and identify batches prepared for it (userId = messageId = each tag). */
  async function onPostgres(fn: (w: { store: Store; tenant: TenantCreated; prepare: (tags: string[]) => PreparedBatch }) => Promise<void>): Promise<void> {
    const store = await openTestStore('postgres');
    try {
      const tenant = await freshTenant(store);
      const now = systemClock.now();
      await ensureEventPartitions(store, [now]);
      const config = await loadIdentityConfig(store.db, tenant.tenantId);
      const prepare = (tags: string[]) => prepareBatch(tenant, batchSchema.parse({ batch: tags.map((t) => ({ type: 'identify', userId: t, messageId: t })) }), config, now);
      await fn({ store, tenant, prepare });
    } finally {
      await store.close();
    }
  }

  it('skips nothing when ingest transactions commit out of id order', { timeout: 30_000 }, async () => {
    await onPostgres(async ({ store, tenant, prepare }) => {
      const rows = (tag: string) => prepare([0, 1, 2].map((i) => `${tag}-${i}`));

      // A stores first (lower ids and queue seq) but commits last.
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let stored!: () => void;
      const aStored = new Promise<void>((resolve) => (stored = resolve));
      const a = store.db.transaction().execute(async (trx) => {
        await appendTracked(trx, rows('a'));
        stored();
        await gate;
      });
      await aStored;
      await store.db.transaction().execute((trx) => appendTracked(trx, rows('b')));

      const ids = async () => (await store.db.selectFrom('events').select(['message_id', 'id', 'profile_id']).where('tenant_id', '=', tenant.tenantId).execute()).map((r) => ({ ...r, id: BigInt(r.id) }));
      // Only B is visible, and its ids are above A's: a reader keeping a high-water mark of ids would now pass A.
      expect(await drainIdentityQueue(store.db, systemClock, tenant.tenantId)).toBe(3);
      release();
      await a;
      const all = await ids();
      const maxA = all.filter((r) => r.message_id.startsWith('a-')).reduce((m, r) => (r.id > m ? r.id : m), 0n);
      const minB = all.filter((r) => r.message_id.startsWith('b-')).reduce((m, r) => (r.id < m ? r.id : m), BigInt(Number.MAX_SAFE_INTEGER));
      expect(maxA < minB).toBe(true);
      expect(all.filter((r) => r.profile_id === null).map((r) => r.message_id).sort()).toEqual(['a-0', 'a-1', 'a-2']);

      expect(await drainIdentityQueue(store.db, systemClock, tenant.tenantId)).toBe(3);
      expect((await ids()).filter((r) => r.profile_id === null)).toEqual([]);
      expect(await waitingEvents(store, tenant.tenantId)).toBe(0);
    });
  });

  it('a rebuild and tracked appends exclude each other, so the rebuild clears exactly the queue rows of the events it read', { timeout: 30_000 }, async () => {
    await onPostgres(async ({ store, tenant, prepare }) => {
      const batch = (tag: string) => prepare([tag]);
      await store.db.transaction().execute((trx) => appendTracked(trx, batch('before')));

      // A rebuild starts while a resolver holds the identity lock: it takes the append lock, then waits.
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let held!: () => void;
      const lockHeld = new Promise<void>((resolve) => (held = resolve));
      const resolverTx = store.db.transaction().execute(async (trx) => {
        await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`siyu.identity:${tenant.tenantId}`}, 0))`.execute(trx);
        held();
        await gate;
      });
      const waiting = async (n: number) => {
        for (let i = 0; i < 400; i++) {
          const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`.execute(store.db);
          if (Number(rows[0]?.n) >= n) return;
          await new Promise((r) => setTimeout(r, 25));
        }
        throw new Error(`fewer than ${n} waiting advisory locks`);
      };
      await lockHeld;
      const rebuildRun = rebuildIdentityGraph(store, tenant.tenantId, { actor: 'test', ...resolutionHooks });
      await waiting(1);
      // An append arriving now waits for the rebuild (which holds the append lock).
      let appended = false;
      const append = store.db.transaction().execute((trx) => appendTracked(trx, batch('during'))).then(() => (appended = true));
      await waiting(2);
      expect(appended).toBe(false);
      release();
      await resolverTx;
      const summary = await rebuildRun;
      await append;
      expect(summary.events).toBe(1);
      // The rebuild took the first event's queue row; the append's row is there for the resolver.
      const rows = await store.db.selectFrom('identity_queue').select('event_ids').where('tenant_id', '=', tenant.tenantId).execute();
      expect(rows).toHaveLength(1);
      expect(await drainIdentityQueue(store.db, systemClock, tenant.tenantId)).toBe(1);
      expect(await unresolvedEvents(store, tenant.tenantId)).toBe(0);
    });
  });

  it('four resolvers on three tenants: no deadlock, each event resolved once, the graph as one resolver makes it', { timeout: 60_000 }, async () => {
    const stores = await Promise.all(Array.from({ length: 4 }, () => openTestStore('postgres')));
    try {
      const tenants = await Promise.all([0, 1, 2].map(() => freshTenant(stores[0]!)));
      const reference = await freshTenant(stores[0]!);
      const stream = randomStream(7, 30);
      const now = systemClock.now();
      await ensureEventPartitions(stores[0]!, [now]);
      const ingest = async (tenant: TenantCreated, batch: Message[], store: Store) => {
        const prepared = prepareBatch(tenant, batchSchema.parse({ batch }), await loadIdentityConfig(store.db, tenant.tenantId), now);
        await store.db.transaction().execute((trx) => appendTracked(trx, prepared));
      };
      for (const batch of stream) {
        await ingest(reference, batch, stores[0]!);
        await drainIdentityQueue(stores[0]!.db, systemClock, reference.tenantId);
      }
      for (const batch of stream) for (const [i, t] of tenants.entries()) await ingest(t, batch, stores[i]!);

      const ours = new Set(tenants.map((t) => t.tenantId));
      const resolvers = stores.map((s) => createResolver({ db: s.db, clock: systemClock, onlyTenants: ours }, { batchEvents: 40 }));
      const backlog = async () => {
        const { rows } = await sql<{ n: string | null }>`SELECT sum(events) AS n FROM identity_queue WHERE tenant_id = ANY(${[...ours]}::uuid[])`.execute(stores[0]!.db);
        return Number(rows[0]?.n ?? 0);
      };
      await Promise.all(resolvers.map(async (r) => {
        for (let round = 0; round < 500 && (await backlog()) > 0; round++) await r.round();
      }));
      expect(await backlog()).toBe(0);

      const expected = await graphOf(stores[0]!, reference.tenantId);
      for (const t of tenants) {
        expect(await unresolvedEvents(stores[0]!, t.tenantId)).toBe(0);
        const stats = await stores[0]!.db.selectFrom('identity_resolver_stats').select('resolved_total').where('tenant_id', '=', t.tenantId).executeTakeFirstOrThrow();
        expect(Number(stats.resolved_total)).toBe(stream.flat().length);
        expect(await graphOf(stores[0]!, t.tenantId)).toEqual(expected);
      }
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});
