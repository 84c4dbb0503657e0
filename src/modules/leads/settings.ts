import { randomUUID } from 'node:crypto';
import type { LeadSettings, LeadSettingsPut, RoutingRule, RoutingRuleInput } from '../../contracts/leads.js';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import { insertAudit, type Principal } from '../tenancy/index.js';
import * as repo from './settings.repo.js';

/** Lead settings (duplicate window, SLA, default load cap) and routing rules: HQ operations. */

export interface SettingsDeps {
  db: Db;
  clock: Clock;
}

const settingsView = (s: repo.SettingsRow): LeadSettings => ({
  duplicateWindowDays: s.duplicate_window_days,
  slaHours: s.sla_hours,
  defaultMaxOpenLeads: s.default_max_open_leads,
  updatedAt: s.updated_at?.toISOString() ?? null,
});

export async function getLeadSettings(db: Db, tenantId: string): Promise<LeadSettings> {
  return settingsView(await repo.readSettings(db, tenantId));
}

/** Changes the given fields; the others keep their values. */
export async function putLeadSettings(deps: SettingsDeps, principal: Principal, input: LeadSettingsPut): Promise<LeadSettings> {
  return deps.db.transaction().execute(async (trx) => {
    const cur = await repo.readSettings(trx, principal.tenantId);
    const next = {
      duplicate_window_days: input.duplicateWindowDays ?? cur.duplicate_window_days,
      sla_hours: input.slaHours ?? cur.sla_hours,
      default_max_open_leads: input.defaultMaxOpenLeads ?? cur.default_max_open_leads,
    };
    const saved = await repo.writeSettings(trx, principal.tenantId, next, deps.clock.now());
    await insertAudit(trx, { tenantId: principal.tenantId, actor: principal.actor, action: 'lead_settings.update', targetType: 'lead_settings', targetId: principal.tenantId, details: next });
    return settingsView(saved);
  });
}

function ruleView(r: repo.RuleRow, codes: ReadonlyMap<string, string>): RoutingRule {
  return {
    id: r.id,
    name: r.name,
    priority: r.priority,
    cities: r.cities,
    provinces: r.provinces,
    series: r.series,
    sources: r.sources,
    dealerCodes: r.dealer_ids.map((id) => codes.get(id) ?? id),
    active: r.active,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

async function views(db: Db, tenantId: string, rows: repo.RuleRow[]): Promise<RoutingRule[]> {
  const codes = await repo.unitCodes(db, tenantId, [...new Set(rows.flatMap((r) => r.dealer_ids))]);
  return rows.map((r) => ruleView(r, codes));
}

export async function listRoutingRules(db: Db, tenantId: string): Promise<RoutingRule[]> {
  return views(db, tenantId, await repo.listRules(db, tenantId));
}

/** Dealer codes → ids; every code must name a dealer (400 naming the unknown ones). */
async function ruleValues(db: Db, tenantId: string, input: RoutingRuleInput): Promise<repo.RuleValues> {
  const codes = [...new Set(input.dealerCodes)];
  const found = await repo.dealersByCode(db, tenantId, codes);
  const byCode = new Map(found.map((d) => [d.code, d.id]));
  const unknown = codes.filter((c) => !byCode.has(c));
  if (unknown.length > 0) {
    throw new AppError('invalid_request', `dealerCodes: no dealer with code ${unknown.map((c) => `"${c}"`).join(', ')}; create it first (POST /api/v1/org-units, type dealer)`, {
      field: 'dealerCodes',
      unknown,
    });
  }
  const list = (v: string[] | null | undefined) => (v && v.length > 0 ? [...new Set(v)] : null);
  return {
    name: input.name,
    priority: input.priority,
    cities: list(input.cities),
    provinces: list(input.provinces),
    series: list(input.series),
    sources: list(input.sources),
    dealerIds: codes.map((c) => byCode.get(c)!),
    active: input.active,
  };
}

const sameValues = (r: repo.RuleRow, v: repo.RuleValues) =>
  JSON.stringify([r.priority, r.cities, r.provinces, r.series, r.sources, r.dealer_ids, r.active]) ===
  JSON.stringify([v.priority, v.cities, v.provinces, v.series, v.sources, v.dealerIds, v.active]);

/** Idempotent by name: the same name and definition answer the existing rule; a different definition is a 409. */
export async function createRoutingRule(deps: SettingsDeps, principal: Principal, input: RoutingRuleInput): Promise<{ rule: RoutingRule; created: boolean }> {
  const tenantId = principal.tenantId;
  return deps.db.transaction().execute(async (trx) => {
    const values = await ruleValues(trx, tenantId, input);
    const inserted = await repo.insertRule(trx, tenantId, randomUUID(), values, deps.clock.now());
    if (!inserted) {
      const existing = await repo.findRuleByName(trx, tenantId, input.name);
      if (existing && sameValues(existing, values)) return { rule: (await views(trx, tenantId, [existing]))[0]!, created: false };
      throw new AppError('conflict', `a routing rule named "${input.name}" already exists with another definition; change it with PUT /api/v1/routing-rules/{id}`, { id: existing?.id ?? null });
    }
    await insertAudit(trx, { tenantId, actor: principal.actor, action: 'routing_rule.create', targetType: 'routing_rule', targetId: inserted.id, details: input });
    return { rule: (await views(trx, tenantId, [inserted]))[0]!, created: true };
  });
}

/** Replaces the rule's definition. */
export async function updateRoutingRule(deps: SettingsDeps, principal: Principal, id: string, input: RoutingRuleInput): Promise<RoutingRule> {
  const tenantId = principal.tenantId;
  return deps.db.transaction().execute(async (trx) => {
    if (!(await repo.findRule(trx, tenantId, id, true))) throw new AppError('not_found', `no routing rule ${id}`);
    const values = await ruleValues(trx, tenantId, input);
    const other = await repo.findRuleByName(trx, tenantId, input.name);
    if (other && other.id !== id) throw new AppError('conflict', `another routing rule is named "${input.name}"; pick another name`, { id: other.id });
    const updated = await repo.updateRule(trx, tenantId, id, values, deps.clock.now());
    if (!updated) throw new AppError('not_found', `no routing rule ${id}`);
    await insertAudit(trx, { tenantId, actor: principal.actor, action: 'routing_rule.update', targetType: 'routing_rule', targetId: id, details: input });
    return (await views(trx, tenantId, [updated]))[0]!;
  });
}

export async function deleteRoutingRule(deps: SettingsDeps, principal: Principal, id: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    if (!(await repo.deleteRule(trx, principal.tenantId, id))) throw new AppError('not_found', `no routing rule ${id}`);
    await insertAudit(trx, { tenantId: principal.tenantId, actor: principal.actor, action: 'routing_rule.delete', targetType: 'routing_rule', targetId: id });
  });
}
