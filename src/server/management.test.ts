import { beforeEach, describe, expect, it } from 'vitest';
import { hashSecret } from '../platform/ids.js';
import { basicAuth, json, useAppFixture } from '../testing/app.js';
import { freshTenant, testEngines } from '../testing/engines.js';

interface Source {
  id: string;
  name: string;
  kind: string;
  domainClass: string;
  writeKeys: { id: string; prefix: string; revokedAt: string | null }[];
}
interface NewKey {
  id: string;
  key: string;
}

describe.each(testEngines)('management API on %s', (engine) => {
  const fx = useAppFixture(engine);
  let admin: Record<string, string>;
  beforeEach(() => {
    admin = { authorization: `Bearer ${fx.tenant.adminToken}` };
  });

  const call = (method: 'GET' | 'POST', url: string, payload?: unknown, headers = admin) =>
    fx.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: JSON.stringify(payload), headers: { ...headers, 'content-type': 'application/json' } }) });
  const track = (writeKey: string) =>
    fx.app.inject({ method: 'POST', url: '/v1/track', payload: { userId: 'u', event: 'E' }, headers: { authorization: basicAuth(writeKey) } });
  const audit = async () =>
    (await fx.store.db.selectFrom('audit_log').select(['action', 'actor', 'target_id']).where('tenant_id', '=', fx.tenant.tenantId).orderBy('id').execute()).map((a) => a.action);

  it('stores secrets only as hashes', async () => {
    const keys = await fx.store.db.selectFrom('write_keys').selectAll().where('tenant_id', '=', fx.tenant.tenantId).execute();
    expect(keys).toHaveLength(1);
    expect(keys[0]?.key_hash).toBe(hashSecret(fx.tenant.writeKey));
    expect(JSON.stringify(keys)).not.toContain(fx.tenant.writeKey);
    const tokens = await fx.store.db.selectFrom('admin_tokens').selectAll().where('tenant_id', '=', fx.tenant.tenantId).execute();
    expect(tokens[0]?.token_hash).toBe(hashSecret(fx.tenant.adminToken));
    expect(JSON.stringify(tokens)).not.toContain(fx.tenant.adminToken);
    expect(fx.tenant.writeKey).toMatch(/^wk_[A-Za-z0-9_-]{43}$/); // 32 random bytes
    expect(fx.tenant.adminToken).toMatch(/^at_[A-Za-z0-9_-]{43}$/);
  });

  it('creates a source with the domain class of its kind, and a working write key', async () => {
    const res = await call('POST', '/api/v1/sources', { name: '官网', kind: 'website' });
    expect(res.statusCode, res.body).toBe(201);
    const created = json(res) as { source: Source; writeKey: NewKey };
    expect(created.source).toMatchObject({ name: '官网', kind: 'website', domainClass: 'absolute' });
    expect((await track(created.writeKey.key)).statusCode).toBe(200);
    const ev = await fx.store.db.selectFrom('events').select('source_id').where('tenant_id', '=', fx.tenant.tenantId).execute();
    expect(ev).toEqual([{ source_id: created.source.id }]);

    const classes: [string, string][] = [['wecom', 'secondary'], ['wechat_oa', 'middle'], ['douyin', 'semi'], ['autohome', 'public'], ['dms', 'absolute']];
    for (const [kind, domainClass] of classes) {
      const r = await call('POST', '/api/v1/sources', { name: `s-${kind}`, kind });
      expect((json(r) as { source: Source }).source.domainClass).toBe(domainClass);
    }
    const override = await call('POST', '/api/v1/sources', { name: 'xhs-store', kind: 'xiaohongshu', domainClass: 'public' });
    expect((json(override) as { source: Source }).source.domainClass).toBe('public');
    const list = json(await call('GET', '/api/v1/sources')) as { data: Source[] };
    expect(list.data.map((s) => s.name)).toEqual(['default', '官网', 's-wecom', 's-wechat_oa', 's-douyin', 's-autohome', 's-dms', 'xhs-store']);
    expect(await audit()).toContain('source.create');
  });

  it('rejects a bad source with a clear 400 and creates nothing', async () => {
    for (const body of [{ name: 'x', kind: 'tiktok' }, { name: '', kind: 'app' }, { kind: 'app' }, { name: 'x', kind: 'app', domainClass: 'private' }]) {
      const res = await call('POST', '/api/v1/sources', body);
      expect(res.statusCode, res.body).toBe(400);
      expect((json(res) as { error: { code: string } }).error.code).toBe('invalid_request');
    }
    const list = json(await call('GET', '/api/v1/sources')) as { data: Source[] };
    expect(list.data).toHaveLength(1);
  });

  it('a duplicate source name → 409 with the existing id, no second source', async () => {
    const first = json(await call('POST', '/api/v1/sources', { name: 'App', kind: 'app' })) as { source: Source };
    const res = await call('POST', '/api/v1/sources', { name: 'App', kind: 'app' });
    expect(res.statusCode).toBe(409);
    expect(json(res)).toMatchObject({ error: { code: 'conflict', details: { sourceId: first.source.id } } });
    expect((json(await call('GET', '/api/v1/sources')) as { data: Source[] }).data).toHaveLength(2);
  });

  it('rotates a write key: the new one works, the old one stops at once', async () => {
    const res = await call('POST', `/api/v1/sources/${fx.tenant.sourceId}/write-keys`, { revokeExisting: true });
    expect(res.statusCode, res.body).toBe(201);
    const key = json(res) as NewKey;
    expect((await track(key.key)).statusCode).toBe(200);
    expect((await track(fx.tenant.writeKey)).statusCode).toBe(401);
    const src = json(await call('GET', `/api/v1/sources/${fx.tenant.sourceId}`)) as Source;
    expect(src.writeKeys.map((k) => k.revokedAt === null)).toEqual([false, true]);
    expect(await audit()).toEqual(['tenant.create', 'write_key.create', 'write_key.revoke']);
  });

  it('adds a second key without revoking, then revokes the first (idempotently)', async () => {
    const key = json(await call('POST', `/api/v1/sources/${fx.tenant.sourceId}/write-keys`)) as NewKey;
    expect((await track(fx.tenant.writeKey)).statusCode).toBe(200);
    expect((await track(key.key)).statusCode).toBe(200);
    const src = json(await call('GET', `/api/v1/sources/${fx.tenant.sourceId}`)) as Source;
    const firstId = src.writeKeys[0]!.id;
    const r1 = await call('POST', `/api/v1/sources/${fx.tenant.sourceId}/write-keys/${firstId}/revoke`);
    const r2 = await call('POST', `/api/v1/sources/${fx.tenant.sourceId}/write-keys/${firstId}/revoke`);
    expect(r1.statusCode).toBe(200);
    expect(json(r2)).toEqual(json(r1));
    expect((await track(fx.tenant.writeKey)).statusCode).toBe(401);
    expect((await track(key.key)).statusCode).toBe(200);
    expect((await audit()).filter((a) => a === 'write_key.revoke')).toHaveLength(1);
  });

  it('issues and revokes admin tokens, but never the last active one', async () => {
    const list = json(await call('GET', '/api/v1/admin-tokens')) as { data: { id: string }[] };
    const firstId = list.data[0]!.id;
    const last = await call('POST', `/api/v1/admin-tokens/${firstId}/revoke`);
    expect(last.statusCode).toBe(409);
    expect(json(last)).toMatchObject({ error: { code: 'last_admin_token' } });

    const created = json(await call('POST', '/api/v1/admin-tokens', { name: 'ops' })) as { id: string; token: string };
    const revoke = await call('POST', `/api/v1/admin-tokens/${firstId}/revoke`, undefined, { authorization: `Bearer ${created.token}` });
    expect(revoke.statusCode, revoke.body).toBe(200);
    expect((await call('GET', '/api/v1/sources')).statusCode).toBe(401);
    expect((await call('GET', '/api/v1/sources', undefined, { authorization: `Bearer ${created.token}` })).statusCode).toBe(200);
    expect(await audit()).toEqual(['tenant.create', 'admin_token.create', 'admin_token.revoke']);
  });

  it('scopes everything to the token tenant: another tenant sees 404s and none of our data', async () => {
    const other = await freshTenant(fx.store);
    const otherAdmin = { authorization: `Bearer ${other.adminToken}` };
    expect((await call('GET', `/api/v1/sources/${fx.tenant.sourceId}`, undefined, otherAdmin)).statusCode).toBe(404);
    const src = json(await call('GET', `/api/v1/sources/${fx.tenant.sourceId}`)) as Source;
    const revoke = await call('POST', `/api/v1/sources/${fx.tenant.sourceId}/write-keys/${src.writeKeys[0]!.id}/revoke`, undefined, otherAdmin);
    expect(revoke.statusCode).toBe(404);
    expect((await track(fx.tenant.writeKey)).statusCode).toBe(200);
    const events = json(await call('GET', '/api/v1/events', undefined, otherAdmin)) as { data: unknown[] };
    expect(events.data).toEqual([]);
    const list = json(await call('GET', '/api/v1/sources', undefined, otherAdmin)) as { data: Source[] };
    expect(list.data.map((s) => s.id)).toEqual([other.sourceId]);
  });

  it('requires an admin token: none, a wrong one, or a write key → 401', async () => {
    expect((await call('GET', '/api/v1/events', undefined, {})).statusCode).toBe(401);
    expect((await call('GET', '/api/v1/events', undefined, { authorization: 'Bearer at_wrong' })).statusCode).toBe(401);
    expect((await call('GET', '/api/v1/events', undefined, { authorization: `Bearer ${fx.tenant.writeKey}` })).statusCode).toBe(401);
  });

  it('lists events newest first with filters and cursor pagination', async () => {
    const batch = Array.from({ length: 25 }, (_, i) => ({
      type: i % 5 === 0 ? 'identify' : 'track',
      ...(i % 5 === 0 ? {} : { event: i % 2 ? 'Odd' : 'Even' }),
      ...(i < 10 ? { userId: 'alice' } : { anonymousId: 'anon-1' }),
      messageId: `m${i}`,
      timestamp: new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString(),
    }));
    const ingest = await fx.app.inject({ method: 'POST', url: '/v1/batch', payload: { batch }, headers: { authorization: basicAuth(fx.tenant.writeKey) } });
    expect(ingest.statusCode, ingest.body).toBe(200);

    const page = async (qs: string) => json(await call('GET', `/api/v1/events?${qs}`)) as { data: { messageId: string }[]; nextCursor: string | null };
    const ids: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const p = await page(`limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      ids.push(...p.data.map((e) => e.messageId));
      cursor = p.nextCursor;
    }
    expect(ids).toEqual(batch.map((b) => b.messageId).reverse());

    expect((await page('type=identify')).data.map((e) => e.messageId)).toEqual(['m20', 'm15', 'm10', 'm5', 'm0']);
    expect((await page('event=Odd&userId=alice')).data.map((e) => e.messageId)).toEqual(['m9', 'm7', 'm3', 'm1']);
    expect((await page('anonymousId=anon-1&type=track&limit=3')).data.map((e) => e.messageId)).toEqual(['m24', 'm23', 'm22']);
    const from = new Date(Date.UTC(2026, 10, 1, 0, 3)).toISOString();
    const to = new Date(Date.UTC(2026, 10, 1, 0, 6)).toISOString();
    expect((await page(`from=${from}&to=${to}`)).data.map((e) => e.messageId)).toEqual(['m5', 'm4', 'm3']);
  });

  it('rejects bad event queries with 400', async () => {
    for (const qs of ['limit=0', 'limit=5000', 'limit=abc', 'type=purchase', 'from=yesterday', 'cursor=not-a-cursor']) {
      const res = await call('GET', `/api/v1/events?${qs}`);
      expect(res.statusCode, `${qs}: ${res.body}`).toBe(400);
      expect((json(res) as { error: { code: string } }).error.code).toBe('invalid_request');
    }
  });

  it('rejects malformed ids in paths with 400, unknown ones with 404', async () => {
    expect((await call('GET', '/api/v1/sources/not-a-uuid')).statusCode).toBe(400);
    expect((await call('GET', '/api/v1/sources/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    expect((await call('POST', '/api/v1/sources/00000000-0000-4000-8000-000000000000/write-keys', {})).statusCode).toBe(404);
  });
});
