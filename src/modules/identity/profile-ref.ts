import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';

/**
 * The live profile an id names. A merged-away id raises `profile_merged` (HTTP 308 to the same path
 * with the surviving id, in `details.profileId`); an unknown or erased id raises `not_found`.
 * With `forUpdate` the live row is locked for the rest of the transaction (use inside one).
 */
export async function requireLiveProfile(db: Db, tenantId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<string> {
  const query = db.selectFrom('profiles').select('merged_into').where('tenant_id', '=', tenantId).where('id', '=', id);
  const row = await (options.forUpdate ? query.forUpdate() : query).executeTakeFirst();
  if (!row) throw new AppError('not_found', `no profile ${id}`, { profileId: id });
  if (row.merged_into !== null) {
    throw new AppError('profile_merged', `profile ${id} was merged into ${row.merged_into}`, { mergedId: id, profileId: row.merged_into });
  }
  return id;
}
