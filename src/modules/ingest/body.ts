import { depthExceeds } from '../../platform/json.js';
import { gunzipSync, inflateSync } from 'node:zlib';
import { MAX_EXPANDED_BATCH_BYTES, MAX_MESSAGE_BYTES, formatKb } from '../../contracts/ingest.js';
import { AppError } from '../../platform/errors.js';


/**
 * Turns a request body into JSON: inflates `Content-Encoding: gzip`/`deflate` (never beyond the
 * limit, so a small bomb cannot blow up memory), enforces the size limit and parses.
 */
/** A body as text (inflated) and as parsed JSON. */
export interface DecodedBody {
  text: string;
  json: unknown;
}

export function decodeBody(raw: Buffer, encoding: string | undefined, limit: number, what: 'batch' | 'message'): DecodedBody {
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
      `the ${what} is larger than the limit of ${formatKb(limit)} (${limit} bytes) per ${what === 'batch' ? 'batch request' : 'message'}; split it`,
      inflatedPastLimit ? { limitBytes: limit } : { limitBytes: limit, bytes: body.length },
    );
  }
  const text = body.toString('utf8');
  try {
    return { text, json: JSON.parse(text) };
  } catch (err) {
    throw new AppError('malformed_json', `the body is not valid JSON: ${err instanceof Error ? err.message : 'parse error'}`);
  }
}

/** Deeper than this is no event data anyone means; it would also overflow recursive code later. */
export const MAX_DEPTH = 64;

/**
 * Before schema validation, on the raw JSON: nesting depth, so that nothing later recurses into a
 * 5000-deep structure. Sizes and characters are checked on the normalised rows (`checkRows`).
 */
export function checkNesting(body: unknown, kind: 'batch' | 'single'): void {
  if (kind === 'single' || typeof body !== 'object' || body === null || !('batch' in body) || !Array.isArray(body.batch)) {
    if (depthExceeds(body, MAX_DEPTH)) {
      throw new AppError('invalid_request', `the message nests objects or arrays deeper than ${MAX_DEPTH} levels; flatten it`, { maxDepth: MAX_DEPTH });
    }
    return;
  }
  let shared = 0;
  for (const key of ['context', 'integrations'] as const) {
    const value: unknown = key in body ? body[key as keyof typeof body] : undefined;
    if (depthExceeds(value, MAX_DEPTH)) {
      throw new AppError('invalid_request', `the batch-level ${key} nests deeper than ${MAX_DEPTH} levels; flatten it`, { maxDepth: MAX_DEPTH });
    }
    if (value !== undefined) shared += Buffer.byteLength(JSON.stringify(value), 'utf8');
  }
  // The batch-level context and integrations are merged into every message: bound that before any
  // row is built, or a small request could make the server copy them thousands of times.
  if (shared > MAX_MESSAGE_BYTES) {
    throw new AppError('message_too_large', `the batch-level context and integrations are ${shared} bytes and go into every message; the limit is ${formatKb(MAX_MESSAGE_BYTES)} (${MAX_MESSAGE_BYTES} bytes) per message`, {
      bytes: shared,
      limitBytes: MAX_MESSAGE_BYTES,
    });
  }
  if (shared * body.batch.length > MAX_EXPANDED_BATCH_BYTES) {
    throw new AppError(
      'batch_too_large',
      `the batch-level context and integrations (${shared} bytes) merged into each of ${body.batch.length} messages come to more than ` +
        `${formatKb(MAX_EXPANDED_BATCH_BYTES)}; send the context with each message or split the batch`,
      { bytes: shared * body.batch.length, limitBytes: MAX_EXPANDED_BATCH_BYTES },
    );
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
