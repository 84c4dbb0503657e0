import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';

/** SQL for tag groups and tag definitions. */

export type GroupRow = { id: string; name: string; description: string | null; created_at: Date };

export type TagRow = {
  id: string;
  group_id: string;
  name: string;
  description: string | null;
  kind: string;
  definition: unknown;
  time_dependent: boolean;
  refreshed_at: Date | null;
  created_at: Date;
  updated_at: Date;
};

const GROUP_COLUMNS = ['id', 'name', 'description', 'created_at'] as const;
const TAG_COLUMNS = ['id', 'group_id', 'name', 'description', 'kind', 'definition', 'time_dependent', 'refreshed_at', 'created_at', 'updated_at'] as const;

/** The new group, or undefined when the tenant already has a group of that name. */
export async function insertGroup(trx: Db, tenantId: string, g: { id: string; name: string; description: string | null; at: Date }): Promise<GroupRow | undefined> {
  return trx
    .insertInto('tag_groups')
    .values({ tenant_id: tenantId, id: g.id, name: g.name, description: g.description, created_at: g.at })
    .onConflict((oc) => oc.columns(['tenant_id', 'name']).doNothing())
    .returning(GROUP_COLUMNS)
    .executeTakeFirst();
}

/** `share` keeps the group from being deleted under a new tag; `update` also serialises renames within it. */
export async function findGroup(db: Db, tenantId: string, id: string, lock: 'update' | 'share' | null = null): Promise<GroupRow | undefined> {
  let q = db.selectFrom('tag_groups').select(GROUP_COLUMNS).where('tenant_id', '=', tenantId).where('id', '=', id);
  if (lock === 'update') q = q.forUpdate();
  if (lock === 'share') q = q.forShare();
  return q.executeTakeFirst();
}

export async function findGroupByName(db: Db, tenantId: string, name: string): Promise<GroupRow | undefined> {
  return db.selectFrom('tag_groups').select(GROUP_COLUMNS).where('tenant_id', '=', tenantId).where('name', '=', name).executeTakeFirst();
}

export async function listGroups(db: Db, tenantId: string): Promise<GroupRow[]> {
  return db.selectFrom('tag_groups').select(GROUP_COLUMNS).where('tenant_id', '=', tenantId).orderBy('name').orderBy('id').execute();
}

export async function deleteGroup(trx: Db, tenantId: string, id: string): Promise<void> {
  await trx.deleteFrom('tag_groups').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

export async function countGroupTags(db: Db, tenantId: string, groupId: string): Promise<number> {
  const r = await db
    .selectFrom('tags')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('group_id', '=', groupId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The new tag, or undefined when its group already has a tag of that name. */
export async function insertTag(
  trx: Db,
  tenantId: string,
  t: { id: string; groupId: string; name: string; description: string | null; kind: string; definition: unknown; timeDependent: boolean; at: Date },
): Promise<TagRow | undefined> {
  return trx
    .insertInto('tags')
    .values({
      tenant_id: tenantId,
      id: t.id,
      group_id: t.groupId,
      name: t.name,
      description: t.description,
      kind: t.kind,
      definition: t.definition === null ? null : JSON.stringify(t.definition),
      time_dependent: t.timeDependent,
      // A rule tag is evaluated over the whole tenant in the transaction that creates it.
      refreshed_at: t.definition === null ? null : t.at,
      created_at: t.at,
      updated_at: t.at,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'group_id', 'name']).doNothing())
    .returning(TAG_COLUMNS)
    .executeTakeFirst();
}

export async function findTag(db: Db, tenantId: string, id: string, lock: 'update' | 'share' | null = null): Promise<TagRow | undefined> {
  let q = db.selectFrom('tags').select(TAG_COLUMNS).where('tenant_id', '=', tenantId).where('id', '=', id);
  if (lock === 'update') q = q.forUpdate();
  if (lock === 'share') q = q.forShare();
  return q.executeTakeFirst();
}

export async function findTagByName(db: Db, tenantId: string, groupId: string, name: string): Promise<TagRow | undefined> {
  return db.selectFrom('tags').select(TAG_COLUMNS).where('tenant_id', '=', tenantId).where('group_id', '=', groupId).where('name', '=', name).executeTakeFirst();
}

export async function listTags(db: Db, tenantId: string, groupId?: string): Promise<TagRow[]> {
  let q = db.selectFrom('tags').select(TAG_COLUMNS).where('tenant_id', '=', tenantId);
  if (groupId !== undefined) q = q.where('group_id', '=', groupId);
  return q.orderBy('name').orderBy('id').execute();
}

export async function updateTag(
  trx: Db,
  tenantId: string,
  id: string,
  t: { name: string; description: string | null; definition: unknown; timeDependent: boolean; at: Date },
): Promise<TagRow> {
  return trx
    .updateTable('tags')
    .set({ name: t.name, description: t.description, definition: t.definition === null ? null : JSON.stringify(t.definition), time_dependent: t.timeDependent, updated_at: t.at })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returning(TAG_COLUMNS)
    .executeTakeFirstOrThrow();
}

export async function markTagRefreshed(trx: Db, tenantId: string, id: string, at: Date): Promise<void> {
  await trx.updateTable('tags').set({ refreshed_at: at }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

/** Rule tag ids in id order (the lock order of refreshes), optionally only the time-dependent ones. */
export async function ruleTagIds(db: Db, tenantId: string, timeDependentOnly: boolean): Promise<string[]> {
  let q = db.selectFrom('tags').select('id').where('tenant_id', '=', tenantId).where('kind', '=', 'rule');
  if (timeDependentOnly) q = q.where('time_dependent', '=', true);
  return (await q.orderBy('id').execute()).map((r) => r.id);
}

/** Locks the tenant's rule tags (id order) and returns their definitions. */
export async function lockRuleTags(trx: Db, tenantId: string): Promise<{ id: string; definition: unknown }[]> {
  return trx.selectFrom('tags').select(['id', 'definition']).where('tenant_id', '=', tenantId).where('kind', '=', 'rule').orderBy('id').forUpdate().execute();
}

export async function memberCount(db: Db, tenantId: string, tagId: string): Promise<number> {
  const r = await db
    .selectFrom('profile_tags')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('tag_id', '=', tagId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export interface TagReferences {
  segments: { id: string; name: string }[];
  stageModels: { key: string; name: string }[];
  tags: { id: string; name: string }[];
}

/** Saved segments, stage models and other rule tags whose definitions mention the tag id (a UUID). */
export async function tagReferences(db: Db, tenantId: string, tagId: string): Promise<TagReferences> {
  const pattern = `%${tagId}%`;
  const segments = await sql<{ id: string; name: string }>`
    SELECT id, name FROM segments WHERE tenant_id = ${tenantId} AND definition::text LIKE ${pattern} ORDER BY name`.execute(db);
  const models = await sql<{ key: string; name: string }>`
    SELECT key, name FROM stage_models WHERE tenant_id = ${tenantId} AND stages::text LIKE ${pattern} ORDER BY key`.execute(db);
  const tags = await sql<{ id: string; name: string }>`
    SELECT id, name FROM tags WHERE tenant_id = ${tenantId} AND id <> ${tagId} AND definition::text LIKE ${pattern} ORDER BY name`.execute(db);
  return { segments: segments.rows, stageModels: models.rows, tags: tags.rows };
}

/** A tag with its memberships and history. */
export async function deleteTag(trx: Db, tenantId: string, id: string): Promise<void> {
  await trx.deleteFrom('profile_tags').where('tenant_id', '=', tenantId).where('tag_id', '=', id).execute();
  await trx.deleteFrom('tag_history').where('tenant_id', '=', tenantId).where('tag_id', '=', id).execute();
  await trx.deleteFrom('tags').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

/** A saved segment's definition (as stored), for bulk tagging by segment. */
export async function segmentDefinition(db: Db, tenantId: string, segmentId: string): Promise<{ definition: unknown } | undefined> {
  return db.selectFrom('segments').select('definition').where('tenant_id', '=', tenantId).where('id', '=', segmentId).executeTakeFirst();
}
