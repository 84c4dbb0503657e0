import { describe, expect, it } from 'vitest';
import { ManualClock } from '../platform/clock.js';
import { pendingJobs } from '../platform/jobs/index.js';
import { json, useAppFixture } from '../testing/app.js';
import { testEngines } from '../testing/engines.js';
import { adminRequest, sendBatch } from '../testing/identity.js';
import { drainIdentityQueue, siyuWorker } from '../worker/index.js';

const DAY = 86_400_000;
const issues = (body: string) => (JSON.parse(body) as { error: { details: { issues: { path: string }[] } } }).error.details.issues.map((i) => i.path);

describe.each(testEngines)('segments API on %s', (engine) => {
  const clock = new ManualClock(new Date());
  const fx = useAppFixture(engine, { clock });
  const admin = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) => adminRequest(fx.app, fx.tenant, method, url, payload);
  const at = (daysAgo: number) => new Date(clock.now().getTime() - daysAgo * DAY).toISOString();
  let seq = 0;
  const track = (userId: string, event: string, daysAgo: number, properties: Record<string, unknown> = {}) => ({
    type: 'track',
    userId,
    event,
    properties,
    timestamp: at(daysAgo),
    messageId: `s${(seq += 1)}-${Math.random()}`,
  });
  const worker = () => siyuWorker({ db: fx.store.db, clock, onlyTenant: fx.tenant.tenantId });
  /** What resolveQueued does, on the test's clock: the refresh job resolution requests is due at `clock`'s now. */
  const resolve = () => drainIdentityQueue(fx.store.db, clock, fx.tenant.tenantId);
  const profileOf = async (userId: string) =>
    (
      await fx.store.db
        .selectFrom('profile_identifiers')
        .select('profile_id')
        .where('tenant_id', '=', fx.tenant.tenantId)
        .where('type', '=', 'user_id')
        .where('value', '=', userId)
        .executeTakeFirstOrThrow()
    ).profile_id;

  it('refuses bad definitions with 400 naming the JSON path, and saves nothing', async () => {
    const bad: Array<[unknown, string]> = [
      [{ type: 'and', conditions: [{ type: 'trait', trait: 'city', op: 'eq', value: 'x' }, { type: 'trait', trait: "city') OR 1=1 --", op: 'exists' }] }, 'definition.condition.conditions[1].trait'],
      [{ type: 'event', event: 'E', where: [{ property: "a.b'--", op: 'exists' }] }, 'definition.condition.where[0].property'],
      [{ type: 'event', event: 'E', where: [{ property: 'a.b.c.d.e.f', op: 'exists' }] }, 'definition.condition.where[0].property'],
      [{ type: 'trait', trait: 'age', op: 'between', from: 1, to: '2026-01-01' }, 'definition.condition.to'],
      [{ type: 'trait', trait: 'age', op: 'around', value: 1 }, 'definition.condition.op'],
      [{ type: 'or', conditions: [{ type: 'trait', trait: 'd', op: 'before', value: '2026-02-30' }] }, 'definition.condition.conditions[0].value'],
      [{ type: 'tag', tag: '6f1c1f7e-0000-4000-8000-000000000000' }, 'definition.condition.tag'],
      [{ type: 'stage', model: 'nope', stages: ['A1'] }, 'definition.condition.model'],
      [{ type: 'vehicle', purchased: { op: 'gt', value: 5 } }, 'definition.condition.purchased.value'],
      [{ type: 'sql', query: 'select 1' }, 'definition.condition.type'],
    ];
    for (const [condition, path] of bad) {
      for (const url of ['/api/v1/segments/preview', '/api/v1/segments']) {
        const res = await admin('POST', url, url.endsWith('preview') ? { definition: { condition } } : { name: 'bad', definition: { condition } });
        expect(res.statusCode, res.body).toBe(400);
        const body = json(res) as { error: { code: string; message: string } };
        expect(body.error.code).toBe('invalid_request');
        expect(issues(res.body)).toContain(path);
      }
    }
    let deep: unknown = { type: 'trait', trait: 'a', op: 'exists' };
    for (let i = 0; i < 9; i++) deep = { type: 'not', condition: deep };
    expect((await admin('POST', '/api/v1/segments/preview', { definition: { condition: deep } })).statusCode).toBe(400);
    const absurd = `{"definition":{"condition":${'{"type":"not","condition":'.repeat(5000)}{"type":"and","conditions":[]}${'}'.repeat(5000)}}}`;
    const res = await fx.app.inject({ method: 'POST', url: '/api/v1/segments/preview', payload: absurd, headers: { authorization: `Bearer ${fx.tenant.adminToken}`, 'content-type': 'application/json' } });
    expect(res.statusCode, res.body).toBe(400);
    expect(json(await admin('GET', '/api/v1/segments'))).toEqual({ data: [] });
  });

  it('saves a segment idempotently, keeps members current from new events, and records entries and exits', async () => {
    expect((await sendBatch(fx.app, fx.tenant, [track('a', 'Content Viewed', 2), track('b', 'Content Viewed', 40), track('c', 'Store Visited', 1)])).statusCode).toBe(200);
    await resolve();
    const definition = { condition: { type: 'event', event: 'Content Viewed', window: { lastDays: 30 } } };
    const created = await admin('POST', '/api/v1/segments', { name: '近30天看过内容', definition });
    expect(created.statusCode, created.body).toBe(201);
    const segment = json(created) as { id: string; memberCount: number; timeDependent: boolean; revision: number };
    // Saving answers at once; the materialise job computes the members.
    expect(segment).toMatchObject({ memberCount: 0, state: 'computing', timeDependent: true, revision: 1 });
    expect(await worker().drain()).toBeGreaterThan(0);
    expect(json(await admin('GET', `/api/v1/segments/${segment.id}`))).toMatchObject({ memberCount: 1, state: 'ready', revision: 1 });
    const replay = await admin('POST', '/api/v1/segments', { name: '近30天看过内容', definition });
    expect(replay.statusCode).toBe(200);
    expect((json(replay) as { id: string }).id).toBe(segment.id);
    expect((await admin('POST', '/api/v1/segments', { name: '近30天看过内容', definition: { condition: { type: 'event', event: 'X' } } })).statusCode).toBe(409);

    // c reads an article: the ingest marks c changed; the refresh job (due at once) adds c.
    expect((await sendBatch(fx.app, fx.tenant, [track('c', 'Content Viewed', 0)])).statusCode).toBe(200);
    await resolve();
    expect(await worker().drain()).toBeGreaterThan(0);
    const [a, c] = [await profileOf('a'), await profileOf('c')];
    let members = json(await admin('GET', `/api/v1/segments/${segment.id}/members`)) as { data: { profileId: string }[] };
    expect(members.data.map((m) => m.profileId).sort()).toEqual([a, c].sort());
    expect((json(await admin('GET', `/api/v1/segments/${segment.id}`)) as { memberCount: number }).memberCount).toBe(2);

    // 29 days on, a's article is older than 30 days: the scheduled pass takes a out.
    clock.advance(29 * DAY);
    expect((await pendingJobs(fx.store.db, fx.tenant.tenantId)).map((j) => j.kind)).toContain('segments.scheduled');
    await worker().drain();
    members = json(await admin('GET', `/api/v1/segments/${segment.id}/members`)) as { data: { profileId: string }[] };
    expect(members.data.map((m) => m.profileId)).toEqual([c]);

    const changes = json(await admin('GET', `/api/v1/segments/${segment.id}/changes?limit=2`)) as { data: { id: string; profileId: string; kind: string }[]; nextCursor: string };
    expect(changes.data.map((x) => [x.profileId, x.kind])).toEqual([
      [a, 'segment_entered'],
      [c, 'segment_entered'],
    ]);
    const rest = json(await admin('GET', `/api/v1/segments/${segment.id}/changes?after=${changes.nextCursor}`)) as { data: { profileId: string; kind: string }[] };
    expect(rest.data.map((x) => [x.profileId, x.kind])).toEqual([[a, 'segment_exited']]);

    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(clock.now());
    const counts = json(await admin('GET', `/api/v1/segments/${segment.id}/counts?from=2020-01-01&to=${today}`)) as { data: { day: string; count: number }[] };
    expect(counts.data.at(-1)).toEqual({ day: today, count: 1 });
  });

  it('moves a person out when a trait changes and when they are merged into someone else', async () => {
    const identify = (userId: string | undefined, anonymousId: string | undefined, traits: Record<string, unknown>) => ({
      type: 'identify',
      ...(userId ? { userId } : {}),
      ...(anonymousId ? { anonymousId } : {}),
      traits,
      messageId: `i${(seq += 1)}-${Math.random()}`,
    });
    await sendBatch(fx.app, fx.tenant, [identify('d', undefined, { city: '上海' }), identify(undefined, 'anon-e', { city: '上海' })]);
    await resolve();
    const created = json(await admin('POST', '/api/v1/segments', { name: 'Shanghai', definition: { condition: { type: 'trait', trait: 'city', op: 'eq', value: '上海' } } })) as {
      id: string;
    };
    await worker().drain();
    expect((json(await admin('GET', `/api/v1/segments/${created.id}`)) as { memberCount: number }).memberCount).toBe(2);
    // anon-e signs in as d: one of the two profiles is merged into the other and must leave.
    await sendBatch(fx.app, fx.tenant, [identify('d', 'anon-e', {})]);
    await resolve();
    const d = await profileOf('d');
    clock.advance(6_000);
    await worker().drain();
    let members = json(await admin('GET', `/api/v1/segments/${created.id}/members`)) as { data: { profileId: string }[] };
    expect(members.data.map((m) => m.profileId)).toEqual([d]);
    const exits = json(await admin('GET', `/api/v1/segments/${created.id}/changes`)) as { data: { profileId: string; kind: string }[] };
    expect(exits.data.filter((x) => x.kind === 'segment_exited').map((x) => x.profileId)).toHaveLength(1);
    expect(exits.data.find((x) => x.kind === 'segment_exited')?.profileId).not.toBe(d);
    await sendBatch(fx.app, fx.tenant, [identify('d', undefined, { city: '杭州' })]);
    await resolve();
    clock.advance(6_000);
    await worker().drain();
    members = json(await admin('GET', `/api/v1/segments/${created.id}/members`)) as { data: { profileId: string }[] };
    expect(members.data).toEqual([]);
    const segment = json(await admin('GET', `/api/v1/segments/${created.id}`)) as { memberCount: number };
    expect(segment.memberCount).toBe(0);
  });

  it('a changed definition answers at once with state computing and the old members, until the job has computed the new ones', async () => {
    await sendBatch(fx.app, fx.tenant, [track('m1', 'Order Placed', 1), track('m2', 'Store Visited', 1), track('m3', 'Store Visited', 1)]);
    await resolve();
    const saved = json(await admin('POST', '/api/v1/segments', { name: 'changing', definition: { condition: { type: 'event', event: 'Order Placed' } } })) as { id: string };
    await worker().drain();
    expect(json(await admin('GET', `/api/v1/segments/${saved.id}`))).toMatchObject({ memberCount: 1, state: 'ready', revision: 1 });

    const put = await admin('PUT', `/api/v1/segments/${saved.id}`, { definition: { condition: { type: 'event', event: 'Store Visited' } } });
    expect(put.statusCode, put.body).toBe(200);
    expect(json(put)).toMatchObject({ memberCount: 1, state: 'computing', revision: 2 });
    const bad = await admin('PUT', `/api/v1/segments/${saved.id}`, { definition: { condition: { type: 'vehicle', purchased: { op: 'gt', value: 5 }, includePast: false } } });
    expect(bad.statusCode, bad.body).toBe(400);
    expect(await worker().drain()).toBeGreaterThan(0);
    expect(json(await admin('GET', `/api/v1/segments/${saved.id}`))).toMatchObject({ memberCount: 2, state: 'ready', revision: 2 });
    const members = json(await admin('GET', `/api/v1/segments/${saved.id}/members`)) as { data: { profileId: string }[] };
    expect(members.data.map((m) => m.profileId).sort()).toEqual([await profileOf('m2'), await profileOf('m3')].sort());
    // Nothing left to do: a replay of the job changes nothing.
    expect(await worker().drain()).toBe(0);
  });

  it('previews count and sample; another tenant sees none of it', async () => {
    await sendBatch(fx.app, fx.tenant, [track('p1', 'Order Placed', 1, { amount: 1 }), track('p2', 'Order Placed', 1, { amount: 2 })]);
    await resolve();
    const res = await admin('POST', '/api/v1/segments/preview', { definition: { condition: { type: 'event', event: 'Order Placed' } } });
    expect(res.statusCode, res.body).toBe(200);
    const preview = json(res) as { count: number; sample: { id: string }[] };
    expect(preview.count).toBe(2);
    expect(preview.sample.map((s) => s.id).sort()).toEqual([await profileOf('p1'), await profileOf('p2')].sort());
    const { freshTenant } = await import('../testing/engines.js');
    const other = await freshTenant(fx.store);
    const theirs = await adminRequest(fx.app, other, 'POST', '/api/v1/segments/preview', { definition: { condition: { type: 'event', event: 'Order Placed' } } });
    expect((json(theirs) as { count: number }).count).toBe(0);
    const saved = json(await admin('POST', '/api/v1/segments', { name: 'buyers', definition: { condition: { type: 'event', event: 'Order Placed' } } })) as { id: string };
    expect((await adminRequest(fx.app, other, 'GET', `/api/v1/segments/${saved.id}`)).statusCode).toBe(404);
    expect((await adminRequest(fx.app, other, 'GET', `/api/v1/segments/${saved.id}/members`)).statusCode).toBe(404);
  });

  it('answers an impossible date in the counts query with 400, and erasure takes the person out of the count', async () => {
    await sendBatch(fx.app, fx.tenant, [track('gone', 'Order Placed', 1), track('stays', 'Order Placed', 1)]);
    await resolve();
    const saved = json(await admin('POST', '/api/v1/segments', { name: 'ordered', definition: { condition: { type: 'event', event: 'Order Placed' } } })) as { id: string };
    await worker().drain();
    expect((json(await admin('GET', `/api/v1/segments/${saved.id}`)) as { memberCount: number }).memberCount).toBe(2);
    const bad = await admin('GET', `/api/v1/segments/${saved.id}/counts?from=2026-02-30&to=2026-13-01`);
    expect(bad.statusCode, bad.body).toBe(400);
    expect((await admin('DELETE', `/api/v1/profiles/${await profileOf('gone')}`)).statusCode).toBe(200);
    const after = json(await admin('GET', `/api/v1/segments/${saved.id}`)) as { memberCount: number };
    expect(after.memberCount).toBe(1);
    const members = json(await admin('GET', `/api/v1/segments/${saved.id}/members`)) as { data: { profileId: string }[] };
    expect(members.data.map((m) => m.profileId)).toEqual([await profileOf('stays')]);
  });
});
