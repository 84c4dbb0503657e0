import { describe, expect, it } from 'vitest';
import { json, useAppFixture } from '../testing/app.js';
import { testEngines } from '../testing/engines.js';
import { adminRequest, people, sendResolved } from '../testing/identity.js';

describe.each(testEngines)('identity rules API on %s', (engine) => {
  const fx = useAppFixture(engine);
  const admin = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) => adminRequest(fx.app, fx.tenant, method, url, payload);
  const send = async (batch: Array<Record<string, unknown>>) => expect((await sendResolved(fx.app, fx.store, fx.tenant, batch)).statusCode).toBe(200);

  it('lists the built-in types in priority order', async () => {
    const res = await admin('GET', '/api/v1/identity/types');
    expect(res.statusCode).toBe(200);
    const types = (json(res) as { data: Array<{ type: string; maxPerProfile: number; scoped: boolean }> }).data;
    expect(types[0]).toMatchObject({ type: 'user_id', maxPerProfile: 1 });
    expect(types.at(-1)).toMatchObject({ type: 'anonymous_id', maxPerProfile: 50 });
    expect(types.find((t) => t.type === 'wechat_openid')).toMatchObject({ scoped: true });
    expect(types.find((t) => t.type === 'phone')).toMatchObject({ maxPerProfile: 3 });
  });

  it('a custom type read from a trait joins people; a non-merging one never bridges two', async () => {
    const put = await admin('PUT', '/api/v1/identity/types/loyalty_card', { priority: 92, maxPerProfile: 1, merges: true, scoped: false, normalizer: 'lower', traitNames: ['loyaltyCard'] });
    expect(put.statusCode, put.body).toBe(200);
    await send([
      { type: 'identify', anonymousId: 'a1', traits: { loyaltyCard: 'LC-001' }, messageId: 'm1' },
      { type: 'identify', anonymousId: 'a2', traits: { loyaltyCard: 'lc-001' }, messageId: 'm2' },
      { type: 'track', anonymousId: 'a3', event: 'Scanned', context: { externalIds: [{ id: 'LC-002', type: 'loyalty_card' }] }, messageId: 'm3' },
    ]);
    expect((await people(fx.store, fx.tenant.tenantId)).map((p) => p.identifiers)).toEqual([
      ['anonymous_id::a1', 'anonymous_id::a2', 'loyalty_card::lc-001'],
      ['anonymous_id::a3', 'loyalty_card::lc-002'],
    ]);
    const audit = await fx.store.db.selectFrom('audit_log').select(['action', 'target_id']).where('tenant_id', '=', fx.tenant.tenantId).where('action', 'like', 'identity.%').execute();
    expect(audit).toEqual([{ action: 'identity.type.put', target_id: 'loyalty_card' }]);
  });

  it('refuses changing how a built-in type stores values, and bad definitions', async () => {
    const scoped = await admin('PUT', '/api/v1/identity/types/phone', { priority: 80, maxPerProfile: 3, merges: true, scoped: true, normalizer: 'phone' });
    expect(scoped.statusCode).toBe(400);
    expect(json(scoped)).toMatchObject({ error: { code: 'invalid_request', details: { field: 'scoped' } } });
    expect((await admin('PUT', '/api/v1/identity/types/Bad-Name', { priority: 1, maxPerProfile: 1, merges: true, scoped: false, normalizer: 'exact' })).statusCode).toBe(400);
    expect((await admin('PUT', '/api/v1/identity/types/x', { priority: 1, maxPerProfile: 0, merges: true, scoped: false, normalizer: 'exact' })).statusCode).toBe(400);
    expect((await admin('GET', '/api/v1/identity/types')).statusCode).toBe(200);
    const n = await fx.store.db.selectFrom('identifier_types').select('type').where('tenant_id', '=', fx.tenant.tenantId).execute();
    expect(n).toEqual([]);
  });

  it("the tenant's junk list: a call-centre number identifies nobody from then on", async () => {
    const block = await admin('POST', '/api/v1/identity/blocklist', { type: 'phone', value: '400-800-8888' });
    expect(block.statusCode, block.body).toBe(200);
    expect(json(block)).toEqual({ type: 'phone', value: '+864008008888' });
    await send([
      { type: 'identify', userId: 'u1', traits: { phone: '4008008888' }, messageId: 'b1' },
      { type: 'identify', userId: 'u2', traits: { phone: '400 800 8888' }, messageId: 'b2' },
    ]);
    expect((await people(fx.store, fx.tenant.tenantId)).map((p) => p.identifiers)).toEqual([['user_id::u1'], ['user_id::u2']]);
    expect(json(await admin('GET', '/api/v1/identity/blocklist'))).toMatchObject({ data: [{ type: 'phone', value: '+864008008888' }] });
    expect((await admin('POST', '/api/v1/identity/blocklist', { type: 'fax', value: '1' })).statusCode).toBe(400);
    expect((await admin('DELETE', '/api/v1/identity/blocklist', { type: 'phone', value: '+864008008888' })).statusCode).toBe(204);
    expect((await admin('DELETE', '/api/v1/identity/blocklist', { type: 'phone', value: '+864008008888' })).statusCode).toBe(404);
  });

  it('trait strategies: first seen, max and union', async () => {
    for (const [trait, strategy] of [['firstSource', 'first'], ['score', 'max'], ['interests', 'union']]) {
      expect((await admin('PUT', `/api/v1/identity/trait-strategies/${trait}`, { strategy })).statusCode).toBe(200);
    }
    expect((await admin('PUT', '/api/v1/identity/trait-strategies/score', { strategy: 'sum' })).statusCode).toBe(400);
    await send([
      { type: 'identify', userId: 'u', traits: { firstSource: 'douyin', score: 40, interests: ['SUV'], city: '北京' }, messageId: 't1', timestamp: '2026-01-01T00:00:00Z' },
      { type: 'identify', userId: 'u', traits: { firstSource: 'website', score: 30, interests: ['EV', 'SUV'], city: '上海' }, messageId: 't2', timestamp: '2026-01-02T00:00:00Z' },
      // Arrives late: older than what is stored, so city (latest wins) does not go back.
      { type: 'identify', userId: 'u', traits: { city: '天津' }, messageId: 't3', timestamp: '2025-12-01T00:00:00Z' },
    ]);
    const [person] = await people(fx.store, fx.tenant.tenantId);
    expect(person!.traits).toEqual({ firstSource: 'douyin', score: 40, interests: ['SUV', 'EV'], city: '上海' });
    const meta = await fx.store.db.selectFrom('profiles').select('trait_meta').where('tenant_id', '=', fx.tenant.tenantId).executeTakeFirstOrThrow();
    expect(meta.trait_meta).toMatchObject({ city: { at: '2026-01-02T00:00:00.000Z', source: fx.tenant.sourceId }, firstSource: { at: '2026-01-01T00:00:00.000Z' } });
  });
});
