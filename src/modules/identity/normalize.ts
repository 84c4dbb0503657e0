/**
 * Normalising identifier values before they can join profiles (DOMAIN.md, "Identity facts").
 * Phones become E.164 (+86 for mainland numbers); a masked phone (134****1234) is a trait, never an
 * identifier; junk values that would glue strangers together are refused.
 */

export type PhoneResult =
  | { kind: 'phone'; e164: string }
  | { kind: 'masked'; raw: string }
  | { kind: 'invalid'; reason: string };

const SEPARATORS = /[\s\-().\u00a0]/g;
const MAINLAND_MOBILE = /^1[3-9]\d{9}$/;
/** Area code (2–3 digits after the trunk 0) and a 7–8 digit subscriber number. */
const MAINLAND_LANDLINE = /^0([1-9]\d{1,2})(\d{7,8})$/;
/** 400 / 800 service numbers (call centres, dealer hotlines): 10 digits, no trunk 0. */
const MAINLAND_SERVICE = /^[48]00\d{7}$/;

/**
 * A mainland number. Written nationally a landline keeps its trunk 0 (010-12345678); after +86 the 0
 * is dropped (+86 10 1234 5678). Eleven digits without a 0 are a mobile or nothing.
 */
function mainland(national: string, withCountryCode: boolean): PhoneResult {
  if (MAINLAND_MOBILE.test(national) || MAINLAND_SERVICE.test(national)) return { kind: 'phone', e164: `+86${national}` };
  const trunk = withCountryCode && !national.startsWith('0') ? `0${national}` : national;
  const landline = MAINLAND_LANDLINE.exec(trunk);
  if (landline) return { kind: 'phone', e164: `+86${landline[1]}${landline[2]}` };
  return { kind: 'invalid', reason: 'not a mainland China mobile (1[3-9] + 9 digits), landline (0 + area code + number) or 400/800 service number' };
}

export function normalizePhone(raw: string): PhoneResult {
  const s = raw.trim().replace(SEPARATORS, '');
  if (/[*＊×xX]/.test(s) && /\d/.test(s)) return { kind: 'masked', raw: raw.trim() };
  if (s.startsWith('+86')) return mainland(s.slice(3), true);
  if (s.startsWith('0086')) return mainland(s.slice(4), true);
  if (s.startsWith('+')) {
    return /^\+[1-9]\d{6,14}$/.test(s) ? { kind: 'phone', e164: s } : { kind: 'invalid', reason: 'an international number is + and 7 to 15 digits' };
  }
  if (!/^\d+$/.test(s)) return { kind: 'invalid', reason: 'a phone number has only digits, spaces, dashes and a leading +' };
  if (s.length === 13 && s.startsWith('861')) return mainland(s.slice(2), true);
  return mainland(s, false);
}

export function normalizeEmail(raw: string): string | null {
  const e = raw.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e) ? e : null;
}

/** Values that many unrelated people send: never identifiers, whatever their type. */
const JUNK_VALUES = new Set(['', '0', '-', 'null', 'nil', 'none', 'undefined', 'unknown', 'anonymous', 'test', 'n/a', 'na', '[object object]']);
/** Phone numbers known to be typed by people who do not want to give theirs (E.164). */
const JUNK_PHONES = new Set(['+8613800138000', '+8613888888888', '+8613912345678', '+8612345678901']);

/**
 * Whether a normalised value must not identify anybody: the built-in list, a value made of one
 * repeated digit (00000000000, 1111111), and the tenant's own list (normalised values).
 */
export function isJunkIdentifier(type: string, value: string, tenantBlocklist: ReadonlySet<string> = new Set()): boolean {
  const v = value.trim().toLowerCase();
  if (JUNK_VALUES.has(v) || tenantBlocklist.has(value)) return true;
  const digits = v.replace(/^\+86/, '').replace(/\D/g, '');
  if (digits.length >= 5 && /^(\d)\1+$/.test(digits) && digits.length === v.replace(/^\+/, '').replace(/^86/, '').length) return true;
  return type === 'phone' && JUNK_PHONES.has(value);
}
