import type { Db } from '../../platform/db/index.js';
import { insertAudit } from '../tenancy/index.js';
import { BUILT_IN_TYPES, type IdentifierType, type IdentityConfig, type Normalizer, type TraitStrategy } from './types.js';

/** The tenant's identity rules: built-in types with the tenant's overrides, custom types, lists. */
export async function loadIdentityConfig(db: Db, tenantId: string): Promise<IdentityConfig> {
  const [typeRows, blockRows, strategyRows] = await Promise.all([
    db.selectFrom('identifier_types').selectAll().where('tenant_id', '=', tenantId).execute(),
    db.selectFrom('identifier_blocklist').select(['type', 'value']).where('tenant_id', '=', tenantId).execute(),
    db.selectFrom('trait_strategies').select(['trait', 'strategy']).where('tenant_id', '=', tenantId).execute(),
  ]);
  const types = new Map<string, IdentifierType>(BUILT_IN_TYPES.map((t) => [t.type, t]));
  for (const r of typeRows) {
    types.set(r.type, {
      type: r.type,
      priority: r.priority,
      maxPerProfile: r.max_per_profile,
      merges: r.merges,
      scoped: r.scoped,
      normalizer: r.normalizer as Normalizer,
      traitNames: r.trait_names,
      reassignAfterDays: r.reassign_after_days,
      builtIn: types.get(r.type)?.builtIn ?? false,
    });
  }
  return {
    types,
    blocklist: new Set(blockRows.map((r) => `${r.type}\u0001${r.value}`)),
    traitStrategies: new Map(strategyRows.map((r) => [r.trait, r.strategy as TraitStrategy])),
  };
}

async function audit(trx: Db, tenantId: string, actor: string, action: string, target: string, details: unknown): Promise<void> {
  await insertAudit(trx, { tenantId, actor, action, targetType: 'identity_rules', targetId: target, details });
}

export async function upsertTypeOverride(trx: Db, tenantId: string, t: Omit<IdentifierType, 'builtIn'>, actor: string): Promise<void> {
  const row = {
    priority: t.priority,
    max_per_profile: t.maxPerProfile,
    merges: t.merges,
    scoped: t.scoped,
    normalizer: t.normalizer,
    trait_names: t.traitNames,
    reassign_after_days: t.reassignAfterDays,
  };
  await trx
    .insertInto('identifier_types')
    .values({ tenant_id: tenantId, type: t.type, ...row })
    .onConflict((oc) => oc.columns(['tenant_id', 'type']).doUpdateSet({ ...row, updated_at: new Date() }))
    .execute();
  await audit(trx, tenantId, actor, 'identity.type.put', t.type, row);
}

export async function deleteTypeOverride(trx: Db, tenantId: string, type: string, actor: string): Promise<boolean> {
  const r = await trx.deleteFrom('identifier_types').where('tenant_id', '=', tenantId).where('type', '=', type).executeTakeFirst();
  if (r.numDeletedRows === 0n) return false;
  await audit(trx, tenantId, actor, 'identity.type.delete', type, null);
  return true;
}

export async function insertBlocked(trx: Db, tenantId: string, type: string, value: string, actor: string): Promise<void> {
  const r = await trx.insertInto('identifier_blocklist').values({ tenant_id: tenantId, type, value }).onConflict((oc) => oc.doNothing()).executeTakeFirst();
  if ((r.numInsertedOrUpdatedRows ?? 0n) > 0n) await audit(trx, tenantId, actor, 'identity.blocklist.add', type, { value });
}

export async function deleteBlocked(trx: Db, tenantId: string, type: string, value: string, actor: string): Promise<boolean> {
  const r = await trx.deleteFrom('identifier_blocklist').where('tenant_id', '=', tenantId).where('type', '=', type).where('value', '=', value).executeTakeFirst();
  if (r.numDeletedRows === 0n) return false;
  await audit(trx, tenantId, actor, 'identity.blocklist.remove', type, { value });
  return true;
}

export async function listBlocked(db: Db, tenantId: string): Promise<Array<{ type: string; value: string; createdAt: string }>> {
  const rows = await db.selectFrom('identifier_blocklist').select(['type', 'value', 'created_at']).where('tenant_id', '=', tenantId).orderBy('type').orderBy('value').execute();
  return rows.map((r) => ({ type: r.type, value: r.value, createdAt: r.created_at.toISOString() }));
}

export async function putTraitStrategy(trx: Db, tenantId: string, trait: string, strategy: TraitStrategy, actor: string): Promise<void> {
  await trx
    .insertInto('trait_strategies')
    .values({ tenant_id: tenantId, trait, strategy })
    .onConflict((oc) => oc.columns(['tenant_id', 'trait']).doUpdateSet({ strategy }))
    .execute();
  await audit(trx, tenantId, actor, 'identity.trait_strategy.put', trait, { strategy });
}

export async function countIdentifiersOfType(trx: Db, tenantId: string, type: string): Promise<number> {
  const r = await trx
    .selectFrom('profile_identifiers')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('type', '=', type)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
