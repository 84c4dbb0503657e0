import { AppError } from '../../platform/errors.js';
import { isJunkIdentifier, normalizeEmail, normalizePhone } from './normalize.js';

/**
 * Identifier types: what can identify a person, how strongly, and how many a person may have.
 * - priority: higher wins. An event attaches to the profile of its highest-priority identifier, and
 *   a link through a lower-priority identifier never joins two profiles that hold different values
 *   of a higher-priority type (a shared tablet's anonymous id cannot glue two phone owners).
 * - maxPerProfile: 1 makes a type single-valued (two user ids never share a profile).
 * - merges: false means the type attaches an event to a profile but never joins two profiles.
 * - scoped: the value is only unique within a scope (openid per app id, external_userid per corp id,
 *   DMS customer id per dealer code); the scope is stored with the value.
 * - reassignAfterDays: carriers recycle phone numbers. When a value last seen on one profile longer
 *   ago than this turns up with somebody who cannot be that person, the value moves to them and the
 *   old profile keeps it as a former identifier.
 */
export type Normalizer = 'phone' | 'email' | 'exact' | 'lower';

export interface IdentifierType {
  type: string;
  priority: number;
  maxPerProfile: number;
  merges: boolean;
  scoped: boolean;
  normalizer: Normalizer;
  /** Trait (and context.traits) names this type is read from, e.g. phone ← traits.phone, traits.mobile. */
  traitNames: string[];
  reassignAfterDays: number | null;
  builtIn: boolean;
}

const builtIn = (t: Omit<IdentifierType, 'builtIn' | 'traitNames' | 'reassignAfterDays'> & Partial<Pick<IdentifierType, 'traitNames' | 'reassignAfterDays'>>): IdentifierType => ({
  traitNames: [],
  reassignAfterDays: null,
  ...t,
  builtIn: true,
});

export const BUILT_IN_TYPES: readonly IdentifierType[] = [
  builtIn({ type: 'user_id', priority: 100, maxPerProfile: 1, merges: true, scoped: false, normalizer: 'exact' }),
  builtIn({ type: 'member_id', priority: 95, maxPerProfile: 1, merges: true, scoped: false, normalizer: 'exact', traitNames: ['memberId', 'member_id'] }),
  builtIn({ type: 'wechat_unionid', priority: 90, maxPerProfile: 1, merges: true, scoped: false, normalizer: 'exact', traitNames: ['unionid', 'unionId', 'wechatUnionId'] }),
  builtIn({ type: 'app_user_id', priority: 85, maxPerProfile: 1, merges: true, scoped: false, normalizer: 'exact', traitNames: ['appUserId'] }),
  builtIn({ type: 'phone', priority: 80, maxPerProfile: 3, merges: true, scoped: false, normalizer: 'phone', traitNames: ['phone', 'mobile'], reassignAfterDays: 180 }),
  // One per corp: a brand whose dealers run their own WeCom corps sees one id per dealer.
  builtIn({ type: 'wecom_external_userid', priority: 75, maxPerProfile: 20, merges: true, scoped: true, normalizer: 'exact' }),
  builtIn({ type: 'wechat_openid', priority: 70, maxPerProfile: 10, merges: true, scoped: true, normalizer: 'exact' }),
  builtIn({ type: 'douyin_openid', priority: 70, maxPerProfile: 5, merges: true, scoped: true, normalizer: 'exact' }),
  builtIn({ type: 'dms_customer_id', priority: 65, maxPerProfile: 10, merges: true, scoped: true, normalizer: 'exact' }),
  builtIn({ type: 'email', priority: 60, maxPerProfile: 3, merges: true, scoped: false, normalizer: 'email', traitNames: ['email'] }),
  // A platform's hash of a phone (Autohome): it cannot be checked against a phone, so it never joins two profiles.
  builtIn({ type: 'phone_hash', priority: 50, maxPerProfile: 3, merges: false, scoped: true, normalizer: 'lower' }),
  builtIn({ type: 'anonymous_id', priority: 10, maxPerProfile: 50, merges: true, scoped: false, normalizer: 'exact' }),
];

export const BUILT_IN_BY_NAME: ReadonlyMap<string, IdentifierType> = new Map(BUILT_IN_TYPES.map((t) => [t.type, t]));

/** The identity rules of one tenant: its identifier types, junk values and trait strategies. */
export interface IdentityConfig {
  types: ReadonlyMap<string, IdentifierType>;
  /** Tenant blocklist, keyed `type\u0001value` (normalised value). */
  blocklist: ReadonlySet<string>;
  traitStrategies: ReadonlyMap<string, TraitStrategy>;
}

export type TraitStrategy = 'latest' | 'first' | 'max' | 'union';

/** Trait names (in `traits` / `context.traits`) that may carry a VIN; never identifiers of a person. */
export const VIN_FIELDS = ['vin'] as const;

export interface Identifier {
  type: string;
  scope: string;
  value: string;
}

/** type, scope and value joined by U+0001, as one flat string (keys are kept by the million and compared). */
export const identifierKey = (i: Identifier): string => [i.type, i.scope, i.value].join('\u0001');

export function parseIdentifierKey(key: string): Identifier {
  const [type = '', scope = '', value = ''] = key.split('\u0001');
  return { type, scope, value };
}

export type NormalizeResult = { ok: true; value: string } | { ok: false; reason: string; masked?: boolean };

/** A raw value of a type in canonical form, or why it cannot identify anybody. */
export function normalizeValue(type: IdentifierType, raw: string, config: IdentityConfig): NormalizeResult {
  let value: string;
  switch (type.normalizer) {
    case 'phone': {
      const p = normalizePhone(raw);
      if (p.kind === 'masked') return { ok: false, reason: 'a masked phone number identifies nobody (kept as a trait)', masked: true };
      if (p.kind === 'invalid') return { ok: false, reason: p.reason };
      value = p.e164;
      break;
    }
    case 'email': {
      const e = normalizeEmail(raw);
      if (e === null) return { ok: false, reason: 'not an e-mail address' };
      value = e;
      break;
    }
    case 'lower':
      value = raw.trim().toLowerCase();
      break;
    default:
      value = raw.trim();
  }
  if (value.length === 0 || Buffer.byteLength(value) > 1000) return { ok: false, reason: 'an identifier has 1 to 1000 bytes' };
  if (isJunkIdentifier(type.type, value) || config.blocklist.has(`${type.type}\u0001${value}`)) {
    return { ok: false, reason: `"${value}" is on the junk list for ${type.type}: many unrelated people send it` };
  }
  return { ok: true, value };
}

/**
 * An identifier given explicitly (API lookup, split, externalIds): unknown types, a missing scope and
 * values that cannot identify anybody are 400s naming the field.
 */
export function requireIdentifier(config: IdentityConfig, input: { type: string; value: string; scope?: string | undefined }, field: string): Identifier {
  const type = config.types.get(input.type);
  if (!type) {
    throw new AppError('invalid_request', `${field}: unknown identifier type "${input.type}"`, {
      field: `${field}.type`,
      known: [...config.types.keys()].sort(),
    });
  }
  const scope = (input.scope ?? '').trim();
  if (Buffer.byteLength(scope) > 200) throw new AppError('invalid_request', `${field}: a scope has at most 200 bytes`, { field: `${field}.scope` });
  if (type.scoped && scope === '') {
    throw new AppError('invalid_request', `${field}: ${type.type} values are unique only within a scope (app id, corp id or dealer code); give the scope`, { field: `${field}.scope` });
  }
  if (!type.scoped && scope !== '') {
    throw new AppError('invalid_request', `${field}: ${type.type} is not scoped; leave the scope out`, { field: `${field}.scope` });
  }
  const n = normalizeValue(type, input.value, config);
  if (!n.ok) throw new AppError('invalid_request', `${field}: ${n.reason}`, { field: `${field}.value`, type: type.type });
  return { type: type.type, scope, value: n.value };
}
