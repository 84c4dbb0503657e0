import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchSchema } from '../../contracts/ingest.js';
import type { Store } from '../../platform/db/index.js';
import { freshTenant, openTestStore, testEngines } from '../../testing/engines.js';
import { normalizeBatch } from './normalize.js';
import { appendEvents, ensureEventPartitions } from './repo.js';

describe.each(testEngines)('appendEvents on %s', (engine) => {
  let store: Store;
  beforeAll(async () => {
    store = await openTestStore(engine);
  });
  afterAll(async () => {
    await store.close();
  });

  /** Stored without profiles and not queued: this file tests the append itself. */
  const storeOnly = { resolveInline: async () => undefined };
  const rowsFor = (tenantId: string, sourceId: string, ids: string[]) =>
    normalizeBatch(batchSchema.parse({ batch: ids.map((id) => ({ type: 'track', userId: 'u', event: id, messageId: id })) }), { tenantId, sourceId, receivedAt: new Date() });

  it('stores the new ids of a partly known batch also inside a savepoint', async () => {
    const t = await freshTenant(store);
    await ensureEventPartitions(store, [new Date()]);
    expect(await store.db.transaction().execute((trx) => appendEvents(trx, rowsFor(t.tenantId, t.sourceId, ['a']), storeOnly))).toBe(1);
    const stored = await store.db.transaction().execute(async (trx) => {
      await sql`SAVEPOINT inner_work`.execute(trx);
      const n = await appendEvents(trx, rowsFor(t.tenantId, t.sourceId, ['a', 'b', 'c']), storeOnly);
      await sql`RELEASE SAVEPOINT inner_work`.execute(trx);
      return n;
    });
    expect(stored).toBe(2);
    const events = await store.db.selectFrom('events').select('message_id').where('tenant_id', '=', t.tenantId).orderBy('id').execute();
    expect(events.map((e) => e.message_id)).toEqual(['a', 'b', 'c']);
  });
});
