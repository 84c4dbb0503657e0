import { sql } from 'kysely';
import { STANDARD_EVENTS as E } from '../../contracts/vocabulary.js';
import type { Db } from '../../platform/db/index.js';

/**
 * `leads.reachable_at`: when the lead's person became reachable (DOMAIN.md, precipitation) — a WeCom
 * friend of a consultant ('WeCom Contact Added' with properties.staffUserId) or a marketing consent
 * granted on any channel. The lead time itself when the person already was reachable then (a friendship
 * not removed since, or a marketing consent whose latest state on that channel was 'granted'); else the
 * first such event after it. Set once, for the leads of these profiles where it is still NULL (a later
 * removal or withdrawal does not undo it). Set-based over the batch: the KPI query reads the column and
 * never the events. The WeCom reads use the partial index events_wecom_contacts (its literal event list
 * must stay that of migration 0003), the consent reads consent_history_by_profile.
 */
export async function refreshReachabilityFor(trx: Db, tenantId: string, profileIds: readonly string[]): Promise<number> {
  if (profileIds.length === 0) return 0;
  const t = tenantId;
  const wecomEvents = sql`e.event IN (${sql.lit(E.wecomContactAdded)}, ${sql.lit(E.wecomContactRemoved)})`;
  const result = await sql`
    UPDATE leads l SET reachable_at = x.at
    FROM (
      SELECT c.id, CASE WHEN wi.yes OR ci.yes THEN c.created_at ELSE LEAST(wa.at, ca.at) END AS at
      FROM leads c
      -- A WeCom friend at the lead time: the last add/remove per consultant up to then is an add.
      LEFT JOIN LATERAL (
        SELECT true AS yes FROM (
          SELECT DISTINCT ON (e.properties ->> 'staffUserId') e.event
          FROM events e
          WHERE e.tenant_id = ${t} AND e.profile_id = c.profile_id AND ${wecomEvents}
            AND e.properties ->> 'staffUserId' IS NOT NULL AND e."timestamp" <= c.created_at
          ORDER BY e.properties ->> 'staffUserId', e."timestamp" DESC, e.id DESC
        ) w WHERE w.event = ${E.wecomContactAdded} LIMIT 1
      ) wi ON true
      LEFT JOIN LATERAL (
        SELECT min(e."timestamp") AS at FROM events e
        WHERE e.tenant_id = ${t} AND e.profile_id = c.profile_id AND ${wecomEvents} AND e.event = ${E.wecomContactAdded}
          AND e.properties ->> 'staffUserId' IS NOT NULL AND e."timestamp" > c.created_at
      ) wa ON true
      -- Marketing consent at the lead time: the latest state per channel up to then is granted.
      LEFT JOIN LATERAL (
        SELECT true AS yes FROM (
          SELECT DISTINCT ON (h.channel) h.state
          FROM consent_history h
          WHERE h.tenant_id = ${t} AND h.profile_id = c.profile_id AND h.purpose = 'marketing' AND h.at <= c.created_at
          ORDER BY h.channel, h.at DESC, h.id DESC
        ) s WHERE s.state = 'granted' LIMIT 1
      ) ci ON true
      LEFT JOIN LATERAL (
        SELECT min(h.at) AS at FROM consent_history h
        WHERE h.tenant_id = ${t} AND h.profile_id = c.profile_id AND h.purpose = 'marketing' AND h.state = 'granted' AND h.at > c.created_at
      ) ca ON true
      WHERE c.tenant_id = ${t} AND c.profile_id = ANY(${profileIds}::uuid[]) AND c.reachable_at IS NULL
    ) x
    WHERE l.tenant_id = ${t} AND l.id = x.id AND x.at IS NOT NULL`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}
