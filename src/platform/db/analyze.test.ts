import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, testEngines } from '../../testing/engines.js';
import { analyzeStale, keepStatistics } from './analyze.js';
import type { Db, Store } from './index.js';

describe.each(testEngines)('planner statistics kept fresh on %s', (engine) => {
  let store: Store;
  const table = `scratch_analyze_${randomBytes(4).toString('hex')}`;
  const quoted = () => sql.raw(`"${table}"`);
  // One connection throughout, its change counters flushed to the statistics views after each
  // write: a flush that came after an ANALYZE would count the rows it saw as changed since.
  const onOneConnection = <T>(fn: (db: Db) => Promise<T>) => store.db.connection().execute(fn);
  const insert = (db: Db, n: number) =>
    sql`INSERT INTO ${quoted()} (id, s) SELECT g, repeat('x', 100) FROM generate_series(1, ${n}::int) g`
      .execute(db)
      .then(() => sql`SELECT pg_stat_force_next_flush()`.execute(db))
      .then(() => sql`SELECT 1`.execute(db));
  const counted = async (db: Db = store.db) => (await sql<{ reltuples: number }>`SELECT reltuples::float8 AS reltuples FROM pg_class WHERE relname = ${table}`.execute(db)).rows[0]?.reltuples;
  const stale = async (db: Db) => (await analyzeStale(db)).filter((name) => name === table);

  beforeAll(async () => {
    store = await openTestStore(engine);
    // PostgreSQL's autovacuum must not analyse it behind the test's back.
    await sql`CREATE TABLE ${quoted()} (id int, s text) WITH (autovacuum_enabled = false)`.execute(store.db);
  });
  afterAll(async () => {
    await sql`DROP TABLE IF EXISTS ${quoted()}`.execute(store.db);
    await store.close();
  });

  it('analyses a table that filled since its last statistics, and leaves it alone until it grows again', async () => {
    await onOneConnection(async (db) => {
      await insert(db, 2000);
      expect(await stale(db)).toHaveLength(1);
      expect(await counted(db)).toBe(2000);
      expect(await stale(db)).toEqual([]);
      await insert(db, 100); // fewer than 50 + 10 % of the rows counted: not stale yet
      expect(await stale(db)).toEqual([]);
      await insert(db, 3000);
      expect(await stale(db)).toHaveLength(1);
      expect(await counted(db)).toBe(5100);
    });
  });

  it('narrowed to some tables and columns, analyses only those columns', async () => {
    const columnsWithStatistics = async (db: Db) =>
      (await sql<{ attname: string }>`SELECT attname FROM pg_stats WHERE schemaname = current_schema() AND tablename = ${table} ORDER BY attname`.execute(db)).rows.map((r) => r.attname);
    await onOneConnection(async (db) => {
      await sql`DROP TABLE ${quoted()}`.execute(db);
      await sql`CREATE TABLE ${quoted()} (id int, s text) WITH (autovacuum_enabled = false)`.execute(db);
      await insert(db, 5100); // as many rows as the first test left, which the timer test counts on
      expect(await analyzeStale(db, { [table]: ['id'] })).toEqual([table]);
      expect(await columnsWithStatistics(db)).toEqual(['id']);
    });
  });

  it('analyses a partitioned table through its parent, which then has statistics over all partitions', async () => {
    const parent = `${table}_parts`;
    await onOneConnection(async (db) => {
      await sql`CREATE TABLE ${sql.id(parent)} (id int, s text) PARTITION BY RANGE (id)`.execute(db);
      await sql`CREATE TABLE ${sql.id(`${parent}_a`)} PARTITION OF ${sql.id(parent)} FOR VALUES FROM (0) TO (1000000) WITH (autovacuum_enabled = false)`.execute(db);
      await sql`INSERT INTO ${sql.id(parent)} (id, s) SELECT g, 'x' FROM generate_series(1, 3000) g`.execute(db);
      expect((await analyzeStale(db)).filter((name) => name.startsWith(parent))).toEqual([parent]);
      const inherited = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stats WHERE tablename = ${parent} AND inherited`.execute(db);
      expect(inherited.rows[0]?.n).toBe(2);
      await sql`DROP TABLE ${sql.id(parent)}`.execute(db);
    });
  });

  it('does so on a timer, and stops', async () => {
    await onOneConnection((db) => insert(db, 10_000));
    const passes: string[][] = [];
    const keeper = keepStatistics(store.db, { intervalMs: 20, onAnalyzed: (tables) => passes.push(tables) });
    const deadline = Date.now() + 10_000;
    while (!passes.some((tables) => tables.includes(table)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await keeper.stop();
    expect(passes.flat()).toContain(table);
    expect(await counted()).toBe(15_100);
  });
});
