import type { ProfileErased } from '../../contracts/profiles.js';
import type { Db } from '../../platform/db/index.js';
import { resolutionHooks } from './resolution.js';
import { lockIdentityGraph, resolveAcknowledged, normalizePhone, requireLiveProfile } from '../identity/index.js';
import { deleteProfileBelongings, type BelongingsDeleted } from './belongings.repo.js';
import { deleteDerivedRows } from '../segments/index.js';
import { deleteProfileStages } from '../stages/index.js';
import { deleteProfileTags } from '../tags/index.js';
import * as repo from './erase.repo.js';
import { insertAudit } from '../tenancy/index.js';

/**
 * Erasure (PIPL art. 47, the right to deletion): everything Siyu knows about a person goes, in one
 * transaction under the tenant's identity-graph lock, so that no concurrent resolution can attach a
 * new event to a half-erased profile. What stays is what proves the erasure without saying who it
 * was: the audit_log tombstone (counts only), the identity_log rows with their ids, kinds and times
 * but without identifiers, and the ingested message ids (see below).
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$/;
/** Codes such as `cap_exceeded:phone`, type names, rule names. */
const CODE = /^[a-z][a-z0-9_.:-]{0,99}$/;
const KEY = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;

/** The person's data as text: exact values, and the longer ones to look for inside other strings. */
export interface PersonalData {
  exact: ReadonlySet<string>;
  contained: readonly string[];
}

function strings(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  // Short numbers (an age, a count) identify nobody and would only blank out counts in the log.
  else if (typeof value === 'number' && String(value).length >= 4) out.push(String(value));
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) strings(v, out);
}

/** Identifier values (and, for phones, the national number) and every trait value. */
export function personalData(identifierValues: readonly string[], traits: readonly unknown[]): PersonalData {
  const all: string[] = [];
  for (const v of identifierValues) {
    all.push(v);
    const p = normalizePhone(v);
    if (p.kind === 'phone' && p.e164.startsWith('+86')) all.push(p.e164.slice(3));
  }
  for (const t of traits) strings(t, all);
  const lower = all.map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
  // Looked for inside other text: four characters and more, or two beyond printable ASCII (李四).
  const contained = lower.filter((s) => s.length >= 4 || (s.length >= 2 && /[^ -~]/.test(s)));
  return { exact: new Set(lower), contained: [...new Set(contained)] };
}

function mentions(s: string, pd: PersonalData): boolean {
  const l = s.toLowerCase();
  return pd.exact.has(l.trim()) || pd.contained.some((p) => l.includes(p));
}

/**
 * What may stay of a log row's details: booleans, nulls, numbers, UUIDs, times and lower-case codes
 * under plain keys — and none of them if they mention the person. Everything else is dropped: the
 * shape of details is not ours to know, so only what cannot be personal data is kept.
 */
export function scrubDetails(value: unknown, pd: PersonalData): unknown {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return mentions(String(value), pd) ? undefined : value;
  if (typeof value === 'string') return (UUID.test(value) || ISO_TIME.test(value) || CODE.test(value)) && !mentions(value, pd) ? value : undefined;
  if (Array.isArray(value)) return value.map((v) => scrubDetails(v, pd)).filter((v) => v !== undefined);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (!KEY.test(k) || mentions(k, pd)) continue;
      const s = scrubDetails(v, pd);
      if (s !== undefined) out[k] = s;
    }
    return out;
  }
  return undefined;
}

/** Reasons are written by code (`cap_exceeded:phone`, `not seen on its holder for over 180 days`): kept unless they mention the person. */
export function scrubReason(reason: string | null, pd: PersonalData): string | null {
  return reason !== null && !mentions(reason, pd) ? reason : null;
}

const BELONGING_KINDS = ['consents', 'consentHistory', 'householdMemberships', 'householdsDeleted', 'vehicleRelations', 'leadsAnonymised', 'customerLinks'] as const satisfies ReadonlyArray<keyof BelongingsDeleted>;

/**
 * What other modules keep about a person outside the profile (e.g. WeCom friendships, keyed by an
 * identifier): run inside the erasure's transaction, before the identifiers go; returns rows touched
 * per kind, for the audit log.
 */
export type PersonalDataEraser = (trx: Db, tenantId: string, profileIds: readonly string[]) => Promise<Record<string, number>>;

/**
 * Erases the live profile `id` and every profile merged into it. 404 for an unknown (or already
 * erased) id, 308 for a merged-away one. Returns how many rows went, per kind.
 */
export async function eraseProfile(db: Db, tenantId: string, id: string, actor: string, now: Date, erasers: readonly PersonalDataEraser[] = []): Promise<ProfileErased> {
  return db.transaction().execute(async (trx) => {
    await lockIdentityGraph(trx, tenantId);
    // The person's tracking events acknowledged before the erasure are resolved first, so they go
    // with the person instead of re-creating them afterwards.
    await resolveAcknowledged(trx, tenantId, resolutionHooks, now);
    await requireLiveProfile(trx, tenantId, id, { forUpdate: true });
    const ids = [id, ...(await repo.lockMergedIntoIds(trx, tenantId, id))];
    const pd = personalData(await repo.identifierValues(trx, tenantId, ids), await repo.profileTraits(trx, tenantId, ids));

    const elsewhere: Record<string, number> = {};
    for (const erase of erasers) Object.assign(elsewhere, await erase(trx, tenantId, ids));
    const events = await repo.deleteEvents(trx, tenantId, ids);
    // event_message_ids stay: they carry no personal data, and they make a replay of the same
    // messages (a source re-sending its backlog) a no-op instead of re-creating the person.
    const identifiers = await repo.deleteIdentifiers(trx, tenantId, ids);
    const formerIdentifiers = await repo.deleteFormerIdentifiers(trx, tenantId, ids);
    const belongings: BelongingsDeleted = { consents: 0, consentHistory: 0, householdMemberships: 0, householdsDeleted: 0, vehicleRelations: 0, leadsAnonymised: 0, customerLinks: 0 };
    for (const pid of ids) {
      const d = await deleteProfileBelongings(trx, tenantId, pid);
      for (const k of BELONGING_KINDS) belongings[k] += d[k];
      await deleteDerivedRows(trx, tenantId, pid);
      await deleteProfileTags(trx, tenantId, pid);
      await deleteProfileStages(trx, tenantId, pid);
    }

    const log = await repo.identityLogMentioning(trx, tenantId, ids);
    for (const row of log) {
      const details = row.details === null ? null : (scrubDetails(row.details, pd) ?? null);
      await repo.scrubIdentityLogRow(trx, tenantId, row.id, scrubReason(row.reason, pd), details);
    }
    const profiles = await repo.deleteProfiles(trx, tenantId, ids);

    const erased = { profiles, events, identifiers, formerIdentifiers, ...belongings, identityLogScrubbed: log.length };
    await insertAudit(trx, { tenantId, actor, action: 'profile.erase', targetType: 'profile', targetId: id, details: { erased, elsewhere } });
    return { id, erased };
  });
}
