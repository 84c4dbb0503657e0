import { sql } from 'kysely';
import { STANDARD_EVENTS as E } from '../../contracts/vocabulary.js';
import type { Db } from '../../platform/db/index.js';

/**
 * Rollups per person that segments read instead of scanning events on every evaluation: the first
 * touch (time, source, its kind and domain class), the consultants whose WeCom friend the person is
 * now (last of 'WeCom Contact Added' / 'WeCom Contact Removed' per `properties.staffUserId`) and the
 * official accounts followed now (last of followed / unfollowed per `properties.appId`).
 * Recomputed from the person's events for changed profiles (the first touch from the per-profile
 * index, friendships and follows from two small partial indexes: their literal event lists must stay
 * those of migration 0003); merged-away and
 * erased profiles lose their row.
 */
export async function refreshRollupsFor(trx: Db, tenantId: string, profileIds: readonly string[], now: Date): Promise<void> {
  if (profileIds.length === 0) return;
  const t = tenantId;
  await sql`
    DELETE FROM profile_rollups r WHERE r.tenant_id = ${t} AND r.profile_id = ANY(${profileIds}::uuid[])
      AND NOT EXISTS (SELECT 1 FROM profiles p WHERE p.tenant_id = ${t} AND p.id = r.profile_id AND p.merged_into IS NULL)`.execute(trx);
  // One LATERAL probe of each kind per person, joined straight onto the live list (CTEs joined back
  // to it made PGlite re-run the probes for every pair: seconds for a thousand people).
  await sql`
    WITH live AS (
      SELECT p.id FROM profiles p WHERE p.tenant_id = ${t} AND p.id = ANY(${profileIds}::uuid[]) AND p.merged_into IS NULL
    )
    INSERT INTO profile_rollups (tenant_id, profile_id, first_touch_at, first_source_id, first_source_kind, first_domain_class, wecom_staff, oa_apps, updated_at)
    SELECT ${t}::uuid, l.id, f.at, f.source_id, s.kind, s.domain_class, COALESCE(w.staff, '{}'), COALESCE(o.apps, '{}'), ${now.toISOString()}::timestamptz
    FROM live l
    LEFT JOIN LATERAL (
      SELECT e."timestamp" AS at, e.source_id FROM events e WHERE e.tenant_id = ${t} AND e.profile_id = l.id
      ORDER BY e."timestamp", e.id LIMIT 1
    ) f ON true
    LEFT JOIN sources s ON s.tenant_id = ${t} AND s.id = f.source_id
    LEFT JOIN LATERAL (
      SELECT array_agg(x.who ORDER BY x.who) AS staff FROM (
        SELECT DISTINCT ON (e.properties ->> 'staffUserId') e.properties ->> 'staffUserId' AS who, e.event
        FROM events e
        WHERE e.tenant_id = ${t} AND e.profile_id = l.id AND e.event IN (${sql.lit(E.wecomContactAdded)}, ${sql.lit(E.wecomContactRemoved)})
          AND e.properties ->> 'staffUserId' IS NOT NULL
        ORDER BY e.properties ->> 'staffUserId', e."timestamp" DESC, e.id DESC
      ) x WHERE x.event = ${E.wecomContactAdded}
    ) w ON true
    LEFT JOIN LATERAL (
      SELECT array_agg(x.app ORDER BY x.app) AS apps FROM (
        SELECT DISTINCT ON (e.properties ->> 'appId') e.properties ->> 'appId' AS app, e.event
        FROM events e
        WHERE e.tenant_id = ${t} AND e.profile_id = l.id AND e.event IN (${sql.lit(E.oaFollowed)}, ${sql.lit(E.oaUnfollowed)})
          AND e.properties ->> 'appId' IS NOT NULL
        ORDER BY e.properties ->> 'appId', e."timestamp" DESC, e.id DESC
      ) x WHERE x.event = ${E.oaFollowed}
    ) o ON true
    ON CONFLICT (tenant_id, profile_id) DO UPDATE SET
      first_touch_at = excluded.first_touch_at, first_source_id = excluded.first_source_id, first_source_kind = excluded.first_source_kind,
      first_domain_class = excluded.first_domain_class, wecom_staff = excluded.wecom_staff, oa_apps = excluded.oa_apps, updated_at = excluded.updated_at
    -- Most changes (another page view) leave a person's rollups as they were: no write then.
    WHERE (profile_rollups.first_touch_at, profile_rollups.first_source_id, profile_rollups.first_source_kind, profile_rollups.first_domain_class,
        profile_rollups.wecom_staff, profile_rollups.oa_apps)
      IS DISTINCT FROM (excluded.first_touch_at, excluded.first_source_id, excluded.first_source_kind, excluded.first_domain_class, excluded.wecom_staff, excluded.oa_apps)`.execute(trx);
}
