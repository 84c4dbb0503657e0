import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leadImportResultSchema } from '../contracts/lead-sources.js';
import { freshTenant, openTestStore, testDatabaseUrl, testEngines, type EngineName } from '../testing/engines.js';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;

function siyu(args: string[], env: Record<string, string>) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SIYU_')));
  return run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root, env: { ...clean, ...env }, timeout: 60_000 });
}

describe.each(testEngines)('siyu leads import on %s', (engine: EngineName) => {
  const dir = mkdtempSync(join(tmpdir(), 'siyu-leads-cli-'));
  const env: Record<string, string> = engine === 'postgres' ? { SIYU_DATABASE_URL: testDatabaseUrl ?? '' } : { SIYU_DATA_DIR: join(dir, 'data') };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const mapping = file('mapping.json', JSON.stringify({ columns: { 编号: 'externalId', 姓名: 'name', 手机: 'phone', 城市: 'city', 车系: 'series', 时间: 'createdAt' }, source: 'dms', dealerCode: 'SH001' }));
  const tenant = { tenantId: '' };
  // The store is made (and migrated) here, in-process: each CLI run then only opens it.
  beforeAll(async () => {
    const store = await openTestStore(engine, join(dir, 'data'));
    try {
      tenant.tenantId = (await freshTenant(store)).tenantId;
    } finally {
      await store.close();
    }
  });

  it('imports a DMS export with progress on stderr and counts on stdout', async () => {
    const csv = file('export.csv', '编号,姓名,手机,城市,车系,时间\nD1,张三,13910000001,上海,汉,2026-03-01 10:00\nD2,李四,13910000002,杭州,唐,2026-03-02 10:00\nD3,王五,13910000003,上海,汉,2026-03-03 10:00\n');
    const first = await siyu(['leads', 'import', '--tenant', tenant.tenantId, '--file', csv, '--mapping', mapping, '--json'], env);
    expect(leadImportResultSchema.parse(JSON.parse(first.stdout))).toEqual({ rows: 3, created: 3, new: 3, merged: 0, duplicates: 0, existing: 0 });
    const progress = first.stderr.trim().split('\n');
    expect(progress[0]).toMatch(/^checking rows \[#{24}\] 100% 3\/3 {2}\d+\.\d s$/);
    expect(progress.at(-1)).toMatch(/^importing leads \[#{24}\] 100% 3\/3 {2}\d+\.\d s$/);
  });

  it('changes nothing when the same file is imported again; refuses a bad row with exit code 1', async () => {
    const csv = join(dir, 'export.csv');
    const again = await siyu(['leads', 'import', '--tenant', tenant.tenantId, '--file', csv, '--mapping', mapping], env);
    expect(again.stdout).toBe('3 rows: 0 leads created (0 new people, 0 merged into known people, 0 duplicates), 3 already imported\n');

    const store = await openTestStore(engine, join(dir, 'data'));
    try {
      const rows = await store.db.selectFrom('leads').select(['external_id', 'source', 'phone', 'dealer_code', 'created_at']).where('tenant_id', '=', tenant.tenantId).orderBy('external_id').execute();
      expect(rows).toEqual([
        { external_id: 'D1', source: 'dms', phone: '+8613910000001', dealer_code: 'SH001', created_at: new Date('2026-03-01T02:00:00Z') },
        { external_id: 'D2', source: 'dms', phone: '+8613910000002', dealer_code: 'SH001', created_at: new Date('2026-03-02T02:00:00Z') },
        { external_id: 'D3', source: 'dms', phone: '+8613910000003', dealer_code: 'SH001', created_at: new Date('2026-03-03T02:00:00Z') },
      ]);
    } finally {
      await store.close();
    }

    const bad = file('bad.csv', '编号,姓名,手机,城市,车系,时间\nD4,赵六,电话,上海,汉,2026-03-01 10:00\n');
    const err: unknown = await siyu(['leads', 'import', '--tenant', tenant.tenantId, '--file', bad, '--mapping', mapping], env).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 1 });
    expect(String((err as { stderr: string }).stderr)).toContain('row 2 phone ("手机"): phone must be a phone number');
  });

  it('refuses bad arguments with exit code 2', async () => {
    const notUuid: unknown = await siyu(['leads', 'import', '--tenant', 'nope', '--file', 'x.csv', '--mapping', mapping], env).catch((e: unknown) => e);
    expect(notUuid).toMatchObject({ code: 2 });
    const badMapping = file('bad-mapping.json', JSON.stringify({ columns: { 编号: 'externalId' } }));
    const noPhone: unknown = await siyu(['leads', 'import', '--tenant', '00000000-0000-4000-8000-000000000000', '--file', badMapping, '--mapping', badMapping], env).catch((e: unknown) => e);
    expect(noPhone).toMatchObject({ code: 2 });
    expect(String((noPhone as { stderr: string }).stderr)).toContain('map a column to phone');
  });
});
