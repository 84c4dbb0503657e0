import { gunzipSync, inflateSync } from 'node:zlib';
import { MAX_EXPANDED_BATCH_BYTES, MAX_MESSAGE_BYTES } from '../../contracts/ingest.js';
import { AppError } from '../../platform/errors.js';

const kb = (bytes: number) => `${bytes / 1024} KB`;

/**
 * Turns a request body into JSON: inflates `Content-Encoding: gzip`/`deflate` (never beyond the
 * limit, so a small bomb cannot blow up memory), enforces the size limit and parses.
 */
export function decodeBody(raw: Buffer, encoding: string | undefined, limit: number, what: 'batch' | 'message'): unknown {
  let body = raw;
  let inflatedPastLimit = false;
  const enc = (encoding ?? 'identity').trim().toLowerCase();
  if (enc === 'gzip' || enc === 'deflate') {
    try {
      body = (enc === 'gzip' ? gunzipSync : inflateSync)(raw, { maxOutputLength: limit + 1 });
    } catch (err) {
      if (err instanceof RangeError) inflatedPastLimit = true;
      else throw new AppError('invalid_request', `the body is not valid ${enc} data`, { encoding: enc });
    }
  } else if (enc !== 'identity') {
    throw new AppError('unsupported_encoding', `Content-Encoding "${enc}" is not supported; send gzip, deflate or none`, {
      encoding: enc,
    });
  }
  if (inflatedPastLimit || body.length > limit) {
    throw new AppError(
      what === 'batch' ? 'batch_too_large' : 'message_too_large',
      `the ${what} is larger than the limit of ${kb(limit)} (${limit} bytes) per ${what === 'batch' ? 'batch request' : 'message'}; split it`,
      inflatedPastLimit ? { limitBytes: limit } : { limitBytes: limit, bytes: body.length },
    );
  }
  const text = body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AppError('malformed_json', `the body is not valid JSON: ${err instanceof Error ? err.message : 'parse error'}`);
  }
}

/** NUL and unpaired surrogates survive JSON but not PostgreSQL text or jsonb. */
const UNSTORABLE = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/i;

/** Deeper than this is no event data anyone means; it would also overflow recursive code later. */
export const MAX_DEPTH = 64;

/** Depth of a parsed JSON value, without recursion (a 100k-deep array must not blow the stack). */
function depthExceeds(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d >= limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return false;
}

/** Bytes of a value as JSON, or null when it is absent. */
function jsonBytes(value: unknown): number {
  return value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value), 'utf8');
}

function checkOne(message: unknown, index: number | null, sharedBytes: number): number {
  const where = index === null ? 'the message' : `message ${index}`;
  if (depthExceeds(message, MAX_DEPTH)) {
    throw new AppError('invalid_request', `${where} nests objects or arrays deeper than ${MAX_DEPTH} levels; flatten it`, {
      index,
      maxDepth: MAX_DEPTH,
    });
  }
  const json = JSON.stringify(message) ?? '';
  const bytes = Buffer.byteLength(json, 'utf8') + sharedBytes;
  if (bytes > MAX_MESSAGE_BYTES) {
    const shared = sharedBytes ? ' with the batch-level context and integrations merged in' : '';
    throw new AppError('message_too_large', `${where} is ${bytes} bytes${shared}; the limit is ${kb(MAX_MESSAGE_BYTES)} (${MAX_MESSAGE_BYTES} bytes) per message`, {
      index,
      bytes,
      limitBytes: MAX_MESSAGE_BYTES,
    });
  }
  if (UNSTORABLE.test(json)) {
    throw new AppError('invalid_request', `${where} contains a NUL character (\\u0000) or an unpaired UTF-16 surrogate, which cannot be stored; remove it`, {
      index,
    });
  }
  return bytes;
}

/**
 * Checks on the raw JSON, before schema validation: nesting depth, storable characters, and the
 * 32 KB limit per message as stored, i.e. with the batch-level context and integrations merged in.
 * Counting those against every message also bounds what a batch can expand to (at most
 * 500 KB + messages × shared bytes, each message ≤ 32 KB): a 100 KB batch context cannot be copied
 * into a thousand rows.
 */
export function checkMessageSizes(body: unknown, kind: 'batch' | 'single'): void {
  if (kind === 'single') {
    checkOne(body, null, 0);
    return;
  }
  if (typeof body !== 'object' || body === null || !('batch' in body) || !Array.isArray(body.batch)) return;
  const context = 'context' in body ? body.context : undefined;
  const integrations = 'integrations' in body ? body.integrations : undefined;
  if (depthExceeds(context, MAX_DEPTH) || depthExceeds(integrations, MAX_DEPTH)) {
    throw new AppError('invalid_request', `the batch-level context or integrations nest deeper than ${MAX_DEPTH} levels; flatten them`, {
      maxDepth: MAX_DEPTH,
    });
  }
  const shared = jsonBytes(context) + jsonBytes(integrations);
  let total = 0;
  body.batch.forEach((m: unknown, i) => {
    total += checkOne(m, i, shared);
  });
  if (total > MAX_EXPANDED_BATCH_BYTES) {
    throw new AppError(
      'batch_too_large',
      `with the batch-level context and integrations merged into each message the batch would store ${total} bytes; ` +
        `the limit is ${kb(MAX_EXPANDED_BATCH_BYTES)}: send the context with each message or split the batch`,
      { bytes: total, limitBytes: MAX_EXPANDED_BATCH_BYTES },
    );
  }
}
