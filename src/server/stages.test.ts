import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { json, useAppFixture } from '../testing/app.js';
import { freshTenant, testEngines } from '../testing/engines.js';
import { adminRequest, personHolding, resolveQueued, sendBatch } from '../testing/identity.js';

type Body = Record<string, unknown>;
const obj = (v: unknown): Body => (typeof v === 'object' && v !== null ? { ...v } : {});

const funnel = (hotEvent = 'Price Inquiry') => ({
  name: '意向漏斗',
  description: 'Leads and hot leads',
  stages: [
    { key: 'lead', name: 'Lead', nameZh: '线索', condition: { type: 'event', event: 'Lead Created' } },
    { key: 'hot', name: 'Hot', condition: { type: 'event', event: hotEvent, window: { lastDays: 30 } } },
  ],
});

describe.each(testEngines)('stage models API on %s', (engine) => {
  const fx = useAppFixture(engine);
  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) => adminRequest(fx.app, fx.tenant, method, url, payload);
  const send = async (batch: Array<Record<string, unknown>>) => {
    const res = await sendBatch(fx.app, fx.tenant, batch);
    expect(res.statusCode, res.body).toBe(200);
    await resolveQueued(fx.store, fx.tenant.tenantId);
  };
  const idOf = async (userId: string) => (await personHolding(fx.store, fx.tenant.tenantId, `user_id::${userId}`))!.id;
  const audit = async (action: string) =>
    (await fx.store.db.selectFrom('audit_log').select('target_id').where('tenant_id', '=', fx.tenant.tenantId).where('action', '=', action).execute()).map((r) => r.target_id);
  const count = async (table: 'profile_stages' | 'stage_transitions', model: string) =>
    Number(
      (
        await fx.store.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('tenant_id', '=', fx.tenant.tenantId)
          .where('model', '=', model)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('a tenant without models gets the 5A preset as its default, once', async () => {
    await send([{ type: 'track', userId: 'u1', event: 'Test Drive Booked', messageId: 'e1' }]);
    const first = await call('GET', '/api/v1/stage-models');
    expect(first.statusCode, first.body).toBe(200);
    const again = await call('GET', '/api/v1/stage-models');
    expect(json(again)).toEqual(json(first));
    const [model] = obj(json(first))['data'] as Body[];
    expect(model).toMatchObject({ key: 'five_a', name: '5A', preset: '5a', progression: 'highest_match', isDefault: true, revision: 1, timeDependent: true });
    expect((model!['stages'] as Body[]).map((s) => [s['key'], s['name'], s['nameZh']])).toEqual([
      ['A1', 'Aware', '了解'],
      ['A2', 'Appeal', '吸引'],
      ['A3', 'Ask', '问询'],
      ['A4', 'Act', '行动'],
      ['A5', 'Advocate', '拥护'],
    ]);
    expect(await audit('stage_model.install')).toEqual(['five_a']);
    const one = await call('GET', '/api/v1/stage-models/five_a');
    expect(json(one)).toEqual(model);
    const stages = await call('GET', `/api/v1/profiles/${await idOf('u1')}/stages`);
    expect(json(stages)).toEqual({ data: [{ model: 'five_a', modelName: '5A', isDefault: true, stage: 'A3', stageName: 'Ask', stageNameZh: '问询', since: model!['refreshedAt'] }] });
  });

  it('PUT creates, replays without a new revision, and re-evaluates changed stages over every profile', async () => {
    await send([
      { type: 'track', userId: 'p', event: 'Lead Created', messageId: 'p1' },
      { type: 'track', userId: 'p', event: 'Price Inquiry', messageId: 'p2' },
      { type: 'track', userId: 'q', event: 'Lead Created', messageId: 'q1' },
      { type: 'track', userId: 'q', event: 'Test Drive Booked', messageId: 'q2' },
    ]);
    const created = await call('PUT', '/api/v1/stage-models/funnel', funnel());
    expect(created.statusCode, created.body).toBe(201);
    expect(json(created)).toMatchObject({ key: 'funnel', name: '意向漏斗', preset: null, isDefault: true, revision: 1, timeDependent: true });
    expect(obj(json(created))['stages']).toEqual([
      { key: 'lead', name: 'Lead', nameZh: '线索', description: null, condition: { type: 'event', event: 'Lead Created' } },
      { key: 'hot', name: 'Hot', nameZh: null, description: null, condition: { type: 'event', event: 'Price Inquiry', window: { lastDays: 30 } } },
    ]);
    const replay = await call('PUT', '/api/v1/stage-models/funnel', funnel());
    expect(replay.statusCode).toBe(200);
    expect(json(replay)).toEqual(json(created));
    expect(await audit('stage_model.create')).toEqual(['funnel']);
    expect(await audit('stage_model.update')).toEqual([]);

    const [p, q] = [await idOf('p'), await idOf('q')];
    const stageOf = async (id: string) => (obj(json(await call('GET', `/api/v1/profiles/${id}/stages`)))['data'] as Body[])[0]!['stage'];
    expect([await stageOf(p), await stageOf(q)]).toEqual(['hot', 'lead']);

    const changed = await call('PUT', '/api/v1/stage-models/funnel', funnel('Test Drive Booked'));
    expect(changed.statusCode, changed.body).toBe(200);
    expect(json(changed)).toMatchObject({ revision: 2 });
    expect([await stageOf(p), await stageOf(q)]).toEqual(['lead', 'hot']);
    const history = await call('GET', `/api/v1/profiles/${p}/stages/history`);
    expect((obj(json(history))['data'] as Body[]).map((r) => [r['model'], r['fromStage'], r['toStage']])).toEqual([
      ['funnel', 'hot', 'lead'],
      ['funnel', null, 'hot'],
    ]);
    // A name-only change keeps the revision.
    const renamed = await call('PUT', '/api/v1/stage-models/funnel', { ...funnel('Test Drive Booked'), name: 'Funnel' });
    expect(json(renamed)).toMatchObject({ name: 'Funnel', revision: 2 });
  });

  it('bad stage definitions answer 400 naming the JSON path, and change nothing', async () => {
    expect((await call('PUT', '/api/v1/stage-models/funnel', funnel())).statusCode).toBe(201);
    const before = json(await call('GET', '/api/v1/stage-models/funnel'));
    const tag = randomUUID();
    const bad: Array<[string, unknown, string]> = [
      ['stage condition', { ...funnel(), stages: [funnel().stages[0], { key: 'x', name: 'X', condition: { type: 'stage', model: 'funnel', stages: ['lead'] } }] }, 'stages[1].condition'],
      [
        'nested stage condition',
        { ...funnel(), stages: [{ key: 'x', name: 'X', condition: { type: 'or', conditions: [{ type: 'stage', model: 'funnel', stages: ['lead'] }] } }, funnel().stages[1]] },
        'stages[0].condition.conditions[0]',
      ],
      ['duplicate keys', { ...funnel(), stages: [funnel().stages[0], { ...funnel().stages[1], key: 'lead' }] }, 'stages[1].key'],
      ['unknown tag', { ...funnel(), stages: [{ key: 'x', name: 'X', condition: { type: 'tag', tag } }, funnel().stages[1]] }, 'stages[0].condition.tag'],
      ['bad stage key', { ...funnel(), stages: [{ ...funnel().stages[0], key: 'a-b' }, funnel().stages[1]] }, 'stages[0].key'],
      ['one stage', { ...funnel(), stages: [funnel().stages[0]] }, 'stages'],
      ['mixed between', { ...funnel(), stages: [{ key: 'x', name: 'X', condition: { type: 'trait', trait: 'age', op: 'between', from: 1, to: '2020-01-01' } }, funnel().stages[1]] }, 'stages[0].condition.to'],
      ['bad progression', { ...funnel(), progression: 'sometimes' }, 'progression'],
    ];
    for (const [what, body, path] of bad) {
      for (const key of ['funnel', 'other']) {
        const res = await call('PUT', `/api/v1/stage-models/${key}`, body);
        expect(res.statusCode, `${what}: ${res.body}`).toBe(400);
        const error = obj(obj(json(res))['error']);
        expect(error['code']).toBe('invalid_request');
        expect((obj(error['details'])['issues'] as Body[])[0]!['path'], what).toBe(path);
      }
    }
    expect((await call('PUT', '/api/v1/stage-models/Bad-Key', funnel())).statusCode).toBe(400);
    expect(json(await call('GET', '/api/v1/stage-models/funnel'))).toEqual(before);
    expect((await call('GET', '/api/v1/stage-models/other')).statusCode).toBe(404);
    expect(await audit('stage_model.update')).toEqual([]);
  });

  it('presets install under their key once; delete removes a model with its stages and transitions', async () => {
    await send([{ type: 'track', userId: 'u', event: 'Signed Up', messageId: 's1' }]);
    const a = await call('POST', '/api/v1/stage-models/presets/5a');
    expect(a.statusCode, a.body).toBe(201);
    expect(json(a)).toMatchObject({ key: 'five_a', isDefault: true });
    const b = await call('POST', '/api/v1/stage-models/presets/aarrr');
    expect(b.statusCode).toBe(201);
    expect(json(b)).toMatchObject({ key: 'aarrr', preset: 'aarrr', isDefault: false });
    const again = await call('POST', '/api/v1/stage-models/presets/aarrr');
    expect(again.statusCode).toBe(200);
    expect(json(again)).toEqual(json(b));
    expect((await call('POST', '/api/v1/stage-models/presets/rarra')).statusCode).toBe(400);
    const u = await idOf('u');
    const stages = obj(json(await call('GET', `/api/v1/profiles/${u}/stages`)))['data'] as Body[];
    expect(stages.map((s) => [s['model'], s['stage']])).toEqual([
      ['aarrr', 'activation'],
      ['five_a', 'A1'],
    ]);

    // A segment naming the model's stages holds it.
    await fx.store.db
      .insertInto('segments')
      .values({ tenant_id: fx.tenant.tenantId, id: randomUUID(), name: 'activated', definition: JSON.stringify({ version: 1, condition: { type: 'stage', model: 'aarrr', stages: ['activation'] } }) })
      .execute();
    const held = await call('DELETE', '/api/v1/stage-models/aarrr');
    expect(held.statusCode, held.body).toBe(409);
    await fx.store.db.deleteFrom('segments').where('tenant_id', '=', fx.tenant.tenantId).execute();

    expect([await count('profile_stages', 'aarrr'), await count('stage_transitions', 'aarrr')]).toEqual([1, 1]);
    expect((await call('DELETE', '/api/v1/stage-models/five_a')).statusCode).toBe(204);
    expect([await count('profile_stages', 'five_a'), await count('stage_transitions', 'five_a')]).toEqual([0, 0]);
    expect(await audit('stage_model.delete')).toEqual(['five_a']);
    expect((await call('GET', '/api/v1/stage-models/five_a')).statusCode).toBe(404);
    expect((await call('DELETE', '/api/v1/stage-models/five_a')).statusCode).toBe(404);
    // The default passes to the remaining model.
    expect(json(await call('GET', '/api/v1/stage-models'))).toMatchObject({ data: [{ key: 'aarrr', isDefault: true }] });
  });

  it('refuses to drop a stage that a saved segment names (409), and allows every other change', async () => {
    expect((await call('PUT', '/api/v1/stage-models/funnel', funnel())).statusCode).toBe(201);
    const segment = randomUUID();
    await fx.store.db
      .insertInto('segments')
      .values({ tenant_id: fx.tenant.tenantId, id: segment, name: 'hot leads', definition: JSON.stringify({ version: 1, condition: { type: 'stage', model: 'funnel', stages: ['hot'] } }) })
      .execute();
    const dropped = await call('PUT', '/api/v1/stage-models/funnel', { ...funnel(), stages: [funnel().stages[0], { ...funnel().stages[1], key: 'warm' }] });
    expect(dropped.statusCode, dropped.body).toBe(409);
    expect(obj(obj(json(dropped))['error'])['details']).toEqual({ kind: 'segment', id: segment, stages: ['hot'] });
    expect(json(await call('GET', '/api/v1/stage-models/funnel'))).toMatchObject({ revision: 1 });
    // Keeping the named stage, with a new rule and a stage more, is fine.
    const kept = await call('PUT', '/api/v1/stage-models/funnel', { ...funnel('Test Drive Booked'), stages: [...funnel('Test Drive Booked').stages, { key: 'won', name: 'Won', condition: { type: 'event', event: 'Order Placed' } }] });
    expect(kept.statusCode, kept.body).toBe(200);
    expect(json(kept)).toMatchObject({ revision: 2 });
    // An unknown model is 404 whatever refers to anything.
    expect((await call('DELETE', '/api/v1/stage-models/nothing_here')).statusCode).toBe(404);
    expect((await call('DELETE', '/api/v1/stage-models/funnel')).statusCode).toBe(409);
  });

  it('keeps tenants apart and answers 308 / 404 for merged and unknown profiles', async () => {
    await send([
      { type: 'track', anonymousId: 'anon', event: 'Page Viewed', messageId: 'm1' },
      { type: 'track', userId: 'member', event: 'Order Placed', messageId: 'm2' },
    ]);
    expect((await call('PUT', '/api/v1/stage-models/funnel', funnel())).statusCode).toBe(201);
    // The tenant has a model: no preset is added, and a later model may take over the default.
    expect((await call('PUT', '/api/v1/stage-models/second', { ...funnel(), isDefault: true })).statusCode).toBe(201);
    const list = obj(json(await call('GET', '/api/v1/stage-models')))['data'] as Body[];
    expect(list.map((m) => [m['key'], m['isDefault']])).toEqual([
      ['funnel', false],
      ['second', true],
    ]);
    const member = await idOf('member');

    const other = await freshTenant(fx.store);
    const otherCall = (method: 'GET' | 'PUT', url: string, payload?: unknown) => adminRequest(fx.app, other, method, url, payload);
    expect((await otherCall('GET', '/api/v1/stage-models/funnel')).statusCode).toBe(404);
    expect((await otherCall('GET', `/api/v1/profiles/${member}/stages`)).statusCode).toBe(404);
    expect(json(await otherCall('GET', '/api/v1/stage-models'))).toMatchObject({ data: [{ key: 'five_a', isDefault: true }] });
    const rows = await fx.store.db.selectFrom('profile_stages').select('tenant_id').where('tenant_id', '=', other.tenantId).execute();
    expect(rows).toEqual([]);

    await send([{ type: 'identify', anonymousId: 'anon', userId: 'member', messageId: 'm3' }]);
    const mergedAway = await fx.store.db.selectFrom('profiles').select('id').where('tenant_id', '=', fx.tenant.tenantId).where('merged_into', 'is not', null).executeTakeFirstOrThrow();
    expect((await call('GET', `/api/v1/profiles/${mergedAway.id}/stages`)).statusCode).toBe(308);
    expect((await call('GET', `/api/v1/profiles/${randomUUID()}/stages/history`)).statusCode).toBe(404);
  });
});
