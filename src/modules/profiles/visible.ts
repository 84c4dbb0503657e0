import type { Db } from '../../platform/db/index.js';
import { AppError, isAppError } from '../../platform/errors.js';
import type { Principal } from '../tenancy/index.js';
import { profileVisibility } from './visible.repo.js';

/**
 * Data scope on customer (profile) ids. A profile outside the caller's scope answers exactly like an
 * unknown id (404 `no profile …`); a merged-away id whose survivor is in scope answers 308 naming the
 * survivor, one whose survivor is out of scope a 404 (the survivor is never revealed).
 */
export async function requireVisibleProfile(db: Db, principal: Principal, id: string): Promise<string> {
  const row = await profileVisibility(db, principal, id);
  if (!row || !row.visible) throw new AppError('not_found', `no profile ${id}`, { profileId: id });
  if (row.merged_into !== null) {
    throw new AppError('profile_merged', `profile ${id} was merged into ${row.merged_into}`, { mergedId: id, profileId: row.merged_into });
  }
  return id;
}

/**
 * A profile id named in a request body (field `field`): a merged-away id is a 409 naming the survivor
 * (a redirect would resend the same body), an unknown one a 404 naming the field.
 */
export function profileRefError(err: unknown, id: string, field: string): unknown {
  if (isAppError(err) && err.code === 'profile_merged' && typeof err.details === 'object' && err.details !== null && 'profileId' in err.details) {
    const survivor = String(err.details.profileId);
    return new AppError('conflict', `${field}: profile ${id} was merged into ${survivor}; use ${survivor}`, { field, profileId: id, mergedInto: survivor });
  }
  if (isAppError(err) && err.code === 'not_found') return new AppError('not_found', `${field}: no profile ${id}`, { field, profileId: id });
  return err;
}

/** requireVisibleProfile for an id in a request body, answering like `requireLiveProfileRef`. */
export async function requireVisibleProfileRef(db: Db, principal: Principal, id: string, field: string): Promise<string> {
  try {
    return await requireVisibleProfile(db, principal, id);
  } catch (err) {
    throw profileRefError(err, id, field);
  }
}
