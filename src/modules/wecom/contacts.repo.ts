import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';

/** Friendships, the consultants and channel codes they refer to, and what an add writes besides. */

export interface StaffRef {
  id: string;
  name: string;
  wecomUserId: string;
  /** The dealer the staff member works for (nearest dealer above their unit), else their own unit. */
  unitId: string;
  dealerId: string | null;
  dealerCode: string | null;
}

/** Staff bound to these WeCom user ids, with their dealer. */
export async function staffByWecomIds(db: Db, tenantId: string, wecomUserIds: readonly string[]): Promise<Map<string, StaffRef>> {
  if (wecomUserIds.length === 0) return new Map();
  const { rows } = await sql<{ id: string; name: string; wecom_user_id: string; org_unit_id: string; dealer_id: string | null; dealer_code: string | null }>`
    SELECT s.id, s.name, s.wecom_user_id, s.org_unit_id, d.id AS dealer_id, d.code AS dealer_code
    FROM staff s
    LEFT JOIN LATERAL (
      SELECT d.id, d.code FROM org_units u JOIN org_units d ON d.tenant_id = u.tenant_id AND d.type = 'dealer' AND d.id = ANY(u.path)
      WHERE u.tenant_id = s.tenant_id AND u.id = s.org_unit_id ORDER BY cardinality(d.path) DESC LIMIT 1
    ) d ON TRUE
    WHERE s.tenant_id = ${tenantId} AND s.wecom_user_id = ANY(${[...new Set(wecomUserIds)]}::text[])`.execute(db);
  return new Map(
    rows.map((r) => [r.wecom_user_id, { id: r.id, name: r.name, wecomUserId: r.wecom_user_id, unitId: r.org_unit_id, dealerId: r.dealer_id, dealerCode: r.dealer_code }]),
  );
}

export interface CodeRef {
  id: string;
  name: string;
  state: string;
  source: string;
  campaign: string | null;
  series: string | null;
  dealerId: string | null;
  dealerCode: string | null;
  welcome: unknown;
}

/** The connector's channel codes by state. */
export async function codesByState(db: Db, tenantId: string, connectorId: string, states: readonly string[]): Promise<Map<string, CodeRef>> {
  if (states.length === 0) return new Map();
  const { rows } = await sql<{ id: string; name: string; state: string; source: string; campaign: string | null; series: string | null; dealer_id: string | null; dealer_code: string | null; welcome: unknown }>`
    SELECT c.id, c.name, c.state, c.source, c.campaign, c.series, c.dealer_id, u.code AS dealer_code, c.welcome
    FROM wecom_channel_codes c LEFT JOIN org_units u ON u.tenant_id = c.tenant_id AND u.id = c.dealer_id
    WHERE c.tenant_id = ${tenantId} AND c.connector_id = ${connectorId} AND c.state = ANY(${[...new Set(states)]}::text[])`.execute(db);
  return new Map(
    rows.map((r) => [
      r.state,
      { id: r.id, name: r.name, state: r.state, source: r.source, campaign: r.campaign, series: r.series, dealerId: r.dealer_id, dealerCode: r.dealer_code, welcome: r.welcome },
    ]),
  );
}

/** The source the connector's events are stored under (kind wecom), made on first use. */
export async function ensureWecomSource(db: Db, tenantId: string, corpId: string, newId: string): Promise<string> {
  const name = `WeCom ${corpId}`;
  await sql`
    INSERT INTO sources (tenant_id, id, name, kind, domain_class) VALUES (${tenantId}, ${newId}, ${name}, 'wecom', 'absolute')
    ON CONFLICT (tenant_id, name) DO NOTHING`.execute(db);
  const { rows } = await sql<{ id: string }>`SELECT id FROM sources WHERE tenant_id = ${tenantId} AND name = ${name}`.execute(db);
  return rows[0]!.id;
}

export interface FriendshipRow {
  id: string;
  staffId: string | null;
  channelCodeId: string | null;
  addedAt: Date;
}

export async function liveFriendship(db: Db, tenantId: string, connectorId: string, externalUserid: string, wecomUserId: string): Promise<FriendshipRow | null> {
  const { rows } = await sql<{ id: string; staff_id: string | null; channel_code_id: string | null; added_at: Date }>`
    SELECT id, staff_id, channel_code_id, added_at FROM wecom_friendships
    WHERE tenant_id = ${tenantId} AND connector_id = ${connectorId} AND external_userid = ${externalUserid} AND wecom_user_id = ${wecomUserId} AND removed_at IS NULL
    FOR UPDATE`.execute(db);
  const r = rows[0];
  return r ? { id: r.id, staffId: r.staff_id, channelCodeId: r.channel_code_id, addedAt: r.added_at } : null;
}

export interface FollowDetails {
  remark: string | null;
  description: string | null;
  remarkMobiles: string[];
  wecomTagIds: string[];
}

export interface NewFriendship extends FollowDetails {
  tenantId: string;
  id: string;
  connectorId: string;
  externalUserid: string;
  wecomUserId: string;
  staffId: string | null;
  channelCodeId: string | null;
  addWay: number | null;
  state: string | null;
  addedAt: Date;
  removedAt?: Date;
  removedBy?: RemovedBy;
  removedSource?: string | null;
}

export type RemovedBy = 'customer' | 'staff' | 'transfer';

export async function insertFriendship(db: Db, f: NewFriendship, now: Date): Promise<void> {
  await sql`
    INSERT INTO wecom_friendships (tenant_id, id, connector_id, external_userid, wecom_user_id, staff_id, channel_code_id, add_way, state,
      remark, description, remark_mobiles, wecom_tag_ids, added_at, removed_at, removed_by, removed_source, updated_at)
    VALUES (${f.tenantId}, ${f.id}, ${f.connectorId}, ${f.externalUserid}, ${f.wecomUserId}, ${f.staffId}, ${f.channelCodeId}, ${f.addWay}, ${f.state},
      ${f.remark}, ${f.description}, ${f.remarkMobiles}::text[], ${f.wecomTagIds}::text[], ${f.addedAt.toISOString()}::timestamptz,
      ${f.removedAt?.toISOString() ?? null}::timestamptz, ${f.removedBy ?? null}, ${f.removedSource ?? null}, ${now.toISOString()}::timestamptz)`.execute(db);
}

/** What WeCom's contact details say now (a repeated add, an edit). */
export async function updateFollowDetails(db: Db, tenantId: string, id: string, d: FollowDetails, now: Date): Promise<void> {
  await sql`
    UPDATE wecom_friendships SET remark = ${d.remark}, description = ${d.description}, remark_mobiles = ${d.remarkMobiles}::text[],
      wecom_tag_ids = ${d.wecomTagIds}::text[], updated_at = ${now.toISOString()}::timestamptz
    WHERE tenant_id = ${tenantId} AND id = ${id}`.execute(db);
}

export async function endFriendship(db: Db, tenantId: string, id: string, at: Date, removedBy: RemovedBy, source: string | null, now: Date): Promise<void> {
  await sql`
    UPDATE wecom_friendships SET removed_at = ${at.toISOString()}::timestamptz, removed_by = ${removedBy}, removed_source = ${source},
      updated_at = ${now.toISOString()}::timestamptz
    WHERE tenant_id = ${tenantId} AND id = ${id}`.execute(db);
}

/** The customer is the dealer's (or unit's) customer from now on: dealer staff see them in scope. */
export async function linkCustomer(db: Db, tenantId: string, profileId: string, unitId: string, at: Date): Promise<void> {
  await sql`
    INSERT INTO customer_links (tenant_id, profile_id, org_unit_id, reason, since)
    VALUES (${tenantId}, ${profileId}, ${unitId}, 'wecom', ${at.toISOString()}::timestamptz)
    ON CONFLICT DO NOTHING`.execute(db);
}

/** First-touch credit for a person who came in through a channel code (kept when they had one). */
export async function creditOrigin(db: Db, tenantId: string, profileId: string, unitId: string | null, source: string, at: Date): Promise<void> {
  await sql`
    INSERT INTO profile_origins (tenant_id, profile_id, org_unit_id, source, lead_id, at)
    VALUES (${tenantId}, ${profileId}, ${unitId}, ${source}, NULL, ${at.toISOString()}::timestamptz)
    ON CONFLICT DO NOTHING`.execute(db);
}

export interface NewWelcome {
  tenantId: string;
  connectorId: string;
  welcomeCode: string;
  friendshipId: string;
  channelCodeId: string;
  content: unknown;
  createdAt: Date;
}

/** A welcome message to send; false when the code has a row already (it is sent at most once). */
export async function insertWelcome(db: Db, w: NewWelcome): Promise<boolean> {
  const { rows } = await sql<{ one: number }>`
    INSERT INTO wecom_welcome_sends (tenant_id, connector_id, welcome_code, friendship_id, channel_code_id, status, content, created_at)
    VALUES (${w.tenantId}, ${w.connectorId}, ${w.welcomeCode}, ${w.friendshipId}, ${w.channelCodeId}, 'pending', ${JSON.stringify(w.content)}::jsonb,
      ${w.createdAt.toISOString()}::timestamptz)
    ON CONFLICT DO NOTHING RETURNING 1 AS one`.execute(db);
  return rows.length > 0;
}

export async function finishWelcome(
  db: Db,
  key: { tenantId: string; connectorId: string; welcomeCode: string },
  r: { status: 'sent' | 'expired' | 'failed'; errcode: number | null; error: string | null; at: Date },
): Promise<void> {
  await sql`
    UPDATE wecom_welcome_sends SET status = ${r.status}, errcode = ${r.errcode}, error = ${r.error},
      sent_at = CASE WHEN ${r.status} = 'sent' THEN ${r.at.toISOString()}::timestamptz ELSE NULL END
    WHERE tenant_id = ${key.tenantId} AND connector_id = ${key.connectorId} AND welcome_code = ${key.welcomeCode} AND status = 'pending'`.execute(db);
}
