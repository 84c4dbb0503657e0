import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { z } from 'zod';
import { csvMappingSchema, type LeadImportResult } from '../contracts/lead-sources.js';
import { decodeCsv, importLeadCsv, tenantExists, type RowProblem } from '../connectors/lead-sources/index.js';
import { systemPrincipal } from '../modules/tenancy/index.js';
import { systemClock } from '../platform/clock.js';
import type { Config } from '../platform/config.js';
import { openStore } from '../platform/db/index.js';
import { isAppError } from '../platform/errors.js';
import { createProgress } from './progress.js';

function who(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

export function formatImport(r: LeadImportResult): string {
  const n = (v: number) => v.toLocaleString('en-US');
  return `${n(r.rows)} rows: ${n(r.created)} leads created (${n(r.new)} new people, ${n(r.merged)} merged into known people, ${n(r.duplicates)} duplicates), ${n(r.existing)} already imported`;
}

const problemList = z.array(z.object({ row: z.number(), field: z.string(), column: z.string().nullable(), message: z.string() }));

/** `siyu leads …` */
export function registerLeadCommands(program: Command, config: () => Config): void {
  const leads = program.command('leads').description('leads: import from a DMS export');
  leads
    .command('import')
    .description(
      'import leads from a CSV file (a DMS export) through a column mapping: every row is checked first (nothing is stored if one is bad), ' +
        'then the leads are taken in 500 at a time; progress on stderr. Importing the same file again changes nothing',
    )
    .requiredOption('--tenant <uuid>', 'the tenant id')
    .requiredOption('--file <csv>', 'the CSV file (UTF-8 or GB18030), header in the first row')
    .requiredOption('--mapping <json>', 'a JSON file: {"columns": {"<CSV header>": "<lead field>"}, "source": "dms", "dealerCode"?: "..."}')
    .option('--json', 'print the counts as JSON')
    .action(async (opts: { tenant: string; file: string; mapping: string; json?: boolean }) => {
      const tenant = z.uuid().safeParse(opts.tenant.trim());
      if (!tenant.success) fail(`--tenant must be a tenant id (a UUID), got ${JSON.stringify(opts.tenant)}`, 2);
      const [csvBytes, mappingText] = await Promise.all([
        readFile(opts.file).catch((err: unknown) => fail(`cannot read --file ${opts.file}: ${err instanceof Error ? err.message : String(err)}`, 2)),
        readFile(opts.mapping, 'utf8').catch((err: unknown) => fail(`cannot read --mapping ${opts.mapping}: ${err instanceof Error ? err.message : String(err)}`, 2)),
      ]);
      let mappingJson: unknown;
      try {
        mappingJson = JSON.parse(mappingText);
      } catch {
        fail(`--mapping ${opts.mapping} is not valid JSON`, 2);
      }
      const mapping = csvMappingSchema.safeParse(mappingJson);
      if (!mapping.success) fail(`--mapping ${opts.mapping}: ${mapping.error.issues.map((i) => `${i.path.join('.') || 'mapping'}: ${i.message}`).join('; ')}`, 2);

      const store = await openStore(config().store);
      const progress = createProgress(process.stderr);
      try {
        if (!(await tenantExists(store.db, tenant.data))) {
          process.stderr.write(`no tenant ${tenant.data}\n`);
          process.exitCode = 2;
          return;
        }
        const result = await importLeadCsv({ store, clock: systemClock }, systemPrincipal(tenant.data, who()), decodeCsv(csvBytes), mapping.data, (phase, done, total) =>
          progress.update(phase, done, total),
        );
        progress.finish();
        process.stdout.write(opts.json ? `${JSON.stringify(result)}\n` : `${formatImport(result)}\n`);
      } catch (err) {
        progress.finish();
        if (!isAppError(err)) throw err;
        const details: unknown = err.details;
        const problems = problemList.safeParse(typeof details === 'object' && details !== null && 'problems' in details ? details.problems : undefined);
        const lines = problems.success ? problems.data.slice(0, 20).map((p: RowProblem) => `  row ${p.row} ${p.field}${p.column ? ` ("${p.column}")` : ''}: ${p.message}`) : [];
        process.stderr.write(`${[err.message, ...lines].join('\n')}\n`);
        process.exitCode = 1;
      } finally {
        await store.close();
      }
    });
}
