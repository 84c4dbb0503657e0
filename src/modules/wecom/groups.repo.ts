import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import type { WecomGroupChat } from './client-schemas.js';

/** Customer groups (客户群) and their members as groupchat/get last described them. */

const ts = (seconds: number) => new Date(seconds * 1000).toISOString();

/** Writes the group as WeCom describes it now; members no longer listed have left at `at`. */
export async function saveGroup(db: Db, tenantId: string, connectorId: string, g: WecomGroupChat, version: string | null, at: Date, now: Date): Promise<void> {
  await sql`
    INSERT INTO wecom_groups (tenant_id, connector_id, chat_id, name, owner, notice, created_at, dismissed_at, member_version, updated_at)
    VALUES (${tenantId}, ${connectorId}, ${g.chat_id}, ${g.name}, ${g.owner}, ${g.notice ?? null}, ${ts(g.create_time)}::timestamptz, NULL, ${version}, ${now.toISOString()}::timestamptz)
    ON CONFLICT (tenant_id, connector_id, chat_id) DO UPDATE SET name = excluded.name, owner = excluded.owner, notice = excluded.notice,
      created_at = excluded.created_at, dismissed_at = NULL, member_version = COALESCE(excluded.member_version, wecom_groups.member_version), updated_at = excluded.updated_at`.execute(db);
  const m = g.member_list;
  await sql`
    INSERT INTO wecom_group_members (tenant_id, connector_id, chat_id, member_id, member_type, unionid, join_time, join_scene, invitor, left_at)
    SELECT ${tenantId}::uuid, ${connectorId}::uuid, ${g.chat_id}, x.member_id, x.member_type, x.unionid, x.join_time, x.join_scene, x.invitor, NULL
    FROM unnest(${m.map((x) => x.userid)}::text[], ${m.map((x) => x.type)}::int[], ${m.map((x) => x.unionid ?? null)}::text[],
      ${m.map((x) => ts(x.join_time))}::timestamptz[], ${m.map((x) => x.join_scene)}::int[], ${m.map((x) => x.invitor?.userid ?? null)}::text[])
      AS x(member_id, member_type, unionid, join_time, join_scene, invitor)
    ON CONFLICT (tenant_id, connector_id, chat_id, member_id) DO UPDATE SET member_type = excluded.member_type, unionid = excluded.unionid,
      join_time = excluded.join_time, join_scene = excluded.join_scene, invitor = excluded.invitor, left_at = NULL`.execute(db);
  await sql`
    UPDATE wecom_group_members SET left_at = ${at.toISOString()}::timestamptz
    WHERE tenant_id = ${tenantId} AND connector_id = ${connectorId} AND chat_id = ${g.chat_id} AND left_at IS NULL
      AND member_id <> ALL(${m.map((x) => x.userid)}::text[])`.execute(db);
}

/** The group was dismissed: it and its memberships end at `at`. */
export async function dismissGroup(db: Db, tenantId: string, connectorId: string, chatId: string, at: Date, now: Date): Promise<void> {
  await sql`
    INSERT INTO wecom_groups (tenant_id, connector_id, chat_id, dismissed_at, updated_at)
    VALUES (${tenantId}, ${connectorId}, ${chatId}, ${at.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz)
    ON CONFLICT (tenant_id, connector_id, chat_id) DO UPDATE SET dismissed_at = excluded.dismissed_at, updated_at = excluded.updated_at`.execute(db);
  await sql`
    UPDATE wecom_group_members SET left_at = ${at.toISOString()}::timestamptz
    WHERE tenant_id = ${tenantId} AND connector_id = ${connectorId} AND chat_id = ${chatId} AND left_at IS NULL`.execute(db);
}

/** Members named in a del_member event have left, when WeCom could no longer describe the group. */
export async function membersLeft(db: Db, tenantId: string, connectorId: string, chatId: string, memberIds: readonly string[], at: Date): Promise<void> {
  if (memberIds.length === 0) return;
  await sql`
    UPDATE wecom_group_members SET left_at = ${at.toISOString()}::timestamptz
    WHERE tenant_id = ${tenantId} AND connector_id = ${connectorId} AND chat_id = ${chatId} AND left_at IS NULL AND member_id = ANY(${[...memberIds]}::text[])`.execute(db);
}
