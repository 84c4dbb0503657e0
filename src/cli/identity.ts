import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { z } from 'zod';
import { rebuildIdentityGraph, type RebuildSummary } from '../modules/identity/index.js';
import { resolutionHooks } from '../modules/profiles/index.js';
import type { Config } from '../platform/config.js';
import { openStore } from '../platform/db/index.js';
import { createProgress } from './progress.js';

function actor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

export function formatSummary(s: RebuildSummary): string {
  const n = (v: number) => v.toLocaleString('en-US');
  const seconds = (ms: number | undefined) => `${((ms ?? 0) / 1000).toFixed(1)} s`;
  const steps = Object.entries(s.timings)
    .filter(([k]) => k !== 'total')
    .map(([k, v]) => `${k} ${seconds(v)}`)
    .join(', ');
  return [
    `identity graph of tenant ${s.tenantId} rebuilt in ${seconds(s.timings['total'])} (identity_log ${s.identityLogId})`,
    `events       ${n(s.events)} read, ${n(s.eventsMoved)} moved to another profile, ${n(s.eventsWithoutProfile)} without a usable identifier`,
    `profiles     ${n(s.profilesBefore)} → ${n(s.profilesAfter)}: ${n(s.profilesKept)} kept their id (${n(s.profilesUpdated)} updated), ${n(s.profilesCreated)} new, ${n(s.profilesMergedAway)} merged away, ${n(s.profilesDeleted)} deleted`,
    `identifiers  ${n(s.identifiersBefore)} → ${n(s.identifiersAfter)}: ${n(s.identifiersAdded)} added, ${n(s.identifiersRemoved)} removed, ${n(s.identifiersMoved)} moved, ${n(s.identifiersRetimed)} re-timed (${s.identifierWrite})`,
    `rules        ${n(s.merges)} merges, ${n(s.blockedMerges)} blocked merges, ${n(s.reassignments)} recycled numbers (former identifiers: +${n(s.formerAdded)} −${n(s.formerRemoved)})`,
    `steps        ${steps}`,
  ].join('\n');
}

/** `siyu identity …` */
export function registerIdentityCommands(program: Command, config: () => Config): void {
  const identity = program.command('identity').description('One ID: the identity graph');
  identity
    .command('rebuild')
    .description(
      'recompute the identity graph of a tenant from its stored events under the current rules (after a rule change) and write the difference; ' +
        "the tenant's ingestion waits until it is done (on the embedded store, every request does)",
    )
    .requiredOption('--tenant <uuid>', 'the tenant id')
    .option('--json', 'print the summary as JSON')
    .action(async (opts: { tenant: string; json?: boolean }) => {
      const tenant = z.uuid().safeParse(opts.tenant.trim());
      if (!tenant.success) {
        process.stderr.write(`--tenant must be a tenant id (a UUID), got ${JSON.stringify(opts.tenant)}\n`);
        process.exit(2);
      }
      const store = await openStore(config().store);
      const progress = createProgress(process.stderr);
      try {
        const summary = await rebuildIdentityGraph(store, tenant.data, {
          actor: actor(),
          ...resolutionHooks,
          onProgress: (p) => progress.update(`${p.phase} ${p.unit}`, p.done, p.total),
        });
        progress.finish();
        process.stdout.write(opts.json ? `${JSON.stringify(summary)}\n` : `${formatSummary(summary)}\n`);
      } catch (err) {
        progress.finish();
        throw err;
      } finally {
        await store.close();
      }
    });
}
