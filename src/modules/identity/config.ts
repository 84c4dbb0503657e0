import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import { countIdentifiersOfType, deleteBlocked, loadIdentityConfig, deleteTypeOverride, insertBlocked, listBlocked, putTraitStrategy, upsertTypeOverride } from './config.repo.js';
import { BUILT_IN_BY_NAME, normalizeValue, type IdentifierType, type TraitStrategy } from './types.js';

/**
 * Changing the identity rules: identifier types (built-in overrides and custom types), the tenant's
 * junk list and trait strategies. New rules apply to new events; `siyu identity rebuild` applies
 * them to the stored history. Every change is in audit_log.
 */
export async function listIdentifierTypes(db: Db, tenantId: string): Promise<IdentifierType[]> {
  const config = await loadIdentityConfig(db, tenantId);
  return [...config.types.values()].sort((a, b) => b.priority - a.priority || (a.type < b.type ? -1 : 1));
}

export async function putIdentifierType(db: Db, tenantId: string, t: Omit<IdentifierType, 'builtIn'>, actor: string): Promise<IdentifierType> {
  const builtIn = BUILT_IN_BY_NAME.get(t.type);
  if (builtIn && (builtIn.scoped !== t.scoped || builtIn.normalizer !== t.normalizer)) {
    throw new AppError('invalid_request', `${t.type} is built in: its scoped (${String(builtIn.scoped)}) and normalizer (${builtIn.normalizer}) cannot change — stored values depend on them`, {
      field: builtIn.scoped !== t.scoped ? 'scoped' : 'normalizer',
    });
  }
  await db.transaction().execute(async (trx) => {
    const current = (await loadIdentityConfig(trx, tenantId)).types.get(t.type);
    if (!builtIn && current && (current.scoped !== t.scoped || current.normalizer !== t.normalizer)) {
      const held = await countIdentifiersOfType(trx, tenantId, t.type);
      if (held > 0) {
        throw new AppError('conflict', `${held} stored identifiers of ${t.type} depend on its scoped and normalizer settings; create a new type instead`, {
          field: current.scoped !== t.scoped ? 'scoped' : 'normalizer',
          identifiers: held,
        });
      }
    }
    await upsertTypeOverride(trx, tenantId, t, actor);
  });
  return { ...t, builtIn: builtIn !== undefined };
}

export async function removeIdentifierType(db: Db, tenantId: string, type: string, actor: string): Promise<void> {
  const removed = await db.transaction().execute(async (trx) => {
    if (!BUILT_IN_BY_NAME.has(type)) {
      const held = await countIdentifiersOfType(trx, tenantId, type);
      if (held > 0) throw new AppError('conflict', `${held} profiles' identifiers are of type ${type}; it cannot be removed while they exist`, { identifiers: held });
    }
    return deleteTypeOverride(trx, tenantId, type, actor);
  });
  if (!removed) throw new AppError('not_found', `no configured identifier type ${type}${BUILT_IN_BY_NAME.has(type) ? ' (the built-in default is in use)' : ''}`);
}

export async function blockValue(db: Db, tenantId: string, input: { type: string; value: string }, actor: string) {
  const config = await loadIdentityConfig(db, tenantId);
  const type = config.types.get(input.type);
  if (!type) throw new AppError('invalid_request', `unknown identifier type "${input.type}"`, { field: 'type', known: [...config.types.keys()].sort() });
  const n = normalizeValue(type, input.value, { ...config, blocklist: new Set() });
  if (!n.ok && !n.reason.includes('junk list')) throw new AppError('invalid_request', `value: ${n.reason}`, { field: 'value' });
  const value = n.ok ? n.value : input.value.trim();
  await db.transaction().execute((trx) => insertBlocked(trx, tenantId, type.type, value, actor));
  return { type: type.type, value };
}

export async function unblockValue(db: Db, tenantId: string, input: { type: string; value: string }, actor: string): Promise<void> {
  // The same body that added a value removes it: normalised the same way.
  const config = await loadIdentityConfig(db, tenantId);
  const type = config.types.get(input.type);
  const n = type ? normalizeValue(type, input.value, { ...config, blocklist: new Set() }) : null;
  const value = n?.ok ? n.value : input.value.trim();
  const removed = await db.transaction().execute((trx) => deleteBlocked(trx, tenantId, input.type, value, actor));
  if (!removed) throw new AppError('not_found', `${input.type} ${input.value} is not on the tenant's list`);
}

export { listBlocked };

export async function setTraitStrategy(db: Db, tenantId: string, trait: string, strategy: TraitStrategy, actor: string): Promise<void> {
  await db.transaction().execute((trx) => putTraitStrategy(trx, tenantId, trait, strategy, actor));
}
