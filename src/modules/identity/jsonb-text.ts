import { isRecord } from '../../platform/json.js';

function ascii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7e) return false;
  return true;
}

/** jsonb's order of object keys: shorter first (in UTF-8 bytes), then bytewise. */
function jsonbKeyOrder(a: string, b: string): number {
  if (ascii(a) && ascii(b)) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  return Buffer.byteLength(a) - Buffer.byteLength(b) || Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * A JSON value as PostgreSQL prints a jsonb (keys by length, then bytes; ", " and ": "), so that a
 * stored profile's traits compare with the graph's as text, without parsing them. A value printed
 * differently (a number such as 1.0 or 1e21) only makes the profile look changed: it is rewritten.
 */
export function jsonbText(v: unknown): string {
  const parts: string[] = [];
  print(v, parts);
  return parts.join('');
}

function print(v: unknown, out: string[]): void {
  if (v === null || typeof v !== 'object') {
    out.push(JSON.stringify(v) ?? 'null');
    return;
  }
  if (Array.isArray(v)) {
    out.push('[');
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out.push(', ');
      print(v[i], out);
    }
    out.push(']');
    return;
  }
  if (!isRecord(v)) {
    out.push('null');
    return;
  }
  const keys = Object.keys(v);
  if (keys.length > 1) keys.sort(jsonbKeyOrder);
  out.push('{');
  let first = true;
  for (const k of keys) {
    const x = v[k];
    if (x === undefined) continue;
    if (!first) out.push(', ');
    out.push(JSON.stringify(k), ': ');
    print(x, out);
    first = false;
  }
  out.push('}');
}
