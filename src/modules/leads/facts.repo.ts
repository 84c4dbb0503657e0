import type { Db } from '../../platform/db/index.js';

/** What the events of a lead's facts say about it: its person, source, car and who works it. */
export interface LeadFactRow {
  id: string;
  profile_id: string | null;
  source: string;
  series: string | null;
  model: string | null;
  dealer_code: string | null;
  dealer_name: string | null;
  consultant_id: string | null;
}

/** The leads as they are now in the caller's transaction (after the change the events describe). */
export async function leadFactRows(db: Db, tenantId: string, ids: readonly string[]): Promise<LeadFactRow[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('leads as l')
    .leftJoin('org_units as d', (j) => j.onRef('d.tenant_id', '=', 'l.tenant_id').onRef('d.id', '=', 'l.dealer_id'))
    .select(['l.id', 'l.profile_id', 'l.source', 'l.series', 'l.model', 'd.code as dealer_code', 'd.name as dealer_name', 'l.consultant_id'])
    .where('l.tenant_id', '=', tenantId)
    .where('l.id', 'in', [...new Set(ids)])
    .orderBy('l.id')
    .execute();
}
