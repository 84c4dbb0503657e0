import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import type { IdentityGraph } from './graph.js';
import { traitStateOf } from './traits.js';
import { parseIdentifierKey, type Identifier } from './types.js';

interface LinkRow {
  type: string;
  scope: string;
  value: string;
  profile_id: string;
  first_seen: Date;
  last_seen: Date;
}

interface ProfileRow {
  id: string;
  first_seen: Date;
  last_seen: Date;
  traits: unknown;
  trait_meta: unknown;
}


/**
 * Loads into `graph` every profile holding one of `identifiers`, with all of its identifiers: the
 * part of the graph that resolving these events can touch.
 */
export async function loadGraphFor(trx: Db, tenantId: string, identifiers: readonly Identifier[], graph: IdentityGraph): Promise<void> {
  if (identifiers.length === 0) return;
  // Index lookups driven by the batch's identifiers, whatever the planner's statistics say: LIMIT 1 /
  // OFFSET 0 keep the subqueries from being flattened into a hash join over the tenant's whole graph
  // (which is what happened with stale statistics, and PGlite never gathers any by itself).
  const { rows: links } = await sql<LinkRow>`
    WITH holders AS (
      SELECT DISTINCT x.profile_id
      FROM unnest(${identifiers.map((i) => i.type)}::text[], ${identifiers.map((i) => i.scope)}::text[], ${identifiers.map((i) => i.value)}::text[]) AS k(type, scope, value)
      CROSS JOIN LATERAL (
        SELECT pi.profile_id FROM profile_identifiers pi
        WHERE pi.tenant_id = ${tenantId} AND pi.type = k.type AND pi.scope = k.scope AND pi.value = k.value
        LIMIT 1
      ) x
    )
    SELECT l.type, l.scope, l.value, l.profile_id, l.first_seen, l.last_seen
    FROM holders h
    CROSS JOIN LATERAL (
      SELECT pi.type, pi.scope, pi.value, pi.profile_id, pi.first_seen, pi.last_seen FROM profile_identifiers pi
      WHERE pi.tenant_id = ${tenantId} AND pi.profile_id = h.profile_id
      OFFSET 0
    ) l`.execute(trx);
  if (links.length === 0) return;
  const ids = [...new Set(links.map((l) => l.profile_id))];
  const { rows: profiles } = await sql<ProfileRow>`
    SELECT id, first_seen, last_seen, traits, trait_meta FROM profiles
    WHERE tenant_id = ${tenantId} AND id = ANY(${ids}::uuid[])`.execute(trx);
  for (const p of profiles) graph.addStoredProfile(p.id, p.first_seen.getTime(), p.last_seen.getTime(), traitStateOf(p.traits, p.trait_meta));
  for (const l of links) graph.addStoredLink({ type: l.type, scope: l.scope, value: l.value }, l.profile_id, l.first_seen.getTime(), l.last_seen.getTime());
}

const iso = (ms: number) => new Date(ms).toISOString();

export interface PersistHooks {
  moveBelongings(trx: Db, tenantId: string, from: string, to: string): Promise<unknown>;
  /** Which of these profiles own anything moveBelongings moves. */
  withBelongings(trx: Db, tenantId: string, ids: readonly string[]): Promise<Set<string>>;
  /** Locks (FOR UPDATE, in VIN order) the vehicles of these profiles' relations and these VINs. */
  lockVehicles(trx: Db, tenantId: string, profileIds: readonly string[], vins: readonly string[]): Promise<void>;
  /** VINs the batch mentions. */
  vins: readonly string[];
}

/** Writes what resolving a batch changed. Runs in the ingest transaction, under the identity lock. */
export async function persistGraphChanges(
  trx: Db,
  tenantId: string,
  graph: IdentityGraph,
  hooks: PersistHooks,
): Promise<void> {
  const c = graph.changes;
  // A merge's survivor may itself have been merged later in the batch: everything goes to the final one.
  const merges = c.merges.map((m) => ({ from: m.from, to: graph.finalId(m.to) }));

  // Lock order, shared with every writer of a profile's belongings: profile rows (sorted), then the
  // vehicles involved (sorted), then relation rows.
  const participants = [...new Set(merges.flatMap((m) => [m.from, m.to]))].filter((id) => !c.newProfiles.has(id)).sort();
  if (participants.length > 0) {
    await sql`SELECT id FROM profiles WHERE tenant_id = ${tenantId} AND id = ANY(${participants}::uuid[]) ORDER BY id FOR UPDATE`.execute(trx);
  }
  if (participants.length > 0 || hooks.vins.length > 0) await hooks.lockVehicles(trx, tenantId, participants, hooks.vins);

  const fresh = [...c.newProfiles];
  if (fresh.length > 0) {
    const nodes = fresh.map((id) => graph.profiles.get(graph.finalId(id))!);
    await sql`
      INSERT INTO profiles (tenant_id, id, merged_into, first_seen, last_seen, traits, trait_meta)
      SELECT ${tenantId}, p.id, p.merged_into, p.first_seen, p.last_seen, p.traits::jsonb, p.meta::jsonb
      FROM unnest(${fresh}::uuid[], ${fresh.map((id) => (graph.finalId(id) === id ? null : graph.finalId(id)))}::uuid[],
        ${nodes.map((n) => iso(n.firstSeen))}::timestamptz[], ${nodes.map((n) => iso(n.lastSeen))}::timestamptz[],
        ${fresh.map((id, i) => (graph.finalId(id) === id ? JSON.stringify(nodes[i]!.traits.traits) : '{}'))}::text[],
        ${fresh.map((id, i) => (graph.finalId(id) === id ? JSON.stringify(nodes[i]!.traits.meta) : '{}'))}::text[])
        AS p(id, merged_into, first_seen, last_seen, traits, meta)`.execute(trx);
  }

  // Most merged-away profiles are anonymous visitors with nothing attached: move belongings only for
  // those that have some (one query instead of several statements per merge).
  const losers = merges.map((m) => m.from);
  const withBelongings = losers.length === 0 ? new Set<string>() : await hooks.withBelongings(trx, tenantId, losers);
  if (merges.length > 0) {
    // Every `to` is a final survivor, so the merges apply in one pass, set-based.
    const froms = merges.map((m) => m.from);
    const tos = merges.map((m) => m.to);
    await sql`
      UPDATE profile_identifiers pi SET profile_id = m.to_id
      FROM unnest(${froms}::uuid[], ${tos}::uuid[]) AS m(from_id, to_id)
      WHERE pi.profile_id = m.from_id AND pi.tenant_id = ${tenantId}`.execute(trx);
    // Two statements, not one OR: each can use its index (primary key; profiles_merged).
    await sql`
      UPDATE profiles p SET merged_into = m.to_id, traits = '{}', trait_meta = '{}', updated_at = now()
      FROM unnest(${froms}::uuid[], ${tos}::uuid[]) AS m(from_id, to_id)
      WHERE p.tenant_id = ${tenantId} AND p.id = m.from_id`.execute(trx);
    await sql`
      UPDATE profiles p SET merged_into = m.to_id, updated_at = now()
      FROM unnest(${froms}::uuid[], ${tos}::uuid[]) AS m(from_id, to_id)
      WHERE p.tenant_id = ${tenantId} AND p.merged_into = m.from_id`.execute(trx);
    await sql`
      UPDATE events e SET profile_id = m.to_id
      FROM unnest(${froms}::uuid[], ${tos}::uuid[]) AS m(from_id, to_id)
      WHERE e.tenant_id = ${tenantId} AND e.profile_id = m.from_id`.execute(trx);
    for (const { from, to } of merges) if (withBelongings.has(from)) await hooks.moveBelongings(trx, tenantId, from, to);
  }

  if (c.reassigned.length > 0) {
    const keys = c.reassigned.filter((r) => r.link.persisted).map((r) => r.link.identifier);
    await sql`
      DELETE FROM profile_identifiers pi
      USING unnest(${keys.map((k) => k.type)}::text[], ${keys.map((k) => k.scope)}::text[], ${keys.map((k) => k.value)}::text[]) AS k(type, scope, value)
      WHERE pi.tenant_id = ${tenantId} AND pi.type = k.type AND pi.scope = k.scope AND pi.value = k.value`.execute(trx);
    await sql`
      INSERT INTO former_identifiers (tenant_id, profile_id, type, scope, value, first_seen, last_seen, valid_to, reason)
      SELECT ${tenantId}, r.profile_id, r.type, r.scope, r.value, r.first_seen, r.last_seen, r.valid_to, 'reassigned'
      FROM unnest(${c.reassigned.map((r) => graph.finalId(r.from))}::uuid[], ${c.reassigned.map((r) => r.link.identifier.type)}::text[],
        ${c.reassigned.map((r) => r.link.identifier.scope)}::text[], ${c.reassigned.map((r) => r.link.identifier.value)}::text[],
        ${c.reassigned.map((r) => iso(r.link.firstSeen))}::timestamptz[],
        ${c.reassigned.map((r) => iso(r.link.lastSeen))}::timestamptz[], ${c.reassigned.map((r) => iso(r.at))}::timestamptz[])
        AS r(profile_id, type, scope, value, first_seen, last_seen, valid_to)`.execute(trx);
  }

  if (c.newLinks.size > 0) {
    const links = [...c.newLinks].map((key) => graph.links.get(key)!);
    await sql`
      INSERT INTO profile_identifiers (tenant_id, type, scope, value, profile_id, first_seen, last_seen)
      SELECT ${tenantId}, l.type, l.scope, l.value, l.profile_id, l.first_seen, l.last_seen
      FROM unnest(${links.map((l) => l.identifier.type)}::text[], ${links.map((l) => l.identifier.scope)}::text[], ${links.map((l) => l.identifier.value)}::text[],
        ${links.map((l) => graph.finalId(l.profileId))}::uuid[], ${links.map((l) => iso(l.firstSeen))}::timestamptz[], ${links.map((l) => iso(l.lastSeen))}::timestamptz[])
        AS l(type, scope, value, profile_id, first_seen, last_seen)`.execute(trx);
  }

  const seen = [...c.seenLinks].filter((k) => !c.newLinks.has(k)).map((k) => ({ id: parseIdentifierKey(k), at: graph.links.get(k)!.lastSeen }));
  if (seen.length > 0) {
    await sql`
      UPDATE profile_identifiers pi SET last_seen = s.last_seen
      FROM unnest(${seen.map((s) => s.id.type)}::text[], ${seen.map((s) => s.id.scope)}::text[], ${seen.map((s) => s.id.value)}::text[], ${seen.map((s) => iso(s.at))}::timestamptz[])
        AS s(type, scope, value, last_seen)
      WHERE pi.tenant_id = ${tenantId} AND pi.type = s.type AND pi.scope = s.scope AND pi.value = s.value AND pi.last_seen < s.last_seen`.execute(trx);
  }

  const dirty = [...graph.profiles.values()].filter((p) => p.persisted && (p.traitsDirty || p.seenDirty));
  if (dirty.length > 0) {
    await sql`
      UPDATE profiles p SET traits = d.traits::jsonb, trait_meta = d.meta::jsonb, first_seen = d.first_seen, last_seen = d.last_seen, updated_at = now()
      FROM unnest(${dirty.map((p) => p.id)}::uuid[], ${dirty.map((p) => JSON.stringify(p.traits.traits))}::text[], ${dirty.map((p) => JSON.stringify(p.traits.meta))}::text[],
        ${dirty.map((p) => iso(p.firstSeen))}::timestamptz[], ${dirty.map((p) => iso(p.lastSeen))}::timestamptz[])
        AS d(id, traits, meta, first_seen, last_seen)
      WHERE p.tenant_id = ${tenantId} AND p.id = d.id`.execute(trx);
  }

  if (c.log.length > 0) {
    await sql`
      INSERT INTO identity_log (tenant_id, kind, reason, trigger_message_id, identifiers, profiles_before, profile_after, details)
      SELECT ${tenantId}, l.kind, l.reason, l.message_id, l.identifiers::jsonb, l.before::uuid[], l.after, jsonb_build_object('eventAt', l.event_at)
      FROM unnest(${c.log.map((e) => iso(e.at))}::timestamptz[], ${c.log.map((e) => e.kind)}::text[], ${c.log.map((e) => e.reason)}::text[],
        ${c.log.map((e) => e.messageId)}::text[], ${c.log.map((e) => JSON.stringify(e.identifiers))}::text[],
        ${c.log.map((e) => `{${e.profilesBefore.join(',')}}`)}::text[], ${c.log.map((e) => (e.profileAfter === null ? null : graph.finalId(e.profileAfter)))}::uuid[])
        AS l(event_at, kind, reason, message_id, identifiers, before, after)`.execute(trx);
    // Merges also go to the audit log (who: Siyu's identity resolution; what: which profiles became one).
    const merges = c.log.filter((e) => e.kind === 'merge' && e.profileAfter !== null);
    if (merges.length > 0) {
      await sql`
        INSERT INTO audit_log (tenant_id, actor, action, target_type, target_id, details)
        SELECT ${tenantId}, 'system:identity', 'profile.merge', 'profile', m.after,
          jsonb_build_object('profilesBefore', to_jsonb(m.before::uuid[]), 'reason', m.reason, 'triggerMessageId', m.message_id)
        FROM unnest(${merges.map((e) => graph.finalId(e.profileAfter ?? ''))}::text[], ${merges.map((e) => `{${e.profilesBefore.join(',')}}`)}::text[],
          ${merges.map((e) => e.reason)}::text[], ${merges.map((e) => e.messageId)}::text[]) AS m(after, before, reason, message_id)`.execute(trx);
    }
  }
}
