import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';

/** Lifetime value: revenue per kind from delivered orders (new_car) and after-sales records. */
export async function revenueByKind(db: Db, tenantId: string, profileId: string): Promise<Array<{ kind: string; n: number; fen: number }>> {
  const result = await sql<{ kind: string; n: string; fen: string | null }>`
    SELECT 'new_car' AS kind, count(*) AS n, sum(amount_fen) AS fen
    FROM orders WHERE tenant_id = ${tenantId} AND profile_id = ${profileId} AND status = 'delivered'
    UNION ALL
    SELECT kind, count(*) AS n, sum(amount_fen) AS fen
    FROM after_sales WHERE tenant_id = ${tenantId} AND profile_id = ${profileId}
    GROUP BY kind`.execute(db);
  return result.rows.map((r) => ({ kind: r.kind, n: Number(r.n), fen: Number(r.fen ?? 0) }));
}
