import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import type { Principal } from './principal.js';
import { unitVisible } from './scope.repo.js';

/** SQL for org units. Every statement names its tenant. */

export type OrgUnitRow = {
  id: string;
  code: string;
  name: string;
  type: string;
  parent_id: string | null;
  path: string[];
  city: string | null;
  province: string | null;
  latitude: number | null;
  longitude: number | null;
  capacity: number | null;
  series: string[] | null;
  active: boolean;
  created_at: Date;
  updated_at: Date;
};

const columns = ['id', 'code', 'name', 'type', 'parent_id', 'path', 'city', 'province', 'latitude', 'longitude', 'capacity', 'series', 'active', 'created_at', 'updated_at'] as const;

export async function findUnitByCode(db: Db, tenantId: string, code: string, options: { forUpdate?: boolean } = {}): Promise<OrgUnitRow | undefined> {
  const q = db.selectFrom('org_units').select(columns).where('tenant_id', '=', tenantId).where('code', '=', code);
  return (options.forUpdate ? q.forUpdate() : q).executeTakeFirst();
}

export async function findUnitsById(db: Db, tenantId: string, ids: readonly string[]): Promise<OrgUnitRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('org_units').select(columns).where('tenant_id', '=', tenantId).where('id', 'in', [...ids]).execute();
}

export async function hasRoot(db: Db, tenantId: string): Promise<boolean> {
  const row = await db.selectFrom('org_units').select('id').where('tenant_id', '=', tenantId).where('parent_id', 'is', null).executeTakeFirst();
  return row !== undefined;
}

export async function insertUnit(db: Db, tenantId: string, u: Omit<OrgUnitRow, 'active' | 'created_at' | 'updated_at'>): Promise<OrgUnitRow | undefined> {
  return db
    .insertInto('org_units')
    .values({ tenant_id: tenantId, ...u })
    .onConflict((oc) => oc.columns(['tenant_id', 'code']).doNothing())
    .returning(columns)
    .executeTakeFirst();
}

export async function updateUnit(db: Db, tenantId: string, id: string, set: Partial<Omit<OrgUnitRow, 'id' | 'code' | 'path' | 'created_at'>>, now: Date): Promise<void> {
  await db.updateTable('org_units').set({ ...set, updated_at: now }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

/** Moves a subtree: every path that ran through `oldPath` now runs through `newPath`. */
export async function rewriteSubtreePaths(db: Db, tenantId: string, unitId: string, oldPath: string[], newPath: string[]): Promise<void> {
  await sql`
    UPDATE org_units SET path = ${newPath}::uuid[] || path[${oldPath.length + 1}:]
    WHERE tenant_id = ${tenantId} AND path @> ARRAY[${unitId}]::uuid[]`.execute(db);
}

/** Units the principal sees (HQ roles: all), in tree order. */
export async function listUnits(db: Db, principal: Principal, under?: string): Promise<OrgUnitRow[]> {
  let q = db
    .selectFrom('org_units as u')
    .select(columns.map((c) => `u.${c}` as const))
    .where('u.tenant_id', '=', principal.tenantId)
    .where(unitVisible(principal, sql.ref('u.id')));
  if (under) q = q.where(sql<boolean>`u.path @> ARRAY[${under}]::uuid[]`);
  return q.orderBy(sql`cardinality(u.path)`).orderBy('u.code').execute();
}

/** Codes of the given ids (for paths and parents in views). */
export async function codesOf(db: Db, tenantId: string, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('org_units').select(['id', 'code']).where('tenant_id', '=', tenantId).where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((r) => [r.id, r.code]));
}
