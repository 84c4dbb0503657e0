import { MASS_CAP_PERIODS, type MassCapPeriod, type WecomMassCapSetting, type WecomMassCapUpdate } from '../../contracts/wecom-mass.js';
import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import { insertAudit, type Principal } from '../tenancy/index.js';
import type { WecomDeps } from './connectors.js';
import { findConnector } from './connectors.repo.js';
import * as repo from './mass-caps.repo.js';

/**
 * The per-customer cap on mass messages: WeCom lets a customer receive at most so many mass messages
 * from the corp per calendar period, by default as many as the days of the month (a corp admin may
 * choose 7 a week or 1 a day instead). Siyu keeps the same rule per connector (or the tenant's
 * default) and counts its own mass messages against it, in the tenant's time zone.
 */

/** WeCom's default rule: a calendar month, as many messages as it has days. */
export const DEFAULT_CAP_PERIOD: MassCapPeriod = 'month';

export const isPeriod = (value: string): value is MassCapPeriod => (MASS_CAP_PERIODS as readonly string[]).includes(value);

function periodOf(value: string): MassCapPeriod {
  if (!isPeriod(value)) throw new AppError('internal', `a stored mass-message cap has the unknown period ${value}`);
  return value;
}

/** The cap that applies now: the period's bounds and how many messages a customer may get in it. */
export interface AppliedCap {
  period: MassCapPeriod;
  limit: number;
  from: Date;
  until: Date;
}

/** WeCom's figure for a period: the days of the month, 7 a week, 1 a day. */
function wecomFigure(period: MassCapPeriod, daysInMonth: number): number {
  return period === 'month' ? daysInMonth : period === 'week' ? 7 : 1;
}

/** The cap of the connector's customers at `now`. */
export async function appliedCap(db: Db, tenantId: string, connectorId: string, now: Date): Promise<AppliedCap> {
  const row = await repo.effectiveCap(db, tenantId, connectorId);
  const period = row ? periodOf(row.period) : DEFAULT_CAP_PERIOD;
  const window = await repo.periodWindow(db, tenantId, period, now);
  return { period, limit: row?.max_per_period ?? wecomFigure(period, window.daysInMonth), from: window.from, until: window.until };
}

function settingView(row: repo.CapRow): WecomMassCapSetting {
  return { connectorId: row.connector_id, period: periodOf(row.period), limit: row.max_per_period, updatedAt: row.updated_at.toISOString() };
}

/** The tenant's default (WeCom's, until one is set) and every connector's own setting. */
export async function listWecomMassCaps(db: Db, tenantId: string): Promise<WecomMassCapSetting[]> {
  const rows = await repo.listCaps(db, tenantId);
  const views = rows.map(settingView);
  if (!views.some((v) => v.connectorId === null)) views.unshift({ connectorId: null, period: DEFAULT_CAP_PERIOD, limit: null, updatedAt: null });
  return views;
}

/**
 * Sets the tenant's default or a connector's cap (idempotent: the same setting again changes
 * nothing but its time). An unknown connector is a 400 and nothing is written.
 */
export async function setWecomMassCap(deps: WecomDeps, principal: Principal, input: WecomMassCapUpdate): Promise<WecomMassCapSetting> {
  const { tenantId } = principal;
  const connectorId = input.connectorId ?? null;
  const at = deps.clock.now();
  return deps.store.db.transaction().execute(async (trx) => {
    if (connectorId !== null && !(await findConnector(trx, tenantId, connectorId))) {
      throw new AppError('invalid_request', `connectorId: no WeCom connector ${connectorId} in this tenant; GET /api/v1/connectors/wecom lists them`, { field: 'connectorId' });
    }
    const limit = input.limit ?? null;
    await repo.upsertCap(trx, tenantId, { connectorId, period: input.period, limit, at, actor: principal.actor });
    await insertAudit(trx, {
      tenantId,
      actor: principal.actor,
      action: 'wecom_mass_cap.set',
      targetType: connectorId === null ? 'tenant' : 'wecom_connector',
      targetId: connectorId ?? tenantId,
      details: { period: input.period, limit },
    });
    return { connectorId, period: input.period, limit, updatedAt: at.toISOString() };
  });
}
