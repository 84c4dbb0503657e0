import { afterSalesKindSchema, type AfterSales, type AfterSalesCreate, type AfterSalesImportQuery, type AfterSalesImportResult } from '../../contracts/sales.js';
import type { Db } from '../../platform/db/index.js';
import { AppError, isAppError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { maskValue } from '../../platform/pii.js';
import { lockIdentityGraph, requireLiveProfile, requireVin } from '../identity/index.js';
import { ensureEventPartitions, type OwnMessage } from '../ingest/index.js';
import { recordFacts } from '../profiles/index.js';
import type { Principal } from '../tenancy/index.js';
import * as repo from './after-sales.repo.js';
import { readAfterSalesCsv, type RowProblem } from './csv.js';
import { serviceCompletedMessages } from './facts.js';
import type { SalesDeps } from './orders.js';
import { requireProfileRef, resolveDealer } from './refs.js';
import * as refs from './refs.repo.js';

/**
 * After-sales records by API and CSV. The customer is named by profile id or by VIN (the vehicle's
 * owner at the time). Idempotent by externalId; without one, an identical record is the same one.
 * Each new record enters the customer's timeline as `Service Completed` in the same transaction.
 */

function view(r: repo.AfterSalesRow, principal: Principal): AfterSales {
  return {
    id: r.id,
    externalId: r.external_id,
    profileId: r.profile_id,
    vin: r.vin && principal.maskPii ? maskValue(r.vin) : r.vin,
    dealer: r.dealer_id && r.dealer_code && r.dealer_name ? { id: r.dealer_id, code: r.dealer_code, name: r.dealer_name } : null,
    kind: afterSalesKindSchema.parse(r.kind),
    amountFen: Number(r.amount_fen),
    at: r.at.toISOString(),
    note: r.note,
    createdAt: r.created_at.toISOString(),
  };
}

function sameRecord(r: repo.AfterSalesRow, w: { profileId: string; vin: string | null; dealerId: string | null; kind: string; amountFen: number; at: Date; note: string | null }): boolean {
  return (
    r.profile_id === w.profileId &&
    r.vin === w.vin &&
    r.dealer_id === w.dealerId &&
    r.kind === w.kind &&
    Number(r.amount_fen) === w.amountFen &&
    r.at.getTime() === w.at.getTime() &&
    r.note === w.note
  );
}

/**
 * Writes one record inside the caller's transaction (API and CSV import share it); `facts`: the
 * events of a new record, for the caller to record.
 */
async function writeOne(trx: Db, principal: Principal, input: AfterSalesCreate, now: Date): Promise<{ record: AfterSales; created: boolean; facts: OwnMessage[] }> {
  const t = principal.tenantId;
  const at = new Date(input.at);
  if (at.getTime() > now.getTime()) throw new AppError('invalid_request', `at (${at.toISOString()}) is in the future`, { field: 'at' });
  const vin = input.vin === undefined ? null : requireVin(input.vin);
  const dealer = await resolveDealer(trx, principal, input.dealerCode);
  let profileRef: string;
  if (input.profileId !== undefined) {
    profileRef = await requireProfileRef(trx, principal, input.profileId, 'profileId');
  } else {
    // Only an owner among the caller's customers: a VIN must not open another dealer's customer to them
    // (a DMS import with an HQ or admin token links a new service customer).
    const owner = vin === null ? null : await repo.ownerOfVehicle(trx, principal, vin, at);
    if (!owner) throw new AppError('not_found', `vin: no owner of ${vin ?? ''} is known among your customers; give the profileId`, { field: 'vin', vin });
    profileRef = owner;
  }
  const profileId = await requireLiveProfile(trx, t, profileRef, { forUpdate: true });
  const w = { profileId, vin, dealerId: dealer?.id ?? null, kind: input.kind, amountFen: input.amountFen, at, note: input.note ?? null };
  const existing = input.externalId !== undefined ? await repo.findByExternalId(trx, principal, input.externalId) : await repo.findIdentical(trx, principal, w);
  if (existing) {
    if (!existing.visible) throw new AppError('conflict', `externalId ${input.externalId ?? ''} is already used`, { field: 'externalId' });
    if (!sameRecord(existing, w)) {
      throw new AppError('conflict', `externalId ${input.externalId ?? ''} was already recorded with other details (record ${existing.id})`, { field: 'externalId', id: existing.id });
    }
    return { record: view(existing, principal), created: false, facts: [] };
  }
  const id = newId();
  await repo.insertRecord(trx, t, { id, externalId: input.externalId ?? null, ...w, now });
  if (dealer) await refs.linkCustomer(trx, t, profileId, dealer.id, 'after_sales', at);
  const row = await repo.findById(trx, principal, id);
  if (!row) throw new AppError('internal', `after-sales record ${id} vanished`);
  return { record: view(row, principal), created: true, facts: serviceCompletedMessages(row) };
}

export async function createAfterSales(deps: SalesDeps, principal: Principal, input: AfterSalesCreate): Promise<{ record: AfterSales; created: boolean }> {
  const now = deps.clock.now();
  await ensureEventPartitions(deps.store, [now]);
  return deps.db.transaction().execute(async (trx) => {
    // The identity lock before the profile's row: the order in which a merge locks.
    await lockIdentityGraph(trx, principal.tenantId);
    const { record, created, facts } = await writeOne(trx, principal, input, now);
    await recordFacts(trx, principal.tenantId, facts, now);
    return { record, created };
  });
}

const MAX_REPORTED = 100;

function rejectFile(problems: RowProblem[], status: 'invalid_request' | 'conflict'): AppError {
  const first = problems[0];
  const summary = first ? `row ${first.row}${first.field ? ` (${first.field})` : ''}: ${first.message}` : '';
  return new AppError(
    status,
    `${problems.length} row${problems.length === 1 ? '' : 's'} of the file cannot be imported, nothing was imported; first: ${summary}`,
    { errors: problems.slice(0, MAX_REPORTED), errorCount: problems.length },
  );
}

/**
 * Imports a CSV file all or nothing: every row is checked (shape, then customer, dealer, conflicts)
 * before the transaction commits; any problem rejects the file naming the rows (header = row 1).
 */
export async function importAfterSales(deps: SalesDeps, principal: Principal, text: string, query: AfterSalesImportQuery): Promise<AfterSalesImportResult> {
  const now = deps.clock.now();
  const parsed = readAfterSalesCsv(text, query);
  if (parsed.problems.length > 0) throw rejectFile(parsed.problems, 'invalid_request');
  await ensureEventPartitions(deps.store, [now]);
  return deps.db.transaction().execute(async (trx) => {
    await lockIdentityGraph(trx, principal.tenantId);
    const problems: RowProblem[] = [];
    const records: AfterSalesImportResult['records'] = [];
    const facts: OwnMessage[] = [];
    for (const { row, input } of parsed.rows) {
      try {
        const written = await writeOne(trx, principal, input, now);
        records.push({ row, id: written.record.id, created: written.created });
        facts.push(...written.facts);
      } catch (err) {
        if (!isAppError(err) || err.statusCode >= 500) throw err;
        const field = typeof err.details === 'object' && err.details !== null && 'field' in err.details ? String(err.details.field) : null;
        problems.push({ row, field, message: err.message, code: err.code });
      }
    }
    if (problems.length > 0) throw rejectFile(problems, problems.some((p) => p.code === 'conflict') ? 'conflict' : 'invalid_request');
    await recordFacts(trx, principal.tenantId, facts, now);
    const created = records.filter((r) => r.created).length;
    return { rows: parsed.rows.length, created, unchanged: records.length - created, records };
  });
}
