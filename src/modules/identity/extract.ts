import { VEHICLE_ROLES, type VehicleRole } from '../../contracts/vehicles.js';
import { AppError } from '../../platform/errors.js';
import { normalizeValue, type Identifier, type IdentityConfig } from './types.js';
import { parseVin } from './vin.js';
import { isRecord } from '../../platform/json.js';

/** What identity resolution reads from one event, whether fresh from a request or from the store. */
export interface IdentityInput {
  type: string;
  userId: string | null;
  anonymousId: string | null;
  previousId: string | null;
  /** identify / group traits */
  traits: Record<string, unknown> | null;
  /** context.traits (Segment copies a user's traits there on other calls) */
  contextTraits: unknown;
  properties: Record<string, unknown> | null;
  /** context.externalIds */
  externalIds: unknown;
}

const isRole = (v: unknown): v is VehicleRole => typeof v === 'string' && (VEHICLE_ROLES as readonly string[]).includes(v);

export interface VehicleMention {
  vin: string;
  role: VehicleRole;
  series?: string | null;
  model?: string | null;
  modelYear?: number | null;
}

export interface Extracted {
  identifiers: Identifier[];
  /** alias previousId: a user_id if somebody holds it as one, else an anonymous_id. */
  previousId: string | null;
  /** Person traits to apply (identify only). */
  traits: Record<string, unknown> | null;
  vehicles: VehicleMention[];
}


/**
 * `strict` (ingestion): explicit identifiers that cannot be used — an unknown externalIds type, a
 * scoped type without its scope, a malformed value — and invalid VINs are 400s naming the field.
 * Not strict (rebuild over stored events): such values are skipped. Identifiers read from traits are
 * never errors: a form's free-text phone that is masked or malformed stays a trait only.
 */
export function extractIdentity(input: IdentityInput, config: IdentityConfig, options: { strict: boolean; path: string }): Extracted {
  const out: Identifier[] = [];
  const add = (type: string, raw: unknown, scope = '') => {
    if (typeof raw !== 'string' && typeof raw !== 'number') return;
    const t = config.types.get(type);
    if (!t) return;
    const n = normalizeValue(t, String(raw), config);
    if (n.ok) out.push({ type, scope, value: n.value });
  };
  add('user_id', input.userId);
  add('anonymous_id', input.anonymousId);

  const traitSources = [input.traits, isRecord(input.contextTraits) ? input.contextTraits : null];
  for (const t of config.types.values()) {
    if (t.scoped) continue;
    for (const name of t.traitNames) for (const src of traitSources) if (src && name in src) add(t.type, src[name]);
  }

  if (Array.isArray(input.externalIds)) {
    input.externalIds.forEach((x: unknown, j) => {
      if (!isRecord(x)) return;
      const field = `${options.path}context.externalIds[${j}]`;
      const type = config.types.get(String(x.type));
      if (!type) {
        if (options.strict) {
          throw new AppError('invalid_request', `${field}.type: unknown identifier type "${String(x.type)}"; configure it first (PUT /api/v1/identity/types/{type})`, {
            field: `${field}.type`,
            known: [...config.types.keys()].sort(),
          });
        }
        return;
      }
      const scope = type.scoped && typeof x.collection === 'string' ? x.collection.trim() : '';
      if (Buffer.byteLength(scope) > 200) {
        if (options.strict) throw new AppError('invalid_request', `${field}.collection: a scope has at most 200 bytes`, { field: `${field}.collection` });
        return;
      }
      if (type.scoped && scope === '') {
        if (options.strict) {
          throw new AppError('invalid_request', `${field}.collection: ${type.type} is unique only within a scope; give the app id, corp id or dealer code as collection`, {
            field: `${field}.collection`,
          });
        }
        return;
      }
      const n = normalizeValue(type, String(x.id), config);
      if (!n.ok) {
        // Junk values are dropped quietly everywhere (they are what many clients send); a malformed one is an error.
        if (options.strict && !n.reason.includes('junk list')) {
          throw new AppError('invalid_request', `${field}.id: ${n.reason}`, { field: `${field}.id`, type: type.type });
        }
        return;
      }
      out.push({ type: type.type, scope, value: n.value });
    });
  }

  return {
    identifiers: out,
    previousId: input.type === 'alias' && input.previousId ? input.previousId : null,
    traits: input.type === 'identify' ? input.traits : null,
    vehicles: vehicleMentions(input, options),
  };
}

function vehicleMentions(input: IdentityInput, options: { strict: boolean; path: string }): VehicleMention[] {
  const found: VehicleMention[] = [];
  const where: Array<[string, Record<string, unknown> | null]> = [
    ['properties', input.properties],
    ['traits', input.type === 'identify' ? input.traits : null],
  ];
  for (const [name, obj] of where) {
    if (!obj || obj.vin === undefined || obj.vin === null || obj.vin === '') continue;
    const parsed = typeof obj.vin === 'string' ? parseVin(obj.vin) : null;
    if (!parsed || !parsed.ok) {
      if (options.strict) {
        const message = parsed && !parsed.ok ? parsed.message : 'a VIN is a string of 17 characters';
        throw new AppError('invalid_request', `${options.path}${name}.vin: ${message}`, { field: `${options.path}${name}.vin`, problem: parsed && !parsed.ok ? parsed.problem : 'type' });
      }
      continue;
    }
    const role = isRole(obj.vehicleRole) ? obj.vehicleRole : 'driver';
    const year = Number(obj.modelYear);
    found.push({
      vin: parsed.vin,
      role,
      series: typeof obj.series === 'string' ? obj.series : null,
      model: typeof obj.model === 'string' ? obj.model : null,
      modelYear: Number.isInteger(year) && year >= 1950 && year <= 2100 ? year : null,
    });
  }
  return found;
}

/** What an alias's previousId may be, in the order to try: a user id, then an anonymous id. */
export function previousIdCandidates(config: IdentityConfig, previousId: string): Identifier[] {
  const out: Identifier[] = [];
  for (const type of ['user_id', 'anonymous_id']) {
    const t = config.types.get(type);
    const n = t ? normalizeValue(t, previousId, config) : null;
    if (n?.ok) out.push({ type, scope: '', value: n.value });
  }
  return out;
}
