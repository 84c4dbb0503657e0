import { Kysely, sql } from 'kysely';
import type { StoreConfig } from '../config.js';
import type { EngineKind, SqlEngine } from './engine.js';
import { engineDialect } from './kysely-driver.js';
import { migrate } from './migrate.js';
import { openPgliteEngine } from './pglite-engine.js';
import { openPostgresEngine } from './pg-engine.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

/** The store: one Kysely instance over one engine. */
export interface Store {
  readonly engine: EngineKind;
  readonly db: Db;
  /** Raw access for the few things SQL builders do not express (migrations, multi-statement DDL). */
  readonly sql: SqlEngine;
  /** Throws unless the store answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  /** Told about failures outside any request, e.g. an idle PostgreSQL connection dropped by the server. */
  onBackgroundError?: (err: Error) => void;
}

export async function openStore(config: StoreConfig, options: OpenStoreOptions = {}): Promise<Store> {
  const engine =
    config.engine === 'postgres'
      ? await openPostgresEngine(config.url, config.poolMax, options.onBackgroundError)
      : await openPgliteEngine(config.dataDir, options.onBackgroundError ? { onFailure: options.onBackgroundError } : {});
  try {
    if (options.migrate !== false) await migrate(engine);
  } catch (err) {
    await engine.close();
    throw err;
  }
  const db = new Kysely<Database>({ dialect: engineDialect(engine) });
  let closing: Promise<void> | undefined;
  return {
    engine: engine.kind,
    db,
    sql: engine,
    ping: async () => {
      await sql`SELECT 1`.execute(db);
    },
    // Kysely only destroys a driver it has used; close the engine ourselves too (idempotent).
    close: () => (closing ??= db.destroy().then(() => engine.close())),
  };
}
