import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';

export interface HeldIdentifierRow {
  /** The profile id asked about (possibly merged away). */
  profile_id: string;
  type: string;
  scope: string;
  value: string;
  last_seen: Date;
}

/**
 * The identifiers held now by the live profile behind each id: a merged-away id reads its
 * survivor's (`merged_into` always names the final survivor). Ids of unknown profiles give no rows.
 */
export async function identifiersOfLiveProfiles(db: Db, tenantId: string, profileIds: readonly string[]): Promise<HeldIdentifierRow[]> {
  if (profileIds.length === 0) return [];
  const { rows } = await sql<HeldIdentifierRow>`
    SELECT p.id AS profile_id, pi.type, pi.scope, pi.value, pi.last_seen
    FROM profiles p
    JOIN profile_identifiers pi ON pi.tenant_id = p.tenant_id AND pi.profile_id = COALESCE(p.merged_into, p.id)
    WHERE p.tenant_id = ${tenantId} AND p.id = ANY(${[...new Set(profileIds)]}::uuid[])`.execute(db);
  return rows;
}
