import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import { insertAudit } from '../tenancy/index.js';
import type { IdentityInput } from './extract.js';
import type { Identifier } from './types.js';

export interface StoredEventIdentity extends IdentityInput {
  id: string;
  receivedAt: Date;
  timestamp: Date;
  messageId: string;
  sourceId: string;
}

interface EventIdentityRow {
  id: string;
  received_at: Date;
  timestamp: Date;
  message_id: string;
  source_id: string;
  type: string;
  user_id: string | null;
  anonymous_id: string | null;
  previous_id: string | null;
  traits: Record<string, unknown> | null;
  context_traits: unknown;
  external_ids: unknown;
  vin_properties: Record<string, unknown> | null;
}

/**
 * What identity reads of an event besides its ids: identify traits, context.traits,
 * context.externalIds and only the VIN keys of properties — never the whole context.
 */
export const EVENT_IDENTITY_FIELDS = sql`CASE WHEN type = 'identify' THEN traits END AS traits,
  context -> 'traits' AS context_traits, context -> 'externalIds' AS external_ids,
  CASE WHEN properties ? 'vin' THEN jsonb_build_object('vin', properties -> 'vin', 'vehicleRole', properties -> 'vehicleRole',
    'series', properties -> 'series', 'model', properties -> 'model', 'modelYear', properties -> 'modelYear') END AS vin_properties`;

const EVENT_IDENTITY_COLUMNS = sql`id, received_at, "timestamp", message_id, source_id, type, user_id, anonymous_id, previous_id, ${EVENT_IDENTITY_FIELDS}`;

export function toIdentityInput(r: EventIdentityRow): StoredEventIdentity {
  return {
    id: r.id,
    receivedAt: r.received_at,
    timestamp: r.timestamp,
    messageId: r.message_id,
    sourceId: r.source_id,
    type: r.type,
    userId: r.user_id,
    anonymousId: r.anonymous_id,
    previousId: r.previous_id,
    traits: r.traits,
    contextTraits: r.context_traits,
    properties: r.vin_properties,
    externalIds: r.external_ids,
  };
}

export async function eventsOfProfile(trx: Db, tenantId: string, profileId: string): Promise<StoredEventIdentity[]> {
  const { rows } = await sql<EventIdentityRow>`
    SELECT ${EVENT_IDENTITY_COLUMNS} FROM events
    WHERE tenant_id = ${tenantId} AND profile_id = ${profileId}
    ORDER BY "timestamp", id`.execute(trx);
  return rows.map(toIdentityInput);
}

/** Events of one ingest batch (same received_at) by id, in the order of `ids`. */
export async function eventsByIds(trx: Db, tenantId: string, receivedAt: Date, ids: readonly string[]): Promise<StoredEventIdentity[]> {
  const { rows } = await sql<EventIdentityRow>`
    SELECT ${EVENT_IDENTITY_COLUMNS} FROM events
    WHERE tenant_id = ${tenantId} AND received_at = ${receivedAt.toISOString()}::timestamptz AND id = ANY(${ids}::int8[])`.execute(trx);
  const at = new Map(ids.map((id, i) => [String(id), i]));
  return rows.map(toIdentityInput).sort((a, b) => (at.get(String(a.id)) ?? 0) - (at.get(String(b.id)) ?? 0));
}

export interface HeldIdentifier extends Identifier {
  firstSeen: Date;
  lastSeen: Date;
}

export async function identifiersOfProfile(trx: Db, tenantId: string, profileId: string): Promise<HeldIdentifier[]> {
  const rows = await trx
    .selectFrom('profile_identifiers')
    .select(['type', 'scope', 'value', 'first_seen', 'last_seen'])
    .where('tenant_id', '=', tenantId)
    .where('profile_id', '=', profileId)
    .execute();
  return rows.map((r) => ({ type: r.type, scope: r.scope, value: r.value, firstSeen: r.first_seen, lastSeen: r.last_seen }));
}

export async function insertSplitProfile(trx: Db, tenantId: string, id: string, s: { traits: unknown; meta: unknown; firstSeen: Date; lastSeen: Date }): Promise<void> {
  await trx
    .insertInto('profiles')
    .values({ tenant_id: tenantId, id, traits: JSON.stringify(s.traits), trait_meta: JSON.stringify(s.meta), first_seen: s.firstSeen, last_seen: s.lastSeen })
    .execute();
}

export async function moveIdentifiers(trx: Db, tenantId: string, to: string, ids: readonly Identifier[]): Promise<void> {
  await sql`
    UPDATE profile_identifiers pi SET profile_id = ${to}
    FROM unnest(${ids.map((i) => i.type)}::text[], ${ids.map((i) => i.scope)}::text[], ${ids.map((i) => i.value)}::text[]) AS k(type, scope, value)
    WHERE pi.tenant_id = ${tenantId} AND pi.type = k.type AND pi.scope = k.scope AND pi.value = k.value`.execute(trx);
}

export async function moveEvents(trx: Db, tenantId: string, from: string, to: string, eventIds: readonly string[]): Promise<void> {
  if (eventIds.length === 0) return;
  await sql`UPDATE events SET profile_id = ${to} WHERE tenant_id = ${tenantId} AND profile_id = ${from} AND id = ANY(${eventIds}::bigint[])`.execute(trx);
}

export async function updateProfileState(trx: Db, tenantId: string, id: string, s: { traits: unknown; meta: unknown; firstSeen: Date; lastSeen: Date }): Promise<void> {
  await trx
    .updateTable('profiles')
    .set({ traits: JSON.stringify(s.traits), trait_meta: JSON.stringify(s.meta), first_seen: s.firstSeen, last_seen: s.lastSeen, updated_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

/**
 * Refusals travel with the person: the new profile starts with the original's denied and withdrawn
 * consents (a grant given by one of the two people is not assumed for the other).
 */
export async function copyRestrictiveConsents(trx: Db, tenantId: string, from: string, to: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    WITH copied AS (
      INSERT INTO consents (tenant_id, profile_id, channel, purpose, state, at, source, org_unit)
      SELECT tenant_id, ${to}, channel, purpose, state, at, source, org_unit FROM consents
      WHERE tenant_id = ${tenantId} AND profile_id = ${from} AND state <> 'granted'
      RETURNING channel, purpose, state, at, source, org_unit
    ), history AS (
      INSERT INTO consent_history (tenant_id, profile_id, channel, purpose, state, at, source, org_unit, note)
      SELECT ${tenantId}, ${to}, channel, purpose, state, at, source, org_unit, ${`copied from ${from} on split`} FROM copied
      RETURNING 1
    )
    SELECT count(*)::int AS n FROM history`.execute(trx);
  return rows[0]?.n ?? 0;
}

export async function lastSplitInto(trx: Db, tenantId: string, from: string): Promise<Array<{ profileAfter: string; identifiers: unknown; details: unknown }>> {
  const rows = await trx
    .selectFrom('identity_log')
    .select(['profile_after', 'identifiers', 'details'])
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', 'split')
    .where(sql<boolean>`profiles_before = ARRAY[${from}]::uuid[]`)
    .orderBy('id', 'desc')
    .limit(20)
    .execute();
  return rows.filter((r) => r.profile_after !== null).map((r) => ({ profileAfter: r.profile_after!, identifiers: r.identifiers, details: r.details }));
}

export async function logSplit(
  trx: Db,
  tenantId: string,
  e: { from: string; to: string; identifiers: Identifier[]; actor: string; eventsMoved: number; consentsCopied: number },
): Promise<void> {
  const details = JSON.stringify({ eventsMoved: e.eventsMoved, consentsCopied: e.consentsCopied });
  await sql`
    INSERT INTO identity_log (tenant_id, kind, reason, identifiers, profiles_before, profile_after, actor, details)
    VALUES (${tenantId}, 'split', 'manual', ${JSON.stringify(e.identifiers)}::jsonb, ARRAY[${e.from}]::uuid[], ${e.to}, ${e.actor}, ${details}::jsonb)`.execute(trx);
  await insertAudit(trx, {
    tenantId,
    actor: e.actor,
    action: 'profile.split',
    targetType: 'profile',
    targetId: e.from,
    details: { newProfileId: e.to, identifiers: e.identifiers.length, eventsMoved: e.eventsMoved },
  });
}
