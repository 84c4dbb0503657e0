import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';

/** The stored side of erasure. Every function runs inside the caller's transaction. */

const count = (r: { numDeletedRows: bigint } | undefined) => Number(r?.numDeletedRows ?? 0n);

/** Ids of the profiles merged into `id`, locked: their rows go with it. */
export async function lockMergedIntoIds(trx: Db, tenantId: string, id: string): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`SELECT id FROM profiles WHERE tenant_id = ${tenantId} AND merged_into = ${id} ORDER BY id FOR UPDATE`.execute(trx);
  return rows.map((r) => r.id);
}

/** The traits of the profiles, to know what personal data looks like when scrubbing the log. */
export async function profileTraits(trx: Db, tenantId: string, ids: string[]): Promise<unknown[]> {
  const rows = await trx.selectFrom('profiles').select('traits').where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
  return rows.map((r) => r.traits);
}

/** Identifier values the profiles hold or held. */
export async function identifierValues(trx: Db, tenantId: string, ids: string[]): Promise<string[]> {
  const rows = await trx
    .selectFrom('profile_identifiers')
    .select('value')
    .where('tenant_id', '=', tenantId)
    .where('profile_id', 'in', ids)
    .unionAll(trx.selectFrom('former_identifiers').select('value').where('tenant_id', '=', tenantId).where('profile_id', 'in', ids))
    .execute();
  return rows.map((r) => r.value);
}

export async function deleteEvents(trx: Db, tenantId: string, ids: string[]): Promise<number> {
  return count(await trx.deleteFrom('events').where('tenant_id', '=', tenantId).where('profile_id', 'in', ids).executeTakeFirst());
}

export async function deleteIdentifiers(trx: Db, tenantId: string, ids: string[]): Promise<number> {
  return count(await trx.deleteFrom('profile_identifiers').where('tenant_id', '=', tenantId).where('profile_id', 'in', ids).executeTakeFirst());
}

export async function deleteFormerIdentifiers(trx: Db, tenantId: string, ids: string[]): Promise<number> {
  return count(await trx.deleteFrom('former_identifiers').where('tenant_id', '=', tenantId).where('profile_id', 'in', ids).executeTakeFirst());
}

export async function deleteProfiles(trx: Db, tenantId: string, ids: string[]): Promise<number> {
  return count(await trx.deleteFrom('profiles').where('tenant_id', '=', tenantId).where('id', 'in', ids).executeTakeFirst());
}

/** identity_log rows naming any of `ids` (as the result or among the profiles before). */
export async function identityLogMentioning(trx: Db, tenantId: string, ids: string[]) {
  return trx
    .selectFrom('identity_log')
    .select(['id', 'reason', 'details'])
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb.or([eb('profile_after', 'in', ids), sql<boolean>`profiles_before && ${ids}::uuid[]`]))
    .orderBy('id')
    .execute();
}

/** Drops the identifiers of a log row and replaces its reason and details by their scrubbed forms. */
export async function scrubIdentityLogRow(trx: Db, tenantId: string, id: string, reason: string | null, details: unknown): Promise<void> {
  await trx
    .updateTable('identity_log')
    .set({ identifiers: '[]', reason, details: details === null || details === undefined ? null : JSON.stringify(details) })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}
