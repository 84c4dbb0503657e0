import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import { customerVisible, unitVisible, type Principal } from '../tenancy/index.js';

/** SQL for after-sales records (first maintenance, repair, insurance renewal …). */

export interface AfterSalesRow {
  id: string;
  external_id: string | null;
  profile_id: string;
  vin: string | null;
  dealer_id: string | null;
  dealer_code: string | null;
  dealer_name: string | null;
  kind: string;
  amount_fen: string;
  at: Date;
  note: string | null;
  created_at: Date;
}

function records(db: Db, principal: Principal) {
  return db
    .selectFrom('after_sales as a')
    .leftJoin('org_units as u', (j) => j.onRef('u.tenant_id', '=', 'a.tenant_id').onRef('u.id', '=', 'a.dealer_id'))
    .select([
      'a.id',
      'a.external_id',
      'a.profile_id',
      'a.vin',
      'a.dealer_id',
      'u.code as dealer_code',
      'u.name as dealer_name',
      'a.kind',
      'a.amount_fen',
      'a.at',
      'a.note',
      'a.created_at',
      unitVisible(principal, sql.ref('a.dealer_id')).as('visible'),
    ])
    .where('a.tenant_id', '=', principal.tenantId);
}

export async function findByExternalId(db: Db, principal: Principal, externalId: string) {
  return records(db, principal).where('a.external_id', '=', externalId).executeTakeFirst();
}

export async function findById(db: Db, principal: Principal, id: string) {
  return records(db, principal).where('a.id', '=', id).executeTakeFirst();
}

/** A record without external id identical to this one (a retried request). */
export async function findIdentical(
  db: Db,
  principal: Principal,
  r: { profileId: string; vin: string | null; dealerId: string | null; kind: string; amountFen: number; at: Date },
) {
  return records(db, principal)
    .where('a.external_id', 'is', null)
    .where('a.profile_id', '=', r.profileId)
    .where((eb) => (r.vin === null ? eb('a.vin', 'is', null) : eb('a.vin', '=', r.vin)))
    .where((eb) => (r.dealerId === null ? eb('a.dealer_id', 'is', null) : eb('a.dealer_id', '=', r.dealerId)))
    .where('a.kind', '=', r.kind)
    .where('a.amount_fen', '=', String(r.amountFen))
    .where('a.at', '=', r.at)
    .executeTakeFirst();
}

export async function insertRecord(
  db: Db,
  tenantId: string,
  r: { id: string; externalId: string | null; profileId: string; vin: string | null; dealerId: string | null; kind: string; amountFen: number; at: Date; note: string | null; now: Date },
): Promise<void> {
  await db
    .insertInto('after_sales')
    .values({
      tenant_id: tenantId,
      id: r.id,
      external_id: r.externalId,
      profile_id: r.profileId,
      vin: r.vin,
      dealer_id: r.dealerId,
      kind: r.kind,
      amount_fen: r.amountFen,
      at: r.at,
      note: r.note,
      created_at: r.now,
    })
    .execute();
}

/**
 * The owner of the vehicle at `at` (the ownership that covers it), else its current owner.
 * null when nobody is known to own it.
 */
/** The vehicle's owner at `at` (else its current owner), among the customers the principal may see. */
export async function ownerOfVehicle(db: Db, principal: Principal, vin: string, at: Date): Promise<string | null> {
  const row = await db
    .selectFrom('vehicle_relations as vr')
    .select('vr.profile_id')
    .where('vr.tenant_id', '=', principal.tenantId)
    .where('vr.vin', '=', vin)
    .where('vr.role', '=', 'owner')
    .where((eb) => eb.or([eb('vr.valid_to', 'is', null), eb.and([eb('vr.valid_from', '<=', at), eb('vr.valid_to', '>', at)])]))
    .where(customerVisible(principal, sql.ref('vr.profile_id')))
    .orderBy(sql`CASE WHEN vr.valid_from <= ${at} AND (vr.valid_to IS NULL OR vr.valid_to > ${at}) THEN 0 ELSE 1 END`)
    .orderBy('vr.valid_from', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.profile_id ?? null;
}
