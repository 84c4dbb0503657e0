import type { SwaggerTransform, SwaggerTransformObject } from '@fastify/swagger';
import type { FastifySchema, RouteOptions } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import type { OpenAPIV3_1 } from 'openapi-types';
import { z } from 'zod';
import { documentedContent, errorBodySchema } from '../contracts/common.js';

/**
 * The API document: what zod and @fastify/swagger generate, completed so that every operation names
 * an id, its media types and every error it can answer, and so that validators and client
 * generators take it as it is.
 */

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Statuses and what they mean, shown on every operation that can answer them. */
export const RESPONSE_DESCRIPTIONS: Record<string, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted: the work runs in the background',
  204: 'Done; no content',
  302: 'A redirect: the browser goes on to Location',
  308: 'The profile was merged into another one: Location is the same path with the surviving id (details.profileId)',
  400: 'The request is invalid: details.issues names each field (part, path, message); also malformed JSON or a malformed URL',
  401: 'No valid credentials: send the token (management API) or the write key (tracking API)',
  403: 'Your role may not do this',
  404: 'Not found, or not in your data scope (the two look the same)',
  409: 'Conflicts with the current state (details say what and what is allowed)',
  413: 'The body is larger than this operation accepts',
  414: 'A path parameter is longer than any valid value (100 characters)',
  415: 'The Content-Type or Content-Encoding is not one this operation accepts',
  423: 'The account is locked after repeated wrong passwords (details.lockedUntil)',
  503: 'The server is shutting down or the store does not answer; retry',
  '5XX': 'A server error, in the same shape (details.requestId is in the logs); 503 while shutting down or when the store does not answer',
  default: 'Any other answer, in the same error shape',
};

/** The operation groups, in the order /docs shows them. */
export const TAGS: OpenAPIV3_1.TagObject[] = [
  { name: 'service', description: 'Health of the server and its store' },
  { name: 'ingest', description: 'The Segment-compatible tracking API: write key as the HTTP Basic user name' },
  { name: 'events', description: 'Stored events' },
  { name: 'sources', description: 'Event sources and their write keys' },
  { name: 'admin tokens', description: 'Tenant admin tokens' },
  { name: 'auth', description: 'Staff login, logout and who am I' },
  { name: 'org', description: 'The dealer network: HQ → region → dealer group → dealer → team' },
  { name: 'staff', description: 'Staff, their roles and units' },
  { name: 'audit', description: 'The audit trail: logins, exports, permission changes, merges, splits, erasure' },
  { name: 'notifications', description: "A staff member's notifications" },
  { name: 'profiles', description: 'People (One ID): customer 360, timeline, merges, split, erasure' },
  { name: 'vehicles', description: 'Vehicles by VIN and who buys, owns, drives and pays' },
  { name: 'households', description: 'People linked without merging them' },
  { name: 'consents', description: 'PIPL consent per channel and purpose' },
  { name: 'identity rules', description: 'Identifier types, junk values and trait strategies' },
  { name: 'tags', description: 'Tag groups, manual and rule tags, bulk tag operations' },
  { name: 'segments', description: 'Segments: preview, saved segments, members and changes' },
  { name: 'stages', description: 'Operating models (5A, AARRR, AIPL) and a person’s stages' },
  { name: 'analytics', description: 'Stage distribution, flows, funnel and the reachable pool' },
  { name: 'leads', description: 'Lead intake, the pool, assignment, settings and routing rules' },
  { name: 'funnel', description: 'The 4S funnel: transitions, follow-ups, defeat approval' },
  { name: 'sales', description: 'Orders, deliveries, after-sales, lifetime value and origin credit' },
  { name: 'lead sources', description: 'Forms, the Autohome feed, the Ocean Engine poller and CSV imports' },
  { name: 'kpis', description: 'Funnel KPIs per unit, consultant, source and period' },
  { name: 'wecom', description: 'WeCom (企业微信) connectors per corp, their health check and the callback URL WeCom calls' },
];

type ResponseMap = Record<string, unknown>;

/** Headers a route sends with a status, worth a client's reading: status → header name → what it says. */
export type ResponseHeaders = Readonly<Record<string, Readonly<Record<string, string>>>>;

declare module 'fastify' {
  interface FastifySchema {
    /** Shown in the API document as the response's headers (e.g. Location of a 202). */
    responseHeaders?: ResponseHeaders;
  }
}

function isResponseMap(value: unknown): value is ResponseMap {
  return typeof value === 'object' && value !== null && !(value instanceof z.ZodType);
}

function routeMethods(route: RouteOptions): string[] {
  return Array.isArray(route.method) ? route.method : [route.method];
}

/**
 * Adds the error responses a route can answer whatever its handler does (onRoute hook): bad input,
 * credentials, scope, a too-long path parameter, a body too large or of the wrong type, and any
 * other status in the same error shape. The serializer then also holds error bodies to the shape.
 */
export function documentRouteErrors(route: RouteOptions): void {
  const schema: FastifySchema | undefined = route.schema;
  if (!schema || schema.hide === true) return;
  const existing: unknown = schema.response;
  // A copy: several routes may share one response map (a module constant).
  const response: ResponseMap = isResponseMap(existing) ? { ...existing } : {};
  const add = (status: string) => {
    response[status] ??= errorBodySchema;
  };
  add('400');
  if (Array.isArray(schema.security) && schema.security.length > 0) {
    add('401');
    if (route.url.startsWith('/api/')) add('403');
  }
  if (route.url.includes(':')) {
    add('404');
    add('414');
  }
  // The tracking API reads any media type and coding, and answers an oversized body with a 400 (as Segment's).
  if (routeMethods(route).some((m) => BODY_METHODS.has(m)) && route.config?.decodesBody !== true) {
    add('413');
    add('415');
  }
  // A range, not `default`: a success status a handler forgot to document is not serialised as an error.
  add('5xx');
  schema.response = response;
}

/** `POST /api/v1/leads/:id/claim` → `postLeadsByIdClaim`; `/v1/track` → `postV1Track`. */
export function operationIdFor(method: string, path: string): string {
  const words = path
    .replace(/^\/api\/v1\//, '/')
    .split('/')
    .filter(Boolean)
    .map((segment) => {
      const param = /^[:{](\w+)}?$/.exec(segment);
      return param ? `By-${param[1]}` : segment;
    })
    .join('-')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  return method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

type TransformInput = Parameters<SwaggerTransform>[0];

/** The JSON Schema of one zod schema in the place of a route part, made the way every other part is. */
function partSchema(input: TransformInput, part: 'body' | 'response', schema: z.ZodType): unknown {
  const made = jsonSchemaTransform({ ...input, schema: part === 'body' ? { body: schema } : { response: { 200: schema } } }).schema;
  const response: unknown = made.response;
  const json: unknown = part === 'body' ? made.body : isResponseMap(response) ? response['200'] : undefined;
  // Without its placeholder $id: @fastify/swagger would turn a repeated one into a title.
  if (typeof json !== 'object' || json === null) return json;
  return Object.fromEntries(Object.entries(json).filter(([key]) => key !== '$id'));
}

/** `{ content: { [mediaType]: { schema } } }` for a schema registered in documentedContent, else null. */
function contentOf(input: TransformInput, part: 'body' | 'response', schema: unknown): { content: Record<string, { schema: unknown }> } | null {
  const media = documentedContent(schema);
  if (!media) return null;
  const content: Record<string, { schema: unknown }> = {};
  for (const [mediaType, shown] of Object.entries(media)) content[mediaType] = { schema: partSchema(input, part, shown) };
  return { content };
}

/**
 * zod → JSON Schema for each route part (fastify-type-provider-zod), except the parts registered in
 * documentedContent: those are shown per media type.
 */
export const transform: SwaggerTransform = (input) => {
  const { schema } = input;
  const body = contentOf(input, 'body', schema.body);
  const responses = isResponseMap(schema.response) ? schema.response : {};
  const documented: Record<string, unknown> = {};
  const plain: ResponseMap = {};
  for (const [status, s] of Object.entries(responses)) {
    const content = contentOf(input, 'response', s);
    if (content) documented[status] = content;
    else plain[status] = s;
  }
  const made = jsonSchemaTransform({ ...input, schema: { ...schema, ...(body ? { body: undefined } : {}), response: plain } });
  const out: FastifySchema = { ...made.schema };
  if (body) out.body = body;
  if (Object.keys(documented).length > 0) out.response = { ...(isResponseMap(out.response) ? out.response : {}), ...documented };
  withResponseHeaders(out, schema.responseHeaders);
  return { schema: out, url: made.url };
};

/** Adds the headers a route documents for a status to that response (@fastify/swagger reads `headers` there). */
function withResponseHeaders(out: FastifySchema, headers: ResponseHeaders | undefined): void {
  delete out.responseHeaders;
  if (!headers || !isResponseMap(out.response)) return;
  const responses: ResponseMap = { ...out.response };
  for (const [status, named] of Object.entries(headers)) {
    const made = responses[status];
    if (typeof made !== 'object' || made === null) continue;
    responses[status] = { ...made, headers: Object.fromEntries(Object.entries(named).map(([name, description]) => [name, { type: 'string', description }])) };
  }
  out.response = responses;
}

type Document = OpenAPIV3_1.Document;
type Operation = OpenAPIV3_1.OperationObject;

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

/** Every operation of a document: path, lower-case method, operation. */
export function* operations(doc: Document): Generator<[string, string, Operation]> {
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    if (!item) continue;
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (op) yield [path, method, op];
    }
  }
}

const SCHEMA_REF = '#/components/schemas/';

/** Names of the component schemas a value refers to (directly). */
function refsIn(value: unknown, into: Set<string>): void {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) stack.push(...v);
    else if (typeof v === 'object' && v !== null) {
      for (const [k, child] of Object.entries(v)) {
        if (k === '$ref' && typeof child === 'string' && child.startsWith(SCHEMA_REF)) into.add(child.slice(SCHEMA_REF.length));
        else stack.push(child);
      }
    }
  }
}

/** Keeps only the component schemas the operations use (zod's registry holds every schema with an id, in both directions). */
function pruneComponents(doc: Document): void {
  const schemas = doc.components?.schemas;
  if (!schemas) return;
  const used = new Set<string>();
  refsIn(doc.paths, used);
  const queue = [...used];
  while (queue.length > 0) {
    const found = new Set<string>();
    refsIn(schemas[queue.pop()!], found);
    for (const name of found) {
      if (!used.has(name)) {
        used.add(name);
        queue.push(name);
      }
    }
  }
  for (const name of Object.keys(schemas)) if (!used.has(name)) delete schemas[name];
}

/** A body that may be left out (an empty body reads as null) is documented as optional, without the null. */
function optionalBodies(op: Operation): void {
  const body = op.requestBody;
  if (!body || '$ref' in body) return;
  for (const media of Object.values(body.content)) {
    const schema = media.schema;
    if (!schema || '$ref' in schema || !schema.anyOf) continue;
    const rest = schema.anyOf.filter((s) => !('type' in s && s.type === 'null'));
    if (rest.length === schema.anyOf.length || rest.length !== 1) continue;
    const { anyOf: _dropped, ...others } = schema;
    media.schema = { ...others, ...rest[0] };
    body.required = false;
  }
}

function describeResponses(op: Operation): void {
  for (const [status, response] of Object.entries(op.responses ?? {})) {
    if ('$ref' in response) continue;
    if (response.description === 'Default Response' || response.description === '') {
      response.description = RESPONSE_DESCRIPTIONS[status] ?? RESPONSE_DESCRIPTIONS['default']!;
    }
  }
}

/**
 * zod names each schema with `$id: "#/components/schemas/…"` and `$schema`: a fragment `$id` is not
 * valid JSON Schema 2020-12 (validators resolve references against it), and the document's dialect
 * already says which JSON Schema applies. Removed everywhere.
 */
function dropSchemaIds(value: unknown): void {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) stack.push(...v);
    else if (typeof v === 'object' && v !== null) {
      if ('$id' in v) delete v.$id;
      if ('$schema' in v) delete v.$schema;
      stack.push(...Object.values(v));
    }
  }
}

/** The whole document once generated: operation ids, descriptions, optional bodies, no unused schemas. */
export function finishDocument(doc: Document): Document {
  dropSchemaIds(doc.paths);
  dropSchemaIds(doc.components?.schemas);
  const ids = new Map<string, string>();
  for (const [path, method, op] of operations(doc)) {
    op.operationId ??= operationIdFor(method, path);
    const clash = ids.get(op.operationId);
    if (clash) throw new Error(`operationId ${op.operationId} of ${method.toUpperCase()} ${path} is also that of ${clash}`);
    ids.set(op.operationId, `${method.toUpperCase()} ${path}`);
    describeResponses(op);
    optionalBodies(op);
  }
  pruneComponents(doc);
  return doc;
}

function isDocument31(value: ReturnType<SwaggerTransformObject>): value is Document {
  return 'openapi' in value && typeof value.openapi === 'string' && value.openapi.startsWith('3.1.') && 'info' in value;
}

export const transformObject: SwaggerTransformObject = (input) => {
  const made = jsonSchemaTransformObject(input);
  return isDocument31(made) ? finishDocument(made) : made;
};
