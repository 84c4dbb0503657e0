import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';

/** SQL for stage models: definitions, a profile's current stages and its transitions. */

export type ModelRow = {
  key: string;
  name: string;
  description: string | null;
  preset: string | null;
  progression: string;
  stages: unknown;
  is_default: boolean;
  revision: number;
  time_dependent: boolean;
  refreshed_at: Date | null;
  created_at: Date;
  updated_at: Date;
};

const COLUMNS = ['key', 'name', 'description', 'preset', 'progression', 'stages', 'is_default', 'revision', 'time_dependent', 'refreshed_at', 'created_at', 'updated_at'] as const;

export async function findModel(db: Db, tenantId: string, key: string, forUpdate = false): Promise<ModelRow | undefined> {
  let q = db.selectFrom('stage_models').select(COLUMNS).where('tenant_id', '=', tenantId).where('key', '=', key);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function listModels(db: Db, tenantId: string): Promise<ModelRow[]> {
  return db.selectFrom('stage_models').select(COLUMNS).where('tenant_id', '=', tenantId).orderBy('key').execute();
}

/** Locks every model of the tenant in key order (the lock order of all stage writes) and returns them. */
export async function lockModels(trx: Db, tenantId: string): Promise<ModelRow[]> {
  return trx.selectFrom('stage_models').select(COLUMNS).where('tenant_id', '=', tenantId).orderBy('key').forUpdate().execute();
}

/** The tenant's model keys in key order; only those with relative time windows when `timeDependentOnly`. */
export async function modelKeys(db: Db, tenantId: string, timeDependentOnly = false): Promise<string[]> {
  let q = db.selectFrom('stage_models').select('key').where('tenant_id', '=', tenantId);
  if (timeDependentOnly) q = q.where('time_dependent', '=', true);
  return (await q.orderBy('key').execute()).map((r) => r.key);
}

export async function hasModels(db: Db, tenantId: string): Promise<boolean> {
  const row = await db.selectFrom('stage_models').select('key').where('tenant_id', '=', tenantId).limit(1).executeTakeFirst();
  return row !== undefined;
}

export interface ModelWrite {
  key: string;
  name: string;
  description: string | null;
  preset: string | null;
  progression: string;
  stages: unknown;
  isDefault: boolean;
  timeDependent: boolean;
  at: Date;
}

/** Inserts a model unless its key (or, for a default, the tenant's default) is taken; true when inserted. */
export async function insertModel(trx: Db, tenantId: string, m: ModelWrite): Promise<boolean> {
  const r = await trx
    .insertInto('stage_models')
    .values({
      tenant_id: tenantId,
      key: m.key,
      name: m.name,
      description: m.description,
      preset: m.preset,
      progression: m.progression,
      stages: JSON.stringify(m.stages),
      is_default: m.isDefault,
      time_dependent: m.timeDependent,
      created_at: m.at,
      updated_at: m.at,
    })
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** Updates the model and answers its new row. */
export async function updateModel(trx: Db, tenantId: string, m: ModelWrite & { revision: number }): Promise<ModelRow | undefined> {
  return trx
    .updateTable('stage_models')
    .set({
      name: m.name,
      description: m.description,
      progression: m.progression,
      stages: JSON.stringify(m.stages),
      is_default: m.isDefault,
      time_dependent: m.timeDependent,
      revision: m.revision,
      updated_at: m.at,
    })
    .where('tenant_id', '=', tenantId)
    .where('key', '=', m.key)
    .returning(COLUMNS)
    .executeTakeFirst();
}

/** Clears the default flag of every model but `key` (before `key` becomes the default). */
export async function clearDefault(trx: Db, tenantId: string, exceptKey: string): Promise<void> {
  await trx.updateTable('stage_models').set({ is_default: false }).where('tenant_id', '=', tenantId).where('is_default', '=', true).where('key', '<>', exceptKey).execute();
}

export async function setDefault(trx: Db, tenantId: string, key: string): Promise<void> {
  await trx.updateTable('stage_models').set({ is_default: true }).where('tenant_id', '=', tenantId).where('key', '=', key).execute();
}

/** Records the time of the model's last whole-tenant evaluation and answers its row. */
export async function markRefreshed(trx: Db, tenantId: string, key: string, at: Date): Promise<ModelRow | undefined> {
  return trx.updateTable('stage_models').set({ refreshed_at: at }).where('tenant_id', '=', tenantId).where('key', '=', key).returning(COLUMNS).executeTakeFirst();
}

/** A model and everything derived from it. */
export async function deleteModel(trx: Db, tenantId: string, key: string): Promise<{ stages: number; transitions: number }> {
  const s = await trx.deleteFrom('profile_stages').where('tenant_id', '=', tenantId).where('model', '=', key).executeTakeFirst();
  const t = await trx.deleteFrom('stage_transitions').where('tenant_id', '=', tenantId).where('model', '=', key).executeTakeFirst();
  await trx.deleteFrom('stage_models').where('tenant_id', '=', tenantId).where('key', '=', key).execute();
  return { stages: Number(s.numDeletedRows), transitions: Number(t.numDeletedRows) };
}

/** Saved segments and rule tags: their definitions, to find those that name a model. */
export async function savedDefinitions(db: Db, tenantId: string): Promise<{ kind: 'segment' | 'tag'; id: string; name: string; definition: unknown }[]> {
  const { rows } = await sql<{ kind: 'segment' | 'tag'; id: string; name: string; definition: unknown }>`
    SELECT 'segment' AS kind, id, name, definition FROM segments WHERE tenant_id = ${tenantId}
    UNION ALL
    SELECT 'tag' AS kind, id, name, definition FROM tags WHERE tenant_id = ${tenantId} AND definition IS NOT NULL
    ORDER BY kind, name`.execute(db);
  return rows;
}

/** The profile's current stage in each model it has one in. */
export async function currentStages(db: Db, tenantId: string, profileId: string): Promise<{ model: string; stage: string; since: Date }[]> {
  return db.selectFrom('profile_stages').select(['model', 'stage', 'since']).where('tenant_id', '=', tenantId).where('profile_id', '=', profileId).execute();
}

/** The profile's transitions, newest first. */
export async function transitions(db: Db, tenantId: string, profileId: string, model: string | undefined, limit: number) {
  let q = db
    .selectFrom('stage_transitions')
    .select(['id', 'model', 'from_stage', 'to_stage', 'at'])
    .where('tenant_id', '=', tenantId)
    .where('profile_id', '=', profileId);
  if (model !== undefined) q = q.where('model', '=', model);
  return q.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/** Erasure: the profile's stages and its stage history go. */
export async function deleteProfileStageRows(trx: Db, tenantId: string, profileId: string): Promise<{ stages: number; transitions: number }> {
  const s = await trx.deleteFrom('profile_stages').where('tenant_id', '=', tenantId).where('profile_id', '=', profileId).executeTakeFirst();
  const t = await trx.deleteFrom('stage_transitions').where('tenant_id', '=', tenantId).where('profile_id', '=', profileId).executeTakeFirst();
  return { stages: Number(s.numDeletedRows), transitions: Number(t.numDeletedRows) };
}
