import RandExp from 'randexp';
import type { Rng } from './rng.js';
import { isSchema, num, props, required, schemas, str, types, type Resolver, type Schema } from './schema.js';

/**
 * Valid values for a JSON Schema: what an integrator following the document would send. Where the
 * world knows a real value for a property name (a dealer code, a profile id), it is used most of
 * the time, so that valid requests reach the code behind validation.
 */

export type Hints = Readonly<Record<string, readonly unknown[]>>;

export interface SampleContext {
  rng: Rng;
  resolver: Resolver;
  hints: Hints;
}

const WORDS = ['汉', '上海', 'X5', 'alpha', 'test drive', '王小明', 'series-1', 'note', '试驾', 'ok'];
const MAX_DEPTH = 7;
/** Names whose text is a date-time (the document types them as plain strings). */
const DATE_TIME_NAMES = /(At|^at|^from|^to|^since|^until|^validFrom|^validTo|^timestamp|^sentAt|^originalTimestamp|Time)$/;

/** randexp does not know Unicode property classes (\p{L}): plain ranges instead, inside their brackets. */
function simplifyPattern(pattern: string): string {
  return pattern.replaceAll('\\p{L}', 'a-zA-Z').replaceAll('\\p{N}', '0-9');
}

function fromPattern(ctx: SampleContext, pattern: string): string {
  const gen = new RandExp(simplifyPattern(pattern));
  gen.max = 6;
  gen.randInt = (from, to) => ctx.rng.int(from, to);
  return gen.gen();
}

function matches(schema: Schema, value: unknown): boolean {
  const allowed = schema['enum'];
  if (Array.isArray(allowed)) return allowed.includes(value);
  if (typeof value === 'string') {
    const pattern = str(schema, 'pattern');
    if (pattern && !new RegExp(pattern, 'u').test(value)) return false;
    const max = num(schema, 'maxLength');
    if (max !== undefined && [...value].length > max) return false;
    const min = num(schema, 'minLength');
    if (min !== undefined && [...value].length < min) return false;
    return types(schema).length === 0 || types(schema).includes('string');
  }
  if (Array.isArray(value)) return types(schema).includes('array');
  if (typeof value === 'object' && value !== null) return types(schema).includes('object') || props(schema).length > 0;
  return true;
}

function hinted(ctx: SampleContext, name: string | undefined, schema: Schema): { value: unknown } | null {
  if (!name || schema['const'] !== undefined) return null;
  const candidates = (ctx.hints[name] ?? []).filter((v) => matches(schema, v));
  return candidates.length > 0 && ctx.rng.chance(0.92) ? { value: ctx.rng.pick(candidates) } : null;
}

function sampleString(ctx: SampleContext, schema: Schema, name: string | undefined): string {
  const format = str(schema, 'format');
  if (format === 'uuid') return ctx.rng.uuid();
  if (format === 'date-time' || (name && DATE_TIME_NAMES.test(name))) return new Date(Date.UTC(2026, ctx.rng.int(0, 10), ctx.rng.int(1, 28), ctx.rng.int(0, 23))).toISOString();
  if (format === 'date') return `2026-${String(ctx.rng.int(1, 12)).padStart(2, '0')}-${String(ctx.rng.int(1, 28)).padStart(2, '0')}`;
  if (format === 'email') return `fuzz${ctx.rng.int(1, 999)}@example.com`;
  if (format === 'uri') return 'https://example.com/fuzz';
  const pattern = str(schema, 'pattern');
  if (pattern) return fromPattern(ctx, pattern);
  const min = num(schema, 'minLength') ?? 1;
  const max = Math.max(min, Math.min(num(schema, 'maxLength') ?? 24, 24));
  let s = ctx.rng.pick(WORDS);
  while ([...s].length < min) s += ctx.rng.pick(WORDS);
  return [...s].slice(0, max).join('');
}

function sampleNumber(ctx: SampleContext, schema: Schema, integer: boolean): number {
  const exMin = num(schema, 'exclusiveMinimum');
  const exMax = num(schema, 'exclusiveMaximum');
  const min = num(schema, 'minimum') ?? (exMin !== undefined ? exMin + 1 : 0);
  const max = num(schema, 'maximum') ?? (exMax !== undefined ? exMax - 1 : Math.max(min + 100, 100));
  const lo = Math.max(min, -1e6);
  const hi = Math.min(max, Math.max(lo, lo + 1000));
  const v = lo + ctx.rng.next() * (hi - lo);
  return integer ? Math.max(Math.ceil(lo), Math.min(Math.floor(hi), Math.round(v))) : v;
}

function sampleObject(ctx: SampleContext, schema: Schema, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const req = new Set(required(schema));
  for (const [key, child] of props(schema)) {
    // Fields the world knows values for are mostly sent: they are what makes a request reach the handler.
    const p = ctx.hints[key] !== undefined ? 0.9 : 0.6;
    if (req.has(key) || (depth < MAX_DEPTH && ctx.rng.chance(p))) out[key] = sampleValue(ctx, child, key, depth + 1);
  }
  const extra = schema['additionalProperties'];
  if (props(schema).length === 0 && isSchema(extra) && depth < MAX_DEPTH) out[`k${ctx.rng.int(1, 9)}`] = sampleValue(ctx, extra, undefined, depth + 1);
  return out;
}

/** A value `schema` accepts (as far as JSON Schema can say: cross-field rules are the server's). */
export function sampleValue(ctx: SampleContext, raw: Schema, name: string | undefined, depth = 0): unknown {
  const schema = ctx.resolver.deref(raw);
  if ('const' in schema) return schema['const'];
  const hint = hinted(ctx, name, schema);
  if (hint) return hint.value;
  const enumValues = schema['enum'];
  if (Array.isArray(enumValues) && enumValues.length > 0) return ctx.rng.pick(enumValues);
  const options = [...schemas(schema, 'anyOf'), ...schemas(schema, 'oneOf')];
  if (options.length > 0) {
    const nonNull = options.filter((o) => !types(ctx.resolver.deref(o)).includes('null'));
    const chosen = depth >= MAX_DEPTH ? (nonNull.find((o) => !str(o, '$ref')) ?? nonNull[0] ?? options[0]!) : ctx.rng.pick(nonNull.length > 0 ? nonNull : options);
    return sampleValue(ctx, { ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== 'anyOf' && k !== 'oneOf')), ...chosen }, name, depth);
  }
  const all = schemas(schema, 'allOf');
  if (all.length > 0) return Object.assign({}, ...all.map((s) => sampleValue(ctx, s, name, depth)));
  const type = types(schema).find((t) => t !== 'null') ?? (props(schema).length > 0 ? 'object' : undefined);
  switch (type) {
    case 'object':
      return sampleObject(ctx, schema, depth);
    case 'array': {
      const items = isSchema(schema['items']) ? schema['items'] : {};
      const min = num(schema, 'minItems') ?? 0;
      const max = Math.min(num(schema, 'maxItems') ?? 3, min + 2, depth >= MAX_DEPTH ? min : 3);
      const n = ctx.rng.int(min, Math.max(min, max));
      const values = Array.from({ length: n }, () => sampleValue(ctx, items, name, depth + 1));
      return schema['uniqueItems'] === true ? [...new Map(values.map((v) => [JSON.stringify(v), v])).values()] : values;
    }
    case 'string':
      return sampleString(ctx, schema, name);
    case 'integer':
      return sampleNumber(ctx, schema, true);
    case 'number':
      return sampleNumber(ctx, schema, false);
    case 'boolean':
      return ctx.rng.chance(0.5);
    case 'null':
      return null;
    default:
      return ctx.rng.pick<unknown>(['any', 1, { note: 'x' }]);
  }
}
