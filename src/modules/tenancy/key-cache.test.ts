import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../platform/clock.js';
import type { Store } from '../../platform/db/index.js';
import { freshTenant, openTestStore, testEngines } from '../../testing/engines.js';
import { WRITE_KEY_CACHE_TTL_MS } from './key-cache.js';
import { authenticateWriteKey, createWriteKey, getSource, revokeWriteKey } from './service.js';

describe.each(testEngines)('write key cache on %s', (engine) => {
  let store: Store;
  beforeAll(async () => {
    store = await openTestStore(engine);
  });
  afterAll(async () => {
    await store.close();
  });

  it('a revocation or rotation in this process takes effect at once', async () => {
    const t = await freshTenant(store);
    const deps = { db: store.db, clock: systemClock };
    expect(await authenticateWriteKey(store.db, t.writeKey)).toMatchObject({ tenantId: t.tenantId });
    const fresh = await createWriteKey(deps, t.tenantId, t.sourceId, true, 'test');
    expect(await authenticateWriteKey(store.db, t.writeKey)).toBeNull();
    expect(await authenticateWriteKey(store.db, fresh.key)).toMatchObject({ writeKeyId: fresh.id });
    await revokeWriteKey(deps, t.tenantId, t.sourceId, fresh.id, 'test');
    expect(await authenticateWriteKey(store.db, fresh.key)).toBeNull();
  });
});

describe.each(testEngines.filter((e) => e === 'postgres'))('write key cache across processes on %s', (engine) => {
  it('another process sharing the database stops accepting a revoked key within the TTL', async () => {
    const a = await openTestStore(engine);
    const b = await openTestStore(engine); // a second Siyu process, as far as caching goes
    try {
      const t = await freshTenant(a);
      const t0 = Date.now();
      expect(await authenticateWriteKey(b.db, t.writeKey, t0)).not.toBeNull();
      const source = await getSource({ db: a.db, clock: systemClock }, t.tenantId, t.sourceId);
      await revokeWriteKey({ db: a.db, clock: systemClock }, t.tenantId, t.sourceId, source.writeKeys[0]!.id, 'test');
      expect(await authenticateWriteKey(a.db, t.writeKey, t0)).toBeNull();
      expect(await authenticateWriteKey(b.db, t.writeKey, t0 + 1000)).not.toBeNull(); // still cached over there
      expect(await authenticateWriteKey(b.db, t.writeKey, t0 + WRITE_KEY_CACHE_TTL_MS + 1)).toBeNull();
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('write key cache and a revocation racing a lookup', () => {
  it('does not keep a key whose lookup started before the revocation', async () => {
    const { cachedKey, forgetKeys } = await import('./key-cache.js');
    const store = await openTestStore('pglite');
    try {
      const principal = { tenantId: 't', sourceId: 's', writeKeyId: 'k' };
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      const slow = cachedKey(store.db, 'h', 0, async () => {
        await gate;
        return principal; // read before the revocation committed
      });
      forgetKeys(store.db); // the revocation
      open();
      expect(await slow).toEqual(principal);
      let loads = 0;
      const next = await cachedKey(store.db, 'h', 1, async () => {
        loads++;
        return null; // the database now says: revoked
      });
      expect(next).toBeNull();
      expect(loads).toBe(1);
    } finally {
      await store.close();
    }
  });
});
