import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import { customerVisible, type Principal } from '../tenancy/index.js';

/**
 * SQL for who holds which tag. Every change is one data-modifying-CTE statement that writes the
 * memberships, their history and (where asked) the changed profiles' dirty marks together: nothing
 * about the profiles concerned is carried through the server's memory, whatever their number.
 */

/** The profiles a statement works on: `SELECT <id> …` as a subquery. */
export type Target = RawBuilder<unknown>;

export const listedProfiles = (ids: readonly string[]): Target => sql`SELECT unnest(${ids}::uuid[]) AS id`;

export const matchingProfiles = (tenantId: string, predicate: RawBuilder<unknown>): Target =>
  sql`SELECT p.id FROM profiles p WHERE p.tenant_id = ${tenantId} AND p.merged_into IS NULL AND ${predicate}`;

/** Locks the live profiles among `ids` (id order) and returns their ids. */
export async function lockLiveProfiles(trx: Db, tenantId: string, ids: readonly string[]): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    SELECT id FROM profiles WHERE tenant_id = ${tenantId} AND id = ANY(${ids}::uuid[]) AND merged_into IS NULL ORDER BY id FOR UPDATE`.execute(trx);
  return rows.map((r) => r.id);
}

/** The first id of `ids` (0-based position) that is not a live profile of the tenant, and its survivor if merged. */
export async function firstDeadProfile(db: Db, tenantId: string, ids: readonly string[]): Promise<{ index: number; id: string; mergedInto: string | null } | undefined> {
  const { rows } = await sql<{ ord: string; id: string; merged_into: string | null }>`
    SELECT d.ord, d.id, p.merged_into FROM unnest(${ids}::uuid[]) WITH ORDINALITY AS d(id, ord)
    LEFT JOIN profiles p ON p.tenant_id = ${tenantId} AND p.id = d.id
    WHERE p.id IS NULL OR p.merged_into IS NOT NULL
    ORDER BY d.ord LIMIT 1`.execute(db);
  const r = rows[0];
  return r ? { index: Number(r.ord) - 1, id: r.id, mergedInto: r.merged_into } : undefined;
}

export interface Change {
  actor: string;
  reason: string | null;
  at: Date;
}

/** Gives the tag to every target profile that lacks it; history and dirty marks for those only. */
export async function applyTag(trx: Db, tenantId: string, tagId: string, target: Target, change: Change): Promise<{ changed: number; total: number }> {
  const when = change.at.toISOString();
  const { rows } = await sql<{ changed: string; total: string }>`
    WITH target AS MATERIALIZED (${target}),
    ins AS (
      INSERT INTO profile_tags (tenant_id, tag_id, profile_id, applied_at, applied_by)
      SELECT DISTINCT ${tenantId}::uuid, ${tagId}::uuid, target.id, ${when}::timestamptz, ${change.actor}::text FROM target
      ON CONFLICT DO NOTHING
      RETURNING profile_id
    ),
    hist AS (
      INSERT INTO tag_history (tenant_id, tag_id, profile_id, action, actor, reason, at)
      SELECT ${tenantId}::uuid, ${tagId}::uuid, profile_id, 'applied', ${change.actor}::text, ${change.reason}::text, ${when}::timestamptz FROM ins
    ),
    dirty AS (
      INSERT INTO profiles_dirty (tenant_id, profile_id, marked_at)
      SELECT ${tenantId}::uuid, profile_id, ${when}::timestamptz FROM ins
    )
    SELECT (SELECT count(*) FROM ins) AS changed, (SELECT count(DISTINCT id) FROM target) AS total`.execute(trx);
  const r = rows[0];
  return { changed: Number(r?.changed ?? 0), total: Number(r?.total ?? 0) };
}

/** Takes the tag from every target profile that has it; history and dirty marks for those only. */
export async function removeTag(trx: Db, tenantId: string, tagId: string, target: Target, change: Change): Promise<{ changed: number; total: number }> {
  const when = change.at.toISOString();
  const { rows } = await sql<{ changed: string; total: string }>`
    WITH target AS MATERIALIZED (${target}),
    del AS (
      DELETE FROM profile_tags pt
      WHERE pt.tenant_id = ${tenantId} AND pt.tag_id = ${tagId} AND pt.profile_id IN (SELECT id FROM target)
      RETURNING pt.profile_id
    ),
    hist AS (
      INSERT INTO tag_history (tenant_id, tag_id, profile_id, action, actor, reason, at)
      SELECT ${tenantId}::uuid, ${tagId}::uuid, profile_id, 'removed', ${change.actor}::text, ${change.reason}::text, ${when}::timestamptz FROM del
    ),
    dirty AS (
      INSERT INTO profiles_dirty (tenant_id, profile_id, marked_at)
      SELECT ${tenantId}::uuid, profile_id, ${when}::timestamptz FROM del
    )
    SELECT (SELECT count(*) FROM del) AS changed, (SELECT count(DISTINCT id) FROM target) AS total`.execute(trx);
  const r = rows[0];
  return { changed: Number(r?.changed ?? 0), total: Number(r?.total ?? 0) };
}

/**
 * Re-evaluates rule tag `tagId` for `profileIds` (row-mode predicate) or the whole tenant (null,
 * set-mode predicate): inserts the memberships that begin, deletes those that end, writes their
 * history (actor 'rule') and, with `markDirty`, marks the changed profiles for the refresh of the
 * segments and stages that read the tag. The caller holds the tag row lock.
 */
export async function refreshRuleTag(
  trx: Db,
  tenantId: string,
  tagId: string,
  predicate: RawBuilder<unknown>,
  profileIds: readonly string[] | null,
  at: Date,
  markDirty: boolean,
): Promise<{ applied: number; removed: number }> {
  const scope = profileIds === null ? sql`` : sql`AND p.id = ANY(${profileIds}::uuid[])`;
  const tagScope = profileIds === null ? sql`` : sql`AND pt.profile_id = ANY(${profileIds}::uuid[])`;
  const when = at.toISOString();
  const dirty = markDirty
    ? sql`, dirty AS (
        INSERT INTO profiles_dirty (tenant_id, profile_id, marked_at)
        SELECT ${tenantId}::uuid, profile_id, ${when}::timestamptz FROM ins UNION SELECT ${tenantId}::uuid, profile_id, ${when}::timestamptz FROM del
      )`
    : sql``;
  const { rows } = await sql<{ applied: string; removed: string }>`
    WITH cur AS MATERIALIZED (
      SELECT p.id FROM profiles p WHERE p.tenant_id = ${tenantId} AND p.merged_into IS NULL ${scope} AND ${predicate}
    ),
    ins AS (
      INSERT INTO profile_tags (tenant_id, tag_id, profile_id, applied_at, applied_by)
      SELECT ${tenantId}::uuid, ${tagId}::uuid, cur.id, ${when}::timestamptz, 'rule' FROM cur
      WHERE NOT EXISTS (SELECT 1 FROM profile_tags x WHERE x.tenant_id = ${tenantId} AND x.tag_id = ${tagId} AND x.profile_id = cur.id)
      ON CONFLICT DO NOTHING
      RETURNING profile_id
    ),
    del AS (
      DELETE FROM profile_tags pt
      WHERE pt.tenant_id = ${tenantId} AND pt.tag_id = ${tagId} ${tagScope} AND NOT EXISTS (SELECT 1 FROM cur WHERE cur.id = pt.profile_id)
      RETURNING pt.profile_id
    ),
    hist AS (
      INSERT INTO tag_history (tenant_id, tag_id, profile_id, action, actor, reason, at)
      SELECT ${tenantId}::uuid, ${tagId}::uuid, profile_id, 'applied', 'rule', NULL::text, ${when}::timestamptz FROM ins
      UNION ALL
      SELECT ${tenantId}::uuid, ${tagId}::uuid, profile_id, 'removed', 'rule', NULL::text, ${when}::timestamptz FROM del
    )${dirty}
    SELECT (SELECT count(*) FROM ins) AS applied, (SELECT count(*) FROM del) AS removed`.execute(trx);
  const r = rows[0];
  return { applied: Number(r?.applied ?? 0), removed: Number(r?.removed ?? 0) };
}

/**
 * A merge: `from`'s manual tags move to `to` unless it has them already; `from`'s rule tags are
 * dropped (the refresh of `to` decides its own); `from`'s history is re-pointed to `to`.
 */
export async function moveProfileTags(trx: Db, tenantId: string, fromProfileId: string, toProfileId: string): Promise<void> {
  await sql`
    INSERT INTO profile_tags (tenant_id, tag_id, profile_id, applied_at, applied_by)
    SELECT pt.tenant_id, pt.tag_id, ${toProfileId}::uuid, pt.applied_at, pt.applied_by
    FROM profile_tags pt JOIN tags t ON t.tenant_id = pt.tenant_id AND t.id = pt.tag_id
    WHERE pt.tenant_id = ${tenantId} AND pt.profile_id = ${fromProfileId} AND t.kind = 'manual'
    ON CONFLICT DO NOTHING`.execute(trx);
  await trx.deleteFrom('profile_tags').where('tenant_id', '=', tenantId).where('profile_id', '=', fromProfileId).execute();
  await trx.updateTable('tag_history').set({ profile_id: toProfileId }).where('tenant_id', '=', tenantId).where('profile_id', '=', fromProfileId).execute();
}

/** An erasure: the profile's tags and their history. */
export async function deleteProfileTags(trx: Db, tenantId: string, profileId: string): Promise<void> {
  await trx.deleteFrom('profile_tags').where('tenant_id', '=', tenantId).where('profile_id', '=', profileId).execute();
  await trx.deleteFrom('tag_history').where('tenant_id', '=', tenantId).where('profile_id', '=', profileId).execute();
}

export async function profileTags(db: Db, tenantId: string, profileId: string) {
  return db
    .selectFrom('profile_tags as pt')
    .innerJoin('tags as t', (j) => j.onRef('t.tenant_id', '=', 'pt.tenant_id').onRef('t.id', '=', 'pt.tag_id'))
    .innerJoin('tag_groups as g', (j) => j.onRef('g.tenant_id', '=', 't.tenant_id').onRef('g.id', '=', 't.group_id'))
    .select(['pt.tag_id', 't.name', 't.kind', 't.group_id', 'g.name as group_name', 'pt.applied_at', 'pt.applied_by'])
    .where('pt.tenant_id', '=', tenantId)
    .where('pt.profile_id', '=', profileId)
    .orderBy('g.name')
    .orderBy('t.name')
    .execute();
}

/**
 * History in id order after a cursor, of one tag or of one profile; with `visibleTo`, only the rows
 * about people in that caller's data scope.
 */
export async function history(
  db: Db,
  tenantId: string,
  by: { tagId: string } | { profileId: string },
  after: string | undefined,
  limit: number,
  visibleTo?: Principal,
) {
  let q = db.selectFrom('tag_history').select(['id', 'tag_id', 'profile_id', 'action', 'actor', 'reason', 'at']).where('tenant_id', '=', tenantId);
  q = 'tagId' in by ? q.where('tag_id', '=', by.tagId) : q.where('profile_id', '=', by.profileId);
  if (visibleTo) q = q.where(customerVisible(visibleTo, sql.ref('tag_history.profile_id')));
  if (after !== undefined) q = q.where('id', '>', after);
  return q.orderBy('id').limit(limit).execute();
}
