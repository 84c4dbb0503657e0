import type { StaffView } from '../../contracts/org.js';
import { AppError } from '../../platform/errors.js';
import { insertAudit } from './repo.js';
import type { TenancyDeps } from './service.js';
import { openSession } from './staff.js';
import * as repo from './staff.repo.js';

function notLinked(wecomUserId: string): AppError {
  return new AppError(
    'wecom_member_not_linked',
    `WeCom member ${wecomUserId} is not linked to an active Siyu staff account: ask a Siyu admin to enter this WeCom UserID on your staff record ` +
      '(or to reactivate it), then open the page in WeCom again',
    { wecomUserId },
  );
}

/**
 * Signs in the staff member bound to a WeCom user id (staff.wecom_user_id) of the tenant, once WeCom
 * has vouched for that member (the web sign-in, 网页授权登录): the same session as a password login
 * (SESSION_HOURS, audited as `auth.login`, with details.method 'wecom' and `details` of the caller).
 * No password is involved, so a lock-out after wrong passwords neither refuses it nor is lifted by it.
 * A user id bound to nobody, or to a deactivated person, answers 403 wecom_member_not_linked and is
 * audited as `auth.login_failed`.
 */
export async function loginWithWecom(
  deps: TenancyDeps,
  input: { tenantId: string; wecomUserId: string; details: Record<string, unknown> },
): Promise<{ token: string; expiresAt: string; staff: StaffView }> {
  const now = deps.clock.now();
  const { tenantId, wecomUserId } = input;
  const details = { method: 'wecom', wecomUserId, ...input.details };
  const refuse = async (staffId: string | null): Promise<AppError> => {
    await insertAudit(deps.db, {
      tenantId,
      actor: staffId ? `staff:${staffId}` : `wecom:${wecomUserId}`,
      action: 'auth.login_failed',
      targetType: staffId ? 'staff' : 'wecom_user',
      targetId: staffId ?? wecomUserId,
      details: { ...details, reason: staffId ? 'inactive' : 'not_linked' },
    });
    return notLinked(wecomUserId);
  };

  const account = await repo.wecomTaken(deps.db, tenantId, wecomUserId);
  if (!account) throw await refuse(null);
  const signedIn = await deps.db.transaction().execute(async (trx) => {
    // Read under a row lock: a deactivation or a new binding made meanwhile wins over this sign-in.
    const current = await repo.lockStaff(trx, tenantId, account.id);
    if (!current?.active || current.wecom_user_id !== wecomUserId) return null;
    await repo.recordSignIn(trx, tenantId, account.id, now);
    return openSession(trx, tenantId, account.id, now, details);
  });
  if (!signedIn) throw await refuse(account.id);
  return signedIn;
}
