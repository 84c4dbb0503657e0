import { Writable } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../platform/clock.js';
import { createLogger } from '../platform/logger.js';
import { basicAuth, json, storedCounts, testApp, useAppFixture, withTestApp } from '../testing/app.js';
import { freshTenant, openTestStore, testEngines } from '../testing/engines.js';

const errorCode = (body: string) => (JSON.parse(body) as { error: { code: string; message: string } }).error;

describe.each(testEngines)('ingestion edge cases on %s', (engine) => {
  const clock = new ManualClock(new Date('2026-11-30T23:59:59.000Z'));
  const fx = useAppFixture(engine, { clock });
  beforeEach(() => {
    clock.set(new Date('2026-11-30T23:59:59.000Z'));
  });

  const send = (url: string, payload: unknown) =>
    fx.app.inject({ method: 'POST', url, payload: JSON.stringify(payload), headers: { 'content-type': 'application/json', authorization: basicAuth(fx.tenant.writeKey) } });
  const admin = (url: string) => fx.app.inject({ url, headers: { authorization: `Bearer ${fx.tenant.adminToken}` } });
  const nothingStored = async () => expect(await storedCounts(fx.store, fx.tenant.tenantId)).toEqual({ events: 0, messageIds: 0 });

  it('counts batch-level context against every message: a big shared context cannot multiply storage', async () => {
    const context = { blob: 'c'.repeat(20 * 1024) };
    const res = await send('/v1/batch', { context, batch: [{ type: 'track', userId: 'u', event: 'E', properties: { p: 'x'.repeat(13 * 1024) } }] });
    expect(res.statusCode, res.body).toBe(400);
    expect(errorCode(res.body)).toMatchObject({ code: 'message_too_large' });
    expect(errorCode(res.body).message).toContain('batch-level context');
    const many = await send('/v1/batch', { context, batch: Array.from({ length: 60 }, (_, i) => ({ type: 'track', userId: 'u', event: 'E', messageId: `m${i}` })) });
    expect(many.statusCode, many.body).toBe(400);
    expect(errorCode(many.body).code).toBe('batch_too_large');
    await nothingStored();
  });

  it('refuses a batch-level context that would go into every message beyond the limits, before building rows', async () => {
    const raw = (payload: string) => fx.app.inject({ method: 'POST', url: '/v1/batch', payload, headers: { 'content-type': 'application/json', authorization: basicAuth(fx.tenant.writeKey) } });
    const tiny = Array.from({ length: 5000 }, (_, i) => `{"type":"track","userId":"u","event":"E","messageId":"t${i}"}`).join(',');
    let res = await raw(`{"context":{"blob":"${'c'.repeat(40 * 1024)}"},"batch":[${tiny}]}`);
    expect(res.statusCode, res.body).toBe(400);
    expect(errorCode(res.body)).toMatchObject({ code: 'message_too_large' });
    res = await raw(`{"context":{"blob":"${'c'.repeat(1024)}"},"batch":[${tiny}]}`);
    expect(res.statusCode, res.body).toBe(400);
    expect(errorCode(res.body).code).toBe('batch_too_large');
    await nothingStored();
  });

  it('applies the same nesting limit to a single call and a batch message', async () => {
    const nested = (depth: number) => `${'{"d":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const raw = (url: string, payload: string) =>
      fx.app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json', authorization: basicAuth(fx.tenant.writeKey) } });
    // The message object is level 0 and properties level 1, so nested(n) reaches level n.
    expect((await raw('/v1/track', `{"userId":"u","event":"E","properties":${nested(63)}}`)).statusCode).toBe(200);
    expect((await raw('/v1/batch', `{"batch":[{"type":"track","userId":"u","event":"E","properties":${nested(63)}}]}`)).statusCode).toBe(200);
    expect((await raw('/v1/track', `{"userId":"u","event":"E","properties":${nested(64)}}`)).statusCode).toBe(400);
    expect((await raw('/v1/batch', `{"batch":[{"type":"track","userId":"u","event":"E","properties":${nested(64)}}]}`)).statusCode).toBe(400);
  });

  it('names the field holding text that cannot be stored on single calls', async () => {
    const res = await fx.app.inject({ method: 'POST', url: '/v1/track', payload: '{"userId":"u","event":"E","properties":{"x":"a\\u0000b"}}', headers: { 'content-type': 'application/json', authorization: basicAuth(fx.tenant.writeKey) } });
    expect(res.statusCode, res.body).toBe(400);
    expect(errorCode(res.body).message).toMatch(/^properties\.x: contains a NUL/);
  });

  it('rejects nesting deeper than 64 levels with 400, in a message or in the batch context', async () => {
    const deep = `${'{"d":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const raw = (url: string, payload: string) =>
      fx.app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json', authorization: basicAuth(fx.tenant.writeKey) } });
    for (const res of [
      await raw('/v1/track', `{"userId":"u","event":"E","properties":{"deep":${deep}}}`),
      await raw('/v1/batch', `{"context":{"deep":${deep}},"batch":[{"type":"track","userId":"u","event":"E"}]}`),
    ]) {
      expect(res.statusCode, res.body).toBe(400);
      expect(errorCode(res.body).message).toContain('deeper than 64 levels');
    }
    await nothingStored();
  });

  it('routes by path, not raw URL: a query string on /v1/batch keeps the batch limit', async () => {
    const batch = Array.from({ length: 4 }, (_, i) => ({ type: 'track', userId: 'u', event: 'E', messageId: `q${i}`, properties: { p: 'x'.repeat(14 * 1024) } }));
    const res = await send('/v1/batch?source=sdk', { batch });
    expect(res.statusCode, res.body).toBe(200);
    expect((await storedCounts(fx.store, fx.tenant.tenantId)).events).toBe(4);
  });

  it('reads Segment-style lenient dates, and rejects impossible ones', async () => {
    expect((await send('/v1/track', { userId: 'u', event: 'E', timestamp: '2015-2-02T00:30:08.276Z' })).statusCode).toBe(200);
    expect((await send('/v1/track', { userId: 'u', event: 'E', timestamp: '2026-11-22 08:00:00+0800' })).statusCode).toBe(200);
    const rows = await fx.store.db.selectFrom('events').select('timestamp').where('tenant_id', '=', fx.tenant.tenantId).orderBy('id').execute();
    expect(rows.map((r) => r.timestamp.toISOString())).toEqual(['2015-02-02T00:30:08.276Z', '2026-11-22T00:00:00.000Z']);
    for (const timestamp of ['2026-02-31T00:00:00Z', '2026-13-01T00:00:00Z', '2026-11-22T08:00:00', '2026-11-22T25:00:00Z']) {
      const res = await send('/v1/track', { userId: 'u', event: 'E', timestamp });
      expect(res.statusCode, timestamp).toBe(400);
    }
  });

  it('refuses numeric ids that JSON cannot carry exactly', async () => {
    const res = await fx.app.inject({ method: 'POST', url: '/v1/track', payload: '{"userId": 12345678901234567890, "event": "E"}', headers: { 'content-type': 'application/json', authorization: basicAuth(fx.tenant.writeKey) } });
    expect(res.statusCode).toBe(400);
    expect(errorCode(res.body).message).toContain('send larger ids as strings');
    await nothingStored();
  });

  it('merges batch context one level deep, the message winning', async () => {
    await send('/v1/batch', { context: { device: { type: 'ios', model: 'iPhone' }, locale: 'zh-CN' }, batch: [{ type: 'track', userId: 'u', event: 'E', context: { device: { id: 'd1', model: 'iPad' } } }] });
    const [row] = await fx.store.db.selectFrom('events').select('context').where('tenant_id', '=', fx.tenant.tenantId).execute();
    expect(row?.context).toEqual({ device: { type: 'ios', model: 'iPad', id: 'd1' }, locale: 'zh-CN' });
  });

  it('creates the next month partition at the month boundary; listing spans both', async () => {
    expect((await send('/v1/track', { userId: 'u', event: 'Nov', messageId: 'nov' })).statusCode).toBe(200);
    clock.set(new Date('2026-12-01T00:00:01.000Z'));
    expect((await send('/v1/track', { userId: 'u', event: 'Dec', messageId: 'dec' })).statusCode).toBe(200);
    // Which partition holds each row: tableoid is a system column, outside Kysely's schema.
    const { rows } = await fx.store.sql.session().then(async (s) => {
      try {
        return await s.query(`SELECT tableoid::regclass::text AS part, message_id FROM events WHERE tenant_id = $1 ORDER BY message_id`, [fx.tenant.tenantId]);
      } finally {
        s.release();
      }
    });
    expect(rows).toEqual([
      { part: 'events_2026m12', message_id: 'dec' },
      { part: 'events_2026m11', message_id: 'nov' },
    ]);
    const page = json(await admin('/api/v1/events')) as { data: { messageId: string }[] };
    expect(page.data.map((e) => e.messageId)).toEqual(['dec', 'nov']);
  });

  it('answers 400, not 500, to unstorable query values and cursors out of range', async () => {
    for (const qs of ['userId=%00', 'event=a%00b', 'anonymousId=x%00']) {
      const res = await admin(`/api/v1/events?${qs}`);
      expect(res.statusCode, `${qs} ${res.body}`).toBe(400);
    }
    const cursors = [JSON.stringify(['2026-01-01T00:00:00Z', '9999999999999999999']), JSON.stringify(['0000-01-01T00:00:00Z', '1'])];
    for (const c of cursors) {
      const res = await admin(`/api/v1/events?cursor=${Buffer.from(c).toString('base64url')}`);
      expect(res.statusCode, `${c} ${res.body}`).toBe(400);
    }
  });

  it('answers 400 to a source or token name PostgreSQL cannot store, creating nothing', async () => {
    const post = (url: string, payload: string) => fx.app.inject({ method: 'POST', url, payload, headers: { authorization: `Bearer ${fx.tenant.adminToken}`, 'content-type': 'application/json' } });
    expect((await post('/api/v1/sources', '{"name":"a\\u0000b","kind":"app"}')).statusCode).toBe(400);
    expect((await post('/api/v1/admin-tokens', '{"name":"\\ud800"}')).statusCode).toBe(400);
    const sources = json(await admin('/api/v1/sources')) as { data: unknown[] };
    expect(sources.data).toHaveLength(1);
  });
});

describe.each(testEngines)('credential races on %s', (engine) => {
  it('two rotations at once leave exactly one active key; two revocations of one token both succeed', async () => {
    await withTestApp(engine, async ({ store, app, tenant }) => {
      const headers = { authorization: `Bearer ${tenant.adminToken}`, 'content-type': 'application/json' };
      const rotate = () => app.inject({ method: 'POST', url: `/api/v1/sources/${tenant.sourceId}/write-keys`, payload: '{"revokeExisting":true}', headers });
      const [a, b] = await Promise.all([rotate(), rotate()]);
      expect([a.statusCode, b.statusCode], a.body).toEqual([201, 201]);
      const active = await store.db.selectFrom('write_keys').select('id').where('tenant_id', '=', tenant.tenantId).where('revoked_at', 'is', null).execute();
      expect(active).toHaveLength(1);

      const extra = json(await app.inject({ method: 'POST', url: '/api/v1/admin-tokens', payload: '{"name":"spare"}', headers })) as { id: string };
      const revoke = () => app.inject({ method: 'POST', url: `/api/v1/admin-tokens/${extra.id}/revoke`, headers });
      const [r1, r2] = await Promise.all([revoke(), revoke()]);
      expect([r1.statusCode, r2.statusCode]).toEqual([200, 200]);
    });
  });
});

describe('request logs', () => {
  it('carry the tenant on "request completed" and never the write key', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const store = await openTestStore('pglite');
    const app = await testApp(store, undefined, { logger: createLogger('info', sink) });
    try {
      const tenant = await freshTenant(store);
      const res = await app.inject({ method: 'POST', url: '/v1/track', payload: { userId: 'u', event: 'E' }, headers: { authorization: basicAuth(tenant.writeKey) } });
      expect(res.statusCode).toBe(200);
      const completed = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['msg'] === 'request completed');
      expect(completed).toMatchObject({ tenantId: tenant.tenantId, sourceId: tenant.sourceId, reqId: res.headers['x-request-id'] });
      expect(lines.join('\n')).not.toContain(tenant.writeKey);
    } finally {
      await app.close();
      await store.close();
    }
  });
});
