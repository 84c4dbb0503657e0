import type { ColumnType, Generated } from 'kysely';

/** Kysely's view of the tables created by `migrations/0004_org_leads.sql`. Keep in step with the SQL. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
/** jsonb: read as parsed JSON, written as a JSON text. */
type Json = ColumnType<unknown, string | null, string | null>;
type JsonDefault = ColumnType<unknown, string | undefined, string>;
type TextArray = ColumnType<string[] | null, string[] | null | undefined, string[] | null>;
/** int8: read as a string (both drivers), written as a number or string. */
type Fen = ColumnType<string, number | string, number | string>;

export interface OrgUnitsTable {
  tenant_id: string;
  id: string;
  code: string;
  name: string;
  type: string;
  parent_id: string | null;
  path: ColumnType<string[], string[], string[]>;
  city: string | null;
  province: string | null;
  latitude: number | null;
  longitude: number | null;
  capacity: number | null;
  series: TextArray;
  active: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface StaffTable {
  tenant_id: string;
  id: string;
  username: string;
  name: string;
  role: string;
  org_unit_id: string;
  password_hash: string;
  wecom_user_id: string | null;
  phone: string | null;
  max_open_leads: number | null;
  active: Generated<boolean>;
  /** The console language: 'zh-CN' or 'en'. */
  locale: Generated<string>;
  failed_logins: Generated<number>;
  locked_until: Timestamp | null;
  last_login_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface StaffSessionsTable {
  tenant_id: string;
  id: string;
  staff_id: string;
  token_hash: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
}

export interface CustomerLinksTable {
  tenant_id: string;
  profile_id: string;
  org_unit_id: string;
  reason: string;
  since: Timestamp;
}

export interface ProfileOriginsTable {
  tenant_id: string;
  profile_id: string;
  org_unit_id: string | null;
  source: string;
  lead_id: string | null;
  at: Timestamp;
}

export interface LeadsTable {
  tenant_id: string;
  id: string;
  profile_id: string | null;
  source: string;
  external_id: string | null;
  channel: string | null;
  campaign: string | null;
  name: string | null;
  phone: string | null;
  phone_masked: string | null;
  phone_hash: string | null;
  city: string | null;
  province: string | null;
  series: string | null;
  model: string | null;
  dealer_code: string | null;
  consultant_hint: string | null;
  dealer_id: string | null;
  consultant_id: string | null;
  status: string;
  dedup: string;
  duplicate_of: string | null;
  score: Generated<number>;
  score_factors: JsonDefault;
  in_pool: Generated<boolean>;
  pool_reason: string | null;
  invalid_reason: string | null;
  defeat_reason: string | null;
  created_at: Timestamp;
  received_at: Timestamp;
  updated_at: Timestamp;
  assigned_at: Timestamp | null;
  first_follow_up_at: Timestamp | null;
  sla_due_at: Timestamp | null;
  next_follow_up_at: Timestamp | null;
  contacted_at: Timestamp | null;
  invited_at: Timestamp | null;
  visited_at: Timestamp | null;
  test_drive_at: Timestamp | null;
  ordered_at: Timestamp | null;
  invoiced_at: Timestamp | null;
  delivered_at: Timestamp | null;
  closed_at: Timestamp | null;
  reachable_at: Timestamp | null;
  reassign_count: Generated<number>;
  /** Kept by the trigger on defeat_requests (migration 0004). */
  defeat_request_count: Generated<number>;
  defeat_approved_count: Generated<number>;
  defeat_pending_count: Generated<number>;
  raw: Json;
}

export interface LeadTransitionsTable {
  tenant_id: string;
  id: Generated<string>;
  lead_id: string;
  from_status: string | null;
  to_status: string;
  at: Timestamp;
  actor: string;
  reason: string | null;
  remark: string | null;
  details: Json;
}

export interface LeadFollowUpsTable {
  tenant_id: string;
  id: string;
  lead_id: string;
  kind: string;
  at: Timestamp;
  actor: string;
  staff_id: string | null;
  note: string | null;
  next_follow_up_at: Timestamp | null;
  created_at: CreatedAt;
}

export interface DefeatRequestsTable {
  tenant_id: string;
  id: string;
  lead_id: string;
  reason_code: string;
  remark: string;
  previous_status: string;
  requested_by: string;
  requested_at: Timestamp;
  state: string;
  decided_by: string | null;
  decided_at: Timestamp | null;
  decision_note: string | null;
}

export interface RoutingRulesTable {
  tenant_id: string;
  id: string;
  name: string;
  priority: Generated<number>;
  cities: TextArray;
  provinces: TextArray;
  series: TextArray;
  sources: TextArray;
  dealer_ids: ColumnType<string[], string[], string[]>;
  active: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface RoutingCursorsTable {
  tenant_id: string;
  dealer_id: string;
  last_staff_id: string | null;
  /** The tenant's local date `routed` counts (read back as a Date at UTC midnight by pg, a string by PGlite: compare in SQL). */
  day: ColumnType<unknown, string | null | undefined, string | null>;
  routed: Generated<number>;
  updated_at: UpdatedAt;
}

export interface LeadSettingsTable {
  tenant_id: string;
  duplicate_window_days: Generated<number>;
  sla_hours: Generated<number>;
  default_max_open_leads: Generated<number>;
  updated_at: UpdatedAt;
}

export interface OrdersTable {
  tenant_id: string;
  id: string;
  order_no: string;
  lead_id: string | null;
  profile_id: string;
  dealer_id: string | null;
  consultant_id: string | null;
  series: string | null;
  model: string | null;
  vin: string | null;
  amount_fen: Fen;
  status: string;
  ordered_at: Timestamp;
  invoiced_at: Timestamp | null;
  delivered_at: Timestamp | null;
  cancelled_at: Timestamp | null;
  referred_by: string | null;
  origin_unit_id: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface AfterSalesTable {
  tenant_id: string;
  id: string;
  external_id: string | null;
  profile_id: string;
  vin: string | null;
  dealer_id: string | null;
  kind: string;
  amount_fen: Fen;
  at: Timestamp;
  note: string | null;
  created_at: CreatedAt;
}

export interface LeadConnectorsTable {
  tenant_id: string;
  kind: string;
  key: string;
  config: ColumnType<unknown, string, string>;
  secret_enc: string | null;
  cursor: Json;
  last_run_at: Timestamp | null;
  last_error: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface NotificationsTable {
  tenant_id: string;
  id: string;
  staff_id: string;
  kind: string;
  payload: ColumnType<unknown, string, string>;
  dedupe_key: string;
  created_at: Timestamp;
  read_at: Timestamp | null;
}

export interface LeadsDatabase {
  org_units: OrgUnitsTable;
  staff: StaffTable;
  staff_sessions: StaffSessionsTable;
  customer_links: CustomerLinksTable;
  profile_origins: ProfileOriginsTable;
  leads: LeadsTable;
  lead_transitions: LeadTransitionsTable;
  lead_follow_ups: LeadFollowUpsTable;
  defeat_requests: DefeatRequestsTable;
  routing_rules: RoutingRulesTable;
  routing_cursors: RoutingCursorsTable;
  lead_settings: LeadSettingsTable;
  orders: OrdersTable;
  after_sales: AfterSalesTable;
  lead_connectors: LeadConnectorsTable;
  notifications: NotificationsTable;
}
