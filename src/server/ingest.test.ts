import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { basicAuth, json, storedCounts, useAppFixture, withTestApp } from '../testing/app.js';
import { freshTenant, testEngines } from '../testing/engines.js';

describe.each(testEngines)('ingestion API on %s', (engine) => {
  const fx = useAppFixture(engine);

  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    fx.app.inject({ method: 'POST', url, payload: typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload), headers: { 'content-type': 'application/json', authorization: basicAuth(fx.tenant.writeKey), ...headers } });

  const events = async () =>
    fx.store.db.selectFrom('events').selectAll().where('tenant_id', '=', fx.tenant.tenantId).orderBy('id').execute();

  it('stores one event per call type with the Segment fields', async () => {
    const calls: [string, Record<string, unknown>][] = [
      ['identify', { userId: 'u1', traits: { name: '王伟', phone: '13412345678' } }],
      ['track', { userId: 'u1', event: 'Test Drive Booked', properties: { series: 'X5' } }],
      ['page', { anonymousId: 'a1', name: 'Home', category: 'Landing', properties: { url: 'https://brand.example/' } }],
      ['screen', { anonymousId: 'a1', name: 'Configurator' }],
      ['group', { userId: 'u1', groupId: 'dealer-0101', traits: { name: '北京朝阳4S' } }],
      ['alias', { userId: 'u1', previousId: 'a1' }],
    ];
    for (const [type, body] of calls) {
      const res = await post(`/v1/${type}`, { ...body, messageId: `m-${type}` });
      expect(res.statusCode, res.body).toBe(200);
      expect(json(res)).toEqual({ success: true });
    }
    const rows = await events();
    expect(rows.map((r) => [r.type, r.message_id])).toEqual(calls.map(([t]) => [t, `m-${t}`]));
    const [identify, track, page, screen, group, alias] = rows;
    expect(identify?.traits).toEqual({ name: '王伟', phone: '13412345678' });
    expect(track?.event).toBe('Test Drive Booked');
    expect(track?.properties).toEqual({ series: 'X5' });
    expect(page).toMatchObject({ name: 'Home', category: 'Landing', anonymous_id: 'a1', user_id: null });
    expect(screen).toMatchObject({ name: 'Configurator' });
    expect(group).toMatchObject({ group_id: 'dealer-0101', traits: { name: '北京朝阳4S' } });
    expect(alias).toMatchObject({ user_id: 'u1', previous_id: 'a1' });
    expect(new Set(rows.map((r) => r.source_id))).toEqual(new Set([fx.tenant.sourceId]));
  });

  it('merges batch context and integrations into each message, message fields winning', async () => {
    const res = await post('/v1/batch', {
      context: { ip: '10.0.0.1', locale: 'zh-CN' },
      integrations: { All: true },
      batch: [
        { type: 'track', userId: 'u', event: 'A', context: { locale: 'en', externalIds: [{ id: 'o1', type: 'wechat_openid', collection: 'users', encoding: 'none' }] } },
        { type: 'track', userId: 'u', event: 'B', integrations: { All: false } },
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
    const [a, b] = await events();
    expect(a?.context).toEqual({ ip: '10.0.0.1', locale: 'en', externalIds: [{ id: 'o1', type: 'wechat_openid', collection: 'users', encoding: 'none' }] });
    expect(a?.integrations).toEqual({ All: true });
    expect(b?.context).toEqual({ ip: '10.0.0.1', locale: 'zh-CN' });
    expect(b?.integrations).toEqual({ All: false });
  });

  it('corrects client clock skew from sentAt, and keeps originalTimestamp', async () => {
    const before = Date.now();
    // The client clock is one hour fast: it says it sent at 11:00:10 an event of 11:00:00.
    const res = await post('/v1/track', { userId: 'u', event: 'Skewed', originalTimestamp: '2030-01-01T11:00:00.000Z', sentAt: '2030-01-01T11:00:10.000Z' });
    expect(res.statusCode).toBe(200);
    const [row] = await events();
    const received = row!.received_at.getTime();
    expect(received).toBeGreaterThanOrEqual(before - 5);
    expect(row!.timestamp.getTime()).toBe(received - 10_000);
    expect(row!.original_timestamp?.toISOString()).toBe('2030-01-01T11:00:00.000Z');
    expect(row!.sent_at?.toISOString()).toBe('2030-01-01T11:00:10.000Z');
  });

  it('keeps a historical timestamp as is when no sentAt is given (imports)', async () => {
    const res = await post('/v1/import', { batch: [{ type: 'track', userId: 'u', event: 'Old', timestamp: '2019-05-01T08:00:00+08:00' }] });
    expect(res.statusCode).toBe(200);
    const [row] = await events();
    expect(row?.timestamp.toISOString()).toBe('2019-05-01T00:00:00.000Z');
  });

  it('generates a messageId when absent', async () => {
    await post('/v1/track', { userId: 'u', event: 'E' });
    const [row] = await events();
    expect(row?.message_id).toMatch(/^api-[0-9a-f-]{36}$/);
  });

  it('dedups on messageId: a re-sent batch stores nothing new, within a batch too', async () => {
    const batch = { batch: [1, 2, 3].map((i) => ({ type: 'track', userId: 'u', event: `E${i}`, messageId: `dup-${i}` })) };
    expect((await post('/v1/batch', batch)).statusCode).toBe(200);
    expect((await post('/v1/batch', batch)).statusCode).toBe(200);
    expect((await post('/v1/batch', { batch: [{ type: 'track', userId: 'u', event: 'X', messageId: 'same' }, { type: 'track', userId: 'u', event: 'Y', messageId: 'same' }] })).statusCode).toBe(200);
    // Partly known: only the new ids are stored, in batch order.
    const partly = { batch: ['dup-2', 'new-b', 'dup-3', 'new-a'].map((id) => ({ type: 'track', userId: 'u', event: `P-${id}`, messageId: id })) };
    expect((await post('/v1/batch', partly)).statusCode).toBe(200);
    const rows = await events();
    expect(rows.map((r) => r.message_id)).toEqual(['dup-1', 'dup-2', 'dup-3', 'same', 'new-b', 'new-a']);
    expect(rows[3]?.event).toBe('X');
    expect(rows[1]?.event).toBe('E2');
  });

  it('writes a large batch with COPY, exactly once', async () => {
    const batch = Array.from({ length: 300 }, (_, i) => ({ type: 'track', anonymousId: `a${i % 7}\ttab`, event: 'Viewed \\N back\\slash', messageId: `big-${i}`, properties: { i, note: 'quote " comma , newline \n tab \t back\\slash \\N 中文' } }));
    expect((await post('/v1/batch', { batch })).statusCode).toBe(200);
    expect((await post('/v1/batch', { batch: batch.slice(0, 150) })).statusCode).toBe(200);
    const rows = await events();
    expect(rows).toHaveLength(300);
    expect(rows[299]?.properties).toEqual({ i: 299, note: 'quote " comma , newline \n tab \t back\\slash \\N 中文' });
    expect(rows[299]).toMatchObject({ event: 'Viewed \\N back\\slash', anonymous_id: 'a5\ttab' });
  });

  it('accepts gzip bodies', async () => {
    const body = gzipSync(JSON.stringify({ batch: [{ type: 'track', userId: 'u', event: 'Zipped' }] }));
    const res = await post('/v1/batch', body, { 'content-encoding': 'gzip' });
    expect(res.statusCode, res.body).toBe(200);
    expect((await events()).map((r) => r.event)).toEqual(['Zipped']);
  });

  it('accepts the write key in the body instead of Basic auth', async () => {
    const res = await fx.app.inject({ method: 'POST', url: '/v1/track', payload: { writeKey: fx.tenant.writeKey, userId: 'u', event: 'E' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(await storedCounts(fx.store, fx.tenant.tenantId)).toEqual({ events: 1, messageIds: 1 });
  });

  it('keeps tenants apart: the same messageId in two tenants is two events', async () => {
    const other = await freshTenant(fx.store);
    await post('/v1/track', { userId: 'u', event: 'E', messageId: 'shared' });
    await post('/v1/track', { userId: 'u', event: 'E', messageId: 'shared' }, { authorization: basicAuth(other.writeKey) });
    expect(await storedCounts(fx.store, fx.tenant.tenantId)).toEqual({ events: 1, messageIds: 1 });
    expect(await storedCounts(fx.store, other.tenantId)).toEqual({ events: 1, messageIds: 1 });
  });
});

describe.each(testEngines)('concurrent ingestion on %s', (engine) => {
  it('batches racing on the same messageIds in different orders store each event once, without errors', async () => {
    await withTestApp(engine, async ({ store, app, tenant }) => {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const ids = Array.from({ length: 2000 }, (_, i) => `race-${i}`);
      // Half the batches ascending, half descending: without a common lock order they deadlock.
      const shuffled = (k: number) => (k % 2 ? [...ids].reverse() : ids);
      const responses = await Promise.all(
        Array.from({ length: 8 }, (_, k) =>
          fetch(`http://127.0.0.1:${port}/v1/batch`, {
            method: 'POST',
            headers: { authorization: basicAuth(tenant.writeKey), 'content-type': 'application/json' },
            body: JSON.stringify({ batch: shuffled(k).map((id) => ({ type: 'track', userId: 'u', event: 'Race', messageId: id })) }),
          }),
        ),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(8).fill(200));
      expect(await storedCounts(store, tenant.tenantId)).toEqual({ events: 2000, messageIds: 2000 });
    });
  });
});
