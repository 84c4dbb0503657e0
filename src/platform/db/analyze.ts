import { sql } from 'kysely';
import type { Db } from './store.js';

/**
 * Fresh planner statistics for every table, after a bulk write (the demo, an import). PGlite runs no
 * autovacuum, and a plan made for nearly empty tables can cost a thousand times more on full ones.
 */
export async function analyzeAll(db: Db): Promise<void> {
  await sql`ANALYZE`.execute(db);
}
