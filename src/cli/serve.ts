import type { FastifyInstance } from 'fastify';
import type { Config } from '../platform/config.js';
import { systemClock } from '../platform/clock.js';
import { keepStatistics, openStore, type Store } from '../platform/db/index.js';
import { createLogger, type Logger } from '../platform/logger.js';
import { withEmbeddedSecretKey } from '../platform/secret-key.js';
import { buildApp } from '../server/app.js';
import { createResolver, siyuWorker } from '../worker/index.js';
import { onCallbackStored } from '../modules/wecom/index.js';
import type { DemoResult } from '../demo/index.js';
import { formatBanner } from './banner.js';
import { prepareStore } from './first-start.js';
import type { ProgressStream } from './progress.js';

/** How often the embedded store's stale planner statistics are refreshed (PostgreSQL's autovacuum does it there). */
const STATISTICS_INTERVAL_MS = 10 * 60_000;

export interface RunningServer {
  app: FastifyInstance;
  store: Store;
  url: string;
  /** The demo brand written on this start (into a store without tenants), or null. */
  demo: DemoResult | null;
  /** What to print once listening: the URLs and, after a demo, its credentials. */
  banner: string;
  stop(): Promise<void>;
}

export interface ServeOptions {
  /** Where the demo's progress bar goes; default stderr. */
  progress?: ProgressStream;
}

/**
 * Opens the store (migrating it), writes the demo brand into it when it holds no tenant and the
 * demo is on (before listening: a failure stops the start), starts HTTP and (unless
 * SIYU_WORKER=off) the job worker, keeps the embedded store's planner statistics fresh (it has no
 * autovacuum), and stops gracefully on SIGTERM/SIGINT. On the embedded store
 * without SIYU_SECRET_KEY, the key is the one in the data folder (generated on the first start).
 */
export async function serve(
  given: Config,
  logger: Logger = createLogger(given.logLevel, { format: given.logFormat }),
  options: ServeOptions = {},
): Promise<RunningServer> {
  const config = withEmbeddedSecretKey(given, logger);
  const store = await openStore(config.store, { onBackgroundError: (err) => logger.error({ err }, 'store background error') });
  logger.info({ store: store.engine, ...(config.store.engine === 'pglite' ? { dataDir: config.store.dataDir } : {}) }, 'store ready');
  const start = await prepareStore({ store, config, logger, progress: options.progress ?? process.stderr }).catch(async (err: unknown) => {
    await store.close();
    throw err;
  });
  const app = await buildApp({ store, clock: systemClock, secretKey: config.secretKey }, { logger, requestTimeoutMs: config.requestTimeoutMs, trustProxy: config.trustProxy });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    await app.close();
    await store.close();
    throw err;
  }
  const worker = config.worker.enabled ? siyuWorker({ db: store.db, store, secretKey: config.secretKey, clock: systemClock, logger }) : null;
  const resolver = config.worker.enabled ? createResolver({ db: store.db, clock: systemClock, logger }, { onResolved: () => worker?.wake() }) : null;
  worker?.start(config.worker.pollMs);
  resolver?.start();
  const unwatch = onCallbackStored(() => worker?.wake());
  const statistics =
    store.engine === 'pglite'
      ? keepStatistics(store.db, {
          intervalMs: STATISTICS_INTERVAL_MS,
          onAnalyzed: (tables, ms) => logger.info({ tables, ms }, 'planner statistics refreshed'),
          onError: (err) => logger.warn({ err }, 'refreshing planner statistics failed'),
        })
      : null;
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('shutting down: finishing in-flight requests');
      const timer = setTimeout(() => {
        logger.error({ graceMs: config.shutdownGraceMs }, 'in-flight requests did not finish in time; exiting');
        process.exit(1);
      }, config.shutdownGraceMs);
      timer.unref();
      // Keep-alive connections turn idle as their last request ends: close them as they do, or
      // the server would wait for clients to hang up.
      const reaper = setInterval(() => app.server.closeIdleConnections(), 50);
      try {
        await app.close(); // stops accepting, waits for in-flight requests
      } finally {
        clearInterval(reaper);
      }
      unwatch();
      await statistics?.stop();
      await resolver?.stop();
      await worker?.stop();
      await store.close();
      clearTimeout(timer);
      logger.info('stopped');
    })());
  return { app, store, url, demo: start.kind === 'demo' ? start.demo : null, banner: formatBanner(url, start), stop };
}
