import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { TenantCreated } from '../contracts/tenancy.js';
import type { LightMyRequestResponse } from 'fastify';
import { systemClock, type Clock } from '../platform/clock.js';
import type { Store } from '../platform/db/index.js';
import { buildApp } from '../server/app.js';
import { checkResponsesAgainstDocument } from './contract.js';
import { freshTenant, openTestStore, type EngineName } from './engines.js';

export interface TestAppOptions {
  logger?: FastifyBaseLogger;
  secretKey?: Buffer;
  requestTimeoutMs?: number;
  /** The web console's build to serve (default: console/dist, which may not exist). */
  consoleDir?: string;
  trustProxy?: boolean;
}

/**
 * The app as `siyu serve` builds it, on `store`; every response it sends is checked against the
 * API document it serves (a mismatch fails the running test).
 */
export async function testApp(store: Store, clock: Clock = systemClock, options: TestAppOptions = {}): Promise<FastifyInstance> {
  const { logger, requestTimeoutMs, consoleDir, trustProxy } = options;
  const app = await buildApp(
    { store, clock, secretKey: options.secretKey },
    { ...(logger ? { logger } : {}), ...(requestTimeoutMs ? { requestTimeoutMs } : {}), ...(consoleDir ? { consoleDir } : {}), ...(trustProxy ? { trustProxy } : {}) },
  );
  checkResponsesAgainstDocument(app);
  await app.ready();
  return app;
}

export function basicAuth(writeKey: string): string {
  return `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
}

/** The parsed JSON body of an injected response. */
export function json(res: LightMyRequestResponse): unknown {
  return JSON.parse(res.body);
}

/** Counts a tenant's stored events and claimed message ids: "nothing stored" means both are 0. */
export async function storedCounts(store: Store, tenantId: string): Promise<{ events: number; messageIds: number }> {
  const e = await store.db.selectFrom('events').select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
  const m = await store.db
    .selectFrom('event_message_ids')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirstOrThrow();
  return { events: Number(e.n), messageIds: Number(m.n) };
}

/** What a test of the HTTP API works with: a store, an app on it, and a fresh tenant per test. */
export class AppFixture {
  store!: Store;
  app!: FastifyInstance;
  tenant!: TenantCreated;
}

/**
 * Registers the usual hooks in the calling `describe`: open a store of `engine` and an app on it
 * (with `secretKey` as SIYU_SECRET_KEY, if given) before all tests, close both after, and create a
 * fresh tenant before each test.
 */
export function useAppFixture(engine: EngineName, options: { clock?: Clock; tenantPerTest?: boolean; secretKey?: Buffer } = {}): AppFixture {
  const fx = new AppFixture();
  beforeAll(async () => {
    fx.store = await openTestStore(engine);
    fx.app = await testApp(fx.store, options.clock, options.secretKey ? { secretKey: options.secretKey } : {});
  });
  afterAll(async () => {
    await fx.app.close();
    await fx.store.close();
  });
  if (options.tenantPerTest !== false) {
    beforeEach(async () => {
      fx.tenant = await freshTenant(fx.store);
    });
  }
  return fx;
}

/** Runs `fn` with a store of `engine`, an app on it and a fresh tenant, and closes them after. */
export async function withTestApp(
  engine: EngineName,
  fn: (fx: { store: Store; app: FastifyInstance; tenant: TenantCreated }) => Promise<void>,
): Promise<void> {
  const store = await openTestStore(engine);
  const app = await testApp(store);
  try {
    await fn({ store, app, tenant: await freshTenant(store) });
  } finally {
    await app.close();
    await store.close();
  }
}
