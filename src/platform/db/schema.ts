import type { ColumnType, Generated } from 'kysely';
import type { LeadsDatabase } from './schema-leads.js';
import type { OperationsDatabase } from './schema-operations.js';
import type { SegmentsDatabase } from './schema-segments.js';
import type { WecomDatabase } from './schema-wecom.js';

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
  profile_id: string | null;
}

export interface EventMessageIdsTable {
  tenant_id: string;
  message_id: string;
  received_at: Timestamp;
}

export interface IdentifierTypesTable {
  tenant_id: string;
  type: string;
  priority: number;
  max_per_profile: number;
  merges: boolean;
  scoped: boolean;
  normalizer: string;
  trait_names: ColumnType<string[], string[] | undefined, string[]>;
  reassign_after_days: number | null;
  updated_at: Generated<Date>;
}

export interface IdentifierBlocklistTable {
  tenant_id: string;
  type: string;
  value: string;
  created_at: CreatedAt;
}

export interface TraitStrategiesTable {
  tenant_id: string;
  trait: string;
  strategy: string;
}

export interface IdentityQueueTable {
  tenant_id: string;
  seq: Generated<string>;
  received_at: Timestamp;
  event_ids: string[];
  events: number;
  identity: string;
}

export interface IdentityResolverStatsTable {
  tenant_id: string;
  resolved_total: Generated<string>;
  last_batch_at: Timestamp | null;
  busy_ms_total: Generated<number>;
  events_per_second: Generated<number>;
}

export interface ProfilesTable {
  tenant_id: string;
  id: string;
  merged_into: string | null;
  traits: ColumnType<unknown, string | undefined, string>;
  trait_meta: ColumnType<unknown, string | undefined, string>;
  first_seen: Timestamp;
  last_seen: Timestamp;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface ProfileIdentifiersTable {
  tenant_id: string;
  type: string;
  scope: string;
  value: string;
  profile_id: string;
  first_seen: Timestamp;
  last_seen: Timestamp;
}

export interface FormerIdentifiersTable {
  tenant_id: string;
  profile_id: string;
  type: string;
  scope: string;
  value: string;
  first_seen: Timestamp;
  last_seen: Timestamp;
  valid_to: Timestamp;
  reason: string;
}

export interface IdentityLogTable {
  tenant_id: string;
  id: Generated<string>;
  at: ColumnType<Date, Date | string | undefined, never>;
  kind: string;
  reason: string | null;
  trigger_message_id: string | null;
  identifiers: ColumnType<unknown, string | undefined, string>;
  profiles_before: string[];
  profile_after: string | null;
  actor: string | null;
  details: Json;
}

export interface VehiclesTable {
  tenant_id: string;
  vin: string;
  series: string | null;
  model: string | null;
  model_year: number | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface VehicleRelationsTable {
  tenant_id: string;
  id: string;
  vin: string;
  profile_id: string;
  role: string;
  valid_from: Timestamp;
  valid_to: Timestamp | null;
  source: string | null;
  created_at: CreatedAt;
}

export interface HouseholdsTable {
  tenant_id: string;
  id: string;
  name: string | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface HouseholdMembersTable {
  tenant_id: string;
  household_id: string;
  profile_id: string;
  relation: string | null;
  added_at: CreatedAt;
}

export interface ConsentsTable {
  tenant_id: string;
  profile_id: string;
  channel: string;
  purpose: string;
  state: string;
  at: Timestamp;
  source: string | null;
  org_unit: string | null;
}

export interface ConsentHistoryTable {
  tenant_id: string;
  id: Generated<string>;
  profile_id: string;
  channel: string;
  purpose: string;
  state: string;
  at: Timestamp;
  source: string | null;
  org_unit: string | null;
  recorded_at: CreatedAt;
  note: string | null;
}

export interface Database extends SegmentsDatabase, LeadsDatabase, OperationsDatabase, WecomDatabase {
  tenants: TenantsTable;
  sources: SourcesTable;
  write_keys: WriteKeysTable;
  admin_tokens: AdminTokensTable;
  audit_log: AuditLogTable;
  events: EventsTable;
  event_message_ids: EventMessageIdsTable;
  identity_queue: IdentityQueueTable;
  identity_resolver_stats: IdentityResolverStatsTable;
  identifier_types: IdentifierTypesTable;
  identifier_blocklist: IdentifierBlocklistTable;
  trait_strategies: TraitStrategiesTable;
  profiles: ProfilesTable;
  profile_identifiers: ProfileIdentifiersTable;
  former_identifiers: FormerIdentifiersTable;
  identity_log: IdentityLogTable;
  vehicles: VehiclesTable;
  vehicle_relations: VehicleRelationsTable;
  households: HouseholdsTable;
  household_members: HouseholdMembersTable;
  consents: ConsentsTable;
  consent_history: ConsentHistoryTable;
}
