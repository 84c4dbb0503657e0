import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import type { Principal } from '../tenancy/index.js';

/** Friendships a channel code brought, counted per day of the add and per first lead source. */

export interface RetentionGroup {
  day: string;
  leadSource: string | null;
  adds: number;
  matured7: number;
  alive7: number;
  matured30: number;
  alive30: number;
  deletedByCustomer: number;
}

/**
 * Per (day of the add in `timeZone`, first lead source of the person): adds, how many are old enough
 * to judge at 7 and 30 days, how many of those were still friends then, and how many the customer
 * ended. `from`/`to` are days (inclusive) in the time zone.
 */
export async function codeRetention(db: Db, tenantId: string, codeId: string, corpId: string, timeZone: string, from: string, to: string, now: Date): Promise<RetentionGroup[]> {
  const n = now.toISOString();
  const { rows } = await sql<{
    day: string;
    lead_source: string | null;
    adds: string;
    matured7: string;
    alive7: string;
    matured30: string;
    alive30: string;
    deleted: string;
  }>`
    SELECT to_char(f.added_at AT TIME ZONE ${timeZone}, 'YYYY-MM-DD') AS day, ls.source AS lead_source,
      count(*) AS adds,
      count(*) FILTER (WHERE f.added_at + interval '7 days' <= ${n}::timestamptz) AS matured7,
      count(*) FILTER (WHERE f.added_at + interval '7 days' <= ${n}::timestamptz AND (f.removed_at IS NULL OR f.removed_at > f.added_at + interval '7 days')) AS alive7,
      count(*) FILTER (WHERE f.added_at + interval '30 days' <= ${n}::timestamptz) AS matured30,
      count(*) FILTER (WHERE f.added_at + interval '30 days' <= ${n}::timestamptz AND (f.removed_at IS NULL OR f.removed_at > f.added_at + interval '30 days')) AS alive30,
      count(*) FILTER (WHERE f.removed_by = 'customer') AS deleted
    FROM wecom_friendships f
    LEFT JOIN profile_identifiers i ON i.tenant_id = f.tenant_id AND i.type = 'wecom_external_userid' AND i.scope = ${corpId} AND i.value = f.external_userid
    LEFT JOIN LATERAL (
      SELECT l.source FROM leads l WHERE l.tenant_id = f.tenant_id AND l.profile_id = i.profile_id ORDER BY l.created_at, l.id LIMIT 1
    ) ls ON TRUE
    WHERE f.tenant_id = ${tenantId} AND f.channel_code_id = ${codeId}
      AND f.added_at >= (${from}::date::timestamp AT TIME ZONE ${timeZone}) AND f.added_at < ((${to}::date + 1)::timestamp AT TIME ZONE ${timeZone})
    GROUP BY 1, 2 ORDER BY 1, 2`.execute(db);
  return rows.map((r) => ({
    day: r.day,
    leadSource: r.lead_source,
    adds: Number(r.adds),
    matured7: Number(r.matured7),
    alive7: Number(r.alive7),
    matured30: Number(r.matured30),
    alive30: Number(r.alive30),
    deletedByCustomer: Number(r.deleted),
  }));
}

export async function welcomeCounts(db: Db, tenantId: string, codeId: string): Promise<Record<'sent' | 'expired' | 'failed' | 'pending', number>> {
  const { rows } = await sql<{ status: 'sent' | 'expired' | 'failed' | 'pending'; n: string }>`
    SELECT status, count(*) AS n FROM wecom_welcome_sends WHERE tenant_id = ${tenantId} AND channel_code_id = ${codeId} GROUP BY status`.execute(db);
  const out = { sent: 0, expired: 0, failed: 0, pending: 0 };
  for (const r of rows) out[r.status] = Number(r.n);
  return out;
}

export interface ChurnRow {
  friendshipId: string;
  profileId: string | null;
  wechatName: string | null;
  consultantId: string | null;
  consultantName: string | null;
  wecomUserId: string;
  dealerCode: string | null;
  channelCodeId: string | null;
  addedAt: Date;
  removedAt: Date;
}

/**
 * Friendships the customer ended (they deleted their consultant) between `from` and `to`, newest
 * first: HQ sees all, a dealer manager those of staff in their units, a consultant their own.
 */
export async function churned(db: Db, principal: Principal, from: Date, to: Date, limit: number): Promise<ChurnRow[]> {
  const scope = principal.scope;
  const visible =
    scope.kind === 'all'
      ? sql`TRUE`
      : scope.kind === 'own'
        ? sql`f.staff_id = ${scope.staffId}::uuid`
        : sql`s.org_unit_id = ANY(${scope.unitIds}::uuid[])`;
  const { rows } = await sql<{
    id: string;
    profile_id: string | null;
    wechat_name: string | null;
    staff_id: string | null;
    staff_name: string | null;
    wecom_user_id: string;
    dealer_code: string | null;
    channel_code_id: string | null;
    added_at: Date;
    removed_at: Date;
  }>`
    SELECT f.id, p.id AS profile_id, p.traits ->> 'wechatName' AS wechat_name, f.staff_id, s.name AS staff_name, f.wecom_user_id,
      (SELECT d.code FROM org_units u JOIN org_units d ON d.tenant_id = u.tenant_id AND d.type = 'dealer' AND d.id = ANY(u.path)
        WHERE u.tenant_id = s.tenant_id AND u.id = s.org_unit_id ORDER BY cardinality(d.path) DESC LIMIT 1) AS dealer_code,
      f.channel_code_id, f.added_at, f.removed_at
    FROM wecom_friendships f
    JOIN wecom_connectors c ON c.tenant_id = f.tenant_id AND c.id = f.connector_id
    LEFT JOIN staff s ON s.tenant_id = f.tenant_id AND s.id = f.staff_id
    LEFT JOIN profile_identifiers i ON i.tenant_id = f.tenant_id AND i.type = 'wecom_external_userid' AND i.scope = c.corp_id AND i.value = f.external_userid
    LEFT JOIN profiles p ON p.tenant_id = i.tenant_id AND p.id = i.profile_id
    WHERE f.tenant_id = ${principal.tenantId} AND f.removed_by = 'customer'
      AND f.removed_at >= ${from.toISOString()}::timestamptz AND f.removed_at <= ${to.toISOString()}::timestamptz AND ${visible}
    ORDER BY f.removed_at DESC, f.id LIMIT ${limit}`.execute(db);
  return rows.map((r) => ({
    friendshipId: r.id,
    profileId: r.profile_id,
    wechatName: r.wechat_name,
    consultantId: r.staff_id,
    consultantName: r.staff_name,
    wecomUserId: r.wecom_user_id,
    dealerCode: r.dealer_code,
    channelCodeId: r.channel_code_id,
    addedAt: r.added_at,
    removedAt: r.removed_at,
  }));
}
