import type { Db } from '../../platform/db/index.js';

/** SQL for tenants, sources, credentials and the audit log. Every statement names its tenant. */

export async function insertTenant(db: Db, t: { id: string; name: string }) {
  await db.insertInto('tenants').values(t).execute();
}

/** Whether the store holds any tenant at all (a fresh store holds none). Not tenant-scoped by design. */
export async function hasAnyTenant(db: Db): Promise<boolean> {
  return (await db.selectFrom('tenants').select('id').limit(1).executeTakeFirst()) !== undefined;
}

/** A tenant's name and time zone. */
export async function findTenant(db: Db, id: string): Promise<{ id: string; name: string; time_zone: string } | undefined> {
  return db.selectFrom('tenants').select(['id', 'name', 'time_zone']).where('id', '=', id).executeTakeFirst();
}

export async function insertSource(db: Db, s: { tenantId: string; id: string; name: string; kind: string; domainClass: string }) {
  return db
    .insertInto('sources')
    .values({ tenant_id: s.tenantId, id: s.id, name: s.name, kind: s.kind, domain_class: s.domainClass })
    .onConflict((oc) => oc.columns(['tenant_id', 'name']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function findSourceByName(db: Db, tenantId: string, name: string) {
  return db.selectFrom('sources').selectAll().where('tenant_id', '=', tenantId).where('name', '=', name).executeTakeFirst();
}

export async function findSource(db: Db, tenantId: string, id: string) {
  return db.selectFrom('sources').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

/** Serialises key changes on one source (two rotations at once must leave one active key). */
export async function lockSource(db: Db, tenantId: string, id: string) {
  return db.selectFrom('sources').select(['id']).where('tenant_id', '=', tenantId).where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function listSources(db: Db, tenantId: string) {
  return db.selectFrom('sources').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').orderBy('id').execute();
}

export async function listWriteKeys(db: Db, tenantId: string, sourceId?: string) {
  let q = db.selectFrom('write_keys').selectAll().where('tenant_id', '=', tenantId);
  if (sourceId) q = q.where('source_id', '=', sourceId);
  return q.orderBy('created_at').orderBy('id').execute();
}

export async function insertWriteKey(
  db: Db,
  k: { tenantId: string; id: string; sourceId: string; hash: string; prefix: string },
) {
  return db
    .insertInto('write_keys')
    .values({ tenant_id: k.tenantId, id: k.id, source_id: k.sourceId, key_hash: k.hash, key_prefix: k.prefix })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Revokes the given key, or with `keyId` undefined every active key of the source but `except`. */
export async function revokeWriteKeys(
  db: Db,
  w: { tenantId: string; sourceId: string; keyId?: string; except?: string; at: Date },
) {
  let q = db
    .updateTable('write_keys')
    .set({ revoked_at: w.at })
    .where('tenant_id', '=', w.tenantId)
    .where('source_id', '=', w.sourceId)
    .where('revoked_at', 'is', null);
  if (w.keyId) q = q.where('id', '=', w.keyId);
  if (w.except) q = q.where('id', '!=', w.except);
  return q.returning(['id', 'revoked_at']).execute();
}

export async function findWriteKey(db: Db, tenantId: string, sourceId: string, id: string) {
  return db
    .selectFrom('write_keys')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('source_id', '=', sourceId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** The one lookup that is not tenant-scoped: the key itself tells the tenant. */
export async function findActiveWriteKeyByHash(db: Db, hash: string) {
  return db
    .selectFrom('write_keys')
    .select(['tenant_id', 'id', 'source_id'])
    .where('key_hash', '=', hash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

export async function findActiveAdminTokenByHash(db: Db, hash: string) {
  return db
    .selectFrom('admin_tokens')
    .select(['tenant_id', 'id'])
    .where('token_hash', '=', hash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

export async function insertAdminToken(db: Db, t: { tenantId: string; id: string; name: string; hash: string; prefix: string }) {
  return db
    .insertInto('admin_tokens')
    .values({ tenant_id: t.tenantId, id: t.id, name: t.name, token_hash: t.hash, token_prefix: t.prefix })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listAdminTokens(db: Db, tenantId: string) {
  return db.selectFrom('admin_tokens').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').orderBy('id').execute();
}

/** Locks the tenant's active tokens so that two concurrent revocations cannot both pass the "last one" check. */
export async function lockActiveAdminTokens(db: Db, tenantId: string) {
  return db
    .selectFrom('admin_tokens')
    .select(['id'])
    .where('tenant_id', '=', tenantId)
    .where('revoked_at', 'is', null)
    .forUpdate()
    .execute();
}

export async function revokeAdminToken(db: Db, tenantId: string, id: string, at: Date) {
  return db
    .updateTable('admin_tokens')
    .set({ revoked_at: at })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .execute();
}

export async function findAdminToken(db: Db, tenantId: string, id: string) {
  return db.selectFrom('admin_tokens').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export async function insertAudit(
  db: Db,
  a: { tenantId: string; actor: string; action: string; targetType: string; targetId: string; details?: unknown },
) {
  await db
    .insertInto('audit_log')
    .values({
      tenant_id: a.tenantId,
      actor: a.actor,
      action: a.action,
      target_type: a.targetType,
      target_id: a.targetId,
      details: a.details === undefined ? null : JSON.stringify(a.details),
    })
    .execute();
}
