import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { json, useAppFixture } from '../testing/app.js';
import { freshTenant, testEngines } from '../testing/engines.js';
import { adminRequest, personHolding, resolveQueued, sendBatch } from '../testing/identity.js';
import { bulkTagChange } from '../testing/tags.js';

const SH = { type: 'trait', trait: 'city', op: 'eq', value: '上海' };
const errorOf = (body: unknown) => {
  if (typeof body !== 'object' || body === null || !('error' in body)) throw new Error('not an error body');
  return body.error;
};

describe.each(testEngines)('tags API on %s', (engine) => {
  const fx = useAppFixture(engine);
  const tenant = () => fx.tenant.tenantId;
  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) => adminRequest(fx.app, fx.tenant, method, url, payload);
  const ok = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload: unknown, status: number) => {
    const res = await call(method, url, payload);
    expect(res.statusCode, res.body).toBe(status);
    return res.statusCode === 204 ? null : json(res);
  };
  const idOf = async (userId: string) => {
    const p = await personHolding(fx.store, tenant(), `user_id::${userId}`);
    if (!p) throw new Error(`no profile for ${userId}`);
    return p.id;
  };
  const count = async (table: 'tags' | 'profile_tags' | 'tag_history' | 'operations') =>
    Number((await fx.store.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', tenant()).executeTakeFirstOrThrow()).n);
  const operationCount = () => count('operations');
  const counts = async () => ({ tags: await count('tags'), profileTags: await count('profile_tags'), history: await count('tag_history'), operations: await operationCount() });
  const tokenActor = async () => {
    const t = await fx.store.db.selectFrom('admin_tokens').select('id').where('tenant_id', '=', tenant()).executeTakeFirstOrThrow();
    return `admin_token:${t.id}`;
  };
  async function people() {
    const res = await sendBatch(fx.app, fx.tenant, [
      { type: 'identify', userId: 'u1', traits: { city: '上海' }, messageId: 'i1' },
      { type: 'identify', userId: 'u2', traits: { city: '北京' }, messageId: 'i2' },
      { type: 'identify', userId: 'u3', traits: { city: '上海' }, messageId: 'i3' },
    ]);
    expect(res.statusCode, res.body).toBe(200);
    await resolveQueued(fx.store, tenant());
    return { u1: await idOf('u1'), u2: await idOf('u2'), u3: await idOf('u3') };
  }
  /** A saved segment row (its membership is not needed: bulk tagging evaluates its definition). */
  async function segment(name: string, condition: unknown): Promise<{ id: string }> {
    const id = randomUUID();
    await fx.store.db.insertInto('segments').values({ tenant_id: tenant(), id, name, description: null, definition: JSON.stringify({ version: 1, condition }) }).execute();
    return { id };
  }
  async function groupAndTag(name = 'VIP') {
    const group = (await ok('POST', '/api/v1/tag-groups', { name: '客户等级' }, 201)) as { id: string };
    const tag = (await ok('POST', '/api/v1/tags', { groupId: group.id, name, kind: 'manual' }, 201)) as { id: string };
    return { groupId: group.id, tagId: tag.id };
  }

  it('tag groups: idempotent by name, listed with their tags, deletable only when empty', async () => {
    const g = (await ok('POST', '/api/v1/tag-groups', { name: '意向车型', description: '客户感兴趣的车系' }, 201)) as { id: string };
    expect(await ok('POST', '/api/v1/tag-groups', { name: '意向车型' }, 200)).toMatchObject({ id: g.id, description: '客户感兴趣的车系', tags: [] });
    const t = (await ok('POST', '/api/v1/tags', { groupId: g.id, name: 'X5', kind: 'manual' }, 201)) as { id: string };
    expect(await ok('GET', '/api/v1/tag-groups', undefined, 200)).toMatchObject({ data: [{ id: g.id, name: '意向车型', tags: [{ id: t.id, name: 'X5', kind: 'manual', definition: null }] }] });
    const conflict = await call('DELETE', `/api/v1/tag-groups/${g.id}`);
    expect(conflict.statusCode).toBe(409);
    await ok('DELETE', `/api/v1/tags/${t.id}`, undefined, 204);
    await ok('DELETE', `/api/v1/tag-groups/${g.id}`, undefined, 204);
    expect(await ok('GET', '/api/v1/tag-groups', undefined, 200)).toEqual({ data: [] });
    expect((await call('DELETE', `/api/v1/tag-groups/${g.id}`)).statusCode).toBe(404);
  });

  it('tags: idempotent by group and name, 409 on another kind, filtered list, update and detail', async () => {
    const { groupId, tagId } = await groupAndTag();
    expect(await ok('POST', '/api/v1/tags', { groupId, name: 'VIP', kind: 'manual' }, 200)).toMatchObject({ id: tagId });
    const clash = await call('POST', '/api/v1/tags', { groupId, name: 'VIP', kind: 'rule', definition: { condition: SH } });
    expect(clash.statusCode, clash.body).toBe(409);
    const rule = (await ok('POST', '/api/v1/tags', { groupId, name: '上海', kind: 'rule', definition: { condition: SH } }, 201)) as { id: string };
    // The stored definition reads back with its keys in another order: still a replay.
    expect(await ok('POST', '/api/v1/tags', { groupId, name: '上海', kind: 'rule', definition: { version: 1, condition: { value: '上海', op: 'eq', trait: 'city', type: 'trait' } } }, 200)).toMatchObject({ id: rule.id });
    const other = (await ok('POST', '/api/v1/tag-groups', { name: '其他' }, 201)) as { id: string };
    await ok('POST', '/api/v1/tags', { groupId: other.id, name: 'VIP', kind: 'manual' }, 201);
    const listed = (await ok('GET', `/api/v1/tags?groupId=${groupId}`, undefined, 200)) as { data: { name: string }[] };
    expect(listed.data.map((t) => t.name)).toEqual(['VIP', '上海']);
    expect(await ok('PUT', `/api/v1/tags/${tagId}`, { description: '高价值客户' }, 200)).toMatchObject({ name: 'VIP', description: '高价值客户', memberCount: 0 });
    const badPut = await call('PUT', `/api/v1/tags/${tagId}`, { definition: { condition: SH } });
    expect(badPut.statusCode).toBe(400);
    expect(errorOf(json(badPut))).toMatchObject({ details: { issues: [{ path: 'definition' }] } });
    const audit = await fx.store.db.selectFrom('audit_log').select('action').where('tenant_id', '=', tenant()).where('target_type', '=', 'tag').orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['tag.create', 'tag.create', 'tag.create', 'tag.update']);
  });

  it('PUT answers the row it wrote: rename clash 409, refreshedAt of a re-evaluated rule tag, member count', async () => {
    const { u2 } = await people();
    const { groupId, tagId } = await groupAndTag();
    const manual = (await ok('GET', `/api/v1/tags/${tagId}`, undefined, 200)) as { refreshedAt: string | null };
    expect(manual.refreshedAt).toBeNull();
    const rule = (await ok('POST', '/api/v1/tags', { groupId, name: '上海', kind: 'rule', definition: { condition: SH } }, 201)) as { id: string; refreshedAt: string | null };
    expect(rule.refreshedAt).toEqual(expect.any(String));
    expect(await ok('GET', `/api/v1/tags/${rule.id}`, undefined, 200)).toMatchObject({ refreshedAt: rule.refreshedAt, memberCount: 2 });
    const clash = await call('PUT', `/api/v1/tags/${rule.id}`, { name: 'VIP' });
    expect(clash.statusCode, clash.body).toBe(409);
    expect(errorOf(json(clash))).toMatchObject({ code: 'conflict', details: { name: 'VIP' } });
    const beijing = { type: 'trait', trait: 'city', op: 'eq', value: '北京' };
    const put = (await ok('PUT', `/api/v1/tags/${rule.id}`, { name: '北京', definition: { condition: beijing } }, 200)) as { refreshedAt: string };
    expect(put).toMatchObject({ name: '北京', definition: { version: 1, condition: beijing }, memberCount: 1 });
    expect(await ok('GET', `/api/v1/tags/${rule.id}`, undefined, 200)).toEqual(put);
    const holders = await fx.store.db.selectFrom('profile_tags').select('profile_id').where('tenant_id', '=', tenant()).where('tag_id', '=', rule.id).execute();
    expect(holders.map((h) => h.profile_id)).toEqual([u2]);
    // A cursor that is not a history id is a 400, whatever its size.
    for (const after of ['abc', '99999999999999999999', '-1']) expect((await call('GET', `/api/v1/tags/${rule.id}/history?after=${after}`)).statusCode).toBe(400);
    expect(await ok('GET', `/api/v1/tags/${rule.id}/history?after=999999999999999999`, undefined, 200)).toEqual({ data: [], nextCursor: null });
  });

  it('rejects bad rule definitions with the JSON path and writes nothing', async () => {
    const { groupId, tagId } = await groupAndTag();
    const rule = (await ok('POST', '/api/v1/tags', { groupId, name: '上海', kind: 'rule', definition: { condition: SH } }, 201)) as { id: string };
    const before = await counts();
    const cases: [unknown, string][] = [
      [{ groupId, name: 'a', kind: 'rule', definition: { condition: { type: 'trait', trait: 'city', op: 'like', value: 1 } } }, 'definition.condition.op'],
      [{ groupId, name: 'a', kind: 'rule' }, 'definition'],
      [{ groupId, name: 'a', kind: 'manual', definition: { condition: SH } }, 'definition'],
      [{ groupId, name: 'a', kind: 'rule', definition: { condition: { type: 'and', conditions: [SH, { type: 'tag', tag: '00000000-0000-4000-8000-000000000000' }] } } }, 'definition.condition.conditions[1].tag'],
      [{ groupId, name: 'a', kind: 'rule', definition: { condition: { type: 'not', condition: { type: 'tag', tag: rule.id } } } }, 'definition.condition.condition.tag'],
      [{ groupId: '00000000-0000-4000-8000-000000000000', name: 'a', kind: 'manual' }, 'groupId'],
    ];
    for (const [body, path] of cases) {
      const res = await call('POST', '/api/v1/tags', body);
      expect(res.statusCode, res.body).toBe(400);
      const err = errorOf(json(res));
      expect(err).toMatchObject({ code: 'invalid_request', details: { issues: [{ path }] } });
    }
    // A rule tag may read a manual tag.
    await ok('POST', '/api/v1/tags', { groupId, name: '非VIP上海', kind: 'rule', definition: { condition: { type: 'and', conditions: [SH, { type: 'tag', tag: tagId, has: false }] } } }, 201);
    expect((await counts()).tags).toBe(before.tags + 1);
  });

  it('applies and removes a manual tag singly: exact counts, replays are no-ops, history with actor and reason', async () => {
    const { u1, u2, u3 } = await people();
    const { tagId } = await groupAndTag();
    expect(await ok('POST', `/api/v1/tags/${tagId}/apply`, { profileIds: [u1, u2], reason: '到店成交' }, 200)).toEqual({ applied: 2, unchanged: 0 });
    expect(await ok('POST', `/api/v1/tags/${tagId}/apply`, { profileIds: [u1, u2], reason: '到店成交' }, 200)).toEqual({ applied: 0, unchanged: 2 });
    expect(await ok('POST', `/api/v1/tags/${tagId}/apply`, { profileIds: [u3, u1, u3] }, 200)).toEqual({ applied: 1, unchanged: 1 });
    expect(await ok('POST', `/api/v1/tags/${tagId}/remove`, { profileIds: [u2] }, 200)).toEqual({ removed: 1, unchanged: 0 });
    expect(await ok('POST', `/api/v1/tags/${tagId}/remove`, { profileIds: [u2] }, 200)).toEqual({ removed: 0, unchanged: 1 });
    expect(await ok('GET', `/api/v1/tags/${tagId}`, undefined, 200)).toMatchObject({ memberCount: 2 });
    const actor = await tokenActor();
    const mine = (await ok('GET', `/api/v1/profiles/${u1}/tags`, undefined, 200)) as { data: unknown[] };
    expect(mine.data).toEqual([{ tagId, name: 'VIP', kind: 'manual', groupId: expect.any(String), groupName: '客户等级', appliedAt: expect.any(String), appliedBy: actor }]);
    const hist = (await ok('GET', `/api/v1/tags/${tagId}/history`, undefined, 200)) as { data: { profileId: string; action: string; actor: string; reason: string | null }[] };
    const rows = hist.data.map(({ profileId, action, actor: a, reason }) => ({ profileId, action, actor: a, reason }));
    expect(rows.slice(0, 2).sort((a, b) => (a.profileId < b.profileId ? -1 : 1))).toEqual(
      [u1, u2].sort().map((p) => ({ profileId: p, action: 'applied', actor, reason: '到店成交' })),
    );
    expect(rows.slice(2)).toEqual([
      { profileId: u3, action: 'applied', actor, reason: null },
      { profileId: u2, action: 'removed', actor, reason: null },
    ]);
    // Cursor pagination of a profile's history.
    const p1 = (await ok('GET', `/api/v1/profiles/${u2}/tags/history?limit=1`, undefined, 200)) as { data: { action: string }[]; nextCursor: string };
    expect(p1.data.map((h) => h.action)).toEqual(['applied']);
    const p2 = (await ok('GET', `/api/v1/profiles/${u2}/tags/history?limit=1&after=${p1.nextCursor}`, undefined, 200)) as { data: { action: string }[]; nextCursor: string };
    expect(p2.data.map((h) => h.action)).toEqual(['removed']);
    expect(await ok('GET', `/api/v1/profiles/${u2}/tags/history?limit=1&after=${p2.nextCursor}`, undefined, 200)).toEqual({ data: [], nextCursor: null });
    const dirty = await fx.store.db.selectFrom('profiles_dirty').select('profile_id').where('tenant_id', '=', tenant()).execute();
    // Marks are appended (a person marked twice has two rows, taken together by the next refresh).
    expect([...new Set(dirty.map((d) => d.profile_id))].sort()).toEqual([u1, u2, u3].sort());
    const jobs = await fx.store.db.selectFrom('jobs').select(['kind', 'key']).where('tenant_id', '=', tenant()).execute();
    expect(jobs).toEqual([{ kind: 'segments.refresh', key: '' }]);
  });

  it('applies and removes in bulk by saved segment and by definition, evaluated in the database by the operation job', async () => {
    const { u1, u2, u3 } = await people();
    const { tagId } = await groupAndTag();
    const shanghai = await segment('上海客户', SH);
    const bulk = async (action: 'apply' | 'remove', body: unknown) => {
      const op = await bulkTagChange(fx.app, fx.store, fx.tenant, tagId, action, body);
      expect(op.state, JSON.stringify(op.error)).toBe('succeeded');
      return op.counts;
    };
    expect(await ok('POST', `/api/v1/tags/${tagId}/apply`, { profileIds: [u1] }, 200)).toEqual({ applied: 1, unchanged: 0 });
    expect(await bulk('apply', { segmentId: shanghai.id, reason: '批量' })).toEqual({ changed: 1, unchanged: 1 });
    expect(await bulk('apply', { segmentId: shanghai.id })).toEqual({ changed: 0, unchanged: 2 });
    const holders = async () =>
      (await fx.store.db.selectFrom('profile_tags').select('profile_id').where('tenant_id', '=', tenant()).where('tag_id', '=', tagId).execute()).map((r) => r.profile_id).sort();
    expect(await holders()).toEqual([u1, u3].sort());
    expect(await bulk('apply', { definition: { condition: { type: 'trait', trait: 'city', op: 'exists' } } })).toEqual({ changed: 1, unchanged: 2 });
    expect(await holders()).toEqual([u1, u2, u3].sort());
    expect(await bulk('remove', { definition: { condition: { type: 'trait', trait: 'city', op: 'eq', value: '北京' } }, reason: '清理' })).toEqual({ changed: 1, unchanged: 0 });
    expect(await holders()).toEqual([u1, u3].sort());
    const hist = await fx.store.db.selectFrom('tag_history').select(['profile_id', 'action', 'reason']).where('tenant_id', '=', tenant()).orderBy('id').execute();
    expect(hist).toEqual([
      { profile_id: u1, action: 'applied', reason: null },
      { profile_id: u3, action: 'applied', reason: '批量' },
      { profile_id: u2, action: 'applied', reason: null },
      { profile_id: u2, action: 'removed', reason: '清理' },
    ]);
    const bad = await call('POST', `/api/v1/tags/${tagId}/apply`, { segmentId: '00000000-0000-4000-8000-000000000000' });
    expect(bad.statusCode).toBe(400);
    expect(errorOf(json(bad))).toMatchObject({ details: { issues: [{ path: 'segmentId' }] } });
    expect(await operationCount()).toBe(4);
  });

  it('400 naming the bad profile id (unknown, merged away, malformed) and nothing written', async () => {
    const { u1 } = await people();
    const { tagId } = await groupAndTag();
    // u9's profile is merged into a1's (the older) when one message carries both.
    const send = async (batch: Array<Record<string, unknown>>) => {
      expect((await sendBatch(fx.app, fx.tenant, batch)).statusCode).toBe(200);
      await resolveQueued(fx.store, tenant());
    };
    await send([{ type: 'track', anonymousId: 'a1', event: 'Content Viewed', messageId: 'm1' }]);
    const anon = (await personHolding(fx.store, tenant(), 'anonymous_id::a1'))!.id;
    await send([{ type: 'identify', userId: 'u9', messageId: 'm2' }]);
    const u9 = await idOf('u9');
    await send([{ type: 'identify', anonymousId: 'a1', userId: 'u9', messageId: 'm3' }]);
    const merged = await fx.store.db.selectFrom('profiles').select(['id', 'merged_into']).where('tenant_id', '=', tenant()).where('merged_into', 'is not', null).execute();
    const before = await counts();
    const unknown = '00000000-0000-4000-8000-000000000000';
    const cases: [unknown, string][] = [
      [{ profileIds: [u1, unknown] }, 'profileIds[1]'],
      [{ profileIds: [u1, 'nope'] }, 'profileIds[1]'],
      [{ profileIds: [] }, 'profileIds'],
      [{ profileIds: [u1], segmentId: unknown }, ''],
      [{ definition: { condition: { type: 'trait', trait: 'a b', op: 'exists' } } }, 'definition.condition.trait'],
      [{ profileIds: [u1, u9] }, 'profileIds[1]'],
    ];
    expect(merged).toEqual([{ id: u9, merged_into: anon }]);
    for (const [body, path] of cases) {
      const res = await call('POST', `/api/v1/tags/${tagId}/apply`, body);
      expect(res.statusCode, res.body).toBe(400);
      expect(errorOf(json(res))).toMatchObject({ code: 'invalid_request', details: { issues: [{ path }] } });
    }
    expect(await counts()).toEqual(before);
  });

  it('409: a rule tag cannot be applied by hand; a referenced tag cannot be deleted', async () => {
    const { u1 } = await people();
    const { groupId, tagId } = await groupAndTag();
    const rule = (await ok('POST', '/api/v1/tags', { groupId, name: 'VIP上海', kind: 'rule', definition: { condition: { type: 'and', conditions: [SH, { type: 'tag', tag: tagId }] } } }, 201)) as { id: string };
    for (const action of ['apply', 'remove']) {
      const res = await call('POST', `/api/v1/tags/${rule.id}/${action}`, { profileIds: [u1] });
      expect(res.statusCode, res.body).toBe(409);
    }
    const res = await call('DELETE', `/api/v1/tags/${tagId}`);
    expect(res.statusCode, res.body).toBe(409);
    expect(errorOf(json(res))).toMatchObject({ code: 'conflict', details: { tags: [{ id: rule.id, name: 'VIP上海' }], segments: [], stageModels: [] } });
    await ok('POST', `/api/v1/tags/${tagId}/apply`, { profileIds: [u1] }, 200);
    expect((await ok('GET', `/api/v1/tags/${rule.id}`, undefined, 200)) as object).toMatchObject({ memberCount: 0 });
    await ok('DELETE', `/api/v1/tags/${rule.id}`, undefined, 204);
    await segment('VIP', { type: 'tag', tag: tagId, has: true });
    const bySegment = await call('DELETE', `/api/v1/tags/${tagId}`);
    expect(bySegment.statusCode).toBe(409);
    expect(errorOf(json(bySegment))).toMatchObject({ details: { segments: [{ name: 'VIP' }] } });
    const c = await counts();
    expect(c.profileTags).toBe(1);
  });

  it("another tenant's tag and group are not found", async () => {
    const { u1 } = await people();
    const { groupId, tagId } = await groupAndTag();
    const other = await freshTenant(fx.store);
    const as = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) => adminRequest(fx.app, other, method, url, payload);
    expect((await as('GET', `/api/v1/tags/${tagId}`)).statusCode).toBe(404);
    expect((await as('PUT', `/api/v1/tags/${tagId}`, { name: 'x' })).statusCode).toBe(404);
    expect((await as('POST', `/api/v1/tags/${tagId}/apply`, { profileIds: [u1] })).statusCode).toBe(404);
    expect((await as('GET', `/api/v1/tags/${tagId}/history`)).statusCode).toBe(404);
    expect((await as('DELETE', `/api/v1/tags/${tagId}`)).statusCode).toBe(404);
    expect((await as('DELETE', `/api/v1/tag-groups/${groupId}`)).statusCode).toBe(404);
    expect((await as('GET', `/api/v1/profiles/${u1}/tags`)).statusCode).toBe(404);
    const res = await as('POST', '/api/v1/tags', { groupId, name: 'x', kind: 'manual' });
    expect(res.statusCode).toBe(400);
    expect(json(await as('GET', '/api/v1/tags'))).toEqual({ data: [] });
    expect(await counts()).toEqual({ tags: 1, profileTags: 0, history: 0, operations: 0 });
  });
});
