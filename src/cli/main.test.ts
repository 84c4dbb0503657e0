import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { tenantCreatedSchema } from '../contracts/tenancy.js';
import { authenticateAdminToken, authenticateWriteKey } from '../modules/tenancy/index.js';
import { openTestStore, testDatabaseUrl, testEngines, type EngineName } from '../testing/engines.js';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;

function siyu(args: string[], env: Record<string, string>) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SIYU_')));
  return run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root, env: { ...clean, ...env }, timeout: 60_000 });
}

describe.each(testEngines)('siyu CLI on %s', (engine: EngineName) => {
  const dir = mkdtempSync(join(tmpdir(), 'siyu-cli-'));
  const env: Record<string, string> =
    engine === 'postgres' ? { SIYU_DATABASE_URL: testDatabaseUrl ?? '' } : { SIYU_DATA_DIR: join(dir, 'data') };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('migrate applies migrations and is idempotent', async () => {
    await siyu(['migrate'], env);
    const again = await siyu(['migrate'], env);
    expect(again.stdout).toContain('the store is up to date');
  });

  it('tenant create --json prints working credentials', async () => {
    const { stdout } = await siyu(['tenant', 'create', '--name', '一汽测试品牌', '--json'], env);
    const created = tenantCreatedSchema.parse(JSON.parse(stdout));
    const store = await openTestStore(engine, join(dir, 'data'));
    try {
      expect(await authenticateWriteKey(store.db, created.writeKey)).toMatchObject({ tenantId: created.tenantId, sourceId: created.sourceId });
      expect(await authenticateAdminToken(store.db, created.adminToken)).toMatchObject({ tenantId: created.tenantId });
      const tenant = await store.db.selectFrom('tenants').selectAll().where('id', '=', created.tenantId).executeTakeFirstOrThrow();
      expect(tenant.name).toBe('一汽测试品牌');
    } finally {
      await store.close();
    }
  });
});

describe('siyu CLI configuration errors', () => {
  it('exits with an actionable message for bad environment', async () => {
    const err: unknown = await siyu(['migrate'], { SIYU_DATABASE_URL: 'mysql://nope' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 78 });
    expect(String((err as { stderr: string }).stderr)).toContain('SIYU_DATABASE_URL must be a PostgreSQL URL');
  });

  it('rejects an empty tenant name', async () => {
    const err: unknown = await siyu(['tenant', 'create', '--name', '  ', '--json'], { SIYU_DATA_DIR: 'memory://' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 2 });
  });
});
