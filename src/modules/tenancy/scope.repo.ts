import { sql, type RawBuilder } from 'kysely';
import type { Principal } from './principal.js';

/**
 * SQL predicates that keep every query inside the caller's data scope. Each takes the SQL expression
 * naming the profile (or lead) column of the outer query, e.g. sql.ref('p.id'), and is TRUE for
 * principals that see the whole tenant. The tenant filter itself stays in the caller's query.
 */

const uuids = (ids: readonly string[]) => sql`${[...ids]}::uuid[]`;
const texts = (values: readonly string[]) => sql`${[...values]}::text[]`;

/** A customer (profile) the principal may see. */
export function customerVisible(principal: Principal, profileId: RawBuilder<unknown> | ReturnType<typeof sql.ref>): RawBuilder<boolean> {
  const scope = principal.scope;
  const t = principal.tenantId;
  switch (scope.kind) {
    case 'all':
      return sql<boolean>`TRUE`;
    case 'units':
      // Routing a lead, an order or an after-sales visit writes the link: customer_links alone says
      // whose customer a person is (merges move it, erasure removes it).
      return sql<boolean>`(EXISTS (SELECT 1 FROM customer_links cl WHERE cl.tenant_id = ${t} AND cl.profile_id = ${profileId}
          AND cl.org_unit_id = ANY(${uuids(scope.unitIds)}))
        OR (cardinality(${texts(scope.wecomUserIds)}) > 0 AND EXISTS (SELECT 1 FROM profile_rollups sr WHERE sr.tenant_id = ${t}
          AND sr.profile_id = ${profileId} AND sr.wecom_staff && ${texts(scope.wecomUserIds)})))`;
    case 'own':
      return sql<boolean>`(EXISTS (SELECT 1 FROM leads sl WHERE sl.tenant_id = ${t} AND sl.profile_id = ${profileId}
          AND sl.consultant_id = ${scope.staffId})
        OR (${scope.wecomUserId}::text IS NOT NULL AND EXISTS (SELECT 1 FROM profile_rollups sr WHERE sr.tenant_id = ${t}
          AND sr.profile_id = ${profileId} AND ${scope.wecomUserId}::text = ANY(sr.wecom_staff))))`;
  }
}

/**
 * A lead the principal may see, given the lead's dealer and consultant columns: dealer staff see
 * their units' leads, a consultant the leads assigned to them.
 */
export function leadVisible(
  principal: Principal,
  dealerId: RawBuilder<unknown> | ReturnType<typeof sql.ref>,
  consultantId: RawBuilder<unknown> | ReturnType<typeof sql.ref>,
): RawBuilder<boolean> {
  const scope = principal.scope;
  switch (scope.kind) {
    case 'all':
      return sql<boolean>`TRUE`;
    case 'units':
      return sql<boolean>`(${dealerId} = ANY(${uuids(scope.unitIds)}))`;
    case 'own':
      return sql<boolean>`(${consultantId} = ${scope.staffId}::uuid)`;
  }
}

/** An org unit (dealer, team ...) inside the principal's units; TRUE for HQ roles. */
export function unitVisible(principal: Principal, unitId: RawBuilder<unknown> | ReturnType<typeof sql.ref>): RawBuilder<boolean> {
  const scope = principal.scope;
  return scope.kind === 'all' ? sql<boolean>`TRUE` : sql<boolean>`(${unitId} = ANY(${uuids(scope.unitIds)}))`;
}
