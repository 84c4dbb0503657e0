import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import { customerVisible, type Principal } from '../tenancy/index.js';

/** SQL for vehicles and person ↔ vehicle relations. Every statement names its tenant. */

const RELATION_COLUMNS = ['id', 'vin', 'profile_id', 'role', 'valid_from', 'valid_to', 'source'] as const;
export interface RelationRow {
  id: string;
  vin: string;
  profile_id: string;
  role: string;
  valid_from: Date;
  valid_to: Date | null;
  source: string | null;
}

export interface VehicleAttributes {
  series?: string | null | undefined;
  model?: string | null | undefined;
  modelYear?: number | null | undefined;
}

export async function findVehicle(db: Db, tenantId: string, vin: string) {
  return db
    .selectFrom('vehicles')
    .select(['vin', 'series', 'model', 'model_year', 'created_at', 'updated_at'])
    .where('tenant_id', '=', tenantId)
    .where('vin', '=', vin)
    .executeTakeFirst();
}

/**
 * Whether the caller sees a stored vehicle: when anybody related to it (current or past) is in their
 * scope, or nobody is related to it at all (it carries nobody's data). Undefined: no such vehicle.
 */
export async function vehicleVisibility(db: Db, principal: Principal, vin: string): Promise<{ visible: boolean } | undefined> {
  const t = principal.tenantId;
  return db
    .selectFrom('vehicles as v')
    .select(
      sql<boolean>`(NOT EXISTS (SELECT 1 FROM vehicle_relations r WHERE r.tenant_id = ${t} AND r.vin = v.vin)
        OR EXISTS (SELECT 1 FROM vehicle_relations r WHERE r.tenant_id = ${t} AND r.vin = v.vin AND ${customerVisible(principal, sql.ref('r.profile_id'))}))`.as('visible'),
    )
    .where('v.tenant_id', '=', t)
    .where('v.vin', '=', vin)
    .executeTakeFirst();
}

/** The relations of people in the caller's scope, oldest first. */
export async function listVisibleRelationsOfVehicle(db: Db, principal: Principal, vin: string): Promise<RelationRow[]> {
  return db
    .selectFrom('vehicle_relations')
    .select(RELATION_COLUMNS)
    .where('tenant_id', '=', principal.tenantId)
    .where('vin', '=', vin)
    .where(customerVisible(principal, sql.ref('vehicle_relations.profile_id')))
    .orderBy('valid_from')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** A relation of the vehicle whose person is in the caller's scope. */
export async function findVisibleRelation(db: Db, principal: Principal, vin: string, id: string): Promise<{ id: string } | undefined> {
  return db
    .selectFrom('vehicle_relations')
    .select('id')
    .where('tenant_id', '=', principal.tenantId)
    .where('vin', '=', vin)
    .where('id', '=', id)
    .where(customerVisible(principal, sql.ref('vehicle_relations.profile_id')))
    .executeTakeFirst();
}

/** Serialises relation changes on one VIN (the ingest upsert takes the same row lock). */
export async function lockVehicle(db: Db, tenantId: string, vin: string) {
  return db.selectFrom('vehicles').select('vin').where('tenant_id', '=', tenantId).where('vin', '=', vin).forUpdate().executeTakeFirst();
}

/** Inserts the vehicle or updates the given attributes (absent keeps, null clears); no-op when nothing changes. */
export async function upsertVehicle(db: Db, tenantId: string, vin: string, attrs: VehicleAttributes): Promise<void> {
  const set: { series?: string | null; model?: string | null; model_year?: number | null } = {};
  if (attrs.series !== undefined) set.series = attrs.series;
  if (attrs.model !== undefined) set.model = attrs.model;
  if (attrs.modelYear !== undefined) set.model_year = attrs.modelYear;
  const columns = Object.keys(set).filter((k): k is 'series' | 'model' | 'model_year' => k === 'series' || k === 'model' || k === 'model_year');
  await db
    .insertInto('vehicles')
    .values({ tenant_id: tenantId, vin, ...set })
    .onConflict((oc) =>
      columns.length === 0
        ? oc.columns(['tenant_id', 'vin']).doNothing()
        : oc
            .columns(['tenant_id', 'vin'])
            .doUpdateSet((eb) => ({ ...Object.fromEntries(columns.map((c) => [c, eb.ref(`excluded.${c}`)])), updated_at: sql<Date>`now()` }))
            .where((eb) => eb.or(columns.map((c) => eb(eb.ref(`vehicles.${c}`), 'is distinct from', eb.ref(`excluded.${c}`))))),
    )
    .execute();
}

export async function listRelationsOfVehicle(db: Db, tenantId: string, vin: string): Promise<RelationRow[]> {
  return db
    .selectFrom('vehicle_relations')
    .select(RELATION_COLUMNS)
    .where('tenant_id', '=', tenantId)
    .where('vin', '=', vin)
    .orderBy('valid_from')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function findRelation(db: Db, tenantId: string, vin: string, id: string, options: { forUpdate?: boolean } = {}): Promise<RelationRow | undefined> {
  const q = db.selectFrom('vehicle_relations').select(RELATION_COLUMNS).where('tenant_id', '=', tenantId).where('vin', '=', vin).where('id', '=', id);
  return (options.forUpdate ? q.forUpdate() : q).executeTakeFirst();
}

/**
 * The relation a request for (vin, profile, role) from `validFrom` repeats: the current one when the
 * request is for a current relation, or one that started at the same instant (e.g. an ownership that
 * a resale has since closed).
 */
export async function findSameRelation(
  db: Db,
  tenantId: string,
  r: { vin: string; profileId: string; role: string; validFrom: Date; open: boolean },
): Promise<RelationRow | undefined> {
  return db
    .selectFrom('vehicle_relations')
    .select(RELATION_COLUMNS)
    .where('tenant_id', '=', tenantId)
    .where('vin', '=', r.vin)
    .where('profile_id', '=', r.profileId)
    .where('role', '=', r.role)
    .where((eb) => (r.open ? eb.or([eb('valid_to', 'is', null), eb('valid_from', '=', r.validFrom)]) : eb('valid_from', '=', r.validFrom)))
    .orderBy('valid_to', (ob) => ob.desc().nullsFirst())
    .limit(1)
    .executeTakeFirst();
}

/** A resale: other people's current ownership of the VIN ends when the new owner's starts (not before it started). */
export async function closeOtherOwners(db: Db, tenantId: string, vin: string, profileId: string, at: Date): Promise<number> {
  const rows = await db
    .updateTable('vehicle_relations')
    .set({ valid_to: at })
    .where('tenant_id', '=', tenantId)
    .where('vin', '=', vin)
    .where('role', '=', 'owner')
    .where('valid_to', 'is', null)
    .where('profile_id', '!=', profileId)
    .where('valid_from', '<=', at)
    .returning('id')
    .execute();
  return rows.length;
}

/** When somebody else's current ownership started after `at`: an older ownership learnt late ends there. */
export async function nextOwnerStart(db: Db, tenantId: string, vin: string, profileId: string, at: Date): Promise<Date | null> {
  const row = await db
    .selectFrom('vehicle_relations')
    .select((eb) => eb.fn.min('valid_from').as('next'))
    .where('tenant_id', '=', tenantId)
    .where('vin', '=', vin)
    .where('role', '=', 'owner')
    .where('valid_to', 'is', null)
    .where('profile_id', '!=', profileId)
    .where('valid_from', '>', at)
    .executeTakeFirst();
  return row?.next ?? null;
}

export async function insertRelation(
  db: Db,
  tenantId: string,
  r: { id: string; vin: string; profileId: string; role: string; validFrom: Date; validTo: Date | null; source: string | null },
): Promise<RelationRow> {
  return db
    .insertInto('vehicle_relations')
    .values({ tenant_id: tenantId, id: r.id, vin: r.vin, profile_id: r.profileId, role: r.role, valid_from: r.validFrom, valid_to: r.validTo, source: r.source })
    .returning(RELATION_COLUMNS)
    .executeTakeFirstOrThrow();
}

export async function endRelation(db: Db, tenantId: string, id: string, validTo: Date): Promise<RelationRow> {
  return db
    .updateTable('vehicle_relations')
    .set({ valid_to: validTo })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returning(RELATION_COLUMNS)
    .executeTakeFirstOrThrow();
}

/** A profile's relations (current and past) with the vehicles' attributes, current first, then newest. */
export async function listVehiclesOfProfile(db: Db, tenantId: string, profileId: string) {
  return db
    .selectFrom('vehicle_relations as r')
    .innerJoin('vehicles as v', (j) => j.onRef('v.tenant_id', '=', 'r.tenant_id').onRef('v.vin', '=', 'r.vin'))
    .select(['r.id', 'r.vin', 'r.profile_id', 'r.role', 'r.valid_from', 'r.valid_to', 'r.source', 'v.series', 'v.model', 'v.model_year'])
    .where('r.tenant_id', '=', tenantId)
    .where('r.profile_id', '=', profileId)
    .orderBy('r.valid_to', (ob) => ob.desc().nullsFirst())
    .orderBy('r.valid_from', 'desc')
    .orderBy('r.vin')
    .orderBy('r.role')
    .execute();
}

// ---- set-based writes for ingestion -------------------------------------------------------------

export interface VehicleUpsertRow {
  vin: string;
  series: string | null;
  model: string | null;
  model_year: number | null;
}

/** Inserts the vehicles; on existing ones, non-null attributes overwrite. In VIN order (lock order). */
export async function upsertVehicles(trx: Db, tenantId: string, rows: readonly VehicleUpsertRow[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    INSERT INTO vehicles (tenant_id, vin, series, model, model_year)
    SELECT ${tenantId}::uuid, v.vin, v.series, v.model, v.model_year
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS v(vin text, series text, model text, model_year integer)
    ORDER BY v.vin COLLATE "C"
    ON CONFLICT (tenant_id, vin) DO UPDATE SET
      series = COALESCE(excluded.series, vehicles.series),
      model = COALESCE(excluded.model, vehicles.model),
      model_year = COALESCE(excluded.model_year, vehicles.model_year),
      updated_at = now()
    WHERE (excluded.series IS NOT NULL AND excluded.series IS DISTINCT FROM vehicles.series)
       OR (excluded.model IS NOT NULL AND excluded.model IS DISTINCT FROM vehicles.model)
       OR (excluded.model_year IS NOT NULL AND excluded.model_year IS DISTINCT FROM vehicles.model_year)`.execute(trx);
}

export interface OwnerClaim {
  vin: string;
  profile_id: string;
  at: string;
}

/**
 * Resales seen in events: every current ownership of these VINs ends at the earliest ownership claim
 * by somebody else made after it started. Returns the profiles whose ownership ended.
 */
export async function closeOwnersClaimedByOthers(trx: Db, tenantId: string, claims: readonly OwnerClaim[]): Promise<string[]> {
  if (claims.length === 0) return [];
  const { rows } = await sql<{ profile_id: string }>`
    WITH c AS (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(claims)}::jsonb) AS c(vin text, profile_id uuid, at timestamptz)
    ), ends AS (
      SELECT r.id, min(c.at) AS valid_to
      FROM vehicle_relations r
      JOIN c ON c.vin = r.vin AND c.profile_id <> r.profile_id AND c.at > r.valid_from
      WHERE r.tenant_id = ${tenantId}::uuid AND r.role = 'owner' AND r.valid_to IS NULL
      GROUP BY r.id
    )
    UPDATE vehicle_relations r SET valid_to = ends.valid_to
    FROM ends
    WHERE r.tenant_id = ${tenantId}::uuid AND r.id = ends.id
    RETURNING r.profile_id`.execute(trx);
  return rows.map((r) => r.profile_id);
}

export interface RelationInsertRow {
  id: string;
  vin: string;
  profile_id: string;
  role: string;
  valid_from: string;
  valid_to: string | null;
  source: string;
}

/**
 * Ensures each relation exists: skipped when a relation of the same (vin, profile, role) already
 * covers its start or is current. A current ownership that starts before somebody else's current
 * ownership (learnt late) ends where that one starts.
 */
export async function insertRelationsIfUncovered(trx: Db, tenantId: string, rows: readonly RelationInsertRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await sql`
    INSERT INTO vehicle_relations (tenant_id, id, vin, profile_id, role, valid_from, valid_to, source)
    SELECT ${tenantId}::uuid, l.id, l.vin, l.profile_id, l.role, l.valid_from,
      COALESCE(l.valid_to, CASE WHEN l.role = 'owner' THEN (
        SELECT min(o.valid_from) FROM vehicle_relations o
        WHERE o.tenant_id = ${tenantId}::uuid AND o.vin = l.vin AND o.role = 'owner' AND o.valid_to IS NULL
          AND o.profile_id <> l.profile_id AND o.valid_from > l.valid_from) END),
      l.source
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      AS l(id uuid, vin text, profile_id uuid, role text, valid_from timestamptz, valid_to timestamptz, source text)
    WHERE NOT EXISTS (
      SELECT 1 FROM vehicle_relations c
      WHERE c.tenant_id = ${tenantId}::uuid AND c.vin = l.vin AND c.profile_id = l.profile_id AND c.role = l.role
        AND c.valid_from <= l.valid_from AND (c.valid_to IS NULL OR c.valid_to >= l.valid_from))
    ORDER BY l.vin COLLATE "C", l.profile_id, l.role
    ON CONFLICT (tenant_id, vin, profile_id, role) WHERE valid_to IS NULL DO NOTHING`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * Locks, in VIN order, the vehicles these profiles relate to and the given VINs (those that exist).
 * Identity merges call it after locking the profile rows and before touching relations, the same
 * order as the relation API (profile → vehicle → relations), so the two never deadlock.
 */
export async function lockVehiclesOf(trx: Db, tenantId: string, profileIds: readonly string[], vins: readonly string[]): Promise<void> {
  await sql`
    SELECT vin FROM vehicles
    WHERE tenant_id = ${tenantId}
      AND (vin = ANY(${[...vins]}::text[])
        OR vin IN (SELECT vin FROM vehicle_relations WHERE tenant_id = ${tenantId} AND profile_id = ANY(${[...profileIds]}::uuid[])))
    ORDER BY vin
    FOR UPDATE`.execute(trx);
}
