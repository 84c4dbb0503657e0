import { z } from 'zod';
import { parseDateTime } from '../../contracts/common.js';
import type { StoredEvent } from '../../contracts/events.js';
import {
  IDENTITY_LOG_KINDS,
  type IdentityLogEntry,
  type Profile,
  type ProfileEventsQuery,
  type ProfileLookupQuery,
  type ProfileSearchQuery,
  type ProfileSummary,
} from '../../contracts/profiles.js';
import type { Db } from '../../platform/db/index.js';
import { listEvents } from '../ingest/index.js';
import { AppError } from '../../platform/errors.js';
import { loadIdentityConfig, normalizePhone, normalizeValue, requireIdentifier, strongestFirst, type IdentityConfig } from '../identity/index.js';
import { currentConsents } from './consents.js';
import { visibleHouseholdOfProfile } from './households.js';
import * as repo from './profiles.repo.js';
import { vehiclesOfProfile } from './vehicles.js';
import { isRecord } from '../../platform/json.js';
import { maskPhone } from '../../platform/pii.js';
import type { Principal } from '../tenancy/index.js';
import { maskEvent, maskIdentityLogEntry, maskProfile, maskProfileSummary } from './mask.js';
import { requireVisibleProfile } from './visible.js';
import { decodeCursor, encodeCursor } from '../../platform/cursor.js';

/** Customer 360: a live profile with its identities, belongings and history, read-only. */



const asRecord = (v: unknown): Record<string, unknown> => (isRecord(v) ? v : {});

/**
 * The profile `id` as the 360 shows it to the caller; 404 when unknown or outside the caller's scope,
 * `profile_merged` (308) when merged away (into a profile in scope). Masked for analysts.
 */
export async function getProfile(db: Db, principal: Principal, id: string, known?: IdentityConfig): Promise<Profile> {
  await requireVisibleProfile(db, principal, id);
  const tenantId = principal.tenantId;
  const [row, identifiers, former, config, vehicles, household, consents] = await Promise.all([
    repo.findProfile(db, tenantId, id),
    repo.listIdentifiers(db, tenantId, id),
    repo.listFormerIdentifiers(db, tenantId, id),
    known ?? loadIdentityConfig(db, tenantId),
    vehiclesOfProfile(db, tenantId, id),
    visibleHouseholdOfProfile(db, principal, id),
    currentConsents(db, tenantId, id),
  ]);
  // Erased or merged away since the check: requireVisibleProfile gives the right answer (404 or 308).
  if (!row || row.merged_into !== null) {
    await requireVisibleProfile(db, principal, id);
    throw new AppError('not_found', `no profile ${id}`, { profileId: id });
  }
  const identities = [...identifiers]
    .sort(strongestFirst(config))
    .map((i) => ({ type: i.type, value: i.value, scope: i.scope === '' ? null : i.scope, firstSeen: i.first_seen.toISOString(), lastSeen: i.last_seen.toISOString() }));
  const profile: Profile = {
    id: row.id,
    traits: asRecord(row.traits),
    traitMeta: asRecord(row.trait_meta),
    identities,
    formerIdentities: former.map((f) => ({ type: f.type, value: f.value, scope: f.scope === '' ? null : f.scope, validTo: f.valid_to.toISOString(), reason: f.reason })),
    vehicles,
    household,
    consents,
    firstSeen: row.first_seen.toISOString(),
    lastSeen: row.last_seen.toISOString(),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
  return principal.maskPii ? maskProfile(profile, config) : profile;
}

/**
 * The live profile holding an identifier given as any source would send it (normalised as on ingest);
 * a holder outside the caller's scope answers like no holder at all.
 */
export async function lookupProfile(db: Db, principal: Principal, q: ProfileLookupQuery): Promise<Profile> {
  const config = await loadIdentityConfig(db, principal.tenantId);
  const identifier = requireIdentifier(config, { type: q.type, value: q.value, scope: q.scope }, 'query');
  const holder = await repo.findIdentifierHolder(db, principal, identifier);
  if (holder === undefined) {
    const scoped = identifier.scope === '' ? '' : ` in scope ${identifier.scope}`;
    throw new AppError('not_found', `no profile holds ${identifier.type} ${identifier.value}${scoped}`, { type: identifier.type, scope: identifier.scope || null });
  }
  return getProfile(db, principal, holder, config);
}

// ---------------------------------------------------------------------------------------------------
// Cursors: opaque base64url JSON, checked on the way back in.

/** (updated_at at microsecond precision, as the repo reads it back, and the profile id). */
const searchCursorSchema = z.tuple([
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/)
    // A real date in range, or the database refuses it (that was a 500).
    .refine((s) => {
      const d = parseDateTime(s);
      return d !== null && d.getUTCFullYear() >= 1970 && d.getUTCFullYear() <= 2200;
    }),
  z.uuid(),
]);

/** LIKE / ILIKE metacharacters made literal (backslash is PostgreSQL's default escape character). */
const escapeLike = (s: string) => s.replace(/[\\%_]/g, '\\$&');

const reverse = (s: string) => Array.from(s).reverse().join('');

/**
 * Search terms derived from q: the name starts with q (case-insensitive: a surname finds the family
 * name, and an index serves it); 4+ digits → phone suffix; q as a value of every unscoped identifier
 * type, normalised as on ingest (`134 1234 1234` → +8613412341234, e-mails in lower case). Scoped
 * values (openids) are found with /lookup and their scope: without it no index narrows the search.
 */
function searchTerms(q: string, config: IdentityConfig): Pick<repo.ProfileSearch, 'namePattern' | 'reversedPhonePattern' | 'identifiers'> {
  const identifiers: NonNullable<repo.ProfileSearch['identifiers']> = [];
  for (const type of config.types.values()) {
    const n = normalizeValue(type, q, config);
    if (n.ok && !type.scoped) identifiers.push({ type: type.type, value: n.value });
  }
  const digits = q.replace(/[\s-]/g, '');
  return {
    namePattern: `${escapeLike(q.toLowerCase())}%`,
    ...(/^\d{4,}$/.test(digits) ? { reversedPhonePattern: `${escapeLike(reverse(digits))}%` } : {}),
    identifiers,
  };
}

function traitPhone(traits: Record<string, unknown>): string | null {
  const raw = traits['phone'] ?? traits['mobile'];
  if (typeof raw !== 'string') return null;
  const p = normalizePhone(raw);
  return p.kind === 'phone' ? maskPhone(p.e164) : p.kind === 'masked' ? p.raw : null;
}

/**
 * Live profiles in the caller's scope by name, phone suffix or identifier value; without q, most
 * recently updated first. Names masked for analysts (phones are masked for everybody).
 */
export async function searchProfiles(db: Db, principal: Principal, query: ProfileSearchQuery): Promise<{ data: ProfileSummary[]; nextCursor: string | null }> {
  const tenantId = principal.tenantId;
  const q = query.q ?? '';
  const terms = q === '' ? {} : searchTerms(q, await loadIdentityConfig(db, tenantId));
  const after = query.cursor ? decodeCursor(query.cursor, searchCursorSchema) : undefined;
  const rows = await repo.searchProfiles(db, principal, { ...terms, ...(after ? { after: { at: after[0], id: after[1] } } : {}), limit: query.limit });
  const page = rows.slice(0, query.limit);
  const phones = await repo.phonesOf(db, tenantId, page.map((r) => r.id));
  const digits = q.replace(/[\s-]/g, '');
  const best = new Map<string, { value: string; score: number; at: number }>();
  for (const p of phones) {
    // The phone that matched the search first, then the most recently seen one.
    const score = digits.length >= 4 && p.value.endsWith(digits) ? 1 : 0;
    const cur = best.get(p.profile_id);
    const at = p.last_seen.getTime();
    if (!cur || score > cur.score || (score === cur.score && (at > cur.at || (at === cur.at && p.value < cur.value)))) {
      best.set(p.profile_id, { value: p.value, score, at });
    }
  }
  const last = page[page.length - 1];
  return {
    data: page.map((r) => {
      const traits = asRecord(r.traits);
      const name = traits['name'];
      const phone = best.get(r.id);
      const summary = { id: r.id, name: typeof name === 'string' ? name : null, phone: phone ? maskPhone(phone.value) : traitPhone(traits), lastSeen: r.last_seen.toISOString() };
      return principal.maskPii ? maskProfileSummary(summary) : summary;
    }),
    nextCursor: rows.length > query.limit && last ? encodeCursor([last.cursor_at, last.id]) : null,
  };
}

/** The profile's events, newest first, in the shape of `GET /api/v1/events` (masked for analysts). */
export async function profileEvents(db: Db, principal: Principal, id: string, q: ProfileEventsQuery): Promise<{ data: StoredEvent[]; nextCursor: string | null }> {
  await requireVisibleProfile(db, principal, id);
  const page = await listEvents(db, principal.tenantId, q, { profileId: id });
  if (!principal.maskPii) return page;
  const config = await loadIdentityConfig(db, principal.tenantId);
  return { ...page, data: page.data.map((e) => maskEvent(e, config)) };
}

const kindSchema = z.enum(IDENTITY_LOG_KINDS);

/** identity_log entries about the profile and the profiles merged into it, newest first (values masked for analysts). */
export async function profileMerges(db: Db, principal: Principal, id: string): Promise<{ data: IdentityLogEntry[] }> {
  await requireVisibleProfile(db, principal, id);
  const tenantId = principal.tenantId;
  const ids = [id, ...(await repo.mergedIntoIds(db, tenantId, id))];
  const rows = await repo.identityLogOf(db, tenantId, ids);
  const entries = rows.map(
    (r): IdentityLogEntry => ({
      id: r.id,
      kind: kindSchema.parse(r.kind),
      reason: r.reason,
      at: r.at.toISOString(),
      triggerMessageId: r.trigger_message_id,
      identifiers: r.identifiers,
      profilesBefore: r.profiles_before,
      profileAfter: r.profile_after,
      actor: r.actor,
      details: r.details,
    }),
  );
  return { data: principal.maskPii ? entries.map(maskIdentityLogEntry) : entries };
}
