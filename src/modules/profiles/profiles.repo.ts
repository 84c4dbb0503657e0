import { sql } from 'kysely';
import type { Identifier } from '../identity/index.js';
import type { Db } from '../../platform/db/index.js';
import { customerVisible, type Principal } from '../tenancy/index.js';

/** The stored side of the customer 360: every query is scoped to one tenant. */

export async function findProfile(db: Db, tenantId: string, id: string) {
  return db
    .selectFrom('profiles')
    .select(['id', 'merged_into', 'traits', 'trait_meta', 'first_seen', 'last_seen', 'created_at', 'updated_at'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function listIdentifiers(db: Db, tenantId: string, profileId: string) {
  return db
    .selectFrom('profile_identifiers')
    .select(['type', 'scope', 'value', 'first_seen', 'last_seen'])
    .where('tenant_id', '=', tenantId)
    .where('profile_id', '=', profileId)
    .execute();
}

export async function listFormerIdentifiers(db: Db, tenantId: string, profileId: string) {
  return db
    .selectFrom('former_identifiers')
    .select(['type', 'scope', 'value', 'valid_to', 'reason'])
    .where('tenant_id', '=', tenantId)
    .where('profile_id', '=', profileId)
    .orderBy('valid_to', 'desc')
    .orderBy('type')
    .orderBy('value')
    .execute();
}

/**
 * The live profile holding an identifier, if the caller may see it. Resolution keeps identifiers on
 * survivors; should a row still name a merged-away profile, its survivor (merged_into always names
 * the final one) holds it.
 */
export async function findIdentifierHolder(db: Db, principal: Principal, identifier: Identifier): Promise<string | undefined> {
  const tenantId = principal.tenantId;
  const row = await db
    .selectFrom('profile_identifiers as i')
    .innerJoin('profiles as p', (j) => j.onRef('p.tenant_id', '=', 'i.tenant_id').onRef('p.id', '=', 'i.profile_id'))
    .select(['p.id', 'p.merged_into'])
    .where('i.tenant_id', '=', tenantId)
    .where('i.type', '=', identifier.type)
    .where('i.scope', '=', identifier.scope)
    .where('i.value', '=', identifier.value)
    .where(customerVisible(principal, sql`COALESCE(p.merged_into, p.id)`))
    .executeTakeFirst();
  return row ? (row.merged_into ?? row.id) : undefined;
}

export interface ProfileSearch {
  /** LIKE prefix pattern on lower(traits.name), metacharacters already escaped (backslash, PostgreSQL's default). */
  namePattern?: string;
  /** LIKE pattern on reverse(value) of phone identifiers: the reversed, escaped digits and a `%`. */
  reversedPhonePattern?: string;
  /** Exact identifiers; a null scope matches any scope of a scoped type. */
  /** Unscoped identifiers (scope ''). */
  identifiers?: Array<{ type: string; value: string }>;
  /** Keyset position: rows strictly after (older than) this (updated_at, id). */
  after?: { at: string; id: string };
  limit: number;
}

/**
 * Live profiles in the caller's scope, most recently updated first, keyset-paginated on (updated_at, id). With search terms,
 * the candidates are a UNION of one index-friendly query per kind of match (an OR across them would
 * keep PostgreSQL from using profile_identifiers_phone_suffix and the primary key). The cursor time
 * is read back at full (microsecond) precision: a JS Date would cut it to milliseconds and skip rows.
 */
export async function searchProfiles(db: Db, principal: Principal, s: ProfileSearch) {
  const tenantId = principal.tenantId;
  const { namePattern, reversedPhonePattern, identifiers = [] } = s;
  const candidates = [];
  if (namePattern !== undefined) {
    candidates.push(
      db
        .selectFrom('profiles')
        .select('id as pid')
        .where('tenant_id', '=', tenantId)
        .where('merged_into', 'is', null)
        // Served by profiles_by_name (lower(traits->>'name') text_pattern_ops WHERE merged_into IS NULL).
        .where(sql<boolean>`lower(traits ->> 'name') LIKE ${namePattern}`),
    );
  }
  if (reversedPhonePattern !== undefined) {
    // Served by profile_identifiers_phone_suffix (reverse(value) text_pattern_ops WHERE type = 'phone').
    candidates.push(
      db
        .selectFrom('profile_identifiers')
        .select('profile_id as pid')
        .where('tenant_id', '=', tenantId)
        .where('type', '=', 'phone')
        .where(sql<boolean>`reverse(value) LIKE ${reversedPhonePattern}`),
    );
  }
  if (identifiers.length > 0) {
    candidates.push(
      db
        .selectFrom('profile_identifiers')
        .select('profile_id as pid')
        .where('tenant_id', '=', tenantId)
        .where((eb) => eb.or(identifiers.map((i) => eb.and([eb('type', '=', i.type), eb('scope', '=', ''), eb('value', '=', i.value)])))),
    );
  }
  let query = db
    .selectFrom('profiles as p')
    .select(['p.id', 'p.traits', 'p.last_seen', sql<string>`to_char(p.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('cursor_at')])
    .where('p.tenant_id', '=', tenantId)
    .where('p.merged_into', 'is', null)
    .where(customerVisible(principal, sql.ref('p.id')));
  const [first, ...rest] = candidates;
  if (first) query = query.where('p.id', 'in', rest.reduce((u, c) => u.union(c), first));
  if (s.after) query = query.where(sql<boolean>`(p.updated_at, p.id) < (${s.after.at}::timestamptz, ${s.after.id}::uuid)`);
  return query.orderBy('p.updated_at', 'desc').orderBy('p.id', 'desc').limit(s.limit + 1).execute();
}

/** The phone identifiers of some profiles (to show one, masked, in search results). */
export async function phonesOf(db: Db, tenantId: string, profileIds: string[]) {
  if (profileIds.length === 0) return [];
  return db
    .selectFrom('profile_identifiers')
    .select(['profile_id', 'value', 'last_seen'])
    .where('tenant_id', '=', tenantId)
    .where('type', '=', 'phone')
    .where('profile_id', 'in', profileIds)
    .execute();
}

/** Ids of the profiles merged into `id` (merged_into always names the final survivor). */
export async function mergedIntoIds(db: Db, tenantId: string, id: string): Promise<string[]> {
  const rows = await db.selectFrom('profiles').select('id').where('tenant_id', '=', tenantId).where('merged_into', '=', id).execute();
  return rows.map((r) => r.id);
}

/** identity_log entries naming any of `ids` as the result or among the profiles before, newest first. */
export async function identityLogOf(db: Db, tenantId: string, ids: string[]) {
  return db
    .selectFrom('identity_log')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb.or([eb('profile_after', 'in', ids), sql<boolean>`profiles_before && ${ids}::uuid[]`]))
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}
