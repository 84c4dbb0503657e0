import type { Command } from 'commander';
import { z } from 'zod';
import { createDemo, DEFAULT_DEMO_PEOPLE, DEFAULT_DEMO_SEED, type DemoResult } from '../demo/index.js';
import { systemClock } from '../platform/clock.js';
import type { Config } from '../platform/config.js';
import { openStore } from '../platform/db/index.js';
import { createLogger } from '../platform/logger.js';
import { withEmbeddedSecretKey } from '../platform/secret-key.js';
import { buildApp } from '../server/app.js';
import { createProgress } from './progress.js';

const optionsSchema = z.object({
  people: z.coerce
    .number({ error: '--people must be a number' })
    .int('--people must be a whole number')
    .min(100, '--people must be at least 100')
    .max(10_000_000, '--people must be at most 10,000,000'),
  seed: z.string().trim().min(1, '--seed must not be empty').max(100, '--seed takes at most 100 characters'),
  json: z.boolean().default(false),
});

export function formatDemo(r: DemoResult, seconds: number): string {
  const n = (v: number) => v.toLocaleString('en-US');
  const c = r.counts;
  const lines = [
    `Demo brand 岚山汽车 (Lanshan Auto) created in ${seconds.toFixed(1)} s`,
    `  ${n(c.people)} people, ${n(c.dealers)} dealers, ${n(c.staff)} staff; ${n(c.trackedEvents)} tracked events; ${n(c.leads)} leads (${n(c.funnelSteps)} funnel steps), ${n(c.orders)} orders, ${n(c.deliveries)} deliveries, ${n(c.pastDeliveries)} earlier owners`,
    `  ${n(c.wecomAdds)} WeCom adds (${n(c.wecomRemovals)} deleted), ${n(c.afterSales)} after-sales records, ${n(c.consents)} consents, ${n(c.households)} households, ${n(c.tags)} tags, ${n(c.segments)} segments`,
    '',
    `tenant       ${r.tenantId}`,
    `write key    ${r.writeKey}`,
    `admin token  ${r.adminToken}`,
    '',
    'sign-ins (password for all of them below):',
    ...r.staff.map((s) => `  ${s.role.padEnd(16)} ${s.username.padEnd(26)} ${s.orgUnitCode.padEnd(8)} ${s.name}`),
    `  password         ${r.staff[0]?.password ?? ''}`,
    '',
    'Keep the keys and the password: only their hashes are stored.',
    '',
    'phases:',
    ...r.phases.map((p) => `  ${p.phase.padEnd(38)} ${p.seconds.toFixed(1).padStart(8)} s`),
  ];
  return `${lines.join('\n')}\n`;
}

/** `siyu demo`: a new demo tenant on the configured store. */
export function registerDemoCommand(program: Command, config: () => Config): void {
  program
    .command('demo')
    .description('create the demo car brand 岚山汽车 (Lanshan Auto) as a new tenant on the configured store, through Siyu\'s own API and modules')
    .option('--people <n>', 'how many people', String(DEFAULT_DEMO_PEOPLE))
    .option('--seed <text>', 'the same seed gives the same brand', DEFAULT_DEMO_SEED)
    .option('--json', 'print {"tenantId","writeKey","adminToken","staff":[…]} as JSON')
    .action(async (raw: unknown) => {
      const parsed = optionsSchema.safeParse(raw);
      if (!parsed.success) {
        process.stderr.write(`${parsed.error.issues[0]?.message ?? 'invalid options'}\n`);
        process.exit(2);
      }
      const opts = parsed.data;
      const loaded = config();
      const logger = createLogger('warn');
      const c = withEmbeddedSecretKey(loaded, logger);
      const store = await openStore(c.store, { onBackgroundError: (err) => logger.error({ err }, 'store background error') });
      const app = await buildApp({ store, clock: systemClock, secretKey: c.secretKey }, { logger });
      const progress = createProgress();
      const started = performance.now();
      try {
        const result = await createDemo({ store, app, clock: systemClock, secretKey: c.secretKey, logger }, { people: opts.people, seed: opts.seed, onProgress: (phase, done, total) => progress.update(phase, done, total) });
        progress.finish();
        if (opts.json) {
          const { tenantId, writeKey, adminToken, staff } = result;
          process.stdout.write(`${JSON.stringify({ tenantId, writeKey, adminToken, staff: staff.map(({ role, username, password, orgUnitCode }) => ({ role, username, password, orgUnitCode })) })}\n`);
        } else {
          process.stdout.write(formatDemo(result, (performance.now() - started) / 1000));
        }
      } finally {
        await app.close();
        await store.close();
      }
    });
}
