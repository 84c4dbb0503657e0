import { z } from 'zod';
import {
  DEDUP_OUTCOMES,
  LEAD_STATUSES,
  scoreFactorSchema,
  type DedupOutcome,
  type Lead,
  type LeadAssign,
  type LeadIntakeResult,
  type LeadListQuery,
  type LeadPage,
  type LeadPoolQuery,
  type LeadStatus,
  type ScoreFactor,
} from '../../contracts/leads.js';
import { isoDateTime } from '../../contracts/common.js';
import { decodeCursor, encodeCursor } from '../../platform/cursor.js';
import type { Clock } from '../../platform/clock.js';
import type { Db, Store } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import { maskName, maskPhone, maskValue } from '../../platform/pii.js';
import { lockIdentityGraph } from '../identity/index.js';
import { ensureEventPartitions } from '../ingest/index.js';
import { recordFacts } from '../profiles/index.js';
import { hasRole, OPS_ROLES, type Principal } from '../tenancy/index.js';
import { leadAssignedMessages, type AssignedVia } from './facts.js';
import { leadFactRows } from './facts.repo.js';
import * as repo from './leads.repo.js';
import { loadConsultants, lockRouting } from './routing.repo.js';
import { readSettings } from './settings.repo.js';
import { scheduleSla } from './sla.js';

/**
 * Reading leads (scoped), the pool (公海), claiming and manual assignment. docs/leads.md. A lead
 * given to a consultant enters the person's timeline as `Lead Assigned` in the same transaction.
 */

const iso = (d: Date | null) => d?.toISOString() ?? null;
const STATUS_SET = new Set<string>(LEAD_STATUSES);
const isStatus = (s: string): s is LeadStatus => STATUS_SET.has(s);
const isDedup = (s: string): s is DedupOutcome => (DEDUP_OUTCOMES as readonly string[]).includes(s);
function statusOf(s: string): LeadStatus {
  if (!isStatus(s)) throw new Error(`unknown lead status ${s}`);
  return s;
}
function dedupOf(s: string): DedupOutcome {
  if (!isDedup(s)) throw new Error(`unknown dedup outcome ${s}`);
  return s;
}
const factorList = z.array(scoreFactorSchema);
/** score_factors as stored (written only by intake): checked once per row, cheaply. */
function factorsOf(v: unknown): ScoreFactor[] {
  const parsed = factorList.safeParse(v);
  return parsed.success ? parsed.data : [];
}

export function leadView(r: repo.LeadViewRow, maskPii: boolean): Lead {
  const phone = r.phone ?? r.phone_masked;
  return {
    id: r.id,
    profileId: r.profile_id,
    source: r.source,
    externalId: r.external_id,
    channel: r.channel,
    campaign: r.campaign,
    name: r.name === null ? null : maskPii ? maskName(r.name) : r.name,
    phone: phone === null ? null : maskPii ? (r.phone ? maskPhone(r.phone) : phone) : phone,
    phoneHash: r.phone_hash === null ? null : maskPii ? maskValue(r.phone_hash) : r.phone_hash,
    city: r.city,
    province: r.province,
    series: r.series,
    model: r.model,
    dealerId: r.dealer_id,
    dealerCode: r.unit_code,
    consultantId: r.consultant_id,
    // The consultant's name is a person's name: masked for analysts like the customer's.
    consultantName: r.consultant_name === null ? null : maskPii ? maskName(r.consultant_name) : r.consultant_name,
    status: statusOf(r.status),
    dedup: dedupOf(r.dedup),
    duplicateOf: r.duplicate_of,
    score: r.score,
    scoreFactors: factorsOf(r.score_factors),
    inPool: r.in_pool,
    poolReason: r.pool_reason,
    invalidReason: r.invalid_reason,
    defeatReason: r.defeat_reason,
    reassignCount: r.reassign_count,
    createdAt: r.created_at.toISOString(),
    receivedAt: r.received_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    assignedAt: iso(r.assigned_at),
    firstFollowUpAt: iso(r.first_follow_up_at),
    slaDueAt: iso(r.sla_due_at),
    nextFollowUpAt: iso(r.next_follow_up_at),
    milestones: {
      contactedAt: iso(r.contacted_at),
      invitedAt: iso(r.invited_at),
      visitedAt: iso(r.visited_at),
      testDriveAt: iso(r.test_drive_at),
      orderedAt: iso(r.ordered_at),
      invoicedAt: iso(r.invoiced_at),
      deliveredAt: iso(r.delivered_at),
      closedAt: iso(r.closed_at),
      reachableAt: iso(r.reachable_at),
    },
    raw: maskPii ? null : (r.raw ?? null),
  };
}

export function intakeResultOf(r: repo.LeadViewRow, created: boolean): LeadIntakeResult {
  return {
    id: r.id,
    profileId: r.profile_id,
    status: statusOf(r.status),
    dedup: dedupOf(r.dedup),
    duplicateOf: r.duplicate_of,
    score: r.score,
    scoreFactors: factorsOf(r.score_factors),
    dealerId: r.dealer_id,
    dealerCode: r.unit_code,
    consultantId: r.consultant_id,
    inPool: r.in_pool,
    poolReason: r.pool_reason,
    created,
  };
}

export interface LeadReadDeps {
  store: Store;
  clock: Clock;
}

const notFound = (id: string) => new AppError('not_found', `no lead ${id}`);

/** A lead in the caller's scope; out of scope answers exactly like a lead that does not exist. */
export async function getLead(deps: LeadReadDeps, principal: Principal, id: string): Promise<Lead> {
  const row = await repo.findVisibleLead(deps.store.db, principal, id);
  if (!row) throw notFound(id);
  return leadView(row, principal.maskPii);
}

/** (created_at, id), the time checked as the database can hold it (a tampered year 0000 would be a cast error). */
const cursorSchema = z.tuple([isoDateTime, z.uuid()]).transform(([at, id]) => ({ at, id }));

function page(rows: repo.LeadViewRow[], limit: number, maskPii: boolean): LeadPage {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return {
    data: data.map((r) => leadView(r, maskPii)),
    nextCursor: rows.length > limit && last ? encodeCursor([last.created_at.toISOString(), last.id]) : null,
  };
}

/** The caller's leads, newest first, with filters and cursor pagination. */
export async function listLeads(deps: LeadReadDeps, principal: Principal, query: LeadListQuery): Promise<LeadPage> {
  const rows = await repo.listVisibleLeads(deps.store.db, principal, {
    statuses: query.status,
    source: query.source,
    dealerCode: query.dealerCode,
    dealerId: query.dealerId,
    consultantId: query.consultantId,
    inPool: query.inPool,
    dedup: query.dedup,
    from: query.from,
    to: query.to,
    after: query.cursor ? decodeCursor(query.cursor, cursorSchema) : undefined,
    limit: query.limit,
  });
  return page(rows, query.limit, principal.maskPii);
}

/** Pool leads: HQ roles see every pool lead; dealer staff the pools of their units. */
export async function listPool(deps: LeadReadDeps, principal: Principal, query: LeadPoolQuery): Promise<LeadPage> {
  const rows = await repo.listVisibleLeads(deps.store.db, principal, {
    pool: true,
    source: query.source,
    dealerCode: query.dealerCode,
    from: query.from,
    to: query.to,
    after: query.cursor ? decodeCursor(query.cursor, cursorSchema) : undefined,
    limit: query.limit,
  });
  return page(rows, query.limit, principal.maskPii);
}

/** Assignment is possible while the lead is not closed and has no order (a later consultant change keeps the status). */
const ASSIGNABLE = new Set<string>(['new', 'assigned', 'contacted', 'invited', 'visited', 'test_drive']);

async function answer(db: Db, principal: Principal, id: string): Promise<Lead> {
  const [row] = await repo.findLeadViews(db, principal.tenantId, [id]);
  if (!row) throw notFound(id);
  return leadView(row, principal.maskPii);
}

/**
 * A consultant takes a lead from their dealer's pool (under their load cap). Claiming a lead
 * already theirs answers it unchanged.
 */
export async function claimLead(deps: LeadReadDeps, principal: Principal, id: string): Promise<Lead> {
  const scope = principal.scope;
  if (principal.role !== 'consultant' || scope.kind !== 'own' || principal.staffId === null) {
    throw new AppError('forbidden', 'only consultants claim pool leads; managers assign them (POST /api/v1/leads/{id}/assign)');
  }
  const staffId = principal.staffId;
  const now = deps.clock.now();
  await ensureEventPartitions(deps.store, [now]);
  await deps.store.db.transaction().execute(async (trx) => {
    // The identity lock first, as intake takes it: a merge moves leads, and assignment records an event.
    await lockIdentityGraph(trx, principal.tenantId);
    await lockRouting(trx, principal.tenantId);
    const lead = await repo.lockLead(trx, principal.tenantId, id);
    if (lead && lead.consultant_id === staffId) return;
    if (!lead || !lead.in_pool || lead.dealer_id === null || !scope.unitIds.includes(lead.dealer_id)) throw notFound(id);
    const settings = await readSettings(trx, principal.tenantId);
    const mine = (await loadConsultants(trx, principal.tenantId, [lead.dealer_id], settings.default_max_open_leads)).find((c) => c.id === staffId);
    if (!mine) throw notFound(id);
    if (mine.open >= mine.maxOpen) {
      throw new AppError('conflict', `you hold ${mine.open} open leads, your cap is ${mine.maxOpen}; follow up or close some first`, { open: mine.open, maxOpen: mine.maxOpen });
    }
    await assignTo(trx, principal, lead, { dealerId: lead.dealer_id, consultantId: staffId }, settings.sla_hours, now, 'claim');
  });
  return answer(deps.store.db, principal, id);
}

async function assignTo(
  trx: Db,
  principal: Principal,
  lead: repo.LeadRow,
  to: { dealerId: string; consultantId: string | null },
  slaHours: number,
  now: Date,
  reason: Exclude<AssignedVia, 'routing'>,
): Promise<void> {
  const toStatus = to.consultantId === null ? 'new' : lead.status === 'new' ? 'assigned' : lead.status;
  const due = toStatus === 'assigned' ? new Date(now.getTime() + slaHours * 3_600_000) : null;
  await repo.updateAssignment(trx, principal.tenantId, lead.id, {
    status: toStatus,
    dealerId: to.dealerId,
    consultantId: to.consultantId,
    inPool: to.consultantId === null,
    poolReason: to.consultantId === null ? 'manual' : null,
    assignedAt: toStatus === 'assigned' ? now : null,
    slaDueAt: due,
    reassigned: lead.consultant_id !== null && lead.consultant_id !== to.consultantId,
    at: now,
  });
  await repo.insertTransitions(trx, [
    {
      tenant_id: principal.tenantId,
      lead_id: lead.id,
      from_status: lead.status,
      to_status: toStatus,
      at: now,
      actor: principal.actor,
      reason,
      remark: null,
      details: JSON.stringify({ previousDealerId: lead.dealer_id, previousConsultantId: lead.consultant_id, dealerId: to.dealerId, consultantId: to.consultantId }),
    },
  ]);
  if (lead.profile_id !== null) await repo.linkCustomers(trx, principal.tenantId, [{ profileId: lead.profile_id, unitId: to.dealerId }], now);
  if (due) await scheduleSla(trx, principal.tenantId, lead.id, due);
  const facts = (await leadFactRows(trx, principal.tenantId, [lead.id])).flatMap((l) => leadAssignedMessages(l, now, reason, lead.consultant_id));
  await recordFacts(trx, principal.tenantId, facts, now);
}

/**
 * Managers assign a lead: to a consultant (of the dealer named, or of the consultant's own dealer),
 * or to a dealer's pool. Dealer managers act within their units; HQ operations anywhere. Assigning
 * to the current consultant (or the current dealer's pool) answers the lead unchanged.
 */
export async function assignLead(deps: LeadReadDeps, principal: Principal, id: string, input: LeadAssign): Promise<Lead> {
  const tenantId = principal.tenantId;
  const scope = principal.scope;
  const inScope = (unitId: string | null) => scope.kind === 'all' || (unitId !== null && scope.unitIds.includes(unitId));
  if (!hasRole(principal, OPS_ROLES) && principal.role !== 'dealer_manager') {
    throw new AppError('forbidden', `your role (${principal.role}) may not assign leads; a dealer manager or HQ operations can`);
  }
  const now = deps.clock.now();
  await ensureEventPartitions(deps.store, [now]);
  await deps.store.db.transaction().execute(async (trx) => {
    await lockIdentityGraph(trx, tenantId);
    await lockRouting(trx, tenantId);
    const lead = await repo.lockLead(trx, tenantId, id);
    if (!lead || !inScope(lead.dealer_id)) throw notFound(id);
    if (!ASSIGNABLE.has(lead.status)) {
      throw new AppError('invalid_transition', `a ${lead.status} lead cannot be reassigned`, { status: lead.status, assignableStatuses: [...ASSIGNABLE] });
    }
    let dealerId: string | null = null;
    if (input.dealerCode !== undefined) {
      const unit = await repo.findUnit(trx, tenantId, { code: input.dealerCode });
      if (!unit || unit.type !== 'dealer' || !unit.active || !inScope(unit.id)) {
        throw new AppError('invalid_request', `dealerCode: no active dealer with code "${input.dealerCode}"`, { field: 'dealerCode' });
      }
      dealerId = unit.id;
    }
    let consultantId: string | null = null;
    if (input.consultantId !== undefined) {
      const staff = await repo.findStaffWithDealer(trx, tenantId, input.consultantId);
      const ok = staff && staff.role === 'consultant' && staff.active && staff.dealer_id !== null && inScope(staff.dealer_id) && (dealerId === null || staff.dealer_id === dealerId);
      if (!ok || !staff.dealer_id) {
        throw new AppError('invalid_request', `consultantId: no active consultant ${input.consultantId}${dealerId ? ` at dealer ${input.dealerCode}` : ''}`, { field: 'consultantId' });
      }
      consultantId = staff.id;
      dealerId = staff.dealer_id;
    }
    if (dealerId === null) throw new AppError('invalid_request', 'give dealerCode, consultantId or both');
    if (lead.dealer_id === dealerId && lead.consultant_id === consultantId && (consultantId !== null || lead.in_pool)) return;
    if (consultantId === null && !['new', 'assigned'].includes(lead.status)) {
      throw new AppError('invalid_transition', `a ${lead.status} lead is being worked: give the consultant who takes it over (consultantId)`, { status: lead.status });
    }
    const settings = await readSettings(trx, tenantId);
    await assignTo(trx, principal, lead, { dealerId, consultantId }, settings.sla_hours, now, 'manual_assign');
  });
  return answer(deps.store.db, principal, id);
}
