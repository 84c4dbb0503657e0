import { describe, expect, it } from 'vitest';
import { ManualClock } from '../platform/clock.js';
import { json, useAppFixture } from '../testing/app.js';
import { testEngines } from '../testing/engines.js';
import { adminRequest, sendBatch } from '../testing/identity.js';
import { drainIdentityQueue, siyuWorker } from './index.js';

/** Rule tags and stages follow new events through the refresh job, with no manual refresh. */
describe.each(testEngines)('tags and stages follow events on %s', (engine) => {
  const clock = new ManualClock(new Date());
  const fx = useAppFixture(engine, { clock });
  const admin = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) => adminRequest(fx.app, fx.tenant, method, url, payload);
  let seq = 0;
  const track = (event: string) => ({ type: 'track', userId: 'buyer-1', event, properties: {}, messageId: `f${(seq += 1)}-${Math.random()}` });
  const settle = async () => {
    // Resolve the tracked events first (on the test's clock, as the resolver would), then refresh.
    await drainIdentityQueue(fx.store.db, clock, fx.tenant.tenantId);
    clock.advance(6_000);
    await siyuWorker({ db: fx.store.db, clock, onlyTenant: fx.tenant.tenantId }).drain();
  };

  it('an order moves a person from A3 to A4 and the rule tag appears', async () => {
    expect((await admin('GET', '/api/v1/stage-models')).statusCode).toBe(200);
    const group = json(await admin('POST', '/api/v1/tag-groups', { name: '购车阶段' })) as { id: string };
    const created = await admin('POST', '/api/v1/tags', {
      groupId: group.id,
      name: '已下单',
      kind: 'rule',
      definition: { condition: { type: 'event', event: 'Order Placed' } },
    });
    expect(created.statusCode, created.body).toBe(201);
    const tag = json(created) as { id: string };

    expect((await sendBatch(fx.app, fx.tenant, [track('Content Viewed'), track('Lead Created')])).statusCode).toBe(200);
    await settle();
    const profileId = (
      await fx.store.db.selectFrom('profile_identifiers').select('profile_id').where('tenant_id', '=', fx.tenant.tenantId).where('value', '=', 'buyer-1').executeTakeFirstOrThrow()
    ).profile_id;
    const stageOf = async () => (json(await admin('GET', `/api/v1/profiles/${profileId}/stages`)) as { data: { model: string; stage: string | null }[] }).data.find((s) => s.model === 'five_a')?.stage;
    const tagsOf = async () => (json(await admin('GET', `/api/v1/profiles/${profileId}/tags`)) as { data: { tagId: string }[] }).data.map((t) => t.tagId);
    expect(await stageOf()).toBe('A3');
    expect(await tagsOf()).toEqual([]);

    expect((await sendBatch(fx.app, fx.tenant, [track('Order Placed')])).statusCode).toBe(200);
    await settle();
    expect(await stageOf()).toBe('A4');
    expect(await tagsOf()).toEqual([tag.id]);
    const history = json(await admin('GET', `/api/v1/profiles/${profileId}/stages/history`)) as { data: { model: string; fromStage: string | null; toStage: string | null }[] };
    // Newest first.
    expect(history.data.filter((h) => h.model === 'five_a').map((h) => [h.fromStage, h.toStage])).toEqual([
      ['A3', 'A4'],
      [null, 'A3'],
    ]);
  });
});
