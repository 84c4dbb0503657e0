import { AppError } from '../../platform/errors.js';

/**
 * Vehicle identification numbers per ISO 3779 / GB 16735: 17 characters from 0-9 and A-Z without
 * I, O and Q, with a check digit in position 9 (weights 8 7 6 5 4 3 2 10 0 9 8 7 6 5 4 3 2, modulo 11,
 * 10 written as X). GB 16735 makes the check digit mandatory for vehicles sold in China.
 */
const TRANSLITERATION: Record<string, number> = {
  A: 1, B: 2, C: 3, D: 4, E: 5, F: 6, G: 7, H: 8,
  J: 1, K: 2, L: 3, M: 4, N: 5, P: 7, R: 9,
  S: 2, T: 3, U: 4, V: 5, W: 6, X: 7, Y: 8, Z: 9,
};
const WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
const SHAPE = /^[0-9A-HJ-NPR-Z]{17}$/;

function value(c: string): number {
  return c >= '0' && c <= '9' ? c.charCodeAt(0) - 48 : (TRANSLITERATION[c] ?? -1);
}

/** The check digit a VIN should carry in position 9, from its other 16 characters. */
export function vinCheckDigit(vin: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += value(vin[i] ?? '0') * (WEIGHTS[i] ?? 0);
  const r = sum % 11;
  return r === 10 ? 'X' : String(r);
}

export type VinProblem = 'length' | 'alphabet' | 'check_digit';

/** The VIN in canonical form (trimmed, upper case), or why it is not one. */
export function parseVin(raw: string): { ok: true; vin: string } | { ok: false; problem: VinProblem; message: string } {
  const vin = raw.trim().toUpperCase();
  if (vin.length !== 17) return { ok: false, problem: 'length', message: `a VIN has 17 characters; "${raw}" has ${vin.length}` };
  if (!SHAPE.test(vin)) {
    return { ok: false, problem: 'alphabet', message: `a VIN uses 0-9 and A-Z without I, O and Q; "${raw}" does not` };
  }
  const expected = vinCheckDigit(vin);
  if (vin[8] !== expected) {
    return { ok: false, problem: 'check_digit', message: `the check digit (9th character) of "${raw}" should be ${expected}, not ${vin[8]}: a typo?` };
  }
  return { ok: true, vin };
}

/** As parseVin, throwing a 400 `invalid_request` that names the field. */
export function requireVin(raw: string, field = 'vin'): string {
  const parsed = parseVin(raw);
  if (!parsed.ok) throw new AppError('invalid_request', `${field}: ${parsed.message}`, { field, problem: parsed.problem });
  return parsed.vin;
}
