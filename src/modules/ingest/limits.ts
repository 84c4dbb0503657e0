import { isStorableText, jsonTextMayHoldUnstorable } from '../../contracts/common.js';
import { MAX_EXPANDED_BATCH_BYTES, MAX_MESSAGE_BYTES, formatKb } from '../../contracts/ingest.js';
import { AppError } from '../../platform/errors.js';
import type { EventRow } from './normalize.js';

const JSON_FIELDS = ['properties', 'traits', 'context', 'integrations'] as const;
const TEXT_FIELDS = ['messageId', 'event', 'name', 'category', 'userId', 'anonymousId', 'groupId', 'previousId'] as const;

/**
 * Checks each message as it will be stored, after the batch-level context and integrations have
 * been merged in: at most 32 KB, and nothing PostgreSQL cannot store. Counting the merged context
 * against every message also bounds what a batch can grow to: a 100 KB batch context cannot be
 * copied into a thousand rows. The JSON texts are the ones the rows carry to the store, so nothing
 * is serialised twice.
 */
export interface RowCheckOptions {
  /** The batch carried context or integrations of its own, merged into each row. */
  batchLevelContext: boolean;
  /** A single call (`/v1/track` ...): errors speak of "the message", not "message 0". */
  single?: boolean;
}

export function checkRows(rows: readonly EventRow[], { batchLevelContext, single = false }: RowCheckOptions): void {
  let total = 0;
  rows.forEach((row, n) => {
    const i = single ? null : n;
    let bytes = 0;
    for (const f of JSON_FIELDS) {
      const json = row[f];
      if (json === null) continue;
      bytes += Buffer.byteLength(json, 'utf8');
      // The row's JSON comes from JSON.stringify, which escapes lone surrogates and NUL but never a
      // valid pair: here an escape match is exact.
      if (jsonTextMayHoldUnstorable(json)) throw unstorable(i, f);
    }
    for (const f of TEXT_FIELDS) {
      const text = row[f];
      if (text === null) continue;
      bytes += Buffer.byteLength(text, 'utf8');
      if (!isStorableText(text)) throw unstorable(i, f);
    }
    if (bytes > MAX_MESSAGE_BYTES) {
      const merged = batchLevelContext ? ' with the batch-level context and integrations merged in' : '';
      throw new AppError('message_too_large', `${where(i)} is ${bytes} bytes${merged}; the limit is ${formatKb(MAX_MESSAGE_BYTES)} (${MAX_MESSAGE_BYTES} bytes) per message`, {
        index: i,
        bytes,
        limitBytes: MAX_MESSAGE_BYTES,
      });
    }
    total += bytes;
  });
  if (total > MAX_EXPANDED_BATCH_BYTES) {
    throw new AppError(
      'batch_too_large',
      `with the batch-level context and integrations merged into each message the batch would store ${total} bytes; ` +
        `the limit is ${formatKb(MAX_EXPANDED_BATCH_BYTES)}: send the context with each message or split the batch`,
      { bytes: total, limitBytes: MAX_EXPANDED_BATCH_BYTES },
    );
  }
}

const where = (index: number | null) => (index === null ? 'the message' : `message ${index}`);

function unstorable(index: number | null, field: string): AppError {
  return new AppError('invalid_request', `${where(index)} (${field}) contains a NUL character (\\u0000) or an unpaired UTF-16 surrogate, which cannot be stored; remove it`, {
    index,
    field,
  });
}
