import { createHash, randomUUID } from 'node:crypto';
import { CREATED_AT_SKEW_MS, PHONE_HASH, type DedupOutcome, type LeadInput, type LeadIntakeResult, type ScoreFactor } from '../../contracts/leads.js';
import type { Clock } from '../../platform/clock.js';
import type { Db, Store } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import { maskPhone } from '../../platform/pii.js';
import { lockIdentityGraph, loadIdentityConfig, normalizePhone, type IdentityConfig } from '../identity/index.js';
import { ensureEventPartitions, ingestOwnMessages } from '../ingest/index.js';
import { resolutionHooks } from '../profiles/index.js';
import type { Principal } from '../tenancy/index.js';
import { leadAssignedMessages, leadCreatedMessages } from './facts.js';
import { leadFactRows } from './facts.repo.js';
import * as repo from './intake.repo.js';
import { findLeadViews, visibleLeadIds, type LeadViewRow } from './leads.repo.js';
import { intakeResultOf } from './leads.js';
import { candidateSets, decideBatch, indexDealers, type LeadToRoute, type RoutedLead } from './routing.js';
import { intentOf, REPEAT_INQUIRY_POINTS, scoreLead, type PhoneKind } from './scoring.js';
import { readSettings, type SettingsRow } from './settings.repo.js';
import { countOpenLeads, listConsultants, loadActiveRules, loadCursors, loadDealers, loadDealerStats, lockRouting, saveRouting } from './routing.repo.js';
import { ensureSlaJobs } from './sla.repo.js';
import { insertTransitions, linkCustomers, type NewTransition } from './leads.repo.js';
import type { Phone, PreparedLead } from './prepared.js';

/**
 * Lead intake (docs/leads.md, "Intake" and "Dedup"): validate every lead, then in ONE transaction
 * resolve each person through One ID (the lead becomes an identify with the person's traits and a
 * `Lead Created` event), decide new / merged / duplicate, score, route, and write the lead with its
 * transitions, customer link, origin and SLA timer; a lead routed to a consultant adds `Lead Assigned`.
 * Idempotent by (source, externalId).
 */

export interface LeadsDeps {
  store: Store;
  clock: Clock;
}

const DAY_MS = 86_400_000;

/** A UUID (RFC 9562 version 8) derived from the tenant and the lead's idempotency key: re-sends get the same id. */
export function leadIdFor(tenantId: string, source: string, externalId: string): string {
  const h = createHash('sha256').update(`${tenantId}\u0001${source}\u0001${externalId}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function classifyPhone(raw: string): Phone | { error: string } {
  if (PHONE_HASH.test(raw)) return { kind: 'hash', hash: raw.toLowerCase() };
  const p = normalizePhone(raw);
  if (p.kind === 'masked') return { kind: 'masked', raw: p.raw };
  if (p.kind === 'invalid') return { error: p.reason };
  return { kind: 'full', e164: p.e164 };
}

const phoneValue = (p: Phone) => (p.kind === 'full' ? p.e164 : p.kind === 'masked' ? p.raw : p.hash);

/** Without an externalId a lead is recognised by source, phone, createdAt and series. */
export function derivedExternalId(source: string, phone: string, createdAt: Date, series: string | null): string {
  return `auto:${createHash('sha256').update([source, phone, createdAt.toISOString(), series ?? ''].join('\u0001')).digest('hex').slice(0, 32)}`;
}

interface Issue {
  path: string;
  message: string;
}

/** Dealer staff create leads for their own dealer(s): the codes they may use (null: any). */
async function allowedDealerCodes(db: Db, principal: Principal): Promise<string[] | null> {
  if (principal.scope.kind === 'all') return null;
  const rows = await db
    .selectFrom('org_units')
    .select('code')
    .where('tenant_id', '=', principal.tenantId)
    .where('type', '=', 'dealer')
    .where('active', '=', true)
    .where('id', 'in', principal.scope.unitIds.length > 0 ? principal.scope.unitIds : ['00000000-0000-0000-0000-000000000000'])
    .orderBy('code')
    .execute();
  return rows.map((r) => r.code);
}

/** Checks every lead (all-or-nothing: one bad lead refuses the batch, naming each bad field). */
export async function prepareLeads(db: Db, principal: Principal, inputs: readonly LeadInput[], now: Date, single: boolean): Promise<PreparedLead[]> {
  const issues: Issue[] = [];
  let refusedDealer: Issue | null = null;
  const prefix = (i: number) => (single ? '' : `leads[${i}].`);
  const allowed = await allowedDealerCodes(db, principal);
  const prepared = inputs.map((input, i): PreparedLead | null => {
    const createdAt = input.createdAt ? new Date(input.createdAt) : now;
    if (createdAt.getTime() > now.getTime() + CREATED_AT_SKEW_MS) {
      issues.push({ path: `${prefix(i)}createdAt`, message: `${createdAt.toISOString()} is in the future (our clock: ${now.toISOString()}); send the time the lead was left` });
    }
    const phone = classifyPhone(input.phone);
    if ('error' in phone) {
      issues.push({ path: `${prefix(i)}phone`, message: `${phone.error}; a masked (134****1234) or hashed (32/64 hex) number is accepted too` });
      return null;
    }
    let dealerCode = input.dealerCode ?? null;
    if (allowed !== null) {
      if (dealerCode === null && allowed.length === 1) dealerCode = allowed[0]!;
      else if (dealerCode === null) issues.push({ path: `${prefix(i)}dealerCode`, message: `dealerCode is required: you work for several dealers (${allowed.join(', ')})` });
      else if (!allowed.includes(dealerCode)) refusedDealer ??= { path: `${prefix(i)}dealerCode`, message: `no dealer with code "${dealerCode}"` };
    }
    const consultantHint = input.consultant ?? (principal.role === 'consultant' ? principal.staffId : null);
    const externalId = input.externalId ?? derivedExternalId(input.source, phoneValue(phone), createdAt, input.series ?? null);
    return { input, id: leadIdFor(principal.tenantId, input.source, externalId), externalId, createdAt, phone, dealerCode, consultantHint };
  });
  // A dealer outside the caller's units answers as a dealer that does not exist.
  if (refusedDealer !== null) {
    const r: Issue = refusedDealer;
    throw new AppError('not_found', `${r.path}: ${r.message}`, { field: r.path });
  }
  if (issues.length > 0) {
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
    throw new AppError('invalid_request', `${issues[0]!.path}: ${issues[0]!.message}${more}`, { part: 'body', issues: issues.slice(0, 20) });
  }
  return prepared.filter((p): p is PreparedLead => p !== null);
}

interface Resolved {
  p: PreparedLead;
  profileId: string | null;
  dedup: DedupOutcome;
  duplicateOf: string | null;
  score: number;
  factors: ScoreFactor[];
}

const sameSeries = (a: string | null | undefined, b: string | null | undefined) => (a ?? null) === (b ?? null);

/** new / merged / duplicate, in batch order (an earlier lead of the batch counts as before). */
async function dedupLeads(trx: Db, tenantId: string, leads: ReadonlyArray<{ p: PreparedLead; profileId: string | null; known: boolean }>, windowDays: number) {
  const profiles = [...new Set(leads.flatMap((l) => (l.profileId ? [l.profileId] : [])))];
  const times = leads.map((l) => l.p.createdAt.getTime());
  const windowMs = windowDays * DAY_MS;
  const priors =
    windowDays > 0 ? await repo.findPriorLeads(trx, tenantId, profiles, new Date(Math.min(...times) - windowMs), new Date(Math.max(...times))) : [];
  const candidates = new Map<string, Array<{ id: string; series: string | null; at: number }>>();
  const remember = (profileId: string, c: { id: string; series: string | null; at: number }) => candidates.set(profileId, [...(candidates.get(profileId) ?? []), c]);
  for (const r of priors) remember(r.profile_id, { id: r.id, series: r.series, at: r.created_at.getTime() });
  const seen = new Set<string>();
  return leads.map((l) => {
    let dedup: DedupOutcome = l.known || (l.profileId !== null && seen.has(l.profileId)) ? 'merged' : 'new';
    let duplicateOf: string | null = null;
    const at = l.p.createdAt.getTime();
    if (l.profileId !== null && windowDays > 0) {
      const original = (candidates.get(l.profileId) ?? [])
        .filter((c) => sameSeries(c.series, l.p.input.series) && c.at <= at && c.at >= at - windowMs && c.id !== l.p.id)
        .sort((a, b) => b.at - a.at || (a.id < b.id ? -1 : 1))[0];
      if (original) {
        dedup = 'duplicate';
        duplicateOf = original.id;
      }
    }
    if (l.profileId !== null) {
      seen.add(l.profileId);
      if (dedup !== 'duplicate') remember(l.profileId, { id: l.p.id, series: l.p.input.series ?? null, at });
    }
    return { dedup, duplicateOf };
  });
}

/**
 * Takes leads in; answers one result per input, in order. A lead whose (source, externalId) is
 * stored already (or repeats an earlier item of the batch) answers the stored lead, `created: false`.
 */
export async function intakeLeads(deps: LeadsDeps, principal: Principal, inputs: LeadInput[], options: { now?: Date; single?: boolean } = {}): Promise<LeadIntakeResult[]> {
  if (inputs.length === 0) return [];
  const now = options.now ?? deps.clock.now();
  const tenantId = principal.tenantId;
  const db = deps.store.db;
  const prepared = await prepareLeads(db, principal, inputs, now, options.single ?? inputs.length === 1);
  const first = new Map<string, PreparedLead>();
  for (const p of prepared) if (!first.has(p.id)) first.set(p.id, p);
  const config = await loadIdentityConfig(db, tenantId);
  await ensureEventPartitions(deps.store, [now]);

  const fresh = await db.transaction().execute(async (trx) => {
    // Intake of one tenant runs one batch at a time: idempotency checks, dedup and routing see each other.
    await lockIdentityGraph(trx, tenantId);
    await lockRouting(trx, tenantId);
    const unique = [...first.values()];
    const stored = await repo.findIdsByKeys(trx, tenantId, unique.map((p) => ({ source: p.input.source, externalId: p.externalId })));
    const todo = unique.filter((p) => !stored.has(`${p.input.source}\u0001${p.externalId}`));
    return todo.length === 0 ? new Map<string, LeadIntakeResult>() : writeFresh(trx, principal, todo, config, now);
  });

  // Leads stored before are answered as they are now, but only within the caller's scope: a re-sent
  // (source, externalId) of another dealer's lead answers like an unknown dealer, never with that lead.
  const old = [...first.keys()].filter((id) => !fresh.has(id));
  const duplicateOf = [...fresh.values()].flatMap((r) => (r.duplicateOf ? [r.duplicateOf] : []));
  const visible = principal.scope.kind === 'all' ? null : await visibleLeadIds(db, principal, [...old, ...duplicateOf]);
  const hidden = old.filter((id) => visible !== null && !visible.has(id));
  if (hidden.length > 0) {
    throw new AppError('not_found', 'a lead with this source and externalId is stored outside your dealer; ask your manager or HQ to check it');
  }
  const views = new Map<string, LeadViewRow>((await findLeadViews(db, tenantId, old)).map((v) => [v.id, v]));
  const answered = new Set<string>();
  return prepared.map((p) => {
    const made = fresh.get(p.id);
    const view = views.get(p.id);
    let result = made && !answered.has(p.id) ? made : made ? { ...made, created: false } : view ? intakeResultOf(view, false) : null;
    if (!result) throw new AppError('conflict', `lead ${p.id} was removed while this request ran; send it again`);
    // The original of a duplicate may belong to another dealer: its id is not the caller's to know.
    if (visible !== null && result.duplicateOf && !visible.has(result.duplicateOf)) result = { ...result, duplicateOf: null };
    answered.add(p.id);
    return result;
  });
}

async function writeFresh(trx: Db, principal: Principal, fresh: PreparedLead[], config: IdentityConfig, now: Date): Promise<Map<string, LeadIntakeResult>> {
  const tenantId = principal.tenantId;
  const sources = await repo.ensureLeadSources(trx, tenantId, fresh.map((p) => p.input.source), randomUUID);
  const perLead = fresh.map((p) => leadCreatedMessages(p, sources.get(p.input.source)!, config));
  const results = await ingestOwnMessages(trx, tenantId, config, perLead.flat(), now, resolutionHooks);
  // Results are per message: a lead's person is the result of its track, the last of its messages.
  let end = 0;
  const people = fresh.map((p, i) => {
    end += perLead[i]!.length;
    const track = results[end - 1]!;
    return { p, profileId: track.profileId, known: track.known };
  });
  const settings = await readSettings(trx, tenantId);
  const dedup = await dedupLeads(trx, tenantId, people, settings.duplicate_window_days);
  const intent = await intentOf(trx, tenantId, people);
  const resolved: Resolved[] = people.map((l, i) => {
    const { score, factors } = scoreLead({
      source: l.p.input.source,
      phoneKind: l.p.phone.kind satisfies PhoneKind,
      name: l.p.input.name ?? null,
      city: l.p.input.city ?? null,
      province: l.p.input.province ?? null,
      series: l.p.input.series ?? null,
      model: l.p.input.model ?? null,
      createdAt: l.p.createdAt,
      receivedAt: now,
      intent: intent[i]!,
    });
    return { p: l.p, profileId: l.profileId, dedup: dedup[i]!.dedup, duplicateOf: dedup[i]!.duplicateOf, score, factors };
  });
  const routed = await routeBatch(trx, tenantId, resolved.filter((r) => r.dedup !== 'duplicate').map((r) => r.p), settings, now);
  const written = await writeLeads(trx, principal, resolved, routed, settings.sla_hours, now);
  const assigned = [...written.values()].flatMap((r) => (r.consultantId === null ? [] : [r.id]));
  const facts = (await leadFactRows(trx, tenantId, assigned)).flatMap((l) => leadAssignedMessages(l, now, 'routing'));
  await ingestOwnMessages(trx, tenantId, config, facts, now, resolutionHooks);
  return written;
}

/** Loads what routing needs once, decides in memory, saves the round-robin cursors. */
async function routeBatch(trx: Db, tenantId: string, leads: readonly PreparedLead[], settings: SettingsRow, now: Date): Promise<Map<string, RoutedLead>> {
  if (leads.length === 0) return new Map();
  const toRoute: LeadToRoute[] = leads.map((p) => ({
    id: p.id,
    source: p.input.source,
    city: p.input.city ?? null,
    province: p.input.province ?? null,
    series: p.input.series ?? null,
    dealerCode: p.dealerCode,
    consultantHint: p.consultantHint,
  }));
  const dealers = indexDealers(await loadDealers(trx, tenantId));
  const rules = dealers.dealers.length === 0 ? [] : await loadActiveRules(trx, tenantId);
  const wanted = new Set<string>();
  for (const l of toRoute) {
    if (l.dealerCode !== null) {
      const d = dealers.byCode.get(l.dealerCode);
      if (d) wanted.add(d.id);
    } else for (const set of candidateSets(l, dealers, rules)) for (const d of set.dealers) wanted.add(d.id);
  }
  const stats = await loadDealerStats(trx, tenantId, [...wanted], now);
  const { routed, dealers: changes } = await decideBatch(toRoute, {
    dealers,
    rules,
    stats,
    consultants: async (ids) => ({
      consultants: await listConsultants(trx, tenantId, ids, settings.default_max_open_leads),
      cursors: await loadCursors(trx, tenantId, ids),
    }),
    loads: (list) => countOpenLeads(trx, tenantId, list),
  });
  await saveRouting(trx, tenantId, changes, now);
  return routed;
}

async function writeLeads(trx: Db, principal: Principal, resolved: Resolved[], routed: Map<string, RoutedLead>, slaHours: number, now: Date): Promise<Map<string, LeadIntakeResult>> {
  const tenantId = principal.tenantId;
  // Repeat inquiries: a duplicate adds an intent signal to its original (in this batch or stored).
  const repeats = new Map<string, ScoreFactor[]>();
  for (const r of resolved) {
    if (r.duplicateOf === null) continue;
    const f: ScoreFactor = { factor: 'repeat_inquiry', points: REPEAT_INQUIRY_POINTS, detail: `duplicate lead ${r.p.id} from ${r.p.input.source} at ${r.p.createdAt.toISOString()}` };
    repeats.set(r.duplicateOf, [...(repeats.get(r.duplicateOf) ?? []), f]);
  }
  const inBatch = new Set(resolved.map((r) => r.p.id));
  const rows: repo.NewLead[] = resolved.map((r) => {
    const l = r.p.input;
    const route = routed.get(r.p.id);
    const extra = repeats.get(r.p.id) ?? [];
    const factors = [...r.factors, ...extra];
    const assigned = route?.consultantId != null;
    return {
      tenant_id: tenantId,
      id: r.p.id,
      profile_id: r.profileId,
      source: l.source,
      external_id: r.p.externalId,
      channel: l.channel ?? null,
      campaign: l.campaign ?? null,
      name: l.name ?? null,
      phone: r.p.phone.kind === 'full' ? r.p.phone.e164 : null,
      phone_masked: r.p.phone.kind === 'full' ? maskPhone(r.p.phone.e164) : r.p.phone.kind === 'masked' ? r.p.phone.raw : null,
      phone_hash: r.p.phone.kind === 'hash' ? r.p.phone.hash : null,
      city: l.city ?? null,
      province: l.province ?? null,
      series: l.series ?? null,
      model: l.model ?? null,
      dealer_code: r.p.dealerCode,
      consultant_hint: l.consultant ?? null,
      dealer_id: route?.dealerId ?? null,
      consultant_id: route?.consultantId ?? null,
      status: r.dedup === 'duplicate' ? 'invalid' : assigned ? 'assigned' : 'new',
      dedup: r.dedup,
      duplicate_of: r.duplicateOf,
      score: Math.min(100, r.score + extra.reduce((n, f) => n + f.points, 0)),
      score_factors: JSON.stringify(factors),
      in_pool: route !== undefined && !assigned,
      pool_reason: route?.poolReason ?? null,
      invalid_reason: r.dedup === 'duplicate' ? 'duplicate' : null,
      created_at: r.p.createdAt,
      received_at: now,
      updated_at: now,
      assigned_at: assigned ? now : null,
      sla_due_at: assigned ? new Date(now.getTime() + slaHours * 3_600_000) : null,
      closed_at: r.dedup === 'duplicate' ? now : null,
      raw: l.raw === undefined ? null : JSON.stringify(l.raw),
    };
  });
  await repo.insertLeads(trx, rows);
  for (const [originalId, factors] of repeats) {
    if (!inBatch.has(originalId)) await repo.addRepeatInquiries(trx, tenantId, originalId, factors, factors.length * REPEAT_INQUIRY_POINTS, now);
  }
  await writeSideRows(trx, principal, resolved, routed, now, slaHours);
  return new Map(
    rows.map((row, i): [string, LeadIntakeResult] => {
      const route = routed.get(row.id);
      const factors = [...resolved[i]!.factors, ...(repeats.get(row.id) ?? [])];
      return [
        row.id,
        {
          id: row.id,
          profileId: row.profile_id ?? null,
          status: row.dedup === 'duplicate' ? 'invalid' : row.status === 'assigned' ? 'assigned' : 'new',
          dedup: resolved[i]!.dedup,
          duplicateOf: row.duplicate_of ?? null,
          score: row.score ?? 0,
          scoreFactors: factors,
          dealerId: row.dealer_id ?? null,
          dealerCode: route?.dealerCode ?? null,
          consultantId: row.consultant_id ?? null,
          inPool: row.in_pool ?? false,
          poolReason: row.pool_reason ?? null,
          created: true,
        },
      ];
    }),
  );
}

/** Transitions, customer links, origins and SLA timers of the inserted leads. */
async function writeSideRows(trx: Db, principal: Principal, leads: readonly Resolved[], routed: Map<string, RoutedLead>, now: Date, slaHours: number): Promise<void> {
  const tenantId = principal.tenantId;
  const transitions: NewTransition[] = [];
  const links: Array<{ profileId: string; unitId: string }> = [];
  const origins: Array<{ profileId: string; unitId: string | null; source: string; leadId: string; at: Date }> = [];
  const originOf = new Set<string>();
  const timers: Array<{ leadId: string; dueAt: Date }> = [];
  const t = (leadId: string, from: string | null, to: string, actor: string, reason: string | null, details: unknown): NewTransition => ({
    tenant_id: tenantId, lead_id: leadId, from_status: from, to_status: to, at: now, actor, reason, remark: null, details: JSON.stringify(details),
  });
  for (const r of leads) {
    const id = r.p.id;
    if (r.dedup === 'duplicate') {
      transitions.push(t(id, null, 'invalid', principal.actor, 'duplicate', { source: r.p.input.source, dedup: r.dedup, duplicateOf: r.duplicateOf }));
      continue;
    }
    const route = routed.get(id)!;
    transitions.push(t(id, null, 'new', principal.actor, null, { source: r.p.input.source, dedup: r.dedup, dealerId: route.dealerId, poolReason: route.poolReason }));
    if (route.consultantId !== null) {
      transitions.push(t(id, 'new', 'assigned', 'system:routing', null, { dealerId: route.dealerId, consultantId: route.consultantId, via: route.via }));
      timers.push({ leadId: id, dueAt: new Date(now.getTime() + slaHours * 3_600_000) });
    }
    if (r.profileId === null) continue;
    if (route.dealerId !== null) links.push({ profileId: r.profileId, unitId: route.dealerId });
    if (!originOf.has(r.profileId)) {
      originOf.add(r.profileId);
      origins.push({ profileId: r.profileId, unitId: route.dealerId, source: r.p.input.source, leadId: id, at: r.p.createdAt });
    }
  }
  await insertTransitions(trx, transitions);
  await linkCustomers(trx, tenantId, links, now);
  await repo.insertOrigins(trx, tenantId, origins);
  await ensureSlaJobs(trx, tenantId, timers);
}
