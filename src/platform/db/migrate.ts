import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SqlEngine } from './engine.js';

/** `migrations/` at the package root: three levels up from src/platform/db and dist/platform/db. */
export const migrationsDir = fileURLToPath(new URL('../../../migrations/', import.meta.url));

/** Any constant: the key of the advisory lock that lets one process migrate at a time. */
const MIGRATION_LOCK = 7_310_301;

export interface Migration {
  version: string;
  name: string;
  sql: string;
}

export function loadMigrations(dir = migrationsDir): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const [version = '', ...rest] = file.replace(/\.sql$/, '').split('_');
      return { version, name: rest.join('_'), sql: readFileSync(`${dir}/${file}`, 'utf8') };
    });
}

/**
 * Applies pending migrations, each in its own transaction, under an advisory lock so that several
 * processes starting at once against one PostgreSQL server take turns. Returns the versions applied.
 */
export async function migrate(engine: SqlEngine, migrations = loadMigrations()): Promise<string[]> {
  const session = await engine.session();
  try {
    await session.exec(`SELECT pg_advisory_lock(${MIGRATION_LOCK})`);
    try {
      await session.exec(`CREATE TABLE IF NOT EXISTS siyu_migrations (
        version text PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const applied = new Set(
        (await session.exec('SELECT version FROM siyu_migrations')).map((r) => String(r['version'])),
      );
      const done: string[] = [];
      for (const m of migrations) {
        if (applied.has(m.version)) continue;
        try {
          await session.exec(
            `BEGIN;\n${m.sql}\n;INSERT INTO siyu_migrations (version, name) VALUES ('${m.version}', '${m.name}');\nCOMMIT;`,
          );
        } catch (err) {
          await session.exec('ROLLBACK');
          throw new Error(`migration ${m.version}_${m.name} failed: ${err instanceof Error ? err.message : String(err)}`, {
            cause: err,
          });
        }
        done.push(m.version);
      }
      return done;
    } finally {
      await session.exec(`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`);
    }
  } finally {
    session.release();
  }
}
