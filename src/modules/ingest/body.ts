import { gunzipSync, inflateSync } from 'node:zlib';
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

/**
 * Before schema validation, on the raw JSON: nesting depth, so that nothing later recurses into a
 * 5000-deep structure. Sizes and characters are checked on the normalised rows (`checkRows`).
 */
export function checkNesting(body: unknown, kind: 'batch' | 'single'): void {
  if (kind === 'single' || typeof body !== 'object' || body === null || !('batch' in body) || !Array.isArray(body.batch)) {
    if (depthExceeds(body, MAX_DEPTH + 1)) {
      throw new AppError('invalid_request', `the message nests objects or arrays deeper than ${MAX_DEPTH} levels; flatten it`, { maxDepth: MAX_DEPTH });
    }
    return;
  }
  for (const key of ['context', 'integrations'] as const) {
    if (key in body && depthExceeds(body[key as keyof typeof body], MAX_DEPTH)) {
      throw new AppError('invalid_request', `the batch-level ${key} nests deeper than ${MAX_DEPTH} levels; flatten it`, { maxDepth: MAX_DEPTH });
    }
  }
  body.batch.forEach((m: unknown, index) => {
    if (depthExceeds(m, MAX_DEPTH)) {
      throw new AppError('invalid_request', `message ${index} nests objects or arrays deeper than ${MAX_DEPTH} levels; flatten it`, {
        index,
        maxDepth: MAX_DEPTH,
      });
    }
  });
}
