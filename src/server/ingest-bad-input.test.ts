import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { basicAuth, json, storedCounts, useAppFixture, withTestApp } from '../testing/app.js';
import { testEngines } from '../testing/engines.js';

interface ErrorBody {
  error: { code: string; message: string; details: unknown };
}
function errorOf(body: string): ErrorBody['error'] {
  const parsed = JSON.parse(body) as ErrorBody; // the error contract, asserted by the tests below
  expect(typeof parsed.error.code).toBe('string');
  expect(parsed.error.message.length).toBeGreaterThan(10);
  return parsed.error;
}

const ok = (i: number) => ({ type: 'track', userId: 'u', event: 'Fine', messageId: `ok-${i}` });

describe.each(testEngines)('ingestion rejects bad input on %s, storing nothing', (engine) => {
  const fx = useAppFixture(engine);

  const send = (url: string, payload: string | Buffer, headers: Record<string, string> = {}) =>
    fx.app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json', authorization: basicAuth(fx.tenant.writeKey), ...headers } });

  async function expectRejected(res: Awaited<ReturnType<typeof send>>, status: number, code: string) {
    expect(res.statusCode, res.body).toBe(status);
    const error = errorOf(res.body);
    expect(error.code).toBe(code);
    expect(await storedCounts(fx.store, fx.tenant.tenantId)).toEqual({ events: 0, messageIds: 0 });
    return error;
  }

  it('malformed JSON → 400 malformed_json', async () => {
    const e = await expectRejected(await send('/v1/batch', '{"batch": [ {"type": "track",'), 400, 'malformed_json');
    expect(e.message).toMatch(/not valid JSON/);
  });

  it('empty body → 400', async () => {
    await expectRejected(await send('/v1/track', ''), 400, 'malformed_json');
  });

  it('a message without userId or anonymousId → 400 naming its index and field; the valid ones are not stored either', async () => {
    const body = { batch: [ok(0), ok(1), { type: 'track', event: 'NoId', messageId: 'x' }] };
    const e = await expectRejected(await send('/v1/batch', JSON.stringify(body)), 400, 'invalid_request');
    expect(e.message).toContain('message 2');
    expect(e.message).toContain('userId or anonymousId is required');
    expect(e.details).toMatchObject({ issues: [{ index: 2, field: 'userId', path: 'batch[2].userId' }] });
  });

  it('empty-string ids count as missing', async () => {
    const e = await expectRejected(await send('/v1/identify', JSON.stringify({ userId: '', anonymousId: '' })), 400, 'invalid_request');
    expect(e.message).toContain('userId or anonymousId is required');
  });

  it('an unknown type → 400 naming the index and the type field', async () => {
    const e = await expectRejected(await send('/v1/batch', JSON.stringify({ batch: [ok(0), { type: 'purchase', userId: 'u' }] })), 400, 'invalid_request');
    expect(e.details).toMatchObject({ issues: [{ index: 1, field: 'type' }] });
    expect(e.message).toContain('type must be one of identify, track, page, screen, group, alias');
  });

  it('a missing type → 400', async () => {
    const e = await expectRejected(await send('/v1/batch', JSON.stringify({ batch: [{ userId: 'u', event: 'E' }] })), 400, 'invalid_request');
    expect(e.details).toMatchObject({ issues: [{ index: 0, field: 'type' }] });
  });

  it('track without event, group without groupId, alias without previousId → 400', async () => {
    let e = await expectRejected(await send('/v1/track', JSON.stringify({ userId: 'u' })), 400, 'invalid_request');
    expect(e.message).toContain('event');
    e = await expectRejected(await send('/v1/group', JSON.stringify({ userId: 'u' })), 400, 'invalid_request');
    expect(e.message).toContain('groupId');
    e = await expectRejected(await send('/v1/alias', JSON.stringify({ userId: 'u' })), 400, 'invalid_request');
    expect(e.message).toContain('previousId');
  });

  it('a messageId over 100 characters → 400', async () => {
    const e = await expectRejected(await send('/v1/track', JSON.stringify({ userId: 'u', event: 'E', messageId: 'm'.repeat(101) })), 400, 'invalid_request');
    expect(e.message).toContain('at most 100 characters');
  });

  it('a timestamp that is not ISO-8601 with a zone → 400 naming the field', async () => {
    const e = await expectRejected(await send('/v1/batch', JSON.stringify({ batch: [ok(0), { ...ok(1), timestamp: 'yesterday' }] })), 400, 'invalid_request');
    expect(e.details).toMatchObject({ issues: [{ index: 1, field: 'timestamp' }] });
  });

  it('properties that are not an object → 400', async () => {
    const e = await expectRejected(await send('/v1/batch', JSON.stringify({ batch: [{ ...ok(0), properties: [1, 2] }] })), 400, 'invalid_request');
    expect(e.details).toMatchObject({ issues: [{ index: 0, field: 'properties' }] });
  });

  it('malformed context.externalIds → 400', async () => {
    const e = await expectRejected(await send('/v1/track', JSON.stringify({ ...ok(0), context: { externalIds: [{ id: 'x' }] } })), 400, 'invalid_request');
    expect(e.message).toContain('context.externalIds[0].type');
  });

  it('batch that is not an array, or empty → 400', async () => {
    await expectRejected(await send('/v1/batch', JSON.stringify({ batch: {} })), 400, 'invalid_request');
    await expectRejected(await send('/v1/batch', JSON.stringify({ batch: [] })), 400, 'invalid_request');
    await expectRejected(await send('/v1/batch', JSON.stringify([ok(0)])), 400, 'invalid_request');
  });

  it('a message over 32 KB → 400 naming the limit and the index', async () => {
    const big = { ...ok(1), properties: { blob: 'x'.repeat(33 * 1024) } };
    const e = await expectRejected(await send('/v1/batch', JSON.stringify({ batch: [ok(0), big] })), 400, 'message_too_large');
    expect(e.message).toContain('message 1');
    expect(e.message).toContain('32 KB');
    expect(e.details).toMatchObject({ index: 1, limitBytes: 32768 });
  });

  it('a single call over 32 KB → 400 naming the limit', async () => {
    const e = await expectRejected(await send('/v1/track', JSON.stringify({ ...ok(0), properties: { blob: 'x'.repeat(33 * 1024) } })), 400, 'message_too_large');
    expect(e.message).toContain('32 KB');
  });

  it('a batch over 500 KB → 400 naming the limit, also when gzipped, also far beyond the raw limit', async () => {
    const batch = Array.from({ length: 40 }, (_, i) => ({ ...ok(i), properties: { blob: 'y'.repeat(14 * 1024) } }));
    const body = JSON.stringify({ batch });
    expect(body.length).toBeGreaterThan(500 * 1024);
    let e = await expectRejected(await send('/v1/batch', body), 400, 'batch_too_large');
    expect(e.message).toContain('500 KB');
    e = await expectRejected(await send('/v1/batch', gzipSync(body), { 'content-encoding': 'gzip' }), 400, 'batch_too_large');
    expect(e.message).toContain('500 KB');
    e = await expectRejected(await send('/v1/batch', 'z'.repeat(5 * 1024 * 1024)), 400, 'batch_too_large');
    expect(e.message).toContain('500 KB');
  });

  it('a body that claims gzip but is not → 400; an unknown encoding → 400', async () => {
    await expectRejected(await send('/v1/batch', JSON.stringify({ batch: [ok(0)] }), { 'content-encoding': 'gzip' }), 400, 'invalid_request');
    await expectRejected(await send('/v1/batch', JSON.stringify({ batch: [ok(0)] }), { 'content-encoding': 'br' }), 400, 'unsupported_encoding');
  });

  it('NUL characters, which PostgreSQL cannot store, → 400 naming the message', async () => {
    const e = await expectRejected(await send('/v1/batch', JSON.stringify({ batch: [ok(0), { ...ok(1), properties: { note: 'a\u0000b' } }] })), 400, 'invalid_request');
    expect(e.message).toContain('message 1');
  });

  it('no write key → 401', async () => {
    const res = await fx.app.inject({ method: 'POST', url: '/v1/track', payload: ok(0) });
    const e = await expectRejected(res, 401, 'unauthorized');
    expect(e.message).toContain('write key');
  });

  it('a wrong write key → 401, in the header or in the body', async () => {
    await expectRejected(await send('/v1/track', JSON.stringify(ok(0)), { authorization: basicAuth('wk_not-a-key') }), 401, 'unauthorized');
    const res = await fx.app.inject({ method: 'POST', url: '/v1/track', payload: { ...ok(0), writeKey: 'wk_nope' } });
    await expectRejected(res, 401, 'unauthorized');
  });

  it('an admin token is not a write key → 401', async () => {
    await expectRejected(await send('/v1/track', JSON.stringify(ok(0)), { authorization: basicAuth(fx.tenant.adminToken) }), 401, 'unauthorized');
  });

  it('a revoked write key → 401', async () => {
    const admin = { authorization: `Bearer ${fx.tenant.adminToken}` };
    const src = json(await fx.app.inject({ method: 'GET', url: `/api/v1/sources/${fx.tenant.sourceId}`, headers: admin }));
    expect(src).toMatchObject({ writeKeys: [{ revokedAt: null }] });
    const keyId = (src as { writeKeys: { id: string }[] }).writeKeys[0]!.id;
    const revoked = await fx.app.inject({ method: 'POST', url: `/api/v1/sources/${fx.tenant.sourceId}/write-keys/${keyId}/revoke`, headers: admin });
    expect(revoked.statusCode).toBe(200);
    const e = await expectRejected(await send('/v1/track', JSON.stringify(ok(0))), 401, 'unauthorized');
    expect(e.message).toContain('revoked');
  });

  it('never answers 500 to junk: a fuzz of odd bodies', async () => {
    const junk = ['null', '1', '"s"', 'true', '{}', '{"batch":null}', '{"batch":[null]}', '{"batch":[1]}', '{"batch":[{"type":null}]}', '{"userId":{}}', '{"userId":[1],"event":"x"}', '{"anonymousId":"a","event":"x","context":"str"}', '{"anonymousId":"a","event":"x","integrations":[]}', '{"anonymousId":"a","event":1}', '\u0000', '[]'];
    for (const body of junk) {
      for (const url of ['/v1/batch', '/v1/track']) {
        const res = await send(url, body);
        expect(res.statusCode, `${url} ${body}: ${res.body}`).toBe(400);
      }
    }
    expect(await storedCounts(fx.store, fx.tenant.tenantId)).toEqual({ events: 0, messageIds: 0 });
  });
});

describe('timestamps out of range', () => {
  it('a timestamp before 1970 or after 2200 → 400 (and never a store error)', async () => {
    await withTestApp('pglite', async ({ store, app, tenant }) => {
      for (const t of [{ sentAt: '9999-01-01T00:00:00Z', originalTimestamp: '2000-01-01T00:00:00Z' }, { timestamp: '0001-01-01T00:00:00Z' }]) {
        const res = await app.inject({ method: 'POST', url: '/v1/track', payload: { userId: 'u', event: 'E', ...t }, headers: { authorization: basicAuth(tenant.writeKey) } });
        expect(res.statusCode, res.body).toBe(400);
        expect(res.body).toContain('between the years 1970 and 2200');
      }
      expect(await storedCounts(store, tenant.tenantId)).toEqual({ events: 0, messageIds: 0 });
    });
  });
});
