import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import { moveProfileTags } from '../tags/index.js';
import { eraseCustomerRecords, moveCustomerRecords, profilesWithCustomerRecords, type CustomerRecordsMoved } from '../tenancy/index.js';

/**
 * What a person owns besides identifiers and traits: consents, household membership, vehicle
 * relations. Moved on a merge, deleted on erasure. Set-based SQL, run inside the caller's transaction.
 */

export interface BelongingsMoved {
  consents: {
    /** Channel × purpose only `from` had: moved to `to`. */
    moved: number;
    /** Both had it and `from`'s state won (more restrictive, or as restrictive and later). */
    replaced: number;
    /** Both had it and `to`'s state won. */
    kept: number;
    /** History rows re-pointed to `to`. */
    history: number;
  };
  household: {
    /**
     * none: `from` was in no household. moved: `from`'s membership is now `to`'s. same: both were in
     * the same household. conflict: both were in different households; `to` keeps its own and `from`'s
     * membership of `fromHouseholdId` was dropped (worth a line in the merge log).
     */
    outcome: 'none' | 'moved' | 'same' | 'conflict';
    fromHouseholdId: string | null;
    toHouseholdId: string | null;
  };
  vehicleRelations: {
    moved: number;
    /** Current relations both had on the same (vin, role): the later-starting one was dropped. */
    dropped: number;
  };
  /** Leads, orders, after-sales, dealer links and the origin (issue 5). */
  customer: CustomerRecordsMoved;
}

const affected = (r: { numAffectedRows?: bigint }) => Number(r.numAffectedRows ?? 0);
const deleted = (r: { numDeletedRows: bigint }) => Number(r.numDeletedRows);
const updated = (r: { numUpdatedRows: bigint }) => Number(r.numUpdatedRows);

/**
 * Which of `ids` own anything moveProfileBelongings moves: most profiles merged away are anonymous
 * visitors with nothing attached, and a merge checks this once for all of them instead of running
 * the moves for each.
 */
export async function profilesWithBelongings(trx: Db, tenantId: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await sql<{ profile_id: string }>`
    SELECT profile_id FROM consents WHERE tenant_id = ${tenantId} AND profile_id = ANY(${ids}::uuid[])
    UNION SELECT profile_id FROM consent_history WHERE tenant_id = ${tenantId} AND profile_id = ANY(${ids}::uuid[])
    UNION SELECT profile_id FROM household_members WHERE tenant_id = ${tenantId} AND profile_id = ANY(${ids}::uuid[])
    UNION SELECT profile_id FROM vehicle_relations WHERE tenant_id = ${tenantId} AND profile_id = ANY(${ids}::uuid[])
    UNION SELECT profile_id FROM profile_tags WHERE tenant_id = ${tenantId} AND profile_id = ANY(${ids}::uuid[])
    UNION SELECT profile_id FROM tag_history WHERE tenant_id = ${tenantId} AND profile_id = ANY(${ids}::uuid[])`.execute(trx);
  return new Set([...rows.map((r) => r.profile_id), ...(await profilesWithCustomerRecords(trx, tenantId, ids))]);
}

/**
 * Moves the belongings of profile `from` (merged away) to `to`. Both profile rows are locked by the
 * caller. Consent: per channel × purpose the most restrictive state wins (denied and withdrawn beat
 * granted; between two restrictive or two granted states the later `at` wins, `to` on a tie); history
 * is kept for `to`.
 */
export async function moveProfileBelongings(trx: Db, tenantId: string, fromProfileId: string, toProfileId: string): Promise<BelongingsMoved> {
  if (fromProfileId === toProfileId) throw new Error('moveProfileBelongings: a profile cannot be merged into itself');
  const t = tenantId;
  const from = fromProfileId;
  const to = toProfileId;

  const replaced = affected(
    await sql`
      UPDATE consents c SET state = f.state, at = f.at, source = f.source, org_unit = f.org_unit
      FROM consents f
      WHERE c.tenant_id = ${t} AND c.profile_id = ${to}
        AND f.tenant_id = ${t} AND f.profile_id = ${from} AND f.channel = c.channel AND f.purpose = c.purpose
        AND ((f.state <> 'granted' AND c.state = 'granted')
          OR ((f.state = 'granted') = (c.state = 'granted') AND f.at > c.at))`.execute(trx),
  );
  const moved = affected(
    await sql`
      INSERT INTO consents (tenant_id, profile_id, channel, purpose, state, at, source, org_unit)
      SELECT tenant_id, ${to}::uuid, channel, purpose, state, at, source, org_unit
      FROM consents WHERE tenant_id = ${t} AND profile_id = ${from}
      ON CONFLICT (tenant_id, profile_id, channel, purpose) DO NOTHING`.execute(trx),
  );
  const fromConsents = deleted(await trx.deleteFrom('consents').where('tenant_id', '=', t).where('profile_id', '=', from).executeTakeFirst());
  const history = updated(
    await trx.updateTable('consent_history').set({ profile_id: to }).where('tenant_id', '=', t).where('profile_id', '=', from).executeTakeFirst(),
  );

  const household = await moveHousehold(trx, t, from, to);

  const dropped = affected(
    await sql`
      DELETE FROM vehicle_relations d
      USING vehicle_relations k
      WHERE d.tenant_id = ${t} AND k.tenant_id = ${t}
        AND d.vin = k.vin AND d.role = k.role AND d.valid_to IS NULL AND k.valid_to IS NULL
        AND ((d.profile_id = ${from} AND k.profile_id = ${to}) OR (d.profile_id = ${to} AND k.profile_id = ${from}))
        AND (d.valid_from > k.valid_from OR (d.valid_from = k.valid_from AND d.profile_id = ${from}))`.execute(trx),
  );
  const movedRelations = updated(
    await trx.updateTable('vehicle_relations').set({ profile_id: to }).where('tenant_id', '=', t).where('profile_id', '=', from).executeTakeFirst(),
  );

  // Manual tags move; rule tags, stages and segments follow on the survivor's next refresh.
  await moveProfileTags(trx, t, from, to);
  const customer = await moveCustomerRecords(trx, t, from, to);
  return {
    consents: { moved, replaced, kept: fromConsents - moved - replaced, history },
    household,
    vehicleRelations: { moved: movedRelations, dropped },
    customer,
  };
}

async function moveHousehold(trx: Db, t: string, from: string, to: string): Promise<BelongingsMoved['household']> {
  const rows = await trx
    .selectFrom('household_members')
    .select(['profile_id', 'household_id'])
    .where('tenant_id', '=', t)
    .where('profile_id', 'in', [from, to])
    .execute();
  const fromHouseholdId = rows.find((r) => r.profile_id === from)?.household_id ?? null;
  const toHouseholdId = rows.find((r) => r.profile_id === to)?.household_id ?? null;
  if (fromHouseholdId === null) return { outcome: 'none', fromHouseholdId, toHouseholdId };
  if (toHouseholdId === null) {
    await trx.updateTable('household_members').set({ profile_id: to }).where('tenant_id', '=', t).where('profile_id', '=', from).execute();
    return { outcome: 'moved', fromHouseholdId, toHouseholdId: fromHouseholdId };
  }
  await trx.deleteFrom('household_members').where('tenant_id', '=', t).where('profile_id', '=', from).execute();
  return { outcome: fromHouseholdId === toHouseholdId ? 'same' : 'conflict', fromHouseholdId, toHouseholdId };
}

export interface BelongingsDeleted {
  consents: number;
  consentHistory: number;
  householdMemberships: number;
  /** Households the erasure left without members (their name may describe the person). */
  householdsDeleted: number;
  vehicleRelations: number;
  /** Leads kept for the funnel's counts without personal fields (issue 5). */
  leadsAnonymised: number;
  /** Dealer links (customer_links) removed. */
  customerLinks: number;
}

/** Erasure: the person's consents, consent history, household membership and vehicle relations (vehicles stay). */
export async function deleteProfileBelongings(trx: Db, tenantId: string, profileId: string): Promise<BelongingsDeleted> {
  const t = tenantId;
  const consents = deleted(await trx.deleteFrom('consents').where('tenant_id', '=', t).where('profile_id', '=', profileId).executeTakeFirst());
  const consentHistory = deleted(await trx.deleteFrom('consent_history').where('tenant_id', '=', t).where('profile_id', '=', profileId).executeTakeFirst());
  const memberships = await trx
    .deleteFrom('household_members')
    .where('tenant_id', '=', t)
    .where('profile_id', '=', profileId)
    .returning('household_id')
    .execute();
  const emptied = memberships.map((m) => m.household_id);
  const householdsDeleted =
    emptied.length === 0
      ? 0
      : deleted(
          await trx
            .deleteFrom('households')
            .where('tenant_id', '=', t)
            .where('id', 'in', emptied)
            .where((eb) =>
              eb.not(
                eb.exists(
                  eb
                    .selectFrom('household_members as m')
                    .select('m.profile_id')
                    .whereRef('m.tenant_id', '=', 'households.tenant_id')
                    .whereRef('m.household_id', '=', 'households.id'),
                ),
              ),
            )
            .executeTakeFirst(),
        );
  const vehicleRelations = deleted(await trx.deleteFrom('vehicle_relations').where('tenant_id', '=', t).where('profile_id', '=', profileId).executeTakeFirst());
  const customer = await eraseCustomerRecords(trx, t, profileId);
  return { consents, consentHistory, householdMemberships: memberships.length, householdsDeleted, vehicleRelations, leadsAnonymised: customer.leadsAnonymised, customerLinks: customer.links };
}
