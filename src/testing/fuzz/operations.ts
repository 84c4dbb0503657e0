import { isSchema, str, type Schema } from './schema.js';

/** One operation of the API document, as the fuzzer needs it. */
export interface Param {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  schema: Schema;
}

export interface OperationSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The document's path template, `/api/v1/leads/{id}`. */
  path: string;
  params: Param[];
  /** Media type → schema of the request body, when the operation documents one. */
  body: { required: boolean; content: Record<string, Schema> } | null;
  auth: 'writeKey' | 'bearer' | 'none';
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const UPPER = { get: 'GET', post: 'POST', put: 'PUT', patch: 'PATCH', delete: 'DELETE' } as const;
/** Reads before writes, deletions last: a deleted record would make later operations 404. */
const ORDER: Record<string, number> = { get: 0, post: 1, put: 1, patch: 1, delete: 2 };

function readParams(op: Schema): Param[] {
  const raw = op['parameters'];
  if (!Array.isArray(raw)) return [];
  return raw.filter(isSchema).flatMap((p) => {
    const where = str(p, 'in');
    const name = str(p, 'name');
    if ((where !== 'path' && where !== 'query') || !name) return [];
    return [{ name, in: where, required: p['required'] === true, schema: isSchema(p['schema']) ? p['schema'] : {} }];
  });
}

function readBody(op: Schema): OperationSpec['body'] {
  const body = op['requestBody'];
  if (!isSchema(body) || !isSchema(body['content'])) return null;
  const content: Record<string, Schema> = {};
  for (const [mediaType, media] of Object.entries(body['content'])) {
    if (isSchema(media)) content[mediaType] = isSchema(media['schema']) ? media['schema'] : {};
  }
  return { required: body['required'] !== false, content };
}

function readAuth(op: Schema): OperationSpec['auth'] {
  const security = op['security'];
  if (!Array.isArray(security) || security.length === 0) return 'none';
  return security.some((s) => isSchema(s) && 'writeKeyBasic' in s) ? 'writeKey' : 'bearer';
}

/** Every operation of the document, in the order the fuzzer runs them. */
export function operationsOf(doc: Schema): OperationSpec[] {
  const paths = isSchema(doc['paths']) ? doc['paths'] : {};
  const specs: OperationSpec[] = [];
  for (const [path, item] of Object.entries(paths)) {
    if (!isSchema(item)) continue;
    for (const method of METHODS) {
      const op = item[method];
      if (isSchema(op)) specs.push({ method: UPPER[method], path, params: readParams(op), body: readBody(op), auth: readAuth(op) });
    }
  }
  return specs.sort((a, b) => ORDER[a.method.toLowerCase()]! - ORDER[b.method.toLowerCase()]!);
}
