import { sql, type RawBuilder } from 'kysely';
import type { Progression } from '../../contracts/stages.js';
import type { Db } from '../../platform/db/index.js';

/**
 * Materialised stages of one model, in one statement: the database computes each profile's stage
 * (`CASE WHEN <last stage> THEN n … WHEN <first stage> THEN 1 ELSE 0 END`), compares it with
 * `profile_stages`, upserts or deletes the rows that changed and records each change in
 * `stage_transitions`. Nothing is carried through the server's memory, whatever the tenant's size.
 */

export interface StageEvaluation {
  tenantId: string;
  model: string;
  /** Stage keys, lowest first. */
  keys: readonly string[];
  /** One boolean predicate over `profiles p` per stage, in the order of `keys`. */
  predicates: readonly RawBuilder<unknown>[];
  progression: Progression;
  /** The profiles to re-evaluate (row-mode predicates), or null for the whole tenant (set mode). */
  profileIds: readonly string[] | null;
  at: Date;
  /** Also mark the profiles whose stage changed as dirty (the whole-tenant pass does). */
  markDirty: boolean;
}

/**
 * Re-evaluates the model; returns how many profiles changed stage. Profiles in scope that are merged
 * away or gone have their row deleted and a transition to null. The caller holds the model row lock.
 */
export async function materializeStages(trx: Db, e: StageEvaluation): Promise<number> {
  const { tenantId, model } = e;
  const when = e.at.toISOString();
  const keys = [...e.keys];
  const rank = sql.join(
    e.predicates.map((p, i) => ({ p, n: i + 1 })).reverse().map(({ p, n }) => sql`WHEN ${p} THEN ${n}::int`),
    sql` `,
  );
  const scope = e.profileIds === null ? sql`` : sql`AND p.id = ANY(${e.profileIds}::uuid[])`;
  const storedScope = e.profileIds === null ? sql`` : sql`AND ps.profile_id = ANY(${e.profileIds}::uuid[])`;
  // no_regression: never below the stored stage (a stage key the model no longer has counts as none).
  const wanted = e.progression === 'no_regression' ? sql`GREATEST(t.n, COALESCE(c.n, 0))` : sql`t.n`;
  const dirty = e.markDirty
    ? sql`, dirty AS (
        INSERT INTO profiles_dirty (tenant_id, profile_id, marked_at)
        SELECT ${tenantId}, profile_id, ${when}::timestamptz FROM changed
      )`
    : sql``;
  const { rows } = await sql<{ changed: string }>`
    WITH target AS MATERIALIZED (
      SELECT p.id AS profile_id, CASE ${rank} ELSE 0 END AS n
      FROM profiles p WHERE p.tenant_id = ${tenantId} AND p.merged_into IS NULL ${scope}
    ),
    cur AS MATERIALIZED (
      SELECT ps.profile_id, ps.stage, array_position(${keys}::text[], ps.stage) AS n
      FROM profile_stages ps WHERE ps.tenant_id = ${tenantId} AND ps.model = ${model} ${storedScope}
    ),
    want AS MATERIALIZED (
      SELECT t.profile_id, CASE WHEN ${wanted} > 0 THEN (${keys}::text[])[${wanted}] END AS stage
      FROM target t LEFT JOIN cur c ON c.profile_id = t.profile_id
    ),
    changed AS MATERIALIZED (
      SELECT COALESCE(w.profile_id, c.profile_id) AS profile_id, c.stage AS from_stage, w.stage AS to_stage
      FROM want w FULL JOIN cur c ON c.profile_id = w.profile_id
      WHERE c.stage IS DISTINCT FROM w.stage
    ),
    up AS (
      INSERT INTO profile_stages (tenant_id, model, profile_id, stage, since)
      SELECT ${tenantId}, ${model}, profile_id, to_stage, ${when}::timestamptz FROM changed WHERE to_stage IS NOT NULL
      ON CONFLICT (tenant_id, model, profile_id) DO UPDATE SET stage = excluded.stage, since = excluded.since
    ),
    del AS (
      DELETE FROM profile_stages ps USING changed ch
      WHERE ps.tenant_id = ${tenantId} AND ps.model = ${model} AND ps.profile_id = ch.profile_id AND ch.to_stage IS NULL
    ),
    tr AS (
      INSERT INTO stage_transitions (tenant_id, model, profile_id, from_stage, to_stage, at)
      SELECT ${tenantId}, ${model}, profile_id, from_stage, to_stage, ${when}::timestamptz FROM changed ORDER BY profile_id
    )
    ${dirty}
    SELECT count(*) AS changed FROM changed`.execute(trx);
  return Number(rows[0]?.changed ?? 0);
}
