import type { Db } from '../../platform/db/index.js';
import { identifiersOfLiveProfiles } from './address.repo.js';
import { normalizeValue, type Identifier, type IdentityConfig } from './types.js';

/** Identifiers strongest first: by the type's priority, then the most recently seen; ties in a stable order. */
export function strongestFirst(config: IdentityConfig) {
  const priority = (type: string) => config.types.get(type)?.priority ?? 0;
  return (a: RankedIdentifier, b: RankedIdentifier): number =>
    priority(b.type) - priority(a.type) ||
    b.last_seen.getTime() - a.last_seen.getTime() ||
    a.type.localeCompare(b.type) ||
    a.scope.localeCompare(b.scope) ||
    a.value.localeCompare(b.value);
}

interface RankedIdentifier {
  type: string;
  scope: string;
  value: string;
  last_seen: Date;
}

/**
 * How an event Siyu writes about a known person reaches that person: through one identifier their
 * profile holds now. An identifier belongs to exactly one live profile, so an event carrying only it
 * resolves to that profile and joins nobody; after a merge the survivor holds it, so the event
 * follows the person. The strongest usable identifier is chosen (priority, then the most recently
 * seen), skipping values the tenant's rules no longer accept (a type removed, a value blocked).
 * Call under the identity lock, so that nothing moves the identifier before the event is resolved.
 */
export async function profileAddresses(db: Db, tenantId: string, config: IdentityConfig, profileIds: readonly string[]): Promise<Map<string, Identifier>> {
  const rows = await identifiersOfLiveProfiles(db, tenantId, profileIds);
  const usable = rows.filter((r) => {
    const type = config.types.get(r.type);
    if (!type || type.scoped !== (r.scope !== '')) return false;
    const n = normalizeValue(type, r.value, config);
    return n.ok && n.value === r.value;
  });
  usable.sort(strongestFirst(config));
  const out = new Map<string, Identifier>();
  for (const r of usable) if (!out.has(r.profile_id)) out.set(r.profile_id, { type: r.type, scope: r.scope, value: r.value });
  return out;
}
