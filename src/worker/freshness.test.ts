import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../platform/clock.js';
import { json, useAppFixture } from '../testing/app.js';
import { testEngines } from '../testing/engines.js';
import { adminRequest, sendBatch } from '../testing/identity.js';
import { createResolver, siyuWorker } from './index.js';

/**
 * A tracked change reaches the segments without anybody polling: the tracking API's news wakes the
 * resolver in the same process, the resolved batch wakes the job worker, and the refresh job is due
 * at once. Both loops poll only once a minute here, so the member can only appear through that chain.
 */
describe.each(testEngines)('freshness of segments on %s', (engine) => {
  const fx = useAppFixture(engine);

  it('an identify reaches a saved segment through the resolver and a woken worker, not a poll', async () => {
    const created = await adminRequest(fx.app, fx.tenant, 'POST', '/api/v1/segments', {
      name: 'probes',
      definition: { condition: { type: 'trait', trait: 'probe', op: 'eq', value: 'yes' } },
    });
    expect(created.statusCode, created.body).toBe(201);
    const segment = json(created) as { id: string };

    const only = { onlyTenant: fx.tenant.tenantId };
    const worker = siyuWorker({ db: fx.store.db, clock: systemClock, ...only });
    const resolver = createResolver({ db: fx.store.db, clock: systemClock, onlyTenants: new Set([fx.tenant.tenantId]) }, { pollMs: 60_000, onResolved: () => worker.wake() });
    worker.start(60_000);
    resolver.start();
    try {
      // The materialise job (the worker's first look) has run: what follows is driven by wake-ups.
      for (let i = 0; i < 200 && (json(await adminRequest(fx.app, fx.tenant, 'GET', `/api/v1/segments/${segment.id}`)) as { state: string }).state !== 'ready'; i++) await sleep(50);
      expect(json(await adminRequest(fx.app, fx.tenant, 'GET', `/api/v1/segments/${segment.id}`))).toMatchObject({ state: 'ready', memberCount: 0 });
      expect((await sendBatch(fx.app, fx.tenant, [{ type: 'identify', userId: 'probe-1', traits: { probe: 'yes' } }])).statusCode).toBe(200);
      let members: unknown[] = [];
      for (let i = 0; i < 200 && members.length === 0; i++) {
        members = (json(await adminRequest(fx.app, fx.tenant, 'GET', `/api/v1/segments/${segment.id}/members`)) as { data: unknown[] }).data;
        if (members.length === 0) await sleep(50);
      }
      expect(members).toHaveLength(1);
    } finally {
      await resolver.stop();
      await worker.stop();
    }
  });
});
