import type { StoredEvent } from '../../contracts/events.js';
import type { Household } from '../../contracts/households.js';
import type { IdentityLogEntry, Profile, ProfileSummary } from '../../contracts/profiles.js';
import { isRecord } from '../../platform/json.js';
import { maskEmail, maskName, maskPhone, maskTraits, maskValue } from '../../platform/pii.js';
import type { IdentityConfig } from '../identity/index.js';

/**
 * What analysts (`principal.maskPii`) see of a person: names, phones, e-mails and identifier values
 * masked in every answer that carries them (src/platform/pii.ts does the masking itself).
 */

/** An identifier value masked by its kind: phones `134****1234`, e-mails `a***@example.com`, others `ab****yz`. */
export function maskIdentifierValue(type: string, value: string): string {
  if (type === 'phone') return maskPhone(value);
  if (type === 'email') return maskEmail(value);
  return maskValue(value);
}

/**
 * Traits with personal values masked: the usual PII names (maskTraits) and every trait an identifier
 * type is read from (e.g. `unionid`, `memberId`), masked like that identifier.
 */
export function maskPersonTraits(traits: unknown, config?: IdentityConfig): unknown {
  if (!isRecord(traits)) return traits;
  const masked = maskTraits(traits);
  for (const type of config?.types.values() ?? []) {
    for (const name of type.traitNames) {
      const value = traits[name];
      if (typeof value === 'string' || typeof value === 'number') masked[name] = maskIdentifierValue(type.type, String(value));
    }
  }
  return masked;
}

const maskNullable = (value: string | null, mask: (v: string) => string) => (value === null ? null : mask(value));

export function maskHousehold(h: Household): Household {
  return { ...h, name: maskNullable(h.name, maskName) };
}

export function maskProfile(p: Profile, config: IdentityConfig): Profile {
  return {
    ...p,
    traits: maskPersonTraits(p.traits, config) as Record<string, unknown>,
    identities: p.identities.map((i) => ({ ...i, value: maskIdentifierValue(i.type, i.value) })),
    formerIdentities: p.formerIdentities.map((i) => ({ ...i, value: maskIdentifierValue(i.type, i.value) })),
    // A VIN leads to the person through registration records: masked like other identifying values.
    vehicles: p.vehicles.map((v) => ({ ...v, vin: maskValue(v.vin) })),
    household: p.household && maskHousehold(p.household),
  };
}

export function maskProfileSummary(s: ProfileSummary): ProfileSummary {
  // The phone is masked for everybody already.
  return { ...s, name: maskNullable(s.name, maskName) };
}

/**
 * An event as analysts see it: user, anonymous and previous ids masked like identifier values; traits,
 * context.traits and properties with personal values masked; context.externalIds values and the IP masked.
 */
export function maskEvent(e: StoredEvent, config: IdentityConfig): StoredEvent {
  let context = e.context;
  if (isRecord(context)) {
    const c: Record<string, unknown> = { ...context };
    if ('traits' in c) c.traits = maskPersonTraits(c.traits, config);
    if (typeof c.ip === 'string') c.ip = maskValue(c.ip);
    if (Array.isArray(c.externalIds)) {
      c.externalIds = c.externalIds.map((x: unknown) => (isRecord(x) && (typeof x.id === 'string' || typeof x.id === 'number') ? { ...x, id: maskIdentifierValue(String(x.type), String(x.id)) } : x));
    }
    context = c;
  }
  return {
    ...e,
    userId: maskNullable(e.userId, maskValue),
    anonymousId: maskNullable(e.anonymousId, maskValue),
    previousId: maskNullable(e.previousId, maskValue),
    traits: maskPersonTraits(e.traits, config),
    properties: maskPersonTraits(e.properties, config),
    context,
  };
}

/** An identity log entry with the values of the identifiers that caused it masked. */
export function maskIdentityLogEntry(entry: IdentityLogEntry): IdentityLogEntry {
  const identifiers = Array.isArray(entry.identifiers)
    ? entry.identifiers.map((i: unknown) => (isRecord(i) && typeof i.value === 'string' ? { ...i, value: maskIdentifierValue(String(i.type), i.value) } : i))
    : entry.identifiers;
  return { ...entry, identifiers };
}
