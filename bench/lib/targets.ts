/**
 * Where a benchmark's data lives: a fresh PostgreSQL database beside the bench server (dropped after
 * unless kept), a kept one measured again, or a PGlite folder in the temp directory.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { StoreConfig } from '../../src/platform/config.js';
import { openStore } from '../../src/platform/db/index.js';
import { onExit } from './processes.js';

const log = (line: string) => process.stderr.write(`${line}\n`);

export interface Target {
  config: StoreConfig;
  /** For the server child. */
  env: Record<string, string>;
  where: string;
  release(): Promise<void>;
}

/** A fresh database beside `url` (dropped on release unless kept). */
export async function postgresTarget(url: string, part: string, keep: boolean, poolMax: number): Promise<Target> {
  const name = `siyu_bench_${part}_${randomBytes(3).toString('hex')}`;
  const admin = await openStore({ engine: 'postgres', url, poolMax: 1 }, { migrate: false });
  try {
    await sql`CREATE DATABASE ${sql.id(name)}`.execute(admin.db);
  } finally {
    await admin.close();
  }
  const target = new URL(url);
  target.pathname = `/${name}`;
  return {
    config: { engine: 'postgres', url: target.toString(), poolMax },
    env: { SIYU_DATABASE_URL: target.toString() },
    where: `database ${name}`,
    release: async () => {
      if (keep) {
        log(`kept PostgreSQL database ${name}`);
        return;
      }
      const a = await openStore({ engine: 'postgres', url, poolMax: 1 }, { migrate: false });
      try {
        await sql`DROP DATABASE IF EXISTS ${sql.id(name)} WITH (FORCE)`.execute(a.db);
      } finally {
        await a.close();
      }
    },
  };
}

/** A kept database (BENCH_REUSE_PG_KPI_DB): measured again, never dropped. */
export function reusedTarget(url: string, name: string, poolMax: number): Target {
  const target = new URL(url);
  target.pathname = `/${name}`;
  return { config: { engine: 'postgres', url: target.toString(), poolMax }, env: { SIYU_DATABASE_URL: target.toString() }, where: `database ${name} (reused)`, release: async () => {} };
}

export function pgliteTarget(part: string, keep: boolean): Target {
  const dir = mkdtempSync(join(tmpdir(), `siyu-bench-${part}-`));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  if (!keep) onExit(remove);
  const dataDir = join(dir, 'data');
  return {
    config: { engine: 'pglite', dataDir },
    env: { SIYU_DATA_DIR: dataDir },
    where: dataDir,
    release: async () => {
      if (keep) log(`kept PGlite data in ${dataDir}`);
      else remove();
    },
  };
}
