import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import { customerVisible, type Principal } from '../tenancy/index.js';

/** SQL for saved segments: definitions, members, change records, daily counts. */

export type SegmentRow = {
  id: string;
  name: string;
  description: string | null;
  definition: unknown;
  revision: number;
  materialized_revision: number;
  time_dependent: boolean;
  member_count: number;
  refreshed_at: Date | null;
  created_at: Date;
  updated_at: Date;
};

const COLUMNS = ['id', 'name', 'description', 'definition', 'revision', 'materialized_revision', 'time_dependent', 'member_count', 'refreshed_at', 'created_at', 'updated_at'] as const;

export async function findSegment(db: Db, tenantId: string, id: string, forUpdate = false): Promise<SegmentRow | undefined> {
  let q = db.selectFrom('segments').select(COLUMNS).where('tenant_id', '=', tenantId).where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function findSegmentByName(db: Db, tenantId: string, name: string): Promise<SegmentRow | undefined> {
  return db.selectFrom('segments').select(COLUMNS).where('tenant_id', '=', tenantId).where('name', '=', name).executeTakeFirst();
}

export async function listSegments(db: Db, tenantId: string): Promise<SegmentRow[]> {
  return db.selectFrom('segments').select(COLUMNS).where('tenant_id', '=', tenantId).orderBy('name').execute();
}

/** Segment ids in id order (the lock order of refreshes). */
export async function segmentIds(db: Db, tenantId: string): Promise<string[]> {
  return (await db.selectFrom('segments').select('id').where('tenant_id', '=', tenantId).orderBy('id').execute()).map((r) => r.id);
}

/** Locks the tenant's segments (id order) and returns their definitions. */
export async function lockSegments(trx: Db, tenantId: string): Promise<{ id: string; definition: unknown }[]> {
  return trx.selectFrom('segments').select(['id', 'definition']).where('tenant_id', '=', tenantId).orderBy('id').forUpdate().execute();
}

export async function insertSegment(
  trx: Db,
  tenantId: string,
  s: { id: string; name: string; description: string | null; definition: unknown; timeDependent: boolean; at: Date },
): Promise<boolean> {
  const r = await trx
    .insertInto('segments')
    .values({
      tenant_id: tenantId,
      id: s.id,
      name: s.name,
      description: s.description,
      definition: JSON.stringify(s.definition),
      time_dependent: s.timeDependent,
      created_at: s.at,
      updated_at: s.at,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'name']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function updateSegment(
  trx: Db,
  tenantId: string,
  id: string,
  s: { name: string; description: string | null; definition: unknown; timeDependent: boolean; revision: number; at: Date },
): Promise<void> {
  await trx
    .updateTable('segments')
    .set({ name: s.name, description: s.description, definition: JSON.stringify(s.definition), time_dependent: s.timeDependent, revision: s.revision, updated_at: s.at })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

/** Members are now those of `revision`. */
export async function markMaterialized(trx: Db, tenantId: string, id: string, revision: number): Promise<void> {
  await trx.updateTable('segments').set({ materialized_revision: revision }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

/** A saved segment and everything derived from it. */
export async function deleteSegment(trx: Db, tenantId: string, id: string): Promise<void> {
  for (const table of ['segment_members', 'segment_changes', 'segment_daily_counts'] as const) {
    await trx.deleteFrom(table).where('tenant_id', '=', tenantId).where('segment_id', '=', id).execute();
  }
  await trx.deleteFrom('segments').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

/** The segment's change records about people in the caller's scope after a cursor (journeys read them in id order). */
export async function listChanges(db: Db, principal: Principal, segmentId: string, after: string | undefined, limit: number) {
  let q = db
    .selectFrom('segment_changes')
    .select(['id', 'profile_id', 'kind', 'at'])
    .where('tenant_id', '=', principal.tenantId)
    .where('segment_id', '=', segmentId)
    .where(customerVisible(principal, sql.ref('segment_changes.profile_id')));
  if (after !== undefined) q = q.where('id', '>', after);
  return q.orderBy('id').limit(limit).execute();
}

/** Members in the caller's scope in profile id order after a cursor. */
export async function listMembers(db: Db, principal: Principal, segmentId: string, after: string | undefined, limit: number) {
  let q = db
    .selectFrom('segment_members')
    .select(['profile_id', 'entered_at'])
    .where('tenant_id', '=', principal.tenantId)
    .where('segment_id', '=', segmentId)
    .where(customerVisible(principal, sql.ref('segment_members.profile_id')));
  if (after !== undefined) q = q.where('profile_id', '>', after);
  return q.orderBy('profile_id').limit(limit).execute();
}

export async function dailyCounts(db: Db, tenantId: string, segmentId: string, from: string, to: string) {
  const { rows } = await sql<{ day: string; count: number }>`
    SELECT to_char(day, 'YYYY-MM-DD') AS day, count FROM segment_daily_counts
    WHERE tenant_id = ${tenantId} AND segment_id = ${segmentId} AND day BETWEEN ${from}::date AND ${to}::date
    ORDER BY day`.execute(db);
  return rows;
}
