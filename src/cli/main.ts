import { Command } from 'commander';
import { tenantCreateSchema } from '../contracts/tenancy.js';
import { createTenant } from '../modules/tenancy/index.js';
import { systemClock } from '../platform/clock.js';
import { ConfigError, loadConfig, type Config } from '../platform/config.js';
import { migrate, openStore } from '../platform/db/index.js';
import { registerIdentityCommands } from './identity.js';
import { registerLeadCommands } from './leads.js';
import { registerDemoCommand } from './demo.js';
import { serve } from './serve.js';
import { createLogger } from '../platform/logger.js';
import { withEmbeddedSecretKey } from '../platform/secret-key.js';
import { createResolver, siyuWorker } from '../worker/index.js';

function config(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}

const program = new Command('siyu').description('Siyu (私域): private-domain operations for car brands');

program
  .command('serve')
  .description('run the HTTP API (migrates the store first)')
  .action(async () => {
    const server = await serve(config());
    server.app.log.info({ url: server.url, docs: `${server.url}/docs`, demoTenant: server.demo?.tenantId }, 'siyu is listening');
    // Plain text, not a log line, whatever the log format: a person reads it.
    process.stdout.write(server.banner);
    const shutdown = () => {
      void server.stop().then(() => process.exit(0));
    };
    process.once('SIGTERM', shutdown);
    process.once('SIGINT', shutdown);
  });

program
  .command('worker')
  .description('run only the job worker (One ID resolution of tracked events, segment refreshes, scheduled passes); for PostgreSQL deployments with several processes')
  .action(async () => {
    const loaded = config();
    const logger = createLogger(loaded.logLevel, { format: loaded.logFormat });
    const c = withEmbeddedSecretKey(loaded, logger);
    const store = await openStore(c.store, { onBackgroundError: (err) => logger.error({ err }, 'store background error') });
    const worker = siyuWorker({ db: store.db, store, secretKey: c.secretKey, clock: systemClock, logger });
    const resolver = createResolver({ db: store.db, clock: systemClock, logger }, { onResolved: () => worker.wake() });
    worker.start(c.worker.pollMs);
    resolver.start();
    logger.info({ pollMs: c.worker.pollMs }, 'siyu worker running');
    const shutdown = () => {
      void Promise.all([worker.stop(), resolver.stop()])
        .then(() => store.close())
        .then(() => process.exit(0));
    };
    process.once('SIGTERM', shutdown);
    process.once('SIGINT', shutdown);
  });

program
  .command('migrate')
  .description('apply pending migrations to the store and exit')
  .action(async () => {
    const store = await openStore(config().store, { migrate: false });
    try {
      const applied = await migrate(store.sql);
      process.stdout.write(applied.length ? `applied ${applied.join(', ')}\n` : 'the store is up to date\n');
    } finally {
      await store.close();
    }
  });

const tenant = program.command('tenant').description('manage tenants');
tenant
  .command('create')
  .description('create a tenant with a default source, its write key and an admin token')
  .requiredOption('--name <name>', 'the brand or organisation name')
  .option('--json', 'print {"tenantId","writeKey","adminToken"} as JSON')
  .action(async (opts: { name: string; json?: boolean }) => {
    const input = tenantCreateSchema.safeParse({ name: opts.name });
    if (!input.success) {
      process.stderr.write(`--name ${input.error.issues[0]?.message ?? 'is invalid'}\n`);
      process.exit(2);
    }
    const store = await openStore(config().store);
    try {
      const created = await createTenant({ db: store.db, clock: systemClock }, input.data);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(created)}\n`);
      } else {
        process.stdout.write(
          `tenant     ${created.tenantId}\nsource     ${created.sourceId} (default)\nwrite key  ${created.writeKey}\nadmin token ${created.adminToken}\n` +
            'Keep the keys: only their hashes are stored.\n',
        );
      }
    } finally {
      await store.close();
    }
  });

registerIdentityCommands(program, config);
registerLeadCommands(program, config);
registerDemoCommand(program, config);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`siyu: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
