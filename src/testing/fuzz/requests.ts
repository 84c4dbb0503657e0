import { encodeLoosely } from './encode.js';
import { ALL_VALUE_MUTANTS, OTHER_VALUE_MUTANTS, PATH_MUTANTS, RAW_BODY_MUTANTS, UNSTORABLE_MUTANTS } from './mutations.js';
import type { OperationSpec, Param } from './operations.js';
import type { Rng } from './rng.js';
import { sampleValue, type SampleContext } from './sample.js';
import { isSchema, props, required } from './schema.js';

/** A request the fuzzer sends, and what it is meant to test. */
export interface FuzzRequest {
  label: string;
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: Record<string, string>;
  query: Array<[string, string]>;
  body: { contentType: string; payload: string | Buffer; encoding?: string } | null;
  /** Which credentials to send: a principal name, or a broken credential. */
  auth: 'admin' | 'managerA' | 'consultantA1' | 'analyst' | 'none' | 'garbage';
}

export interface RequestContext extends SampleContext {
  /** A real value for a path parameter, by the path up to and including it. */
  pathValue(spec: OperationSpec, param: Param): string | undefined;
}


/** One row both CSV imports can read, with the mappings the world gives as hints. */
export const CSV_SAMPLE = 'phone,name,city,series,externalId,kind,amountFen,at,vin\n13812345678,李雷,上海,汉,fz-csv-1,maintenance,50000,2026-03-01T00:00:00Z,LSVAU2187N2123456\n';

function queryText(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  return [typeof value === 'string' ? value : JSON.stringify(value)];
}

/** A request as the document says to make it, with real ids where the world has them. */
export function validRequest(ctx: RequestContext, spec: OperationSpec, auth: FuzzRequest['auth']): FuzzRequest {
  const path: Record<string, string> = {};
  const query: Array<[string, string]> = [];
  for (const p of spec.params) {
    if (p.in === 'path') {
      path[p.name] = encodeLoosely(ctx.pathValue(spec, p) ?? queryText(sampleValue(ctx, p.schema, p.name))[0]!);
    } else if (p.required || ctx.hints[p.name] !== undefined || ctx.rng.chance(0.3)) {
      for (const v of queryText(sampleValue(ctx, p.schema, p.name))) query.push([p.name, v]);
    }
  }
  let body: FuzzRequest['body'] = null;
  if (spec.body && (spec.body.required || ctx.rng.chance(0.7))) {
    const mediaType = ctx.rng.pick(Object.keys(spec.body.content));
    const json = spec.body.content[mediaType];
    body =
      mediaType.startsWith('text/') && !spec.path.startsWith('/v1/')
        ? { contentType: `${mediaType}; charset=utf-8`, payload: CSV_SAMPLE }
        : { contentType: mediaType, payload: JSON.stringify(sampleValue(ctx, json ?? {}, undefined)) };
  }
  return { label: 'valid', method: spec.method, path, query, body, auth };
}

/** Every leaf path of a JSON value (objects and arrays followed), up to `limit`. */
function leafPaths(value: unknown, limit: number): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [];
  const stack: Array<[unknown, Array<string | number>]> = [[value, []]];
  while (stack.length > 0 && out.length < limit) {
    const [v, p] = stack.pop()!;
    if (Array.isArray(v) && v.length > 0) v.forEach((child, i) => stack.push([child, [...p, i]]));
    else if (typeof v === 'object' && v !== null && Object.keys(v).length > 0) Object.entries(v).forEach(([k, child]) => stack.push([child, [...p, k]]));
    else if (p.length > 0) out.push(p);
  }
  return out;
}

/** A copy of `v` with the value at `path` replaced (or removed). */
function setAt(v: unknown, path: ReadonlyArray<string | number>, value: unknown, remove = false): unknown {
  const [key, ...rest] = path;
  if (key === undefined) return value;
  if (Array.isArray(v) && typeof key === 'number') {
    const copy: unknown[] = [...v];
    if (rest.length === 0 && remove) copy.splice(key, 1);
    else copy[key] = setAt(v[key], rest, value, remove);
    return copy;
  }
  if (isSchema(v) && typeof key === 'string') {
    const copy: Record<string, unknown> = { ...v };
    if (rest.length === 0 && remove) delete copy[key];
    else copy[key] = setAt(v[key], rest, value, remove);
    return copy;
  }
  return v;
}

const describePath = (path: ReadonlyArray<string | number>) => path.map(String).join('.');

function pathMutants(ctx: RequestContext, spec: OperationSpec, base: FuzzRequest): FuzzRequest[] {
  return spec.params
    .filter((p) => p.in === 'path')
    .flatMap((p) => {
      const chosen = [...PATH_MUTANTS.slice(0, 5), ...ctx.rng.some(PATH_MUTANTS.slice(5), 4)];
      return chosen.map(([what, value]) => ({ ...base, label: `path ${p.name}: ${what}`, path: { ...base.path, [p.name]: value } }));
    });
}

function queryMutants(ctx: RequestContext, spec: OperationSpec, base: FuzzRequest): FuzzRequest[] {
  const params = ctx.rng.some(spec.params.filter((p) => p.in === 'query'), 5);
  const out: FuzzRequest[] = params.flatMap((p) => {
    const others = base.query.filter(([k]) => k !== p.name);
    const values = [...UNSTORABLE_MUTANTS, ...ctx.rng.some(OTHER_VALUE_MUTANTS, 4)].map(([what, v]): [string, string[]] => [what, queryText(v)]);
    values.push(['repeated', ['a', 'b']]);
    return values.map(([what, texts]) => ({ ...base, label: `query ${p.name}: ${what}`, query: [...others, ...texts.map((t): [string, string] => [p.name, t])] }));
  });
  out.push({ ...base, label: 'query: unknown parameter', query: [...base.query, ['__fuzz', "'; --"]] });
  return out;
}

function jsonBodyMutants(ctx: RequestContext, spec: OperationSpec, base: FuzzRequest): FuzzRequest[] {
  const schema = spec.body?.content['application/json'];
  if (!schema) return [];
  // Mutations of the JSON form, also when the valid request chose another media type (a CSV import).
  const sentJson = base.body && typeof base.body.payload === 'string' && base.body.contentType.startsWith('application/json');
  const value: unknown = sentJson && typeof base.body?.payload === 'string' ? JSON.parse(base.body.payload) : sampleValue(ctx, schema, undefined);
  const withValue = (label: string, v: unknown): FuzzRequest => ({ ...base, label, body: { contentType: 'application/json', payload: JSON.stringify(v) } });
  const out: FuzzRequest[] = [];
  for (const path of ctx.rng.some(leafPaths(value, 60), 8)) {
    for (const [what, mutant] of [...UNSTORABLE_MUTANTS, ...ctx.rng.some(OTHER_VALUE_MUTANTS, 4)]) out.push(withValue(`body ${describePath(path)}: ${what}`, setAt(value, path, mutant)));
  }
  const resolved = ctx.resolver.deref(schema);
  for (const key of ctx.rng.some(required(resolved), 3)) out.push(withValue(`body: without required ${key}`, setAt(value, [key], undefined, true)));
  if (props(resolved).length > 0 && isSchema(value)) out.push(withValue('body: unknown extra field', { ...value, __fuzz: { '$where': '1' } }));
  for (const [what, mutant] of ctx.rng.some(ALL_VALUE_MUTANTS, 3)) out.push(withValue(`body: the whole body is ${what}`, mutant));
  return out;
}

function rawBodyMutants(ctx: RequestContext, spec: OperationSpec, base: FuzzRequest): FuzzRequest[] {
  if (spec.method === 'GET') return [];
  const chosen = spec.body ? RAW_BODY_MUTANTS : ctx.rng.some(RAW_BODY_MUTANTS, 4);
  return chosen.map(([what, b]) => ({ ...base, label: `body: ${what}`, body: { contentType: b.contentType, payload: b.payload, ...(b.encoding ? { encoding: b.encoding } : {}) } }));
}

/** The mutations of one valid request: path, query, body values, whole bodies, credentials. */
export function mutantsOf(ctx: RequestContext, spec: OperationSpec, base: FuzzRequest, rng: Rng): FuzzRequest[] {
  const out = [...pathMutants(ctx, spec, base), ...queryMutants(ctx, spec, base), ...jsonBodyMutants(ctx, spec, base), ...rawBodyMutants(ctx, spec, base)];
  if (base.body && typeof base.body.payload === 'string' && base.body.contentType.startsWith('application/json')) {
    out.push({ ...base, label: 'Content-Type in upper case with a charset', body: { ...base.body, contentType: 'APPLICATION/JSON; Charset=UTF-8' } });
    out.push({ ...base, label: 'Content-Type with a Latin-1 charset', body: { ...base.body, contentType: 'application/json; charset=iso-8859-1' } });
  }
  out.push({ ...base, label: 'a method the path does not have', method: 'PATCH', body: null });
  if (spec.method === 'GET') out.push({ ...base, label: 'HEAD', method: 'HEAD' });
  if (spec.auth !== 'none') {
    out.push({ ...base, label: 'no credentials', auth: 'none' });
    out.push({ ...base, label: 'garbage credentials', auth: 'garbage' });
  }
  // Mutations run as an admin mostly (deepest reach), sometimes as dealer staff.
  return out.map((r) => (r.auth === 'admin' && rng.chance(0.25) ? { ...r, auth: rng.pick(['managerA', 'consultantA1', 'analyst'] as const) } : r));
}
