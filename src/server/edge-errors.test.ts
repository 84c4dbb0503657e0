import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../platform/db/index.js';
import { json, testApp, useAppFixture } from '../testing/app.js';
import { freshTenant, openTestStore, testEngines } from '../testing/engines.js';
import { adminRequest } from '../testing/identity.js';

/**
 * Answers produced before or around a route — routing, body parsing, the socket — and input no
 * column can store: all in Siyu's error shape, with a stable code, never a 500.
 */

interface ErrorBody {
  error: { code: string; message: string; details: unknown };
}

function errorOf(res: LightMyRequestResponse | { statusCode: number; body: string; headers: Record<string, unknown> }): ErrorBody['error'] {
  expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
  const body = JSON.parse(res.body) as ErrorBody;
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'details', 'message']);
  expect([typeof body.error.code, typeof body.error.message]).toEqual(['string', 'string']);
  const error = body.error;
  expect(res.body).not.toMatch(/\n\s+at |node:internal/);
  return error;
}

describe.each(testEngines)('edge errors on %s', (engine) => {
  const fx = useAppFixture(engine);
  const bearer = () => ({ authorization: `Bearer ${fx.tenant.adminToken}` });

  it('a malformed percent-encoding in the path is a 400 malformed_url, not Fastify’s own body', async () => {
    for (const url of ['/api/v1/leads/%E0%A4%A', '/api/v1/profiles/abc%', '/api/v1/vehicles/%ED%A0%80']) {
      const res = await fx.app.inject({ method: 'GET', url, headers: bearer() });
      expect(res.statusCode, url).toBe(400);
      expect(errorOf(res).code).toBe('malformed_url');
    }
  });

  it('a path parameter over 100 characters is a 414 uri_too_long', async () => {
    const res = await fx.app.inject({ method: 'GET', url: `/api/v1/leads/${'a'.repeat(101)}`, headers: bearer() });
    expect(res.statusCode).toBe(414);
    expect(errorOf(res)).toMatchObject({ code: 'uri_too_long', message: expect.stringContaining('100 characters') });
  });

  it('a known path with another method is a 405 naming the allowed methods; an unknown path a 404', async () => {
    const res = await fx.app.inject({ method: 'PATCH', url: '/api/v1/leads', headers: bearer() });
    expect(res.statusCode).toBe(405);
    expect(res.headers['allow']).toBe('GET, HEAD, POST');
    expect(errorOf(res)).toMatchObject({ code: 'method_not_allowed', details: { allowed: ['GET', 'HEAD', 'POST'] } });
    const withId = await fx.app.inject({ method: 'DELETE', url: `/api/v1/leads/${crypto.randomUUID()}`, headers: bearer() });
    expect([withId.statusCode, withId.headers['allow']]).toEqual([405, 'GET, HEAD']);
    const unknown = await fx.app.inject({ method: 'GET', url: '/api/v1/nothing-here', headers: bearer() });
    expect(unknown.statusCode).toBe(404);
    expect(errorOf(unknown).code).toBe('not_found');
  });

  it('a Content-Type the operation does not take is a 415 naming what it takes', async () => {
    const xml = await fx.app.inject({ method: 'POST', url: '/api/v1/org-units', headers: { ...bearer(), 'content-type': 'application/xml' }, payload: '<unit/>' });
    expect(xml.statusCode).toBe(415);
    expect(errorOf(xml)).toMatchObject({ code: 'unsupported_media_type', details: { accepted: ['application/json'] } });
    const csv = await fx.app.inject({ method: 'POST', url: '/api/v1/orders', headers: { ...bearer(), 'content-type': 'text/csv' }, payload: 'a,b\n1,2\n' });
    expect(csv.statusCode).toBe(415);
    expect(errorOf(csv)).toMatchObject({ code: 'unsupported_media_type', details: { accepted: ['application/json'] } });
    // A media type named like an Object.prototype member is not "documented".
    const proto = await fx.app.inject({ method: 'POST', url: '/api/v1/leads/import', headers: { ...bearer(), 'content-type': 'constructor' }, payload: 'x' });
    expect([proto.statusCode, errorOf(proto).code]).toEqual([415, 'unsupported_media_type']);
    const upper = await fx.app.inject({ method: 'POST', url: '/api/v1/org-units', headers: { ...bearer(), 'content-type': 'APPLICATION/JSON; charset=UTF-8' }, payload: '{}' });
    expect(upper.statusCode).toBe(400);
    expect(errorOf(upper).code).toBe('invalid_request');
    const importCsv = await fx.app.inject({ method: 'POST', url: '/api/v1/leads/import', headers: { ...bearer(), 'content-type': 'application/xml' }, payload: '<a/>' });
    expect(errorOf(importCsv)).toMatchObject({ code: 'unsupported_media_type', details: { accepted: ['application/json', 'text/csv', 'text/plain'] } });
  });

  it('a compressed body on the management API is a 415, not a JSON parse error; the tracking API still inflates gzip', async () => {
    const body = gzipSync(JSON.stringify({ code: 'X1', name: 'x', type: 'hq' }));
    const res = await fx.app.inject({ method: 'POST', url: '/api/v1/org-units', headers: { ...bearer(), 'content-type': 'application/json', 'content-encoding': 'gzip' }, payload: body });
    expect(res.statusCode).toBe(415);
    expect(errorOf(res)).toMatchObject({ code: 'unsupported_media_type', details: { accepted: ['identity'] } });
    const track = gzipSync(JSON.stringify({ userId: 'u1', event: 'Gzip Works' }));
    const ingest = await fx.app.inject({
      method: 'POST',
      url: '/v1/track',
      headers: { authorization: `Basic ${Buffer.from(`${fx.tenant.writeKey}:`).toString('base64')}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      payload: track,
    });
    expect(ingest.statusCode).toBe(200);
  });

  // The input guard once copied the path at every level: 100,000 levels held the event loop for minutes.
  it('escaped surrogate pairs (as ensure_ascii JSON encoders write them) are text like any other', async () => {
    const res = await fx.app.inject({ method: 'POST', url: '/api/v1/tag-groups', headers: { ...bearer(), 'content-type': 'application/json' }, payload: '{"name":"\\ud83d\\ude97 \\u8f66"}' });
    expect(res.statusCode, res.body).toBe(201);
    expect(json(res)).toMatchObject({ name: '🚗 车' });
  });

  it('a body nested 100,000 levels deep is a 400 before authentication, its path shortened', async () => {
    const deep = `${'{"a":'.repeat(100_000)}"\\u0000"${'}'.repeat(100_000)}`;
    const login = await fx.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: deep });
    expect(login.statusCode).toBe(400);
    expect(errorOf(login)).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/^…\(99988 levels\)\.a\.a/) });
    expect(login.body.length).toBeLessThan(2000);
    const arrays = await fx.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: `${'['.repeat(100_000)}${']'.repeat(100_000)}` });
    expect(arrays.statusCode).toBe(400);
  });

  it('a wrong Content-Type without credentials is a 401 first, like any request without credentials', async () => {
    const res = await fx.app.inject({ method: 'POST', url: '/api/v1/org-units', headers: { 'content-type': 'application/xml' }, payload: '<unit/>' });
    expect(res.statusCode).toBe(401);
    expect(errorOf(res).code).toBe('unauthorized');
  });

  it('a body over the limit is a 413 payload_too_large; __proto__ keys are a 400 malformed_json', async () => {
    const big = await fx.app.inject({ method: 'POST', url: '/api/v1/org-units', headers: { ...bearer(), 'content-type': 'application/json' }, payload: JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) }) });
    expect(big.statusCode).toBe(413);
    expect(errorOf(big).code).toBe('payload_too_large');
    expect(errorOf(big).details).toEqual({ limitBytes: 1024 * 1024 });
    // A CSV import states its own, larger limit.
    const csvBig = await fx.app.inject({ method: 'POST', url: '/api/v1/after-sales/import', headers: { ...bearer(), 'content-type': 'text/csv' }, payload: 'x'.repeat(17 * 1024 * 1024) });
    expect([csvBig.statusCode, errorOf(csvBig).details]).toEqual([413, { limitBytes: 16 * 1024 * 1024 }]);
    const proto = await fx.app.inject({ method: 'POST', url: '/api/v1/org-units', headers: { ...bearer(), 'content-type': 'application/json' }, payload: '{"__proto__":{"admin":true}}' });
    expect(proto.statusCode).toBe(400);
    expect(errorOf(proto).code).toBe('malformed_json');
  });

  it('NUL and lone surrogates are refused at the edge wherever they come: body, body keys, query, path (nothing stored)', async () => {
    // The body field that answered 500 on PostgreSQL ("invalid byte sequence").
    const nul = await adminRequest(fx.app, fx.tenant, 'DELETE', '/api/v1/identity/blocklist', { type: 'phone\u0000', value: '13800138000' });
    expect(nul.statusCode).toBe(400);
    expect(errorOf(nul)).toMatchObject({ code: 'invalid_request', details: { part: 'body', issues: [{ path: 'type' }] } });
    const key = await adminRequest(fx.app, fx.tenant, 'POST', '/api/v1/org-units', { code: 'K1', name: 'k', type: 'hq', ['x\ud800']: 1 });
    expect(key.statusCode).toBe(400);
    expect(errorOf(key)).toMatchObject({ code: 'invalid_request', details: { part: 'body' } });
    const query = await fx.app.inject({ method: 'GET', url: '/api/v1/leads?dealerCode=a%00b', headers: bearer() });
    expect([query.statusCode, errorOf(query).code]).toEqual([400, 'invalid_request']);
    expect(errorOf(query).details).toMatchObject({ part: 'querystring', issues: [{ path: 'dealerCode' }] });
    const path = await fx.app.inject({ method: 'GET', url: '/api/v1/org-units/A%00B', headers: bearer() });
    expect(path.statusCode).toBe(400);
    expect(errorOf(path).details).toMatchObject({ part: 'params', issues: [{ path: 'code' }] });
    const csv = await fx.app.inject({ method: 'POST', url: '/api/v1/after-sales/import', headers: { ...bearer(), 'content-type': 'text/csv' }, payload: 'kind,amountFen,at\nmaintenance,1,2026-01-01T00:00:00Z\u0000\n' });
    expect(csv.statusCode).toBe(400);
    const blocked = json(await adminRequest(fx.app, fx.tenant, 'GET', '/api/v1/identity/blocklist')) as { data: unknown[] };
    expect(blocked.data).toEqual([]);
  });
});

describe('socket-level errors', () => {
  let store: Store;
  let app: FastifyInstance;
  let port: number;
  beforeAll(async () => {
    store = await openTestStore('pglite');
    app = await testApp(store, undefined, { requestTimeoutMs: 300 });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await app.close();
    await store.close();
  });

  /** Writes raw bytes, reads until the server closes, and parses the HTTP answer. */
  function raw(bytes: string, pauseMs = 0): Promise<{ statusCode: number; headers: Record<string, unknown>; body: string }> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let text = '';
      socket.on('data', (d) => (text += d.toString('utf8')));
      socket.on('error', reject);
      socket.on('close', () => {
        const [head = '', body = ''] = text.split('\r\n\r\n');
        const [status = '', ...lines] = head.split('\r\n');
        const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
        resolve({ statusCode: Number(status.split(' ')[1]), headers, body });
      });
      socket.write(bytes);
      if (pauseMs === 0) socket.end();
    });
  }

  it('a request that does not arrive in time is a 408 request_timeout in the error shape', async () => {
    const res = await raw('POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"us', 1);
    expect(res.statusCode).toBe(408);
    expect(errorOf(res).code).toBe('request_timeout');
  });

  it('a request that arrives while the server shuts down is a 503 unavailable in the error shape', async () => {
    const own = await openTestStore('pglite');
    const server = await testApp(own);
    await server.listen({ port: 0, host: '127.0.0.1' });
    const tenant = await freshTenant(own);
    // PGlite's only connection is held, so the first request is still in flight when shutdown starts
    // and its keep-alive connection stays open; the second comes on that connection after.
    const held = await own.sql.session();
    const socket = connect((server.server.address() as AddressInfo).port, '127.0.0.1');
    let text = '';
    socket.on('data', (d) => (text += d.toString('utf8')));
    const ended = new Promise((resolve) => socket.on('close', resolve));
    const track = JSON.stringify({ userId: 'u', event: 'Late' });
    const auth = Buffer.from(`${tenant.writeKey}:`).toString('base64');
    socket.write(`POST /v1/track HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${auth}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(track)}\r\n\r\n${track}`);
    await new Promise((r) => setTimeout(r, 200));
    const closed = server.close();
    await new Promise((r) => setTimeout(r, 200));
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((r) => setTimeout(r, 200));
    held.release();
    await Promise.race([ended, new Promise((r) => setTimeout(r, 5000))]);
    socket.destroy();
    await closed;
    await own.close();
    const second = text.slice(text.indexOf('HTTP/1.1', 10));
    expect(text.startsWith('HTTP/1.1 200')).toBe(true);
    expect(second).toMatch(/^HTTP\/1.1 503/);
    const body = JSON.parse(second.slice(second.indexOf('\r\n\r\n') + 4)) as ErrorBody;
    expect(body.error.code).toBe('unavailable');
  });

  it('bytes that are not HTTP are a 400 malformed_request; huge headers a 431', async () => {
    const junk = await raw('HELLO\r\n\r\n');
    expect(junk.statusCode).toBe(400);
    expect(errorOf(junk).code).toBe('malformed_request');
    const huge = await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(huge.statusCode).toBe(431);
    expect(errorOf(huge).code).toBe('headers_too_large');
  });
});
