import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import type { Identifier } from '../identity/index.js';
import { customerVisible, leadVisible, type Principal } from '../tenancy/index.js';

/** SQL of the consultant sidebar: the chat's person through the identity graph, their phone and open lead. */

/** The identifier type WeCom's external contacts are stored under, scoped by the corp id. */
export const WECOM_EXTERNAL_USERID = 'wecom_external_userid';

export interface ContactProfileRow {
  id: string;
  traits: unknown;
  last_seen: Date;
}

/**
 * The live profile holding the identifier (an external_userid in its corp), when the principal may see
 * it; undefined when nobody holds it or the holder is outside the principal's scope (the caller cannot
 * tell which).
 */
export async function findContactProfile(db: Db, principal: Principal, identifier: Identifier): Promise<ContactProfileRow | undefined> {
  return db
    .selectFrom('profile_identifiers as pi')
    .innerJoin('profiles as p', (j) => j.onRef('p.tenant_id', '=', 'pi.tenant_id').onRef('p.id', '=', 'pi.profile_id'))
    .select(['p.id', 'p.traits', 'p.last_seen'])
    .where('pi.tenant_id', '=', principal.tenantId)
    .where('pi.type', '=', identifier.type)
    .where('pi.scope', '=', identifier.scope)
    .where('pi.value', '=', identifier.value)
    .where('p.merged_into', 'is', null)
    .where(customerVisible(principal, sql.ref('p.id')))
    .executeTakeFirst();
}

/** The profile's most recently seen phone number (E.164), if it holds one. */
export async function latestPhone(db: Db, tenantId: string, profileId: string): Promise<string | null> {
  const row = await db
    .selectFrom('profile_identifiers')
    .select('value')
    .where('tenant_id', '=', tenantId)
    .where('profile_id', '=', profileId)
    .where('type', '=', 'phone')
    .orderBy('last_seen', 'desc')
    .orderBy('value')
    .limit(1)
    .executeTakeFirst();
  return row?.value ?? null;
}

/**
 * The id of the person's lead in one of `statuses` that the principal may see: one assigned to the
 * principal first, then the most recently changed.
 */
export async function openLeadId(db: Db, principal: Principal, profileId: string, statuses: readonly string[]): Promise<string | null> {
  const mine = principal.staffId === null ? sql<boolean>`FALSE` : sql<boolean>`(l.consultant_id IS NOT DISTINCT FROM ${principal.staffId}::uuid)`;
  const row = await db
    .selectFrom('leads as l')
    .select('l.id')
    .where('l.tenant_id', '=', principal.tenantId)
    .where('l.profile_id', '=', profileId)
    .where('l.status', 'in', [...statuses])
    .where(leadVisible(principal, sql.ref('l.dealer_id'), sql.ref('l.consultant_id')))
    .orderBy(mine, 'desc')
    .orderBy('l.updated_at', 'desc')
    .orderBy('l.id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.id ?? null;
}
