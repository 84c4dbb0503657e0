import type { ColumnType, Generated } from 'kysely';

/** Kysely's view of the tables created by `migrations/0003_segments.sql`. Keep in step with the SQL. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
/** jsonb: read as parsed JSON, written as a JSON text. */
type Json = ColumnType<unknown, string | null, string | null>;
type JsonRequired = ColumnType<unknown, string, string>;
type DateDay = ColumnType<string, string, string>;

export interface JobsTable {
  tenant_id: string;
  id: Generated<string>;
  kind: string;
  key: string;
  run_at: Timestamp;
  payload: Json;
  generation: Generated<number>;
  attempts: Generated<number>;
  locked_until: Timestamp | null;
  last_error: string | null;
  created_at: CreatedAt;
}

export interface ProfilesDirtyTable {
  tenant_id: string;
  seq: Generated<string>;
  profile_id: string;
  marked_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface ProfileRollupsTable {
  tenant_id: string;
  profile_id: string;
  first_touch_at: Timestamp | null;
  first_source_id: string | null;
  first_source_kind: string | null;
  first_domain_class: string | null;
  wecom_staff: ColumnType<string[], string[] | undefined, string[]>;
  oa_apps: ColumnType<string[], string[] | undefined, string[]>;
  updated_at: UpdatedAt;
}

export interface TagGroupsTable {
  tenant_id: string;
  id: string;
  name: string;
  description: string | null;
  created_at: CreatedAt;
}

export interface TagsTable {
  tenant_id: string;
  id: string;
  group_id: string;
  name: string;
  description: string | null;
  kind: string;
  definition: Json;
  time_dependent: Generated<boolean>;
  refreshed_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface ProfileTagsTable {
  tenant_id: string;
  tag_id: string;
  profile_id: string;
  applied_at: Timestamp;
  applied_by: string;
}

export interface TagHistoryTable {
  tenant_id: string;
  id: Generated<string>;
  tag_id: string;
  profile_id: string;
  action: string;
  actor: string;
  reason: string | null;
  at: Timestamp;
}

export interface SegmentsTable {
  tenant_id: string;
  id: string;
  name: string;
  description: string | null;
  definition: JsonRequired;
  revision: Generated<number>;
  materialized_revision: Generated<number>;
  time_dependent: Generated<boolean>;
  member_count: Generated<number>;
  refreshed_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface SegmentMembersTable {
  tenant_id: string;
  segment_id: string;
  profile_id: string;
  entered_at: Timestamp;
}

export interface SegmentChangesTable {
  tenant_id: string;
  id: Generated<string>;
  segment_id: string;
  profile_id: string;
  kind: string;
  at: Timestamp;
}

export interface SegmentDailyCountsTable {
  tenant_id: string;
  segment_id: string;
  day: DateDay;
  count: number;
}

export interface StageModelsTable {
  tenant_id: string;
  key: string;
  name: string;
  description: string | null;
  preset: string | null;
  progression: string;
  stages: JsonRequired;
  is_default: Generated<boolean>;
  revision: Generated<number>;
  time_dependent: Generated<boolean>;
  refreshed_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface ProfileStagesTable {
  tenant_id: string;
  model: string;
  profile_id: string;
  stage: string;
  since: Timestamp;
}

export interface StageTransitionsTable {
  tenant_id: string;
  id: Generated<string>;
  model: string;
  profile_id: string;
  from_stage: string | null;
  to_stage: string | null;
  at: Timestamp;
}

export interface SegmentsDatabase {
  jobs: JobsTable;
  profiles_dirty: ProfilesDirtyTable;
  profile_rollups: ProfileRollupsTable;
  tag_groups: TagGroupsTable;
  tags: TagsTable;
  profile_tags: ProfileTagsTable;
  tag_history: TagHistoryTable;
  segments: SegmentsTable;
  segment_members: SegmentMembersTable;
  segment_changes: SegmentChangesTable;
  segment_daily_counts: SegmentDailyCountsTable;
  stage_models: StageModelsTable;
  profile_stages: ProfileStagesTable;
  stage_transitions: StageTransitionsTable;
}
