export { openStore, type Store, type Db, type OpenStoreOptions } from './store.js';
export { migrate, loadMigrations, migrationsDir } from './migrate.js';
export { CopySource, toCopyText, type CopyValue } from './copy.js';
export type { Database } from './schema.js';
export type { EngineKind } from './engine.js';
export { analyzeStale, keepStatistics, type AnalyzedColumns, type StatisticsKeeper } from './analyze.js';
