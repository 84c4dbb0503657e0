import { loadMigrations, migrate } from '../platform/db/migrate.js';
import { openPostgresEngine } from '../platform/db/pg-engine.js';

/** Migrate the shared PostgreSQL test database once, before test files run in parallel. */
export default async function setup(): Promise<void> {
  const url = process.env['SIYU_TEST_DATABASE_URL'];
  if (!url) return;
  const engine = await openPostgresEngine(url, 1);
  try {
    await migrate(engine, loadMigrations());
  } finally {
    await engine.close();
  }
}
