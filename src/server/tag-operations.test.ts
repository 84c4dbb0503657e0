import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { tagOperationSchema } from '../contracts/tags.js';
import { runTagOperation, TAG_OPERATION_JOB } from '../modules/tags/index.js';
import { systemClock, type Clock } from '../platform/clock.js';
import { pendingJobs } from '../platform/jobs/index.js';
import { json, useAppFixture } from '../testing/app.js';
import { freshTenant, testEngines } from '../testing/engines.js';
import { adminRequest, personHolding, resolveQueued, sendBatch } from '../testing/identity.js';
import { bulkTagChange, drainJobs, readOperation } from '../testing/tags.js';

const SH = { type: 'trait', trait: 'city', op: 'eq', value: '上海' };
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

/**
 * Bulk apply and remove over a saved segment or a definition: the request checks and queues an
 * operation (202, Location); the job evaluates the target when it runs and records the counts.
 */
describe.each(testEngines)('bulk tag operations on %s', (engine) => {
  const fx = useAppFixture(engine);
  const tenant = () => fx.tenant.tenantId;
  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) => adminRequest(fx.app, fx.tenant, method, url, payload);
  const ok = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload: unknown, status: number): Promise<Record<string, unknown>> => {
    const res = await call(method, url, payload);
    expect(res.statusCode, res.body).toBe(status);
    const body: unknown = res.statusCode === 204 ? {} : json(res);
    return typeof body === 'object' && body !== null ? Object.fromEntries(Object.entries(body)) : {};
  };
  const idOf = (record: Record<string, unknown>) => String(record['id']);
  const drain = () => drainJobs(fx.store, tenant());
  const holders = async (tagId: string) =>
    (await fx.store.db.selectFrom('profile_tags').select('profile_id').where('tenant_id', '=', tenant()).where('tag_id', '=', tagId).execute()).map((r) => r.profile_id).sort();
  const operationJobs = async () => (await pendingJobs(fx.store.db, tenant())).filter((j) => j.kind === TAG_OPERATION_JOB);
  const count = async (table: 'operations' | 'profile_tags' | 'tag_history') =>
    Number((await fx.store.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', tenant()).executeTakeFirstOrThrow()).n);
  const tokenActor = async () => `admin_token:${(await fx.store.db.selectFrom('admin_tokens').select('id').where('tenant_id', '=', tenant()).executeTakeFirstOrThrow()).id}`;

  let seq = 0;
  async function person(userId: string, city: string): Promise<string> {
    const res = await sendBatch(fx.app, fx.tenant, [{ type: 'identify', userId, traits: { city }, messageId: `op-${(seq += 1)}-${userId}` }]);
    expect(res.statusCode, res.body).toBe(200);
    await resolveQueued(fx.store, tenant());
    const p = await personHolding(fx.store, tenant(), `user_id::${userId}`);
    if (!p) throw new Error(`no profile for ${userId}`);
    return p.id;
  }
  /** A manual tag in the group 客户等级 (made by the first call, answered as it is by the next). */
  async function manualTag(name = 'VIP'): Promise<string> {
    const group = await call('POST', '/api/v1/tag-groups', { name: '客户等级' });
    expect(group.statusCode, group.body).toBeLessThan(300);
    return idOf(await ok('POST', '/api/v1/tags', { groupId: idOf(tagGroup(json(group))), name, kind: 'manual' }, 201));
  }
  async function savedSegment(name: string, condition: unknown): Promise<string> {
    return idOf(await ok('POST', '/api/v1/segments', { name, definition: { condition } }, 201));
  }

  it('answers 202 with the queued operation and Location; the job takes everyone matching when it runs and records the counts', async () => {
    const u1 = await person('u1', '上海');
    const u2 = await person('u2', '北京');
    const tagId = await manualTag();
    const shanghai = await savedSegment('上海客户', SH);
    const vip = await savedSegment('VIP', { type: 'tag', tag: tagId });
    await drain();

    const res = await call('POST', `/api/v1/tags/${tagId}/apply`, { segmentId: shanghai, reason: '批量' });
    expect(res.statusCode, res.body).toBe(202);
    const queued = tagOperation(json(res));
    expect(res.headers.location).toBe(`/api/v1/operations/${queued.id}`);
    const actor = await tokenActor();
    expect(queued).toEqual({
      id: expect.any(String),
      kind: 'tag.apply',
      tagId,
      target: { segmentId: shanghai, definition: null },
      reason: '批量',
      actor,
      state: 'queued',
      counts: null,
      error: null,
      createdAt: expect.any(String),
      startedAt: null,
      finishedAt: null,
    });
    expect(await readOperation(fx.app, fx.tenant, queued.id)).toEqual(queued);
    expect((await operationJobs()).map((j) => j.key)).toEqual([queued.id]);
    expect(await holders(tagId)).toEqual([]);

    // Someone who matches after the request and before the job: the job takes them too.
    const u3 = await person('u3', '上海');
    await drain();
    const done = await readOperation(fx.app, fx.tenant, queued.id);
    expect(done).toMatchObject({ state: 'succeeded', counts: { changed: 2, unchanged: 0 }, error: null, startedAt: expect.any(String), finishedAt: expect.any(String) });
    expect(await holders(tagId)).toEqual([u1, u3].sort());
    expect(await holders(tagId)).not.toContain(u2);
    const history = await fx.store.db.selectFrom('tag_history').select(['profile_id', 'action', 'actor', 'reason']).where('tenant_id', '=', tenant()).orderBy('profile_id').execute();
    expect(history).toEqual([u1, u3].sort().map((p) => ({ profile_id: p, action: 'applied', actor, reason: '批量' })));
    expect(await ok('GET', `/api/v1/segments/${vip}`, undefined, 200)).toMatchObject({ memberCount: 2 });
    expect(await operationJobs()).toEqual([]);

    // The job run again changes nothing; so does the same request sent again.
    await runTagOperation({ db: fx.store.db, clock: systemClock }, tenant(), queued.id);
    expect(await readOperation(fx.app, fx.tenant, queued.id)).toEqual(done);
    const replay = await bulkTagChange(fx.app, fx.store, fx.tenant, tagId, 'apply', { segmentId: shanghai, reason: '批量' });
    expect(replay).toMatchObject({ state: 'succeeded', counts: { changed: 0, unchanged: 2 } });
    expect(replay.id).not.toBe(queued.id);
    expect(await count('tag_history')).toBe(2);
  });

  it('removes in bulk by definition: exactly the matching holders lose the tag; listed profiles still change in the request', async () => {
    const u1 = await person('u1', '上海');
    const u2 = await person('u2', '北京');
    const u3 = await person('u3', '上海');
    const tagId = await manualTag();
    const vip = await savedSegment('VIP', { type: 'tag', tag: tagId });
    expect(await ok('POST', `/api/v1/tags/${tagId}/apply`, { profileIds: [u1, u2] }, 200)).toEqual({ applied: 2, unchanged: 0 });
    await drain();
    expect(await ok('GET', `/api/v1/segments/${vip}`, undefined, 200)).toMatchObject({ memberCount: 2 });
    const removed = await bulkTagChange(fx.app, fx.store, fx.tenant, tagId, 'remove', { definition: { condition: SH }, reason: '清理' });
    expect(removed).toMatchObject({ kind: 'tag.remove', target: { segmentId: null, definition: { version: 1, condition: SH } }, state: 'succeeded', counts: { changed: 1, unchanged: 1 } });
    expect(await holders(tagId)).toEqual([u2]);
    // The operation asked for the refresh that moves the segments reading the tag.
    expect(await ok('GET', `/api/v1/segments/${vip}`, undefined, 200)).toMatchObject({ memberCount: 1 });
    const last = await fx.store.db.selectFrom('tag_history').select(['profile_id', 'action', 'reason']).where('tenant_id', '=', tenant()).orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(last).toEqual({ profile_id: u1, action: 'removed', reason: '清理' });
    expect(await ok('POST', `/api/v1/tags/${tagId}/remove`, { profileIds: [u2, u3] }, 200)).toEqual({ removed: 1, unchanged: 1 });
    expect(await holders(tagId)).toEqual([]);
  });

  it('checks the tag, the segment and the definition at once: 404, 409 and 400 as before, and nothing queued', async () => {
    await person('u1', '上海');
    const tagId = await manualTag();
    const group = idOf(await ok('POST', '/api/v1/tag-groups', { name: '客户等级' }, 200));
    const rule = idOf(await ok('POST', '/api/v1/tags', { groupId: group, name: '上海', kind: 'rule', definition: { condition: SH } }, 201));
    const segment = await savedSegment('上海客户', SH);
    const cases: [string, unknown, number, string | null][] = [
      [tagId, { segmentId: UNKNOWN }, 400, 'segmentId'],
      [tagId, { definition: { condition: { type: 'trait', trait: 'a b', op: 'exists' } } }, 400, 'definition.condition.trait'],
      [tagId, { definition: { condition: { type: 'tag', tag: UNKNOWN } } }, 400, 'definition.condition.tag'],
      [tagId, { definition: { condition: { type: 'stage', model: 'nope', stages: ['a'] } } }, 400, 'definition.condition.model'],
      [tagId, { segmentId: segment, definition: { condition: SH } }, 400, ''],
      [UNKNOWN, { segmentId: segment }, 404, null],
      [rule, { segmentId: segment }, 409, null],
      [rule, { definition: { condition: SH } }, 409, null],
    ];
    for (const [tag, body, status, path] of cases) {
      for (const action of ['apply', 'remove']) {
        const res = await call('POST', `/api/v1/tags/${tag}/${action}`, body);
        expect(res.statusCode, `${action} ${JSON.stringify(body)}: ${res.body}`).toBe(status);
        if (path !== null) expect(json(res)).toMatchObject({ error: { code: 'invalid_request', details: { issues: [{ path }] } } });
      }
    }
    expect(await count('operations')).toBe(0);
    expect(await operationJobs()).toEqual([]);
  });

  it('ends the operation failed with a code when its tag or segment is gone, or its definition no longer checks, by the time the job runs', async () => {
    await person('u1', '上海');
    const segment = await savedSegment('上海客户', SH);
    const queue = async (tagId: string, body: unknown) => tagOperation(await ok('POST', `/api/v1/tags/${tagId}/apply`, body, 202));

    const deletedTag = await manualTag('待删');
    const first = await queue(deletedTag, { segmentId: segment });
    await ok('DELETE', `/api/v1/tags/${deletedTag}`, undefined, 204);

    const tagId = await manualTag();
    const spare = await savedSegment('备用', SH);
    const second = await queue(tagId, { segmentId: spare });
    await ok('DELETE', `/api/v1/segments/${spare}`, undefined, 204);

    const readTag = await manualTag('被引用');
    const third = await queue(tagId, { definition: { condition: { type: 'tag', tag: readTag } } });
    await ok('DELETE', `/api/v1/tags/${readTag}`, undefined, 204);

    await drain();
    const failed = async (id: string) => {
      const op = await readOperation(fx.app, fx.tenant, id);
      expect(op).toMatchObject({ state: 'failed', counts: null, finishedAt: expect.any(String) });
      return op.error;
    };
    expect(await failed(first.id)).toEqual({ code: 'not_found', message: `tag ${deletedTag} was deleted before the operation ran` });
    expect(await failed(second.id)).toEqual({ code: 'not_found', message: `segment ${spare} was deleted before the operation ran` });
    expect(await failed(third.id)).toMatchObject({ code: 'invalid_request', message: expect.stringContaining(readTag) });
    // Failed for good: no job left to try again, nothing written.
    expect(await operationJobs()).toEqual([]);
    expect(await count('profile_tags')).toBe(0);
  });

  it('keeps an operation running when its run fails for another reason, and the job runner tries again', async () => {
    const u1 = await person('u1', '上海');
    const tagId = await manualTag();
    const queued = tagOperation(await ok('POST', `/api/v1/tags/${tagId}/apply`, { definition: { condition: SH } }, 202));
    // The run reads the clock when it starts the operation, then once more inside its transaction: that read fails.
    let reads = 0;
    const failing: Clock = {
      now: () => {
        reads += 1;
        if (reads === 2) throw new Error('the clock stopped');
        return systemClock.now();
      },
    };
    await expect(runTagOperation({ db: fx.store.db, clock: failing }, tenant(), queued.id)).rejects.toThrow('the clock stopped');
    expect(await readOperation(fx.app, fx.tenant, queued.id)).toMatchObject({ state: 'running', startedAt: expect.any(String), counts: null, error: null, finishedAt: null });
    expect(await holders(tagId)).toEqual([]);
    await drain();
    expect(await readOperation(fx.app, fx.tenant, queued.id)).toMatchObject({ state: 'succeeded', counts: { changed: 1, unchanged: 0 } });
    expect(await holders(tagId)).toEqual([u1]);
  });

  it("another tenant's operation is not found; so is an unknown id", async () => {
    await person('u1', '上海');
    const tagId = await manualTag();
    const op = tagOperation(await ok('POST', `/api/v1/tags/${tagId}/apply`, { definition: { condition: SH } }, 202));
    const other = await freshTenant(fx.store);
    expect((await adminRequest(fx.app, other, 'GET', `/api/v1/operations/${op.id}`)).statusCode).toBe(404);
    expect((await call('GET', `/api/v1/operations/${randomUUID()}`)).statusCode).toBe(404);
    expect((await call('GET', '/api/v1/operations/nope')).statusCode).toBe(400);
    // Another tenant's worker leaves it alone.
    await drainJobs(fx.store, other.tenantId);
    expect((await readOperation(fx.app, fx.tenant, op.id)).state).toBe('queued');
  });
});

const tagOperation = (body: unknown) => tagOperationSchema.parse(body);
const tagGroup = (body: unknown) => z.object({ id: z.string() }).parse(body);
