import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../platform/db/index.js';
import { freshTenant, openTestStore, testEngines } from '../../testing/engines.js';
import { MAX_FUNNEL_GROUPS, funnel, stageDistribution, stageFlows } from './index.js';
import { AARRR, Seed, pid } from './seed.test-helpers.js';

const now = new Date('2026-06-01T00:00:00Z');

describe.each(testEngines)('analytics module on %s', (engine) => {
  let store: Store;
  beforeAll(async () => {
    store = await openTestStore(engine);
  });
  afterAll(async () => {
    await store.close();
  });
  const tenant = async () => {
    const t = await freshTenant(store);
    return { tenantId: t.tenantId, seed: new Seed(store.db, t.tenantId) };
  };

  it('ignores stage keys the model no longer has, and labels stages without names by key', async () => {
    const { tenantId, seed } = await tenant();
    await seed.model('mine', [{ key: 'lead', condition: {} }, { key: 'buyer', name: 'Buyer', nameZh: '车主', condition: {} }], true);
    for (const n of [1, 2, 3]) await seed.profile(n);
    await seed.moves('mine', 1, [[null, 'lead', '2026-01-01T00:00:00Z']]);
    await seed.moves('mine', 2, [[null, 'retired', '2026-01-01T00:00:00Z'], ['retired', 'buyer', '2026-03-01T00:00:00Z']]);
    await seed.moves('mine', 3, [[null, 'retired', '2026-01-01T00:00:00Z']]);
    await seed.current('mine', 1, 'lead');
    await seed.current('mine', 2, 'buyer');
    await seed.current('mine', 3, 'retired');

    expect(await stageDistribution(store.db, tenantId, {})).toEqual({
      model: 'mine',
      at: null,
      total: 2,
      stages: [
        { key: 'lead', name: 'lead', nameZh: null, count: 1, share: 0.5 },
        { key: 'buyer', name: 'Buyer', nameZh: '车主', count: 1, share: 0.5 },
      ],
    });
    expect(await stageDistribution(store.db, tenantId, { at: '2026-02-01T00:00:00.000Z' })).toMatchObject({ total: 1, stages: [{ count: 1 }, { count: 0 }] });
    const flows = await stageFlows(store.db, tenantId, { from: '2026-02-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z', now });
    expect(flows.links).toEqual([{ from: 'lead', to: 'lead', source: 'from:lead', target: 'to:lead', count: 1 }]);
    expect(flows.nodes.map((n) => n.id)).toEqual(['from:lead', 'to:lead']);
  });

  it(`lists the ${MAX_FUNNEL_GROUPS} largest sources and says the list was cut`, async () => {
    const { tenantId, seed } = await tenant();
    await seed.model('aarrr', AARRR);
    const sources = Array.from({ length: MAX_FUNNEL_GROUPS + 1 }, (_, i) => i + 1);
    await store.db
      .insertInto('sources')
      .values(sources.map((i) => ({ tenant_id: tenantId, id: pid(1000 + i), name: `source ${i}`, kind: 'other', domain_class: 'public' })))
      .execute();
    // One profile per source, and a second one for source 101 (the largest, listed first).
    const people = [...sources, MAX_FUNNEL_GROUPS + 2];
    await store.db
      .insertInto('profiles')
      .values(people.map((i) => ({ tenant_id: tenantId, id: pid(i), traits: '{}', trait_meta: '{}', first_seen: '2026-01-01T00:00:00Z', last_seen: '2026-01-01T00:00:00Z' })))
      .execute();
    await store.db
      .insertInto('profile_rollups')
      .values(
        people.map((i) => ({
          tenant_id: tenantId,
          profile_id: pid(i),
          first_touch_at: '2026-01-02T00:00:00Z',
          first_source_id: pid(1000 + Math.min(i, MAX_FUNNEL_GROUPS + 1)),
          first_source_kind: 'other',
          first_domain_class: 'public',
        })),
      )
      .execute();
    const result = await funnel(store.db, tenantId, { from: '2026-01-01T00:00:00.000Z', splitBy: 'source', now });
    expect(result).toMatchObject({ model: 'aarrr', to: now.toISOString(), cohort: MAX_FUNNEL_GROUPS + 2, truncated: true });
    expect(result.groups).toHaveLength(MAX_FUNNEL_GROUPS);
    expect(result.groups?.[0]).toMatchObject({ sourceId: pid(1000 + MAX_FUNNEL_GROUPS + 1), sourceName: `source ${MAX_FUNNEL_GROUPS + 1}`, cohort: 2 });
    expect(result.groups?.[1]).toMatchObject({ sourceId: pid(1001), cohort: 1, steps: [{ count: 0, ofCohort: 0, fromFirst: null }, {}, {}, {}, {}] });
  });

  it('keeps the totals whole when the source groups are cut, and reads a date and a date-time in one range', async () => {
    const { tenantId, seed } = await tenant();
    await seed.model('aarrr', AARRR);
    // Two more sources than groups listed: summing the listed groups would lose a profile.
    const people = Array.from({ length: MAX_FUNNEL_GROUPS + 2 }, (_, i) => i + 1);
    await store.db
      .insertInto('sources')
      .values(people.map((i) => ({ tenant_id: tenantId, id: pid(1000 + i), name: `source ${i}`, kind: 'other', domain_class: 'public' })))
      .execute();
    await store.db
      .insertInto('profiles')
      .values(people.map((i) => ({ tenant_id: tenantId, id: pid(i), traits: '{}', trait_meta: '{}', first_seen: '2026-01-01T00:00:00Z', last_seen: '2026-01-01T00:00:00Z' })))
      .execute();
    await store.db
      .insertInto('profile_rollups')
      .values(people.map((i) => ({ tenant_id: tenantId, profile_id: pid(i), first_touch_at: '2026-01-02T00:00:00Z', first_source_id: pid(1000 + i), first_domain_class: 'public' })))
      .execute();
    await seed.moves('aarrr', 1, [[null, 'acquisition', '2026-01-03T00:00:00Z']]);
    const query = { from: '2026-01-01', to: '2026-02-01T00:00:00.000Z', now };
    const bySource = await funnel(store.db, tenantId, { ...query, splitBy: 'source' });
    expect(bySource).toMatchObject({ from: '2025-12-31T16:00:00.000Z', to: '2026-02-01T00:00:00.000Z', cohort: MAX_FUNNEL_GROUPS + 2, truncated: true });
    expect(bySource.groups).toHaveLength(MAX_FUNNEL_GROUPS);
    const plain = await funnel(store.db, tenantId, query);
    expect(bySource.steps).toEqual(plain.steps);
    expect(plain.steps[0]).toMatchObject({ key: 'acquisition', count: 1 });
  });
});
