import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OpenAPIV3_1 } from 'openapi-types';

/**
 * Holds every response of an in-process test app to the API document it serves: the status must
 * be documented for the operation (exactly, as a range such as 4XX, or as `default`), the media
 * type must be one the document names, and a JSON body must validate against its schema. A
 * mismatch is recorded here and fails the test that made it (src/testing/contract-setup.ts).
 */

const violations: string[] = [];

/** The mismatches recorded since the last call, and forget them. */
export function takeContractViolations(): string[] {
  return violations.splice(0, violations.length);
}

type Document = OpenAPIV3_1.Document;
type Responses = OpenAPIV3_1.ResponsesObject;

const DOC_ID = 'siyu-openapi.json';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const;
type Method = (typeof HTTP_METHODS)[number];
const isMethod = (m: string): m is Method => (HTTP_METHODS as readonly string[]).includes(m);

/** One JSON Pointer token inside a URI fragment. */
const pointerToken = (s: string) => encodeURIComponent(s.replaceAll('~', '~0').replaceAll('/', '~1'));

// ajv-formats is a CommonJS module whose default export TypeScript sees one level down under NodeNext.
const addFormats = (ajv: Ajv2020): void => {
  const plugin: unknown = addFormatsPlugin;
  if (typeof plugin === 'function') plugin(ajv);
  else if (typeof plugin === 'object' && plugin !== null && 'default' in plugin && typeof plugin.default === 'function') plugin.default(ajv);
};

export class ContractChecker {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly doc: Document) {
    addFormats(this.ajv);
    this.ajv.addSchema(doc, DOC_ID);
  }

  private validator(pointer: string): ValidateFunction {
    let v = this.validators.get(pointer);
    if (!v) {
      v = this.ajv.compile({ $ref: `${DOC_ID}#${pointer}` });
      this.validators.set(pointer, v);
    }
    return v;
  }

  /**
   * What is wrong with a response, or null. `route` is Fastify's route pattern (`/api/v1/leads/:id`),
   * undefined when no route matched (the not-found and routing-error answers).
   */
  check(method: string, route: string | undefined, status: number, contentType: string | undefined, body: string | null): string | null {
    const path = route?.replace(/:(\w+)/g, '{$1}');
    const m = method.toLowerCase();
    const op = path && isMethod(m) ? this.doc.paths?.[path]?.[m] : undefined;
    // Routes the document hides (/docs, /openapi.json) and answers that belong to no operation.
    if (route !== undefined && !op) return status >= 400 ? this.checkError(status, contentType, body) : null;
    if (!op || !path) return this.checkError(status, contentType, body);
    const responses: Responses = op.responses ?? {};
    const key = [String(status), `${String(status)[0]}XX`, 'default'].find((k) => k in responses);
    if (!key) return `status ${status} is not documented for ${method} ${path} (documented: ${Object.keys(responses).join(', ')})`;
    const response = responses[key];
    if (!response || '$ref' in response) return null;
    // 204 and 304 never carry a body on the wire (Fastify drops whatever the handler passed).
    if (status === 204 || status === 304) return null;
    const content = response.content;
    if (!content || Object.keys(content).length === 0) {
      return body ? `${method} ${path} ${status}: the document says no content, the response has a body` : null;
    }
    const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
    if (!(media in content)) return `${method} ${path} ${status}: Content-Type ${contentType ?? '(none)'} is not documented (${Object.keys(content).join(', ')})`;
    if (media !== 'application/json' || body === null) return null;
    const pointer = ['', 'paths', path, m, 'responses', key, 'content', media, 'schema'].map(pointerToken).join('/');
    return this.validate(pointer, body, `${method} ${path} ${status}`);
  }

  private checkError(status: number, contentType: string | undefined, body: string | null): string | null {
    if (status < 400) return null;
    if (!(contentType ?? '').startsWith('application/json')) return `${status} without a JSON error body (Content-Type ${contentType ?? '(none)'})`;
    return this.validate('/components/schemas/Error', body ?? '', `${status} (no operation)`);
  }

  private validate(pointer: string, body: string, what: string): string | null {
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      return `${what}: the body is not JSON: ${body.slice(0, 200)}`;
    }
    const validate = this.validator(pointer);
    if (validate(value)) return null;
    const errors = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
    return `${what}: the body does not match the documented schema: ${errors.join('; ')} — body: ${body.slice(0, 300)}`;
  }
}

function payloadText(payload: unknown): string | null {
  if (payload === null || payload === undefined) return null;
  if (typeof payload === 'string') return payload;
  if (Buffer.isBuffer(payload)) return payload.toString('utf8');
  return null;
}

function isDocument(value: unknown): value is Document {
  return typeof value === 'object' && value !== null && 'openapi' in value && typeof value.openapi === 'string' && value.openapi.startsWith('3.1.') && 'paths' in value;
}

/** Checks every response `app` sends against the document it serves; call before `app.ready()`. */
export function checkResponsesAgainstDocument(app: FastifyInstance): void {
  let checker: ContractChecker | null = null;
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (!checker) {
      const doc: unknown = app.swagger();
      if (!isDocument(doc)) throw new Error('the app does not serve an OpenAPI 3.1 document');
      checker = new ContractChecker(doc);
    }
    const streamed = payload !== null && payload !== undefined && typeof payload !== 'string' && !Buffer.isBuffer(payload);
    const contentType = reply.getHeader('content-type');
    const problem = checker.check(
      request.method,
      request.routeOptions.url,
      reply.statusCode,
      typeof contentType === 'string' ? contentType : undefined,
      streamed ? null : payloadText(payload),
    );
    if (problem) violations.push(`${request.method} ${request.url}: ${problem}`);
    return payload;
  });
}
