import type { Db } from '../../platform/db/index.js';

/** SQL for lead settings and routing rules. Every statement names its tenant. */

export interface SettingsRow {
  duplicate_window_days: number;
  sla_hours: number;
  default_max_open_leads: number;
  updated_at: Date | null;
}

export const DEFAULT_SETTINGS: SettingsRow = { duplicate_window_days: 30, sla_hours: 48, default_max_open_leads: 200, updated_at: null };

export async function readSettings(db: Db, tenantId: string): Promise<SettingsRow> {
  const row = await db
    .selectFrom('lead_settings')
    .select(['duplicate_window_days', 'sla_hours', 'default_max_open_leads', 'updated_at'])
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  return row ?? DEFAULT_SETTINGS;
}

export async function writeSettings(db: Db, tenantId: string, s: Omit<SettingsRow, 'updated_at'>, at: Date): Promise<SettingsRow> {
  return db
    .insertInto('lead_settings')
    .values({ tenant_id: tenantId, ...s, updated_at: at })
    .onConflict((oc) =>
      oc.column('tenant_id').doUpdateSet({ duplicate_window_days: s.duplicate_window_days, sla_hours: s.sla_hours, default_max_open_leads: s.default_max_open_leads, updated_at: at }),
    )
    .returning(['duplicate_window_days', 'sla_hours', 'default_max_open_leads', 'updated_at'])
    .executeTakeFirstOrThrow();
}

export interface RuleRow {
  id: string;
  name: string;
  priority: number;
  cities: string[] | null;
  provinces: string[] | null;
  series: string[] | null;
  sources: string[] | null;
  dealer_ids: string[];
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

const RULE_COLUMNS = ['id', 'name', 'priority', 'cities', 'provinces', 'series', 'sources', 'dealer_ids', 'active', 'created_at', 'updated_at'] as const;

export interface RuleValues {
  name: string;
  priority: number;
  cities: string[] | null;
  provinces: string[] | null;
  series: string[] | null;
  sources: string[] | null;
  dealerIds: string[];
  active: boolean;
}

export async function listRules(db: Db, tenantId: string): Promise<RuleRow[]> {
  return db.selectFrom('routing_rules').select(RULE_COLUMNS).where('tenant_id', '=', tenantId).orderBy('priority').orderBy('name').execute();
}

export async function findRule(db: Db, tenantId: string, id: string, lock = false): Promise<RuleRow | undefined> {
  let q = db.selectFrom('routing_rules').select(RULE_COLUMNS).where('tenant_id', '=', tenantId).where('id', '=', id);
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function findRuleByName(db: Db, tenantId: string, name: string): Promise<RuleRow | undefined> {
  return db.selectFrom('routing_rules').select(RULE_COLUMNS).where('tenant_id', '=', tenantId).where('name', '=', name).executeTakeFirst();
}

const columns = (v: RuleValues) => ({
  name: v.name,
  priority: v.priority,
  cities: v.cities,
  provinces: v.provinces,
  series: v.series,
  sources: v.sources,
  dealer_ids: v.dealerIds,
  active: v.active,
});

/** Inserts the rule unless its name is taken (then undefined). */
export async function insertRule(db: Db, tenantId: string, id: string, v: RuleValues, at: Date): Promise<RuleRow | undefined> {
  return db
    .insertInto('routing_rules')
    .values({ tenant_id: tenantId, id, ...columns(v), created_at: at, updated_at: at })
    .onConflict((oc) => oc.columns(['tenant_id', 'name']).doNothing())
    .returning(RULE_COLUMNS)
    .executeTakeFirst();
}

export async function updateRule(db: Db, tenantId: string, id: string, v: RuleValues, at: Date): Promise<RuleRow | undefined> {
  return db.updateTable('routing_rules').set({ ...columns(v), updated_at: at }).where('tenant_id', '=', tenantId).where('id', '=', id).returning(RULE_COLUMNS).executeTakeFirst();
}

export async function deleteRule(db: Db, tenantId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom('routing_rules').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Dealer units (any state) by code, and codes by id. */
export async function dealersByCode(db: Db, tenantId: string, codes: readonly string[]): Promise<Array<{ id: string; code: string; active: boolean }>> {
  if (codes.length === 0) return [];
  return db.selectFrom('org_units').select(['id', 'code', 'active']).where('tenant_id', '=', tenantId).where('type', '=', 'dealer').where('code', 'in', [...codes]).execute();
}

export async function unitCodes(db: Db, tenantId: string, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('org_units').select(['id', 'code']).where('tenant_id', '=', tenantId).where('id', 'in', [...ids]).execute();
  return new Map(rows.map((r) => [r.id, r.code]));
}
