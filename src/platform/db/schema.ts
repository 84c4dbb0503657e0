import type { ColumnType, Generated } from 'kysely';

/** Kysely's view of the tables created by `migrations/`. Keep in step with the SQL. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
/** jsonb: read as parsed JSON, written as a JSON text (both engines accept that without casts). */
type Json = ColumnType<unknown, string | null, string | null>;

export interface TenantsTable {
  id: string;
  name: string;
  time_zone: Generated<string>;
  created_at: CreatedAt;
}

export interface SourcesTable {
  tenant_id: string;
  id: string;
  name: string;
  kind: string;
  domain_class: string;
  created_at: CreatedAt;
}

export interface WriteKeysTable {
  tenant_id: string;
  id: string;
  source_id: string;
  key_hash: string;
  key_prefix: string;
  created_at: CreatedAt;
  revoked_at: Timestamp | null;
}

export interface AdminTokensTable {
  tenant_id: string;
  id: string;
  name: string;
  token_hash: string;
  token_prefix: string;
  created_at: CreatedAt;
  revoked_at: Timestamp | null;
}

export interface AuditLogTable {
  tenant_id: string;
  id: Generated<string>;
  at: CreatedAt;
  actor: string;
  action: string;
  target_type: string;
  target_id: string;
  details: Json;
}

export interface EventsTable {
  tenant_id: string;
  id: Generated<string>;
  received_at: Timestamp;
  message_id: string;
  type: string;
  source_id: string;
  event: string | null;
  name: string | null;
  category: string | null;
  user_id: string | null;
  anonymous_id: string | null;
  group_id: string | null;
  previous_id: string | null;
  timestamp: Timestamp;
  original_timestamp: Timestamp | null;
  sent_at: Timestamp | null;
  properties: Json;
  traits: Json;
  context: Json;
  integrations: Json;
}

export interface EventMessageIdsTable {
  tenant_id: string;
  message_id: string;
  received_at: Timestamp;
}

export interface Database {
  tenants: TenantsTable;
  sources: SourcesTable;
  write_keys: WriteKeysTable;
  admin_tokens: AdminTokensTable;
  audit_log: AuditLogTable;
  events: EventsTable;
  event_message_ids: EventMessageIdsTable;
}
