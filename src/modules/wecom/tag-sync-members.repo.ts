import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';

/** SQL of the people side of the tag sync: who the customers are, their friendships, tags and last-synced state. */

const iso = (d: Date) => d.toISOString();

/** The live people behind `externalUserids` in the connector's corp, each with all of their external_userids there. */
export async function peopleOf(db: Db, tenantId: string, connectorId: string, externalUserids: readonly string[]): Promise<Map<string, string[]>> {
  const { rows } = await sql<{ profile_id: string; value: string }>`
    WITH c AS (SELECT corp_id FROM wecom_connectors WHERE tenant_id = ${tenantId} AND id = ${connectorId}),
    p AS (
      SELECT DISTINCT i.profile_id FROM profile_identifiers i, c
      WHERE i.tenant_id = ${tenantId} AND i.type = 'wecom_external_userid' AND i.scope = c.corp_id AND i.value = ANY(${externalUserids}::text[])
    )
    SELECT i.profile_id, i.value FROM p
    JOIN profiles pr ON pr.tenant_id = ${tenantId} AND pr.id = p.profile_id AND pr.merged_into IS NULL
    JOIN profile_identifiers i ON i.profile_id = p.profile_id AND i.tenant_id = ${tenantId} AND i.type = 'wecom_external_userid'
    JOIN c ON i.scope = c.corp_id
    ORDER BY i.profile_id, i.value`.execute(db);
  const people = new Map<string, string[]>();
  for (const r of rows) people.set(r.profile_id, [...(people.get(r.profile_id) ?? []), r.value]);
  return people;
}

export interface FollowRow {
  id: string;
  externalUserid: string;
  userid: string;
  /** Every corp tag id WeCom last said the consultant has on the customer. */
  tagIds: string[];
  /** The synced corp tag ids at the last sync; null before the friendship was first synced. */
  base: string[] | null;
  changedAt: Date;
  pushedAt: Date | null;
  stale: boolean;
}

/** The live friendships of these customers in the connector, with their last-synced tags. */
export async function followsOf(db: Db, tenantId: string, connectorId: string, externalUserids: readonly string[]): Promise<FollowRow[]> {
  const { rows } = await sql<{
    id: string;
    external_userid: string;
    wecom_user_id: string;
    wecom_tag_ids: string[];
    updated_at: Date;
    base: string[] | null;
    pushed_at: Date | null;
    stale: boolean | null;
  }>`
    SELECT f.id, f.external_userid, f.wecom_user_id, f.wecom_tag_ids, f.updated_at, b.tag_ids AS base, b.pushed_at, b.stale
    FROM wecom_friendships f LEFT JOIN wecom_tag_sync_follows b ON b.tenant_id = f.tenant_id AND b.friendship_id = f.id
    WHERE f.tenant_id = ${tenantId} AND f.connector_id = ${connectorId} AND f.removed_at IS NULL AND f.external_userid = ANY(${externalUserids}::text[])
    ORDER BY f.external_userid, f.wecom_user_id`.execute(db);
  return rows.map((r) => ({
    id: r.id,
    externalUserid: r.external_userid,
    userid: r.wecom_user_id,
    tagIds: r.wecom_tag_ids,
    base: r.base,
    changedAt: r.updated_at,
    pushedAt: r.pushed_at,
    stale: r.stale === true,
  }));
}

/** Which of `tagIds` the people hold in Siyu now, as `profile:tag` keys. */
export async function holdings(db: Db, tenantId: string, profileIds: readonly string[], tagIds: readonly string[]): Promise<Set<string>> {
  if (profileIds.length === 0 || tagIds.length === 0) return new Set();
  const { rows } = await sql<{ profile_id: string; tag_id: string }>`
    SELECT profile_id, tag_id FROM profile_tags WHERE tenant_id = ${tenantId} AND profile_id = ANY(${profileIds}::uuid[]) AND tag_id = ANY(${tagIds}::uuid[])`.execute(db);
  return new Set(rows.map((r) => `${r.profile_id}:${r.tag_id}`));
}

/** Which tags the people held on both sides at the last sync, as `profile:tag` keys. */
export async function lastSynced(db: Db, tenantId: string, connectorId: string, profileIds: readonly string[]): Promise<Set<string>> {
  if (profileIds.length === 0) return new Set();
  const { rows } = await sql<{ profile_id: string; tag_id: string }>`
    SELECT profile_id, tag_id FROM wecom_tag_sync_members WHERE tenant_id = ${tenantId} AND connector_id = ${connectorId} AND profile_id = ANY(${profileIds}::uuid[])`.execute(db);
  return new Set(rows.map((r) => `${r.profile_id}:${r.tag_id}`));
}

/** When each person's tags last changed in Siyu (tag history), as `profile:tag` keys. */
export async function lastSiyuChanges(db: Db, tenantId: string, profileIds: readonly string[], tagIds: readonly string[]): Promise<Map<string, Date>> {
  if (profileIds.length === 0 || tagIds.length === 0) return new Map();
  const { rows } = await sql<{ profile_id: string; tag_id: string; at: Date }>`
    SELECT profile_id, tag_id, max(at) AS at FROM tag_history
    WHERE tenant_id = ${tenantId} AND profile_id = ANY(${profileIds}::uuid[]) AND tag_id = ANY(${tagIds}::uuid[]) GROUP BY profile_id, tag_id`.execute(db);
  return new Map(rows.map((r) => [`${r.profile_id}:${r.tag_id}`, new Date(r.at)]));
}

export interface FollowUpdate {
  friendshipId: string;
  /** Every corp tag id the friendship carries now, when that changed (a mark, a fresh read). */
  tagIds: string[] | null;
  /** The synced corp tag ids it carries now; null keeps the last-synced ones (the person is synced again later). */
  base: string[] | null;
  pushedAt: Date | null;
}

/** Writes what the friendships carry now and their last-synced tags; a fresh read is no longer stale. */
export async function saveFollows(trx: Db, tenantId: string, updates: readonly FollowUpdate[]): Promise<void> {
  const carried = updates.flatMap((u) => (u.tagIds === null ? [] : [{ id: u.friendshipId, tags: u.tagIds }]));
  if (carried.length > 0) {
    await sql`
      UPDATE wecom_friendships f SET wecom_tag_ids = ARRAY(SELECT jsonb_array_elements_text(x.value -> 'tags'))
      FROM jsonb_array_elements(${JSON.stringify(carried)}::jsonb) AS x(value)
      WHERE f.tenant_id = ${tenantId} AND f.id = (x.value ->> 'id')::uuid`.execute(trx);
  }
  const kept = updates.flatMap((u) => (u.base === null ? [u.friendshipId] : []));
  if (kept.length > 0) {
    await sql`UPDATE wecom_tag_sync_follows SET stale = false WHERE tenant_id = ${tenantId} AND friendship_id = ANY(${kept}::uuid[])`.execute(trx);
  }
  const synced = updates.flatMap((u) => (u.base === null ? [] : [{ id: u.friendshipId, tags: u.base, pushedAt: u.pushedAt ? iso(u.pushedAt) : null }]));
  if (synced.length === 0) return;
  await sql`
    INSERT INTO wecom_tag_sync_follows (tenant_id, friendship_id, tag_ids, pushed_at, stale)
    SELECT ${tenantId}::uuid, (x.value ->> 'id')::uuid, ARRAY(SELECT jsonb_array_elements_text(x.value -> 'tags')), (x.value ->> 'pushedAt')::timestamptz, false
    FROM jsonb_array_elements(${JSON.stringify(synced)}::jsonb) AS x(value)
    ON CONFLICT (tenant_id, friendship_id) DO UPDATE SET tag_ids = excluded.tag_ids,
      pushed_at = COALESCE(excluded.pushed_at, wecom_tag_sync_follows.pushed_at), stale = false`.execute(trx);
}

/** Replaces the people's last-synced memberships with `held` (`profile:tag` keys). */
export async function saveLastSynced(trx: Db, tenantId: string, connectorId: string, profileIds: readonly string[], held: readonly { profileId: string; tagId: string }[]): Promise<void> {
  if (profileIds.length === 0) return;
  await sql`DELETE FROM wecom_tag_sync_members WHERE tenant_id = ${tenantId} AND connector_id = ${connectorId} AND profile_id = ANY(${profileIds}::uuid[])`.execute(trx);
  if (held.length === 0) return;
  await sql`
    INSERT INTO wecom_tag_sync_members (tenant_id, connector_id, tag_id, profile_id)
    SELECT ${tenantId}::uuid, ${connectorId}::uuid, x.tag_id, x.profile_id FROM unnest(${held.map((h) => h.tagId)}::uuid[], ${held.map((h) => h.profileId)}::uuid[]) AS x(tag_id, profile_id)
    JOIN tags t ON t.tenant_id = ${tenantId} AND t.id = x.tag_id
    ON CONFLICT DO NOTHING`.execute(trx);
}

/**
 * A consultant's edit reached Siyu for the friendship: when Siyu marked tags on it after the edit,
 * WeCom's answer stored with the edit may predate the mark, and the job reads the customer again.
 */
export async function flagStaleFollow(trx: Db, tenantId: string, friendshipId: string, eventAt: Date): Promise<void> {
  await sql`
    UPDATE wecom_tag_sync_follows SET stale = true WHERE tenant_id = ${tenantId} AND friendship_id = ${friendshipId} AND pushed_at >= ${iso(eventAt)}::timestamptz`.execute(trx);
}
