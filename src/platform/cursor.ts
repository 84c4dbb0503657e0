import type { z } from 'zod';
import { AppError } from './errors.js';

/**
 * Page cursors: opaque base64url JSON given out as `nextCursor`, checked against a schema on the way
 * back in, so a tampered cursor is a 400 naming the field, never a cast error in SQL.
 */

export function encodeCursor(parts: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

export function decodeCursor<T>(cursor: string, schema: z.ZodType<T>): T {
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // Not base64url JSON: refused below.
  }
  throw new AppError('invalid_request', 'cursor is not one this API gave out; pass nextCursor from the previous page unchanged', { field: 'cursor' });
}
