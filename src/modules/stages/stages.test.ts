import { describe, expect, it } from 'vitest';
import { pendingJobs } from '../../platform/jobs/index.js';
import { useAppFixture } from '../../testing/app.js';
import { testEngines } from '../../testing/engines.js';
import { personHolding, sendResolved } from '../../testing/identity.js';
import { evaluationContext, REFRESH_JOB } from '../segments/index.js';
import { stageModelPutSchema } from '../../contracts/stages.js';
import { deleteProfileStages, ensureDefaultModels, PRESETS, putStageModel, refreshStagesFor, refreshStagesFull } from './index.js';

const DAY = 86_400_000;
const NOW = new Date();
const ago = (days: number) => new Date(NOW.getTime() - days * DAY).toISOString();
const track = (userId: string, event: string, days: number, n: number, properties: Record<string, unknown> = {}) => ({
  type: 'track',
  userId,
  event,
  properties,
  messageId: `${userId}-${event}-${n}`,
  timestamp: ago(days),
});

describe('presets', () => {
  it.each(Object.entries(PRESETS))('%s is a valid model in the segment DSL, as written', (_preset, p) => {
    const parsed = stageModelPutSchema.parse({ name: p.name, progression: p.progression, stages: p.stages });
    expect(parsed.stages).toEqual(p.stages);
  });
});

describe.each(testEngines)('stage evaluation on %s', (engine) => {
  const fx = useAppFixture(engine);
  const t = () => fx.tenant.tenantId;
  const db = () => fx.store.db;
  const send = async (batch: Array<Record<string, unknown>>) => {
    const res = await sendResolved(fx.app, fx.store, fx.tenant, batch);
    expect(res.statusCode, res.body).toBe(200);
  };
  const idOf = async (userId: string) => {
    const p = await personHolding(fx.store, t(), `user_id::${userId}`);
    if (!p) throw new Error(`no profile for ${userId}`);
    return p.id;
  };
  /** user id → stage in `model`, for every profile holding a stage. */
  const stagesOf = async (model: string) => {
    const rows = await db()
      .selectFrom('profile_stages as ps')
      .innerJoin('profile_identifiers as pi', (j) => j.onRef('pi.tenant_id', '=', 'ps.tenant_id').onRef('pi.profile_id', '=', 'ps.profile_id'))
      .select(['pi.value', 'ps.stage'])
      .where('ps.tenant_id', '=', t())
      .where('ps.model', '=', model)
      .where('pi.type', '=', 'user_id')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.value, r.stage]).sort(([a], [b]) => ((a ?? '') < (b ?? '') ? -1 : 1)));
  };
  const transitionsOf = async (profileId: string, model = 'five_a') =>
    (
      await db()
        .selectFrom('stage_transitions')
        .select(['from_stage', 'to_stage', 'at'])
        .where('tenant_id', '=', t())
        .where('model', '=', model)
        .where('profile_id', '=', profileId)
        .orderBy('id')
        .execute()
    ).map((r) => ({ from: r.from_stage, to: r.to_stage, at: r.at.toISOString() }));
  const refreshFor = async (ids: string[], now: Date) => {
    const ctx = await evaluationContext(db(), t(), now, 'row');
    return db().transaction().execute((trx) => refreshStagesFor(trx, ctx, ids));
  };

  it('5A: every stage reached by its own rule, with windows, property filters, vehicles and WeCom friends', async () => {
    await send([
      track('aware', 'Page Viewed', 1, 1),
      ...[1, 2, 3].map((n) => track('appeal', 'Content Viewed', n * 10, n)),
      // Three views, but one is older than 90 days: only Aware.
      ...[1, 2, 100].map((n) => track('stale', 'Content Viewed', n, n)),
      track('friend', 'Mini Program Opened', 2, 1),
      track('ask', 'Price Inquiry', 400, 1),
      track('act', 'Order Placed', 5, 1),
      { type: 'track', userId: 'owner', event: 'Maintenance Booked', properties: { vin: '1M8GDM9AXKP042788', vehicleRole: 'owner' }, messageId: 'own-1', timestamp: ago(3) },
      track('fan', 'NPS Submitted', 2, 1, { score: 9 }),
      track('critic', 'NPS Submitted', 2, 1, { score: 8 }),
      track('reviewer', 'Review Posted', 2, 1),
    ]);
    await db()
      .insertInto('profile_rollups')
      .values({ tenant_id: t(), profile_id: await idOf('friend'), wecom_staff: ['zhangsan'] })
      .execute();
    expect(await ensureDefaultModels(db(), t(), NOW)).toBe(true);
    expect(await ensureDefaultModels(db(), t(), NOW)).toBe(false);
    const expected = { act: 'A4', appeal: 'A2', ask: 'A3', aware: 'A1', critic: 'A1', fan: 'A5', friend: 'A2', owner: 'A4', reviewer: 'A5', stale: 'A1' };
    // Installing evaluates the whole tenant (set mode) …
    expect(await stagesOf('five_a')).toEqual(expected);
    // … and the row-mode refresh agrees, changing nothing.
    const everyone = await Promise.all(Object.keys(expected).map(idOf));
    expect(await refreshFor(everyone, NOW)).toBe(0);
    expect(await stagesOf('five_a')).toEqual(expected);
    const model = await db().selectFrom('stage_models').select(['is_default', 'preset', 'time_dependent']).where('tenant_id', '=', t()).executeTakeFirstOrThrow();
    expect(model).toEqual({ is_default: true, preset: '5a', time_dependent: true });
  });

  it('an order moves a person from A3 to A4, with both transitions and their times', async () => {
    await send([track('buyer', 'Test Drive Booked', 3, 1)]);
    const id = await idOf('buyer');
    await ensureDefaultModels(db(), t(), NOW);
    expect(await stagesOf('five_a')).toEqual({ buyer: 'A3' });
    await send([track('buyer', 'Order Placed', 0, 2)]);
    const later = new Date(NOW.getTime() + 60_000);
    expect(await refreshFor([id], later)).toBe(1);
    expect(await stagesOf('five_a')).toEqual({ buyer: 'A4' });
    expect(await transitionsOf(id)).toEqual([
      { from: null, to: 'A3', at: NOW.toISOString() },
      { from: 'A3', to: 'A4', at: later.toISOString() },
    ]);
    const since = await db().selectFrom('profile_stages').select('since').where('tenant_id', '=', t()).where('profile_id', '=', id).executeTakeFirstOrThrow();
    expect(since.since.toISOString()).toBe(later.toISOString());
    // Nothing new: nothing written.
    expect(await refreshFor([id], new Date(later.getTime() + 60_000))).toBe(0);
    expect(await transitionsOf(id)).toHaveLength(2);
  });

  it('highest_match moves down when a window passes; no_regression keeps the highest stage', async () => {
    await send([track('p', 'Lead Created', 40, 1), track('p', 'Price Inquiry', 20, 2), track('q', 'Lead Created', 1, 1)]);
    const stages = [
      { key: 'lead', name: 'Lead', condition: { type: 'event' as const, event: 'Lead Created' } },
      { key: 'hot', name: 'Hot', condition: { type: 'event' as const, event: 'Price Inquiry', window: { lastDays: 30 } } },
    ];
    const deps = { db: db(), clock: { now: () => NOW } };
    await putStageModel(deps, t(), 'plain', { name: 'Plain', progression: 'highest_match', stages }, 'test');
    await putStageModel(deps, t(), 'sticky', { name: 'Sticky', progression: 'no_regression', stages }, 'test');
    expect(await stagesOf('plain')).toEqual({ p: 'hot', q: 'lead' });
    expect(await stagesOf('sticky')).toEqual({ p: 'hot', q: 'lead' });
    const later = new Date(NOW.getTime() + 15 * DAY);
    // Resolution marked both as dirty; start from a clean list to see what the pass marks.
    await db().deleteFrom('profiles_dirty').where('tenant_id', '=', t()).execute();
    await db().deleteFrom('jobs').where('tenant_id', '=', t()).execute();
    // Only time-dependent models are re-evaluated by the scheduled pass.
    expect(await refreshStagesFull(db(), t(), later, { all: false })).toEqual({ models: 2, changed: 1 });
    expect(await stagesOf('plain')).toEqual({ p: 'lead', q: 'lead' });
    expect(await stagesOf('sticky')).toEqual({ p: 'hot', q: 'lead' });
    const p = await idOf('p');
    expect(await transitionsOf(p, 'plain')).toEqual([
      { from: null, to: 'hot', at: NOW.toISOString() },
      { from: 'hot', to: 'lead', at: later.toISOString() },
    ]);
    // The changed profile is marked dirty and the refresh job is due, so that stage segments follow.
    const dirty = await db().selectFrom('profiles_dirty').select('profile_id').where('tenant_id', '=', t()).execute();
    expect(dirty).toEqual([{ profile_id: p }]);
    const jobs = (await pendingJobs(db(), t())).filter((j) => j.kind === REFRESH_JOB);
    expect(jobs).toHaveLength(1);
  });

  it('the scheduled pass leaves models without relative windows alone unless asked for all', async () => {
    await send([track('r', 'Lead Created', 1, 1)]);
    const deps = { db: db(), clock: { now: () => NOW } };
    const stages = [
      { key: 'lead', name: 'Lead', condition: { type: 'event' as const, event: 'Lead Created' } },
      { key: 'won', name: 'Won', condition: { type: 'event' as const, event: 'Order Placed' } },
    ];
    const { model } = await putStageModel(deps, t(), 'ever', { name: 'Ever', progression: 'highest_match', stages }, 'test');
    expect(model.timeDependent).toBe(false);
    const later = new Date(NOW.getTime() + DAY);
    expect(await refreshStagesFull(db(), t(), later, { all: false })).toEqual({ models: 0, changed: 0 });
    expect(await refreshStagesFull(db(), t(), later, { all: true })).toEqual({ models: 1, changed: 0 });
    const refreshed = await db().selectFrom('stage_models').select('refreshed_at').where('tenant_id', '=', t()).where('key', '=', 'ever').executeTakeFirstOrThrow();
    expect(refreshed.refreshed_at?.toISOString()).toBe(later.toISOString());
  });

  it('a profile merged away leaves every model', async () => {
    await send([
      { type: 'track', anonymousId: 'anon-1', event: 'Page Viewed', messageId: 'm1', timestamp: ago(2) },
      track('member', 'Price Inquiry', 2, 1),
    ]);
    await ensureDefaultModels(db(), t(), NOW);
    const before = await db().selectFrom('profile_stages').select(['profile_id', 'stage']).where('tenant_id', '=', t()).orderBy('stage').execute();
    expect(before.map((r) => r.stage)).toEqual(['A1', 'A3']);
    await send([{ type: 'identify', anonymousId: 'anon-1', userId: 'member', messageId: 'm2', timestamp: ago(1) }]);
    const gone = await db().selectFrom('profiles').select(['id', 'merged_into']).where('tenant_id', '=', t()).where('merged_into', 'is not', null).execute();
    expect(gone).toHaveLength(1);
    const survivor = gone[0]!.merged_into!;
    const later = new Date(NOW.getTime() + 1000);
    await refreshFor(before.map((r) => r.profile_id), later);
    const after = await db().selectFrom('profile_stages').select(['profile_id', 'stage']).where('tenant_id', '=', t()).execute();
    expect(after).toEqual([{ profile_id: survivor, stage: 'A3' }]);
    expect((await transitionsOf(gone[0]!.id)).at(-1)).toEqual({ from: gone[0]!.id === before[0]!.profile_id ? 'A1' : 'A3', to: null, at: later.toISOString() });
  });

  it('erasure removes the stages and the stage history of a profile, and nobody else\'s', async () => {
    await send([track('x', 'Lead Created', 1, 1), track('y', 'Lead Created', 1, 1)]);
    await ensureDefaultModels(db(), t(), NOW);
    const x = await idOf('x');
    const removed = await db().transaction().execute((trx) => deleteProfileStages(trx, t(), x));
    expect(removed).toEqual({ stages: 1, transitions: 1 });
    expect(await stagesOf('five_a')).toEqual({ y: 'A3' });
    expect(await transitionsOf(x)).toEqual([]);
  });
});
