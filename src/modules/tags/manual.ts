import { AppError } from '../../platform/errors.js';
import type { Db } from '../../platform/db/index.js';
import * as repo from './tags.repo.js';

/** A 400 naming the field at `path`, in the shape the validators give. */
export function invalid(path: string, message: string, extra: Record<string, unknown> = {}): AppError {
  return new AppError('invalid_request', `${path}: ${message}`, { issues: [{ path, message }], ...extra });
}

/**
 * The manual tag a request applies or removes, share-locked: applies run side by side and a delete
 * of the tag waits for them. 404 for an unknown tag, 409 for a rule tag.
 */
export async function lockManualTag(trx: Db, tenantId: string, tagId: string): Promise<repo.TagRow> {
  const tag = await repo.findTag(trx, tenantId, tagId, 'share');
  if (!tag) throw new AppError('not_found', `no tag ${tagId}`);
  if (tag.kind !== 'manual') throw new AppError('conflict', `"${tag.name}" is a rule tag: it follows its definition and cannot be applied or removed by hand`, { kind: tag.kind });
  return tag;
}
