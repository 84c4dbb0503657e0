/**
 * Masking of personal information for roles that may not see it (analysts). One place, so that
 * profiles, leads, segments and exports mask alike.
 */

/** `+8613412341234` → `134****1234`; other numbers keep their first three and last four characters. */
export function maskPhone(value: string): string {
  const national = value.startsWith('+86') ? value.slice(3) : value;
  if (national.length <= 7) return `${national.slice(0, 1)}****`;
  return `${national.slice(0, 3)}****${national.slice(-4)}`;
}

/** `王小明` → `王**`; `Alice Smith` → `A**********`: the first character and the length. */
export function maskName(value: string): string {
  const chars = [...value];
  if (chars.length === 0) return value;
  return chars[0] + '*'.repeat(Math.max(chars.length - 1, 1));
}

/** `alice@example.com` → `a***@example.com`. */
export function maskEmail(value: string): string {
  const at = value.lastIndexOf('@');
  if (at <= 0) return maskValue(value);
  return `${value.slice(0, 1)}***${value.slice(at)}`;
}

/** Any other identifying value (openid, VIN, customer number): keep the first 2 and last 2 characters. */
export function maskValue(value: string): string {
  const chars = [...value];
  if (chars.length <= 4) return '*'.repeat(chars.length);
  return `${chars.slice(0, 2).join('')}${'*'.repeat(chars.length - 4)}${chars.slice(-2).join('')}`;
}

/** Trait names that hold personal information, masked by kind. */
const PII_TRAITS: Record<string, (v: string) => string> = {
  name: maskName,
  firstName: maskName,
  lastName: maskName,
  first_name: maskName,
  last_name: maskName,
  // The WeChat display name WeCom reports for a customer (often the real name).
  wechatName: maskName,
  nickname: maskName,
  phone: maskPhone,
  mobile: maskPhone,
  email: maskEmail,
  address: maskValue,
  idNumber: maskValue,
  id_number: maskValue,
  birthday: maskValue,
  plate: maskValue,
  licensePlate: maskValue,
  // A VIN leads to the person through registration records (delivery and service events carry one).
  vin: maskValue,
  vehicleVin: maskValue,
};

/** A copy of a traits object with personal values masked (nested objects are masked whole). */
export function maskTraits(traits: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(traits)) {
    const mask = PII_TRAITS[key];
    if (mask && typeof value === 'string') out[key] = mask(value);
    else if (mask && value !== null && value !== undefined) out[key] = '***';
    else if (key === 'address' || (typeof value === 'object' && value !== null && ['address', 'contact'].includes(key))) out[key] = '***';
    else out[key] = value;
  }
  return out;
}
