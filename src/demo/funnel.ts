import type { Clock } from '../platform/clock.js';
import { isAppError } from '../platform/errors.js';
import type { Db, Store } from '../platform/db/index.js';
import { addFollowUp, decideDefeat, intakeLeads, requestDefeat, transitionLead } from '../modules/leads/index.js';
import { lookupProfile } from '../modules/profiles/index.js';
import { cancelOrder, createOrder, deliverOrder, invoiceOrder } from '../modules/sales/index.js';
import type { LeadInput } from '../contracts/leads.js';
import type { PlannedLead, PlannedOrder, LeadStep } from './journeys.js';
import type { PlannedPerson } from './people.js';
import type { DemoTenant } from './setup.js';
import { inParallel } from './setup.js';

/**
 * Leads through intake, and each lead's history through the funnel and sales modules, as the
 * consultants and managers of its dealer record it. Each call runs on a clock set to when the step
 * happened, so the records carry their historical times.
 */

export interface FunnelCounts {
  leads: number;
  duplicates: number;
  steps: number;
  orders: number;
  deliveries: number;
}

const at = (d: Date): Clock => ({ now: () => d });
/** The modules' deps with a clock stopped at `d`: what the step's records take as their time. */
const stepDeps = (store: Store, d: Date) => ({ db: store.db, store, clock: at(d) });
const MINUTE = 60_000;

/** Profile ids by phone, read through the profiles module's lookup (One ID's answer). */
export class People {
  private readonly ids = new Map<PlannedPerson, string | null>();
  constructor(
    private readonly db: Db,
    private readonly t: DemoTenant,
  ) {}

  async idOf(p: PlannedPerson): Promise<string | null> {
    if (this.ids.has(p)) return this.ids.get(p)!;
    let id: string | null = null;
    try {
      id = (await lookupProfile(this.db, this.t.system, { type: 'phone', value: p.phone })).id;
    } catch (err) {
      // Nobody holds the number (the person never left it); anything else is a real failure.
      if (!isAppError(err) || err.code !== 'not_found') throw err;
    }
    this.ids.set(p, id);
    return id;
  }
}

/**
 * The owners' purchases before the window: orders and deliveries from the DMS, by HQ's integration,
 * written today (a backfill) with their historical order and delivery times.
 */
export async function loadPastOrders(store: Store, clock: Clock, t: DemoTenant, people: People, orders: readonly PlannedOrder[], onProgress: (done: number, total: number) => void): Promise<number> {
  let done = 0;
  let delivered = 0;
  for (const o of orders) {
    const profileId = await people.idOf(o.person);
    if (profileId) {
      await placeOrder(store, t, o, { profileId, dealerCode: o.dealer.code }, t.system, clock);
      delivered++;
    }
    onProgress(++done, orders.length);
  }
  return delivered;
}

/** `backfill`: the clock of a DMS sync today; absent, each call runs when its step happened. */
async function placeOrder(
  store: Store,
  t: DemoTenant,
  o: PlannedOrder,
  who: { leadId?: string; profileId?: string; dealerCode?: string; referredByProfileId?: string },
  principal: DemoTenant['system'],
  backfill?: Clock,
): Promise<void> {
  const depsAt = (s: Store, d: Date) => (backfill ? { db: s.db, store: s, clock: backfill } : stepDeps(s, d));
  await createOrder(depsAt(store, new Date(o.orderedAt.getTime() + MINUTE)), principal, {
    orderNo: o.orderNo,
    ...who,
    series: o.series.name,
    model: o.model,
    amountFen: o.amountFen,
    orderedAt: o.orderedAt.toISOString(),
  });
  if (o.cancelledAt) {
    await cancelOrder(depsAt(store, o.cancelledAt), principal, o.orderNo, { at: o.cancelledAt.toISOString(), remark: '客户取消订单，定金已退' });
    return;
  }
  if (o.invoicedAt) await invoiceOrder(depsAt(store, new Date(o.invoicedAt.getTime() + MINUTE)), principal, o.orderNo, { at: o.invoicedAt.toISOString() });
  if (o.delivery) await deliverOrder(depsAt(store, new Date(o.delivery.at.getTime() + MINUTE)), principal, o.orderNo, { at: o.delivery.at.toISOString(), vin: o.delivery.vin });
}

function leadInput(t: DemoTenant, l: PlannedLead): LeadInput {
  const p = l.person;
  return {
    source: l.source,
    externalId: l.externalId,
    channel: l.channel ?? undefined,
    campaign: undefined,
    model: undefined,
    name: p.name,
    phone: p.phone,
    city: p.city.name,
    province: p.city.province,
    series: p.series.name,
    dealerCode: l.dealer.code,
    consultant: t.usernameOf(l.consultant),
    createdAt: l.createdAt.toISOString(),
  };
}

/** Leads by day, in time order: intake as the platforms deliver them, then each lead's history. */
export async function loadLeads(store: Store, t: DemoTenant, people: People, leads: readonly PlannedLead[], width: number, onProgress: (done: number, total: number) => void): Promise<FunnelCounts> {
  const counts: FunnelCounts = { leads: 0, duplicates: 0, steps: 0, orders: 0, deliveries: 0 };
  const sorted = [...leads].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  let done = 0;
  for (let i = 0; i < sorted.length; ) {
    // One intake call per platform delivery: the leads of one day, at most 200.
    const day = sorted[i]!.createdAt.toISOString().slice(0, 10);
    let j = i;
    while (j < sorted.length && j - i < 200 && sorted[j]!.createdAt.toISOString().slice(0, 10) === day) j++;
    const batch = sorted.slice(i, j);
    const deliveredAt = new Date(batch[batch.length - 1]!.createdAt.getTime() + MINUTE);
    const results = await intakeLeads({ store, clock: at(deliveredAt) }, t.system, batch.map((l) => leadInput(t, l)), { now: deliveredAt });
    const fresh: { lead: PlannedLead; id: string }[] = [];
    results.forEach((r, k) => {
      if (r.dedup === 'duplicate') counts.duplicates++;
      else fresh.push({ lead: batch[k]!, id: r.id });
    });
    counts.leads += fresh.length;
    // Different leads' histories are independent: on a server store a few run at once.
    await inParallel(fresh, width, async ({ lead, id }) => {
      await walk(store, t, people, lead, id, counts);
    });
    done += batch.length;
    onProgress(done, sorted.length);
    i = j;
  }
  return counts;
}

async function walk(store: Store, t: DemoTenant, people: People, lead: PlannedLead, leadId: string, counts: FunnelCounts): Promise<void> {
  const consultant = await t.principalOf(lead.consultant);
  const manager = await t.principalOf(lead.dealer.manager);
  for (const s of lead.steps) {
    await step(store, t, people, leadId, s, consultant, manager, counts);
    counts.steps++;
  }
}

async function step(
  store: Store,
  t: DemoTenant,
  people: People,
  leadId: string,
  s: LeadStep,
  consultant: DemoTenant['system'],
  manager: DemoTenant['system'],
  counts: FunnelCounts,
): Promise<void> {
  const deps = stepDeps(store, new Date(s.at.getTime() + MINUTE));
  switch (s.kind) {
    case 'follow_up':
      await addFollowUp(deps, consultant, leadId, { kind: s.via, at: s.at.toISOString(), note: s.note, ...(s.next ? { nextFollowUpAt: s.next.toISOString() } : {}) });
      return;
    case 'move':
      await transitionLead(deps, consultant, leadId, { to: s.to, at: s.at.toISOString() });
      return;
    case 'invalid':
      await transitionLead(deps, consultant, leadId, { to: 'invalid', reason: s.reason, at: s.at.toISOString() });
      return;
    case 'defeat': {
      const { request } = await requestDefeat(deps, consultant, leadId, { reasonCode: s.reason, remark: s.remark });
      if (s.decision) {
        await decideDefeat(stepDeps(store, s.decision.at), manager, request.id, s.decision.approve ? 'approved' : 'rejected', s.decision.approve ? undefined : '请再跟进一次，争取到店');
      }
      return;
    }
    case 'order': {
      const referrer = s.order.referrer ? await people.idOf(s.order.referrer) : null;
      await placeOrder(store, t, s.order, { leadId, ...(referrer ? { referredByProfileId: referrer } : {}) }, consultant);
      counts.orders++;
      if (s.order.delivery) counts.deliveries++;
      return;
    }
  }
}
