import { systemClock, type Clock } from '../platform/clock.js';
import type { StoreConfig } from '../platform/config.js';
import { openStore, type Store } from '../platform/db/index.js';
import { createTenant } from '../modules/tenancy/index.js';
import type { TenantCreated } from '../contracts/tenancy.js';

/** The test URL of a PostgreSQL server; .ci/run starts one and exports it. */
export const testDatabaseUrl = process.env['SIYU_TEST_DATABASE_URL'] || undefined;

export type EngineName = 'pglite' | 'postgres';

/** Every engine the tests can reach: PGlite always, PostgreSQL when its URL is set. */
export const testEngines: EngineName[] = testDatabaseUrl ? ['pglite', 'postgres'] : ['pglite'];

export function storeConfigFor(engine: EngineName, dataDir = 'memory://'): StoreConfig {
  if (engine === 'postgres') {
    if (!testDatabaseUrl) throw new Error('SIYU_TEST_DATABASE_URL is not set');
    return { engine: 'postgres', url: testDatabaseUrl, poolMax: 5 };
  }
  return { engine: 'pglite', dataDir };
}

export async function openTestStore(engine: EngineName, dataDir?: string): Promise<Store> {
  return openStore(storeConfigFor(engine, dataDir));
}

/** A fresh tenant with a random id: tests never truncate, so they can run side by side. */
export async function freshTenant(store: Store, clock: Clock = systemClock): Promise<TenantCreated> {
  return createTenant({ db: store.db, clock }, { name: `test-${Math.random().toString(36).slice(2, 10)}` });
}
