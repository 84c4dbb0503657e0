import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';

/** SQL of the mass-message cap settings (`wecom_mass_caps`) and of the calendar period they count in. */

export interface CapRow {
  connector_id: string | null;
  period: string;
  max_per_period: number | null;
  updated_at: Date;
}

/** The tenant's settings: its default (connector_id null) first, then per connector. */
export async function listCaps(db: Db, tenantId: string): Promise<CapRow[]> {
  const { rows } = await sql<CapRow>`
    SELECT connector_id, period, max_per_period, updated_at FROM wecom_mass_caps
    WHERE tenant_id = ${tenantId} ORDER BY connector_id NULLS FIRST`.execute(db);
  return rows;
}

/** The setting that applies to the connector: its own, else the tenant's, else none (WeCom's default). */
export async function effectiveCap(db: Db, tenantId: string, connectorId: string): Promise<CapRow | null> {
  const { rows } = await sql<CapRow>`
    SELECT connector_id, period, max_per_period, updated_at FROM wecom_mass_caps
    WHERE tenant_id = ${tenantId} AND (connector_id = ${connectorId} OR connector_id IS NULL)
    ORDER BY connector_id NULLS LAST LIMIT 1`.execute(db);
  return rows[0] ?? null;
}

export async function upsertCap(
  db: Db,
  tenantId: string,
  c: { connectorId: string | null; period: string; limit: number | null; at: Date; actor: string },
): Promise<void> {
  const conflict = c.connectorId === null ? sql`(tenant_id) WHERE connector_id IS NULL` : sql`(tenant_id, connector_id) WHERE connector_id IS NOT NULL`;
  await sql`
    INSERT INTO wecom_mass_caps (tenant_id, connector_id, period, max_per_period, updated_at, updated_by)
    VALUES (${tenantId}, ${c.connectorId}, ${c.period}, ${c.limit}, ${c.at.toISOString()}::timestamptz, ${c.actor})
    ON CONFLICT ${conflict} DO UPDATE SET period = excluded.period, max_per_period = excluded.max_per_period,
      updated_at = excluded.updated_at, updated_by = excluded.updated_by`.execute(db);
}

export interface PeriodWindow {
  from: Date;
  until: Date;
  daysInMonth: number;
}

/**
 * The calendar period (month, ISO week from Monday, or day) holding `now` in the tenant's time zone,
 * as UTC instants, and the number of days of the month holding `now` there.
 */
export async function periodWindow(db: Db, tenantId: string, period: 'month' | 'week' | 'day', now: Date): Promise<PeriodWindow> {
  const unit = sql.lit(period);
  const step = sql.lit(`1 ${period}`);
  const { rows } = await sql<{ from: Date; until: Date; days: number }>`
    SELECT date_trunc(${unit}, local.at) AT TIME ZONE local.tz AS "from",
      (date_trunc(${unit}, local.at) + interval ${step}) AT TIME ZONE local.tz AS "until",
      extract(day FROM date_trunc('month', local.at) + interval '1 month' - interval '1 day')::int AS days
    FROM (SELECT t.time_zone AS tz, ${now.toISOString()}::timestamptz AT TIME ZONE t.time_zone AS at FROM tenants t WHERE t.id = ${tenantId}) local`.execute(db);
  const row = rows[0];
  if (!row) throw new AppError('not_found', `no tenant ${tenantId}`);
  return { from: new Date(row.from), until: new Date(row.until), daysInMonth: Number(row.days) };
}
