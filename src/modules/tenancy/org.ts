import type { OrgUnitCreate, OrgUnitUpdate, OrgUnitView } from '../../contracts/org.js';
import { orgUnitTypeSchema } from '../../contracts/org.js';
import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import type { Principal } from './principal.js';
import * as repo from './org.repo.js';
import { insertAudit } from './repo.js';
import type { TenancyDeps } from './service.js';

/** The tree HQ → region → dealer group → dealer → team: a unit sits below any unit of a higher rank. */
const RANK = { hq: 0, region: 1, dealer_group: 2, dealer: 3, team: 4 } as const;

export async function unitViews(db: Db, tenantId: string, rows: repo.OrgUnitRow[]): Promise<OrgUnitView[]> {
  const codes = await repo.codesOf(db, tenantId, rows.flatMap((r) => r.path));
  return rows.map((r) => ({
    id: r.id,
    code: r.code,
    name: r.name,
    type: orgUnitTypeSchema.parse(r.type),
    parentCode: r.parent_id ? (codes.get(r.parent_id) ?? null) : null,
    path: r.path.map((id) => codes.get(id) ?? id),
    city: r.city,
    province: r.province,
    latitude: r.latitude === null ? null : Number(r.latitude),
    longitude: r.longitude === null ? null : Number(r.longitude),
    capacity: r.capacity,
    series: r.series,
    active: r.active,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  }));
}

async function requireParent(db: Db, tenantId: string, type: OrgUnitCreate['type'], parentCode: string | null | undefined) {
  if (type === 'hq') {
    if (parentCode) throw new AppError('invalid_request', 'an hq unit is the root of the tree: it has no parentCode', { field: 'parentCode' });
    return null;
  }
  if (!parentCode) throw new AppError('invalid_request', `a ${type} needs a parentCode (the unit it belongs to)`, { field: 'parentCode' });
  const parent = await repo.findUnitByCode(db, tenantId, parentCode, { forUpdate: true });
  if (!parent) throw new AppError('invalid_request', `parentCode ${parentCode} names no org unit; create it first`, { field: 'parentCode', parentCode });
  const parentType = orgUnitTypeSchema.parse(parent.type);
  if (RANK[parentType] >= RANK[type]) {
    throw new AppError('invalid_request', `a ${type} cannot sit under a ${parentType}: the tree runs hq → region → dealer_group → dealer → team`, {
      field: 'parentCode',
      parentType,
    });
  }
  return parent;
}

const sameUnit = (existing: OrgUnitView, input: OrgUnitCreate) =>
  existing.type === input.type &&
  existing.parentCode === (input.parentCode ?? null) &&
  existing.name === input.name &&
  existing.city === (input.city ?? null) &&
  existing.province === (input.province ?? null) &&
  existing.latitude === (input.latitude ?? null) &&
  existing.longitude === (input.longitude ?? null) &&
  existing.capacity === (input.capacity ?? null) &&
  JSON.stringify(existing.series) === JSON.stringify(input.series ?? null);

/**
 * Creates an org unit. Idempotent: the same code with the same fields answers the existing unit
 * (`created: false`); the same code with other fields is a 409.
 */
export async function createOrgUnit(deps: TenancyDeps, principal: Principal, input: OrgUnitCreate): Promise<{ unit: OrgUnitView; created: boolean }> {
  const tenantId = principal.tenantId;
  return deps.db.transaction().execute(async (trx) => {
    const existing = await repo.findUnitByCode(trx, tenantId, input.code);
    if (existing) {
      const [view] = await unitViews(trx, tenantId, [existing]);
      if (view && sameUnit(view, input)) return { unit: view, created: false };
      throw new AppError('conflict', `an org unit with code ${input.code} already exists with other fields; update it with PUT /api/v1/org-units/${input.code}`, {
        code: input.code,
      });
    }
    const parent = await requireParent(trx, tenantId, input.type, input.parentCode);
    if (!parent && (await repo.hasRoot(trx, tenantId))) {
      throw new AppError('conflict', 'the tenant already has its hq unit; a tenant has one tree', { field: 'type' });
    }
    const id = newId();
    const row = await repo.insertUnit(trx, tenantId, {
      id,
      code: input.code,
      name: input.name,
      type: input.type,
      parent_id: parent?.id ?? null,
      path: [...(parent?.path ?? []), id],
      city: input.city ?? null,
      province: input.province ?? null,
      latitude: input.latitude ?? null,
      longitude: input.longitude ?? null,
      capacity: input.capacity ?? null,
      series: input.series ?? null,
    });
    if (!row) throw new AppError('conflict', `an org unit with code ${input.code} was created at the same time; read it and retry`, { code: input.code });
    await insertAudit(trx, { tenantId, actor: principal.actor, action: 'org_unit.create', targetType: 'org_unit', targetId: id, details: { code: input.code, type: input.type, parentCode: input.parentCode ?? null } });
    const [view] = await unitViews(trx, tenantId, [row]);
    if (!view) throw new AppError('internal', 'the org unit was not read back');
    return { unit: view, created: true };
  });
}

/** Updates a unit; a new parentCode moves it with everything under it (never under itself). */
export async function updateOrgUnit(deps: TenancyDeps, principal: Principal, code: string, input: OrgUnitUpdate): Promise<OrgUnitView> {
  const tenantId = principal.tenantId;
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const unit = await repo.findUnitByCode(trx, tenantId, code, { forUpdate: true });
    if (!unit) throw new AppError('not_found', `no org unit with code ${code}`);
    const type = orgUnitTypeSchema.parse(unit.type);
    const { parentCode, ...fields } = input;
    const set: Parameters<typeof repo.updateUnit>[3] = {};
    for (const [key, value] of Object.entries(fields)) {
      if (value !== undefined) (set as Record<string, unknown>)[key] = value;
    }
    if (parentCode !== undefined) {
      const parent = await requireParent(trx, tenantId, type, parentCode);
      if (parent && parent.path.includes(unit.id)) {
        throw new AppError('invalid_request', `${code} cannot move under ${parentCode}: that unit is inside it`, { field: 'parentCode' });
      }
      if (parent && parent.id !== unit.parent_id) {
        set.parent_id = parent.id;
        await repo.rewriteSubtreePaths(trx, tenantId, unit.id, unit.path, [...parent.path, unit.id]);
        await insertAudit(trx, { tenantId, actor: principal.actor, action: 'org_unit.move', targetType: 'org_unit', targetId: unit.id, details: { code, parentCode } });
      }
    }
    if (Object.keys(set).length > 0) await repo.updateUnit(trx, tenantId, unit.id, set, now);
    if (input.active !== undefined && input.active !== unit.active) {
      await insertAudit(trx, { tenantId, actor: principal.actor, action: input.active ? 'org_unit.activate' : 'org_unit.deactivate', targetType: 'org_unit', targetId: unit.id, details: { code } });
    }
    const fresh = await repo.findUnitByCode(trx, tenantId, code);
    const [view] = await unitViews(trx, tenantId, fresh ? [fresh] : []);
    if (!view) throw new AppError('internal', 'the org unit was not read back');
    return view;
  });
}

export async function listOrgUnits(db: Db, principal: Principal, underCode?: string): Promise<OrgUnitView[]> {
  let under: string | undefined;
  if (underCode) {
    const unit = await repo.findUnitByCode(db, principal.tenantId, underCode);
    if (!unit || (principal.scope.kind !== 'all' && !principal.scope.unitIds.includes(unit.id))) throw new AppError('not_found', `no org unit with code ${underCode}`);
    under = unit.id;
  }
  return unitViews(db, principal.tenantId, await repo.listUnits(db, principal, under));
}

/** One unit, 404 outside the principal's units. */
export async function getOrgUnit(db: Db, principal: Principal, code: string): Promise<OrgUnitView> {
  const unit = await repo.findUnitByCode(db, principal.tenantId, code);
  if (!unit || (principal.scope.kind !== 'all' && !principal.scope.unitIds.includes(unit.id))) throw new AppError('not_found', `no org unit with code ${code}`);
  const [view] = await unitViews(db, principal.tenantId, [unit]);
  if (!view) throw new AppError('not_found', `no org unit with code ${code}`);
  return view;
}
