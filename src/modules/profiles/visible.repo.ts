import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import { customerVisible, type Principal } from '../tenancy/index.js';

/**
 * The profile row of `id` and whether the caller may see the person it names: the profile itself, or
 * for a merged-away id its survivor (merged_into always names the final one).
 */
export async function profileVisibility(db: Db, principal: Principal, id: string): Promise<{ merged_into: string | null; visible: boolean } | undefined> {
  return db
    .selectFrom('profiles as p')
    .select(['p.merged_into', customerVisible(principal, sql`COALESCE(p.merged_into, p.id)`).as('visible')])
    .where('p.tenant_id', '=', principal.tenantId)
    .where('p.id', '=', id)
    .executeTakeFirst();
}
