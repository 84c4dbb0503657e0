import type { FastifyInstance } from 'fastify';
import { profilesPageSchema } from '../contracts/profiles.js';
import { createDemo, type DemoResult } from '../demo/index.js';
import { hasAnyTenant } from '../modules/tenancy/index.js';
import { systemClock } from '../platform/clock.js';
import type { Config } from '../platform/config.js';
import type { Store } from '../platform/db/index.js';
import type { Logger } from '../platform/logger.js';
import { buildApp } from '../server/app.js';
import { createProgress, type ProgressStream } from './progress.js';

/** What `serve` found (or made) in the store before listening. */
export type StoreStart =
  /** The store held no tenant and the demo brand was just written into it. */
  | { kind: 'demo'; demo: DemoResult; /** The last 4 digits of a demo customer's phone, to search by. */ phoneDigits: string | null }
  /** The store already held at least one tenant: nothing was created. */
  | { kind: 'existing' }
  /** The store holds no tenant and the demo is off (SIYU_DEMO=off, or `auto` on PostgreSQL). */
  | { kind: 'empty' };

export interface FirstStartDeps {
  store: Store;
  config: Config;
  logger: Logger;
  /** Where the demo's progress bar goes (stderr). */
  progress: ProgressStream;
}

/**
 * On a store without any tenant and with the demo on, writes the demo brand before the server
 * listens, through a second app whose logger only lets warnings through (the demo makes many
 * in-process requests). A failure propagates: the server must not start half-initialised.
 */
export async function prepareStore({ store, config, logger, progress }: FirstStartDeps): Promise<StoreStart> {
  if (await hasAnyTenant(store.db)) return { kind: 'existing' };
  if (!config.demo?.enabled) return { kind: 'empty' };

  const people = config.demo.people;
  logger.info({ people }, 'the store holds no tenant yet: writing the demo brand (once; SIYU_DEMO=off skips it)');
  const started = performance.now();
  const quietLogger = quiet(logger);
  const app = await buildApp({ store, clock: systemClock, secretKey: config.secretKey }, { logger: quietLogger, requestTimeoutMs: config.requestTimeoutMs, trustProxy: config.trustProxy });
  const bar = createProgress(progress);
  try {
    const demo = await createDemo({ store, app, clock: systemClock, secretKey: config.secretKey, logger: quietLogger }, { people, onProgress: (phase, done, total) => bar.update(phase, done, total) });
    bar.finish();
    logger.info({ tenantId: demo.tenantId, seconds: Math.round((performance.now() - started) / 1000) }, 'demo brand written');
    return { kind: 'demo', demo, phoneDigits: await phoneDigits(app, demo.adminToken) };
  } catch (err) {
    bar.finish();
    const where = config.store.engine === 'pglite' ? `delete the data folder ${config.store.dataDir}` : 'drop the tenant it created';
    logger.error({ err }, `the demo brand could not be written; the store may hold part of it: ${where} and start again, or set SIYU_DEMO=off`);
    throw err;
  } finally {
    await app.close();
  }
}

/** A child logger at `warn`, or quieter when the logger already is. */
function quiet(logger: Logger): Logger {
  return logger.child({}, { level: logger.isLevelEnabled('warn') ? 'warn' : logger.level });
}

/** The last 4 digits of the phone of one of the first customers listed, through the public API. */
async function phoneDigits(app: FastifyInstance, adminToken: string): Promise<string | null> {
  const res = await app.inject({ method: 'GET', url: '/api/v1/profiles?limit=20', headers: { authorization: `Bearer ${adminToken}` } });
  const page = profilesPageSchema.safeParse(res.json());
  if (!page.success) return null;
  for (const profile of page.data.data) {
    const digits = profile.phone?.match(/(\d{4})$/)?.[1];
    if (digits) return digits;
  }
  return null;
}
