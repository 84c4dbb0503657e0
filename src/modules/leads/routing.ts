import type { PoolReason } from '../../contracts/leads.js';

/**
 * Routing decisions, in memory, for a batch of leads (docs/leads.md, "Routing"). The repo loads the
 * dealers, rules, today's counts, conversion, consultants, their loads and the round-robin cursors
 * once per batch; these functions decide, and update the in-memory counts as they go so that the
 * next lead of the batch sees them.
 */

export interface DealerInfo {
  id: string;
  code: string;
  city: string | null;
  province: string | null;
  /** New leads per day; null = no limit. */
  capacity: number | null;
  /** Series sold; null = all. */
  series: string[] | null;
}

export interface DealerStats {
  /** Leads routed to the dealer today (tenant time zone). */
  routedToday: number;
  /** Orders / leads over the last 90 days, 0..1. */
  conversion: number;
}

export interface RuleInfo {
  id: string;
  name: string;
  priority: number;
  cities: string[] | null;
  provinces: string[] | null;
  series: string[] | null;
  sources: string[] | null;
  dealerIds: string[];
}

export interface ConsultantInfo {
  id: string;
  username: string;
  wecomUserId: string | null;
  dealerId: string;
  maxOpen: number;
  /** Open leads (assigned … invoiced) now. */
  open: number;
}

export interface RoutableLead {
  source: string;
  city: string | null;
  province: string | null;
  series: string | null;
  dealerCode: string | null;
}

/** A dealer with capacity null counts as this many leads per day in the weight, and is never full. */
export const UNLIMITED_CAPACITY = 1000;

/** City and province names compared without their administrative suffix: 上海市 = 上海, 浙江省 = 浙江. */
export function placeKey(name: string | null | undefined): string | null {
  if (!name) return null;
  const trimmed = name.trim().toLowerCase();
  const key = trimmed.replace(/(特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|省|市)$/u, '');
  return key === '' ? trimmed : key;
}

export type DealerDecision =
  | { kind: 'dealer'; dealer: DealerInfo; via: string }
  | { kind: 'pool'; reason: Extract<PoolReason, 'unknown_dealer' | 'no_route' | 'dealers_full'> };

/** The dealers of a batch indexed by id, city and province (place keys computed once). */
export interface DealerIndex {
  dealers: readonly DealerInfo[];
  byId: ReadonlyMap<string, DealerInfo>;
  byCode: ReadonlyMap<string, DealerInfo>;
  byCity: ReadonlyMap<string, DealerInfo[]>;
  byProvince: ReadonlyMap<string, DealerInfo[]>;
}

export function indexDealers(dealers: readonly DealerInfo[]): DealerIndex {
  const byCity = new Map<string, DealerInfo[]>();
  const byProvince = new Map<string, DealerInfo[]>();
  const add = (m: Map<string, DealerInfo[]>, key: string | null, d: DealerInfo) => {
    if (key !== null) m.set(key, [...(m.get(key) ?? []), d]);
  };
  for (const d of dealers) {
    add(byCity, placeKey(d.city), d);
    add(byProvince, placeKey(d.province), d);
  }
  return { dealers, byId: new Map(dealers.map((d) => [d.id, d])), byCode: new Map(dealers.map((d) => [d.code, d])), byCity, byProvince };
}

/** Candidate sets in the order they are tried: matching rules by priority, the city's dealers, the province's. */
export function candidateSets(lead: RoutableLead, index: DealerIndex, rules: readonly RuleInfo[]): Array<{ via: string; dealers: DealerInfo[] }> {
  const city = placeKey(lead.city);
  const province = placeKey(lead.province);
  const sells = (d: DealerInfo) => lead.series === null || d.series === null || d.series.includes(lead.series);
  const sets: Array<{ via: string; dealers: DealerInfo[] }> = [];
  for (const rule of rules) {
    if (rule.cities && (city === null || !rule.cities.some((c) => placeKey(c) === city))) continue;
    if (rule.provinces && (province === null || !rule.provinces.some((p) => placeKey(p) === province))) continue;
    if (rule.series && (lead.series === null || !rule.series.includes(lead.series))) continue;
    if (rule.sources && !rule.sources.includes(lead.source)) continue;
    sets.push({ via: `rule:${rule.name}`, dealers: rule.dealerIds.flatMap((id) => index.byId.get(id) ?? []).filter(sells) });
  }
  if (city !== null) sets.push({ via: 'city', dealers: (index.byCity.get(city) ?? []).filter(sells) });
  if (province !== null) sets.push({ via: 'province', dealers: (index.byProvince.get(province) ?? []).filter(sells) });
  return sets.filter((s) => s.dealers.length > 0);
}

/** remaining daily capacity × (1 + conversion); a full dealer (capacity set, nothing left) weighs 0. */
export function dealerWeight(d: DealerInfo, s: DealerStats): number {
  const remaining = d.capacity === null ? Math.max(UNLIMITED_CAPACITY - s.routedToday, 1) : d.capacity - s.routedToday;
  return remaining <= 0 ? 0 : remaining * (1 + s.conversion);
}

/**
 * The dealer for one lead: an explicit dealer code wins (an unknown or inactive one sends the lead
 * to the HQ pool); otherwise the first candidate set with a dealer that has capacity left, and in it
 * the highest weight (ties: the lower code). Counts the lead against the dealer's day.
 */
export function pickDealer(lead: RoutableLead, index: DealerIndex, rules: readonly RuleInfo[], stats: Map<string, DealerStats>): DealerDecision {
  const stat = (d: DealerInfo) => {
    let s = stats.get(d.id);
    if (!s) stats.set(d.id, (s = { routedToday: 0, conversion: 0 }));
    return s;
  };
  if (lead.dealerCode !== null) {
    const dealer = index.byCode.get(lead.dealerCode);
    if (!dealer) return { kind: 'pool', reason: 'unknown_dealer' };
    stat(dealer).routedToday += 1;
    return { kind: 'dealer', dealer, via: 'dealer_code' };
  }
  const sets = candidateSets(lead, index, rules);
  if (sets.length === 0) return { kind: 'pool', reason: 'no_route' };
  for (const set of sets) {
    let best: { d: DealerInfo; w: number } | null = null;
    for (const d of set.dealers) {
      const w = dealerWeight(d, stat(d));
      if (w <= 0) continue;
      if (!best || w > best.w || (w === best.w && d.code < best.d.code)) best = { d, w };
    }
    if (best) {
      stat(best.d).routedToday += 1;
      return { kind: 'dealer', dealer: best.d, via: set.via };
    }
  }
  return { kind: 'pool', reason: 'dealers_full' };
}

/** A dealer's consultants in round-robin order (user name, then id). */
export function roundRobinOrder(consultants: readonly ConsultantInfo[]): ConsultantInfo[] {
  return [...consultants].sort((a, b) => {
    const x = a.username.toLowerCase();
    const y = b.username.toLowerCase();
    return x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}

/**
 * The next consultant after `lastId` in round-robin order who is under their load cap (and is not
 * `exclude`); null when everybody is at their cap. Counts the lead against the one picked.
 */
export function nextConsultant(ordered: readonly ConsultantInfo[], lastId: string | null, exclude: string | null = null): ConsultantInfo | null {
  if (ordered.length === 0) return null;
  const start = lastId === null ? 0 : ordered.findIndex((c) => c.id === lastId) + 1;
  for (let i = 0; i < ordered.length; i++) {
    const c = ordered[(start + i) % ordered.length]!;
    if (c.id === exclude || c.open >= c.maxOpen) continue;
    c.open += 1;
    return c;
  }
  return null;
}

// --- A batch --------------------------------------------------------------------------------------

export interface LeadToRoute extends RoutableLead {
  id: string;
  /** User name, WeCom user id or staff id of the consultant asked for. */
  consultantHint: string | null;
}

export interface RoutedLead {
  dealerId: string | null;
  dealerCode: string | null;
  consultantId: string | null;
  poolReason: PoolReason | null;
  /** How the dealer was chosen: dealer_code, rule:<name>, city, province. */
  via: string | null;
}

export interface BatchContext {
  dealers: DealerIndex;
  rules: RuleInfo[];
  stats: Map<string, DealerStats>;
  /** The consultants (their `open` not yet counted) and round-robin cursors of the chosen dealers. */
  consultants(dealerIds: string[]): Promise<{ consultants: ConsultantInfo[]; cursors: Map<string, string | null> }>;
  /** Open leads of these consultants (each counted up to their cap). */
  loads(consultants: readonly ConsultantInfo[]): Promise<Map<string, number>>;
}

type DealerLead = { lead: LeadToRoute; dealerId: string };
type Assignment = { picks: Map<string, string | null>; cursors: Map<string, string> };

const findHinted = (list: readonly ConsultantInfo[], hint: string) => {
  const h = hint.toLowerCase();
  return list.find((x) => x.id === hint || x.username.toLowerCase() === h || x.wecomUserId === hint) ?? null;
};

/**
 * Consultants for the leads (in order) with the loads known so far. A consultant whose load is not
 * known yet stops their dealer: the answer is then the consultants to count (the first round counts
 * as many per dealer as it has leads; later rounds the dealer's rest), and the caller tries again.
 */
function assignConsultants(todo: readonly DealerLead[], byDealer: Map<string, ConsultantInfo[]>, stored: Map<string, string | null>, known: Map<string, number>, firstRound: boolean): Assignment | { missing: ConsultantInfo[] } {
  const open = new Map(known);
  const room = (c: ConsultantInfo) => open.get(c.id)! < c.maxOpen;
  const remaining = new Map<string, number>();
  for (const t of todo) remaining.set(t.dealerId, (remaining.get(t.dealerId) ?? 0) + 1);
  const missing = new Map<string, ConsultantInfo>();
  const stalled = new Set<string>();
  const picks = new Map<string, string | null>();
  const cursors = new Map<string, string>();
  const stall = (dealerId: string, list: readonly ConsultantInfo[], from: number) => {
    stalled.add(dealerId);
    const want = firstRound ? Math.max(remaining.get(dealerId) ?? 1, 1) : list.length;
    for (let i = 0, added = 0; i < list.length && added < want; i++) {
      const c = list[(from + i) % list.length]!;
      if (!open.has(c.id) && !missing.has(c.id)) {
        missing.set(c.id, c);
        added += 1;
      }
    }
  };
  for (const { lead, dealerId } of todo) {
    if (stalled.has(dealerId)) continue;
    const list = byDealer.get(dealerId) ?? [];
    const hinted = lead.consultantHint === null ? null : findHinted(list, lead.consultantHint);
    if (hinted && !open.has(hinted.id)) {
      stall(dealerId, list, list.indexOf(hinted));
      continue;
    }
    let picked = hinted && room(hinted) ? hinted : null;
    if (!picked && list.length > 0) {
      const last = cursors.get(dealerId) ?? stored.get(dealerId) ?? null;
      const start = last === null ? 0 : list.findIndex((c) => c.id === last) + 1;
      let stopped = false;
      for (let i = 0; i < list.length; i++) {
        const c = list[(start + i) % list.length]!;
        if (!open.has(c.id)) {
          stall(dealerId, list, (start + i) % list.length);
          stopped = true;
          break;
        }
        if (room(c)) {
          picked = c;
          break;
        }
      }
      if (stopped) continue;
      if (picked) cursors.set(dealerId, picked.id);
    }
    if (picked) open.set(picked.id, open.get(picked.id)! + 1);
    picks.set(lead.id, picked?.id ?? null);
    remaining.set(dealerId, remaining.get(dealerId)! - 1);
  }
  return missing.size > 0 ? { missing: [...missing.values()] } : { picks, cursors };
}

/**
 * Routes a batch in memory; returns the decisions and, per dealer, the cursor and count to save.
 * Consultants' loads are counted only for those round-robin reaches (usually one query).
 */
export async function decideBatch(
  leads: readonly LeadToRoute[],
  ctx: BatchContext,
): Promise<{ routed: Map<string, RoutedLead>; dealers: Map<string, { lastStaffId: string | null; routed: number }> }> {
  const dealerOf = new Map<string, DealerDecision>();
  for (const l of leads) dealerOf.set(l.id, pickDealer(l, ctx.dealers, ctx.rules, ctx.stats));
  const chosen = [...new Set([...dealerOf.values()].flatMap((d) => (d.kind === 'dealer' ? [d.dealer.id] : [])))];
  const { consultants, cursors: stored } = await ctx.consultants(chosen);
  const byDealer = new Map<string, ConsultantInfo[]>();
  for (const c of consultants) byDealer.set(c.dealerId, [...(byDealer.get(c.dealerId) ?? []), c]);
  for (const [id, list] of byDealer) byDealer.set(id, roundRobinOrder(list));

  const todo = leads.flatMap((lead): DealerLead[] => {
    const d = dealerOf.get(lead.id)!;
    return d.kind === 'dealer' ? [{ lead, dealerId: d.dealer.id }] : [];
  });
  const known = new Map<string, number>();
  let assignment: Assignment | null = null;
  for (let round = 0; assignment === null; round++) {
    const r = assignConsultants(todo, byDealer, stored, known, round === 0);
    if ('picks' in r) assignment = r;
    else {
      const counted = await ctx.loads(r.missing);
      for (const c of r.missing) known.set(c.id, counted.get(c.id) ?? 0);
    }
  }

  const counts = new Map<string, number>();
  const routed = new Map<string, RoutedLead>();
  for (const l of leads) {
    const d = dealerOf.get(l.id)!;
    if (d.kind === 'pool') {
      routed.set(l.id, { dealerId: null, dealerCode: null, consultantId: null, poolReason: d.reason, via: null });
      continue;
    }
    counts.set(d.dealer.id, (counts.get(d.dealer.id) ?? 0) + 1);
    const consultantId = assignment.picks.get(l.id) ?? null;
    routed.set(l.id, { dealerId: d.dealer.id, dealerCode: d.dealer.code, consultantId, poolReason: consultantId ? null : 'no_capacity', via: d.via });
  }
  return { routed, dealers: new Map([...counts].map(([id, n]) => [id, { lastStaffId: assignment.cursors.get(id) ?? null, routed: n }])) };
}
