import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import type { CompileContext, CompileMode } from './compile.repo.js';

/** The tenant's time zone (date-only values and daily counts are read in it). */
export async function tenantTimeZone(db: Db, tenantId: string): Promise<string> {
  const row = await db.selectFrom('tenants').select('time_zone').where('id', '=', tenantId).executeTakeFirst();
  if (!row) throw new AppError('not_found', `no tenant ${tenantId}`);
  return row.time_zone;
}

export async function evaluationContext(db: Db, tenantId: string, now: Date, mode: CompileMode): Promise<CompileContext> {
  return { tenantId, now, timeZone: await tenantTimeZone(db, tenantId), mode };
}

/** The calendar day (YYYY-MM-DD) of `at` in `timeZone`. */
export function dayIn(timeZone: string, at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}
