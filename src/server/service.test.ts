import { describe, expect, it } from 'vitest';
import { json, testApp, useAppFixture } from '../testing/app.js';
import { openTestStore, testEngines } from '../testing/engines.js';

describe.each(testEngines)('service basics on %s', (engine) => {
  const fx = useAppFixture(engine, { tenantPerTest: false });

  it('/healthz checks the store', async () => {
    const res = await fx.app.inject('/healthz');
    expect(res.statusCode).toBe(200);
    expect(json(res)).toEqual({ status: 'ok', store: engine });
  });

  it('/openapi.json documents every route from the zod schemas', async () => {
    const doc = json(await fx.app.inject('/openapi.json')) as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: unknown }>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    for (const p of ['/v1/identify', '/v1/track', '/v1/page', '/v1/screen', '/v1/group', '/v1/alias', '/v1/batch', '/v1/import', '/api/v1/events', '/api/v1/sources', '/api/v1/admin-tokens', '/healthz']) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
    expect(JSON.stringify(doc.paths['/v1/track']?.['post']?.requestBody)).toContain('#/components/schemas/TrackMessageInput');
    const track = JSON.stringify(doc.components.schemas['TrackMessageInput']);
    expect(track).toContain('messageId');
    expect(track).toContain('"event"');
  });

  it('/docs serves the browsable documentation', async () => {
    const res = await fx.app.inject('/docs/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('swagger');
  });

  it('unknown routes answer 404 in the error format, with a request id', async () => {
    // Under /api: elsewhere a GET is a page of the web console (its index.html, or console_not_built).
    const res = await fx.app.inject('/api/v1/nope');
    expect(res.statusCode).toBe(404);
    expect(json(res)).toMatchObject({ error: { code: 'not_found' } });
    expect(res.headers['x-request-id']).toMatch(/[0-9a-f-]{36}/);
  });

  it('passes a caller request id through', async () => {
    const res = await fx.app.inject({ url: '/healthz', headers: { 'x-request-id': 'req-abc' } });
    expect(res.headers['x-request-id']).toBe('req-abc');
  });
});

describe('request ids', () => {
  it('replaces a caller request id that does not look like one', async () => {
    const store = await openTestStore('pglite');
    const app = await testApp(store);
    try {
      const res = await app.inject({ url: '/healthz', headers: { 'x-request-id': 'evil\nline {"level":60}' } });
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await app.close();
      await store.close();
    }
  });
});
