import { gunzipSync, inflateSync } from 'node:zlib';
import { MAX_MESSAGE_BYTES } from '../../contracts/ingest.js';
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

function checkOne(message: unknown, index: number | null): void {
  const json = JSON.stringify(message) ?? '';
  const bytes = Buffer.byteLength(json, 'utf8');
  const where = index === null ? 'the message' : `message ${index}`;
  if (bytes > MAX_MESSAGE_BYTES) {
    throw new AppError('message_too_large', `${where} is ${bytes} bytes; the limit is ${kb(MAX_MESSAGE_BYTES)} (${MAX_MESSAGE_BYTES} bytes) per message`, {
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
}

/** Per-message checks that run on the raw JSON, before schema validation. */
export function checkMessageSizes(body: unknown, kind: 'batch' | 'single'): void {
  if (kind === 'single') return checkOne(body, null);
  if (typeof body === 'object' && body !== null && 'batch' in body && Array.isArray(body.batch)) {
    body.batch.forEach((m: unknown, i) => checkOne(m, i));
  }
}
