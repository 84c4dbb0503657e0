import { z } from 'zod';

export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string().describe('Stable machine-readable code, e.g. invalid_request'),
      message: z.string().describe('What went wrong and what to do about it'),
      details: z.unknown().describe('Structured detail, e.g. the offending fields'),
    }),
  })
  .meta({ id: 'Error' });

export type ErrorBody = z.infer<typeof errorBodySchema>;

const documented = new WeakMap<z.ZodType, Readonly<Record<string, z.ZodType>>>();

/**
 * How the API document shows a request or response schema that JSON Schema cannot say as it is
 * checked: per media type, the schema to show. For a body told apart by its keys (one object or
 * `{ leads: [...] }`), a CSV body, or a CSV response. Returns `schema`.
 */
export function documentAs<T extends z.ZodType>(schema: T, content: Readonly<Record<string, z.ZodType>>): T {
  documented.set(schema, content);
  return schema;
}

/** The media types and schemas `documentAs` gave a schema, if any. */
export function documentedContent(schema: unknown): Readonly<Record<string, z.ZodType>> | undefined {
  return schema instanceof z.ZodType ? documented.get(schema) : undefined;
}

/** NUL and unpaired UTF-16 surrogates: valid in JSON and JS, not storable in PostgreSQL text. */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const UNSTORABLE_CHARS = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function isStorableText(s: string): boolean {
  return !UNSTORABLE_CHARS.test(s);
}

/**
 * In JSON text, NUL and lone surrogates can only appear as escapes (`\u0000`, `\ud800`): raw control
 * characters are not valid JSON and UTF-8 decoding never yields a lone surrogate. So JSON text
 * without such an escape parses to nothing PostgreSQL refuses. (A pair `\ud83d\ude97` matches too:
 * a cheap "maybe", to be settled on the parsed value.)
 */
const UNSTORABLE_ESCAPE = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/i;

export function jsonTextMayHoldUnstorable(text: string): boolean {
  return UNSTORABLE_ESCAPE.test(text);
}

/** A string PostgreSQL can store: every free-text field that reaches the database uses it. */
export const storableText = z
  .string()
  .refine(isStorableText, 'must not contain NUL characters (\\u0000) or unpaired UTF-16 surrogates');

/**
 * ISO-8601 date-times with a zone (`Z`, `+08:00`, `+0800`), read leniently as Segment's own examples
 * are (`2015-2-02T00:30:08.276Z`, a space for the `T`). Output is the canonical UTC form. Years are
 * bounded to 1970–2200 so that clock-skew arithmetic stays within PostgreSQL's timestamp range.
 */
const DATE_TIME = /^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}(?::?\d{2})?)$/i;

export function parseDateTime(s: string): Date | null {
  const m = DATE_TIME.exec(s.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, sec = '00', frac = '', zone = 'Z'] = m;
  const pad = (v: string | undefined) => (v ?? '').padStart(2, '0');
  const ms = frac ? frac.slice(0, 4).padEnd(4, '0') : '.000';
  const z = zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 3 ? `${zone}:00` : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const date = new Date(`${y}-${pad(mo)}-${pad(d)}T${pad(h)}:${mi}:${sec}${ms}${z}`);
  if (Number.isNaN(date.getTime())) return null;
  // Reject calendar dates that JS would roll over (2026-02-31 → 2026-03-03).
  const calendar = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (calendar.getUTCMonth() !== Number(mo) - 1 || calendar.getUTCDate() !== Number(d) || Number(h) > 23) return null;
  return date;
}

export const isoDateTime = z.string().meta({ format: 'date-time' }).transform((s, ctx) => {
  const date = parseDateTime(s);
  if (!date) {
    ctx.addIssue({ code: 'custom', message: 'must be an ISO-8601 date-time with a time zone, e.g. 2026-11-22T08:00:00Z' });
    return z.NEVER;
  }
  const year = date.getUTCFullYear();
  if (year < 1970 || year > 2200) {
    ctx.addIssue({ code: 'custom', message: 'must be a date-time between the years 1970 and 2200' });
    return z.NEVER;
  }
  return date.toISOString();
});

/** A UUID in canonical lower case: `ABC…` and `abc…` name the same row. */
export const uuidString = z
  .uuid({ error: 'must be a UUID' })
  .transform((s) => s.toLowerCase());

/** Required, trimmed, non-empty text of at most `max` characters that PostgreSQL can store. */
export const requiredText = (max: number) =>
  z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .pipe(storableText);
