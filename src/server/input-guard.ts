import type { FastifyRequest } from 'fastify';
import { isStorableText } from '../contracts/common.js';
import { validationError } from './validation.js';

const UNSTORABLE = 'contains a NUL character (\\u0000) or an unpaired UTF-16 surrogate, which cannot be stored; remove it';

/**
 * The path of the first string (object key or value) in a parsed request part that PostgreSQL
 * cannot store, or null. Iterative: a deeply nested body must not exhaust the stack.
 */
export function findUnstorable(value: unknown): PropertyKey[] | null {
  const stack: Array<[unknown, PropertyKey[]]> = [[value, []]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (!isStorableText(v)) return path;
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], [...path, i]]);
    } else if (typeof v === 'object' && v !== null) {
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i]!;
        if (!isStorableText(key)) return [...path, key];
        stack.push([child, [...path, key]]);
      }
    }
  }
  return null;
}

/**
 * Refuses, before any route sees it, a request whose path parameters, query or body carry text
 * PostgreSQL cannot store (NUL, lone surrogates): one check for every route, so no such value
 * reaches SQL and answers a 500. Header values cannot carry either (Node's parser refuses NUL and
 * reads them as Latin-1), and the ones that reach SQL are hashed first.
 */
export async function refuseUnstorableInput(request: FastifyRequest): Promise<void> {
  const parts: Array<[string, unknown]> = [
    ['params', request.params],
    ['querystring', request.query],
    ['body', request.body],
  ];
  for (const [part, value] of parts) {
    const path = findUnstorable(value);
    if (path) throw validationError([{ path, message: path.length > 0 ? UNSTORABLE : `the ${part} ${UNSTORABLE}` }], part);
  }
}
