import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import { newId } from '../../platform/ids.js';

/**
 * The tenant source of the business facts Siyu records itself (funnel steps, orders, deliveries,
 * after-sales): made on first use. Kind `offline_store`: these facts happen at the dealer, which is
 * also what first-touch attribution should say of a person Siyu first met through one of them.
 */
export const OWN_SOURCE_NAME = 'siyu:records';

export async function ensureOwnSource(db: Db, tenantId: string): Promise<string> {
  await sql`
    INSERT INTO sources (tenant_id, id, name, kind, domain_class) VALUES (${tenantId}, ${newId()}, ${OWN_SOURCE_NAME}, 'offline_store', 'absolute')
    ON CONFLICT (tenant_id, name) DO NOTHING`.execute(db);
  const { rows } = await sql<{ id: string }>`SELECT id FROM sources WHERE tenant_id = ${tenantId} AND name = ${OWN_SOURCE_NAME}`.execute(db);
  return rows[0]!.id;
}
