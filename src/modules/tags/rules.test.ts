import { describe, expect, it } from 'vitest';
import type { SegmentDefinition } from '../../contracts/segments.js';
import { ManualClock } from '../../platform/clock.js';
import { useAppFixture } from '../../testing/app.js';
import { testEngines } from '../../testing/engines.js';
import { personHolding, sendResolved } from '../../testing/identity.js';
import { evaluationContext, REFRESH_JOB } from '../segments/index.js';
import { applyManualTag, createTag, createTagGroup, deleteProfileTags, moveProfileTags, refreshRuleTagsFor, refreshRuleTagsFull, updateTag } from './index.js';

const T0 = new Date('2026-03-01T00:00:00Z');
const DAY = 86_400_000;
const ACTOR = 'admin_token:test';

describe.each(testEngines)('rule tags on %s', (engine) => {
  const clock = new ManualClock(T0);
  const fx = useAppFixture(engine, { clock });
  const deps = () => ({ db: fx.store.db, clock });
  const tenant = () => fx.tenant.tenantId;

  const send = async (batch: Array<Record<string, unknown>>) => {
    const res = await sendResolved(fx.app, fx.store, fx.tenant, batch);
    expect(res.statusCode, res.body).toBe(200);
  };
  const idOf = async (userId: string) => {
    const p = await personHolding(fx.store, tenant(), `user_id::${userId}`);
    if (!p) throw new Error(`no profile for ${userId}`);
    return p.id;
  };
  const holders = async (tagId: string) =>
    (await fx.store.db.selectFrom('profile_tags').select(['profile_id', 'applied_by']).where('tenant_id', '=', tenant()).where('tag_id', '=', tagId).orderBy('profile_id').execute());
  const historyOf = async (tagId: string) =>
    fx.store.db.selectFrom('tag_history').select(['profile_id', 'action', 'actor', 'reason']).where('tenant_id', '=', tenant()).where('tag_id', '=', tagId).orderBy('id').execute();
  const refreshFor = async (ids: string[]) => {
    const ctx = await evaluationContext(fx.store.db, tenant(), clock.now(), 'row');
    await fx.store.db.transaction().execute((trx) => refreshRuleTagsFor(trx, ctx, ids));
  };
  const group = async () => (await createTagGroup(deps(), tenant(), { name: '购车阶段' }, ACTOR)).group.id;
  const sorted = (...ids: string[]) => [...ids].sort();

  async function dataset() {
    clock.set(T0);
    await send([
      { type: 'identify', userId: 'u1', traits: { city: '上海' }, messageId: 'i1', timestamp: '2026-02-01T00:00:00Z' },
      { type: 'track', userId: 'u1', event: 'Order Placed', messageId: 'o1', timestamp: '2026-02-20T00:00:00Z' },
      { type: 'identify', userId: 'u2', traits: { city: '北京' }, messageId: 'i2', timestamp: '2026-02-01T00:00:00Z' },
      { type: 'track', userId: 'u2', event: 'Order Placed', messageId: 'o2', timestamp: '2026-02-21T00:00:00Z' },
      { type: 'identify', userId: 'u3', traits: { city: '上海' }, messageId: 'i3', timestamp: '2026-02-01T00:00:00Z' },
      { type: 'track', userId: 'u3', event: 'Price Inquiry', messageId: 'p3', timestamp: '2026-02-22T00:00:00Z' },
    ]);
    return { u1: await idOf('u1'), u2: await idOf('u2'), u3: await idOf('u3') };
  }

  const shanghaiBuyers: SegmentDefinition = {
    version: 1,
    condition: {
      type: 'and',
      conditions: [
        { type: 'trait', trait: 'city', op: 'eq', value: '上海' },
        { type: 'event', event: 'Order Placed', count: { op: 'at_least', value: 1 } },
      ],
    },
  };

  it('materialises a rule tag at creation and follows new events for the refreshed profiles', async () => {
    const { u1, u2, u3 } = await dataset();
    const gid = await group();
    const { tag, created } = await createTag(deps(), tenant(), { groupId: gid, name: '上海车主', kind: 'rule', definition: shanghaiBuyers }, ACTOR);
    expect(created).toBe(true);
    expect(tag.timeDependent).toBe(false);
    expect(await holders(tag.id)).toEqual([{ profile_id: u1, applied_by: 'rule' }]);

    // u3 orders, u1 moves to Beijing; u2 is not refreshed and keeps its state.
    await send([
      { type: 'track', userId: 'u3', event: 'Order Placed', messageId: 'o3', timestamp: '2026-02-28T00:00:00Z' },
      { type: 'identify', userId: 'u1', traits: { city: '北京' }, messageId: 'i1b', timestamp: '2026-02-28T00:00:00Z' },
    ]);
    await refreshFor([u3]);
    expect((await holders(tag.id)).map((h) => h.profile_id)).toEqual(sorted(u1, u3));
    await refreshFor([u1, u2, u3]);
    expect(await holders(tag.id)).toEqual([{ profile_id: u3, applied_by: 'rule' }]);
    expect(await historyOf(tag.id)).toEqual([
      { profile_id: u1, action: 'applied', actor: 'rule', reason: null },
      { profile_id: u3, action: 'applied', actor: 'rule', reason: null },
      { profile_id: u1, action: 'removed', actor: 'rule', reason: null },
    ]);
    // A replay of the refresh changes nothing.
    await refreshFor([u1, u2, u3]);
    expect(await historyOf(tag.id)).toHaveLength(3);
  });

  it('a rule tag reading a manual tag follows it; a definition change re-materialises and marks the moved profiles', async () => {
    const { u1, u2, u3 } = await dataset();
    const gid = await group();
    const vip = (await createTag(deps(), tenant(), { groupId: gid, name: 'VIP', kind: 'manual' }, ACTOR)).tag;
    const rule = (
      await createTag(
        deps(),
        tenant(),
        { groupId: gid, name: 'VIP或下单', kind: 'rule', definition: { version: 1, condition: { type: 'or', conditions: [{ type: 'tag', tag: vip.id, has: true }, { type: 'event', event: 'Order Placed' }] } } },
        ACTOR,
      )
    ).tag;
    expect((await holders(rule.id)).map((h) => h.profile_id)).toEqual(sorted(u1, u2));
    expect(await applyManualTag(deps(), tenant(), vip.id, { profileIds: [u3] }, ACTOR)).toEqual({ applied: 1, unchanged: 0 });
    await refreshFor([u3]);
    expect((await holders(rule.id)).map((h) => h.profile_id)).toEqual(sorted(u1, u2, u3));

    await fx.store.db.deleteFrom('profiles_dirty').where('tenant_id', '=', tenant()).execute();
    await updateTag(deps(), tenant(), rule.id, { definition: { version: 1, condition: { type: 'tag', tag: vip.id, has: true } } }, ACTOR);
    expect(await holders(rule.id)).toEqual([{ profile_id: u3, applied_by: 'rule' }]);
    const dirty = await fx.store.db.selectFrom('profiles_dirty').select('profile_id').where('tenant_id', '=', tenant()).orderBy('profile_id').execute();
    expect(dirty.map((d) => d.profile_id)).toEqual(sorted(u1, u2));
  });

  it('the scheduled pass re-evaluates time-dependent rule tags only (unless all) and marks changed profiles dirty', async () => {
    const { u1, u2 } = await dataset();
    const gid = await group();
    const recent = (
      await createTag(
        deps(),
        tenant(),
        { groupId: gid, name: '近30天下单', kind: 'rule', definition: { version: 1, condition: { type: 'event', event: 'Order Placed', window: { lastDays: 30 } } } },
        ACTOR,
      )
    ).tag;
    const ever = (await createTag(deps(), tenant(), { groupId: gid, name: '上海车主', kind: 'rule', definition: shanghaiBuyers }, ACTOR)).tag;
    expect(recent.timeDependent).toBe(true);
    expect((await holders(recent.id)).map((h) => h.profile_id)).toEqual(sorted(u1, u2));
    await fx.store.db.deleteFrom('profiles_dirty').where('tenant_id', '=', tenant()).execute();
    await fx.store.db.deleteFrom('jobs').where('tenant_id', '=', tenant()).execute();

    // 2026-03-21: u1's order (02-20) is 29 days old, u2's (02-21) 28: both stay. 03-22: u1 leaves.
    expect(await refreshRuleTagsFull(fx.store.db, tenant(), new Date('2026-03-21T12:00:00Z'), { all: false })).toBe(1);
    expect((await holders(recent.id)).map((h) => h.profile_id)).toEqual(sorted(u1, u2));
    expect(await refreshRuleTagsFull(fx.store.db, tenant(), new Date(Date.parse('2026-03-22T00:00:00Z') + DAY / 2), { all: false })).toBe(1);
    expect(await holders(recent.id)).toEqual([{ profile_id: u2, applied_by: 'rule' }]);
    const dirty = await fx.store.db.selectFrom('profiles_dirty').select('profile_id').where('tenant_id', '=', tenant()).execute();
    expect(dirty.map((d) => d.profile_id)).toEqual([u1]);
    const jobs = await fx.store.db.selectFrom('jobs').select(['kind', 'key']).where('tenant_id', '=', tenant()).execute();
    expect(jobs).toEqual([{ kind: REFRESH_JOB, key: '' }]);
    expect(await refreshRuleTagsFull(fx.store.db, tenant(), clock.now(), { all: true })).toBe(2);
    expect((await holders(ever.id)).map((h) => h.profile_id)).toEqual([u1]);
  });

  it('merges move manual tags and history to the survivor and drop rule tags; erasure removes both', async () => {
    const { u1, u2, u3 } = await dataset();
    const gid = await group();
    const a = (await createTag(deps(), tenant(), { groupId: gid, name: 'A', kind: 'manual' }, ACTOR)).tag;
    const b = (await createTag(deps(), tenant(), { groupId: gid, name: 'B', kind: 'manual' }, ACTOR)).tag;
    const rule = (await createTag(deps(), tenant(), { groupId: gid, name: '上海车主', kind: 'rule', definition: shanghaiBuyers }, ACTOR)).tag;
    await applyManualTag(deps(), tenant(), a.id, { profileIds: [u1, u2] }, ACTOR);
    await applyManualTag(deps(), tenant(), b.id, { profileIds: [u1] }, ACTOR);
    await fx.store.db.transaction().execute((trx) => moveProfileTags(trx, tenant(), u1, u2));
    const tagsOf = async (p: string) =>
      (await fx.store.db.selectFrom('profile_tags').select('tag_id').where('tenant_id', '=', tenant()).where('profile_id', '=', p).execute()).map((r) => r.tag_id).sort();
    expect(await tagsOf(u1)).toEqual([]);
    expect(await tagsOf(u2)).toEqual(sorted(a.id, b.id));
    expect(await holders(rule.id)).toEqual([]);
    const hist = await fx.store.db.selectFrom('tag_history').select(['profile_id']).where('tenant_id', '=', tenant()).where('profile_id', '=', u1).execute();
    expect(hist).toEqual([]);
    const moved = await fx.store.db.selectFrom('tag_history').select(['tag_id']).where('tenant_id', '=', tenant()).where('profile_id', '=', u2).orderBy('id').execute();
    expect(moved.map((m) => m.tag_id)).toEqual([rule.id, a.id, a.id, b.id]);

    await applyManualTag(deps(), tenant(), a.id, { profileIds: [u3] }, ACTOR);
    await fx.store.db.transaction().execute((trx) => deleteProfileTags(trx, tenant(), u2));
    expect(await tagsOf(u2)).toEqual([]);
    const left = await fx.store.db.selectFrom('tag_history').select(['profile_id']).where('tenant_id', '=', tenant()).execute();
    expect(left).toEqual([{ profile_id: u3 }]);
  });
});
