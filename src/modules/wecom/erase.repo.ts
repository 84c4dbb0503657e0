import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';

/**
 * What the WeCom module keeps about people, keyed by their external_userid or profile id, erased
 * with them: friendships and transfer outcomes keep their dates and attribution (the channel codes'
 * figures, a transfer's counts) but lose the customer's id, the consultant's remark, description and
 * remark mobiles; group memberships, mass-message recipients, the tag sync's per-person state and
 * stored callbacks naming them are deleted. Runs inside the erasure, before the identifiers go.
 */
export async function eraseWecomPersonalData(trx: Db, tenantId: string, profileIds: readonly string[]): Promise<Record<string, number>> {
  const ext = sql`
    SELECT c.id AS connector_id, i.value AS external_userid FROM profile_identifiers i
    JOIN wecom_connectors c ON c.tenant_id = i.tenant_id AND c.corp_id = i.scope
    WHERE i.tenant_id = ${tenantId} AND i.type = 'wecom_external_userid' AND i.profile_id = ANY(${[...profileIds]}::uuid[])`;
  const friendships = await sql`
    UPDATE wecom_friendships f SET external_userid = 'erased:' || f.id::text, remark = NULL, description = NULL, remark_mobiles = '{}'
    FROM (${ext}) x WHERE f.tenant_id = ${tenantId} AND f.connector_id = x.connector_id AND f.external_userid = x.external_userid`.execute(trx);
  const members = await sql`
    DELETE FROM wecom_group_members m USING (${ext}) x
    WHERE m.tenant_id = ${tenantId} AND m.connector_id = x.connector_id AND m.member_id = x.external_userid`.execute(trx);
  const callbacks = await sql`
    DELETE FROM wecom_callbacks cb USING (${ext}) x
    WHERE cb.tenant_id = ${tenantId} AND cb.connector_id = x.connector_id AND cb.fields ->> 'ExternalUserID' = x.external_userid`.execute(trx);
  const ids = sql`${[...profileIds]}::uuid[]`;
  const transfers = await sql`
    UPDATE wecom_transfer_customers t SET external_userid = 'erased:' || t.transfer_id::text || ':' || t.position::text, profile_id = NULL
    WHERE t.tenant_id = ${tenantId} AND (t.profile_id = ANY(${ids})
      OR EXISTS (SELECT 1 FROM (${ext}) x WHERE x.connector_id = t.connector_id AND x.external_userid = t.external_userid))`.execute(trx);
  const recipients = await sql`
    DELETE FROM wecom_mass_recipients r WHERE r.tenant_id = ${tenantId} AND (r.profile_id = ANY(${ids})
      OR EXISTS (SELECT 1 FROM (${ext}) x WHERE x.connector_id = r.connector_id AND x.external_userid = r.external_userid))`.execute(trx);
  const tagMembers = await sql`DELETE FROM wecom_tag_sync_members WHERE tenant_id = ${tenantId} AND profile_id = ANY(${ids})`.execute(trx);
  const tagDirty = await sql`
    DELETE FROM wecom_tag_sync_dirty d USING (${ext}) x WHERE d.tenant_id = ${tenantId} AND d.connector_id = x.connector_id AND d.external_userid = x.external_userid`.execute(trx);
  const n = (r: { numAffectedRows?: bigint }) => Number(r.numAffectedRows ?? 0);
  return {
    wecomFriendships: n(friendships),
    wecomGroupMemberships: n(members),
    wecomCallbacks: n(callbacks),
    wecomTransferCustomers: n(transfers),
    wecomMassRecipients: n(recipients),
    wecomTagSyncRows: n(tagMembers) + n(tagDirty),
  };
}
