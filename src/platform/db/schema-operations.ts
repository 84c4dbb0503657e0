import type { ColumnType, Generated } from 'kysely';

/** Kysely's view of the tables created by `migrations/0008_operations.sql`. Keep in step with the SQL. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
/** jsonb: read as parsed JSON, written as a JSON text. */
type Json = ColumnType<unknown, string | null, string | null>;
type JsonRequired = ColumnType<unknown, string, string>;

export interface OperationsTable {
  tenant_id: string;
  id: string;
  kind: string;
  subject_id: string | null;
  request: JsonRequired;
  reason: string | null;
  actor: string;
  state: Generated<string>;
  result: Json;
  error: Json;
  created_at: CreatedAt;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
}

export interface OperationsDatabase {
  operations: OperationsTable;
}
