import { isRecord } from '../../platform/json.js';
/** Reading the fake WeCom's JSON request bodies without casts, failing the way WeCom does. */

/** A WeCom error the fake answers with (HTTP 200, `{ errcode, errmsg }`). */
export class FakeWecomError extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(errmsg);
  }
}

/** WeCom's 不合法的参数. */
export const INVALID_PARAMETER = 40058;

export type Body = Record<string, unknown>;

export const isBody: (value: unknown) => value is Body = isRecord;

export function optString(body: Body, field: string): string | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new FakeWecomError(INVALID_PARAMETER, `invalid ${field}`);
  return value;
}

export function reqString(body: Body, field: string): string {
  const value = optString(body, field);
  if (!value) throw new FakeWecomError(INVALID_PARAMETER, `${field} missing`);
  return value;
}

export function optNumber(body: Body, field: string): number | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw new FakeWecomError(INVALID_PARAMETER, `invalid ${field}`);
  return value;
}

export function strings(body: Body, field: string): string[] {
  const value = body[field];
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) throw new FakeWecomError(INVALID_PARAMETER, `invalid ${field}`);
  return value;
}

export function optBody(body: Body, field: string): Body | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (!isBody(value)) throw new FakeWecomError(INVALID_PARAMETER, `invalid ${field}`);
  return value;
}

/** A page of `items` from the numeric `cursor` (WeCom's cursors are opaque; the fake's are offsets). */
export function page<T>(items: T[], cursor: string | undefined, limit: number): { items: T[]; next_cursor: string } {
  const start = cursor ? Number.parseInt(cursor, 10) || 0 : 0;
  const end = start + limit;
  return { items: items.slice(start, end), next_cursor: end < items.length ? String(end) : '' };
}
