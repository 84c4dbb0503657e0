import type { BatchMessage } from '../contracts/ingest.js';
import type { DefeatReason, InvalidReason } from '../contracts/funnel.js';
import type { AfterSalesKind } from '../contracts/sales.js';
import { vinCheckDigit } from '../modules/identity/index.js';
import type { DemoSeries } from './brand.js';
import type { PlannedDealer, PlannedNetwork, PlannedStaff } from './network.js';
import { DAY, PUBLIC_ORIGINS, type PlannedPerson } from './people.js';
import type { Rng } from './random.js';

/**
 * Each person's history, drawn from the rates a car brand sees (DOMAIN.md's KPIs), scaled by how well
 * their dealer works: tracking events, a lead and its way through the 4S funnel, an order and a
 * delivery, WeCom friendships, after-sales visits, consents. Steps later than the demo's "now" are not
 * taken: recent leads are still open.
 */

export type TrackSource = 'website' | 'app' | 'mini_program' | 'wechat_oa';
export interface PlannedTrack {
  source: TrackSource;
  message: BatchMessage;
}

export type LeadStep =
  | { kind: 'follow_up'; at: Date; via: 'call' | 'wecom_chat' | 'sms' | 'visit'; note: string; next?: Date }
  | { kind: 'move'; at: Date; to: 'contacted' | 'invited' | 'visited' | 'test_drive' }
  | { kind: 'invalid'; at: Date; reason: InvalidReason }
  | { kind: 'defeat'; at: Date; reason: DefeatReason; remark: string; decision: { approve: boolean; at: Date } | null }
  | { kind: 'order'; at: Date; order: PlannedOrder };

export interface PlannedOrder {
  orderNo: string;
  person: PlannedPerson;
  dealer: PlannedDealer;
  series: DemoSeries;
  model: string;
  amountFen: number;
  orderedAt: Date;
  referrer: PlannedPerson | null;
  invoicedAt: Date | null;
  delivery: { at: Date; vin: string } | null;
  cancelledAt: Date | null;
}

export interface PlannedLead {
  externalId: string;
  source: string;
  channel: string | null;
  person: PlannedPerson;
  createdAt: Date;
  dealer: PlannedDealer;
  consultant: PlannedStaff;
  steps: LeadStep[];
}

export interface PlannedFriendship {
  person: PlannedPerson;
  consultant: PlannedStaff;
  state: string;
  at: Date;
  removed: { at: Date; by: 'customer' | 'staff' } | null;
}

export interface PlannedService {
  externalId: string;
  vin: string;
  dealerCode: string;
  kind: AfterSalesKind;
  amountFen: number;
  at: Date;
}

export interface PlannedConsent {
  person: PlannedPerson;
  channel: 'sms' | 'wecom' | 'phone_call' | 'app_push';
  purpose: 'marketing' | 'service';
  state: 'granted' | 'denied';
  at: Date;
}

export interface PlannedHousehold {
  owner: PlannedPerson;
  spouse: PlannedPerson;
  vin: string;
  at: Date;
}

export interface Journeys {
  tracks: PlannedTrack[];
  leads: PlannedLead[];
  /** Purchases before the window, from the DMS: the brand's existing owners. */
  pastOrders: PlannedOrder[];
  friendships: PlannedFriendship[];
  services: PlannedService[];
  consents: PlannedConsent[];
  households: PlannedHousehold[];
}

export const MINI_PROGRAM_APP_ID = 'wxLSminiapp0001';
export const OA_APP_ID = 'wxLSofficial0001';
const HOUR = 3_600_000;

const CONTENT = ['山岚 四驱越野实测', '星岚 冬季续航报告', '云岚 油耗长测', '岚山 OTA 新功能', '星岚 充电地图', '山岚 露营改装指南', '家用 SUV 怎么选', '岚山 车主节活动'];
const DEFEAT_REASONS: readonly (readonly [DefeatReason, number])[] = [
  ['bought_competitor', 34],
  ['price', 22],
  ['postponed', 16],
  ['no_longer_interested', 12],
  ['bought_other_dealer', 8],
  ['no_budget', 6],
  ['other', 2],
];
const DEFEAT_REMARKS: Record<DefeatReason, string> = {
  bought_competitor: '客户已购买竞品车型',
  bought_other_dealer: '客户在其他经销商处下订',
  price: '客户认为价格偏高，优惠未达预期',
  no_budget: '客户预算不足，暂不考虑',
  postponed: '客户购车计划推迟到明年',
  no_longer_interested: '多次联系无意向',
  other: '客户家庭原因暂停购车',
};
const INVALID_REASONS: readonly (readonly [InvalidReason, number])[] = [
  ['wrong_number', 30],
  ['no_intent', 35],
  ['unreachable', 30],
  ['empty_number', 5],
];

/** A VIN with a valid check digit: WMI `LLS` (fictional), the series' descriptor, model year, plant, serial. */
export function vinFor(series: DemoSeries, year: number, serial: number): string {
  const yearCode = 'ABCDEFGHJKLMNPRSTVWXY123456789'[(year - 2010 + 30) % 30]!;
  const body = `LLS${series.vds}0${yearCode}S${String(serial).padStart(6, '0')}`;
  return body.slice(0, 8) + vinCheckDigit(body) + body.slice(9);
}

const iso = (d: Date) => d.toISOString();
/** A time of day between 08:00 and 21:00 Beijing time, as an offset from midnight UTC. */
const dayTime = (rng: Rng) => rng.int(1, 13 * 60) * 60_000;
const later = (d: Date, ms: number) => new Date(d.getTime() + ms);

interface Ctx {
  rng: Rng;
  now: Date;
  start: Date;
  network: PlannedNetwork;
  out: Journeys;
  serial: { vin: number; order: number; service: number };
  owners: PlannedPerson[];
  pastOrderOf: Map<PlannedPerson, PlannedOrder>;
  spouses: Set<PlannedPerson>;
  friendOf: Map<PlannedPerson, PlannedFriendship>;
}

function dealerIn(ctx: Ctx, p: PlannedPerson): PlannedDealer {
  const local = ctx.network.dealers.filter((d) => d.city.name === p.city.name);
  return ctx.rng.pick(local.length > 0 ? local : ctx.network.dealers);
}

function track(ctx: Ctx, source: TrackSource, p: PlannedPerson, at: Date, message: BatchMessage, key: string): void {
  if (at > ctx.now) return;
  ctx.out.tracks.push({ source, message: { ...message, messageId: `demo:${p.n}:${key}`, timestamp: iso(at) } });
}

const oaIds = (p: PlannedPerson) => [
  { id: `oA${p.n.toString(36).padStart(8, '0')}`, type: 'wechat_openid', collection: OA_APP_ID, encoding: 'none' },
  ...(p.unionid ? [{ id: p.unionid, type: 'wechat_unionid', encoding: 'none' }] : []),
];
const mpIds = (p: PlannedPerson) => [
  { id: `oM${p.n.toString(36).padStart(8, '0')}`, type: 'wechat_openid', collection: MINI_PROGRAM_APP_ID, encoding: 'none' },
  ...(p.unionid ? [{ id: p.unionid, type: 'wechat_unionid', encoding: 'none' }] : []),
];

/** Content views spread over the weeks after `from`. */
function browse(ctx: Ctx, source: TrackSource, p: PlannedPerson, from: Date, count: number, ids: { anonymousId?: string; userId?: string; context?: Record<string, unknown> }, tag: string): void {
  let at = from;
  for (let i = 0; i < count; i++) {
    at = later(at, ctx.rng.exponential(6 * DAY) + HOUR);
    const title = ctx.rng.pick(CONTENT);
    track(ctx, source, p, at, { type: 'track', event: 'Content Viewed', properties: { title, contentType: ctx.rng.chance(0.6) ? 'article' : 'video', series: p.series.name }, ...ids }, `${tag}:cv${i}`);
  }
}

function identifyTraits(p: PlannedPerson) {
  return { name: p.name, phone: p.phone, city: p.city.name, gender: p.gender === 1 ? 'male' : 'female' };
}

/** The tracking history of a person's own-channel touches; answers when they leave their phone, if they do. */
function ownChannels(ctx: Ctx, p: PlannedPerson): Date | null {
  const { rng } = ctx;
  switch (p.origin) {
    case 'website': {
      const anonymousId = `anon-${p.n}-${rng.hex(8)}`;
      track(ctx, 'website', p, p.firstAt, { type: 'page', name: `${p.series.name} 车型页`, anonymousId, properties: { path: `/series/${p.series.kind.toLowerCase()}` } }, 'w:p0');
      browse(ctx, 'website', p, p.firstAt, rng.int(1, 5), { anonymousId }, 'w');
      if (!rng.chance(0.32)) return null;
      const at = later(p.firstAt, rng.exponential(5 * DAY) + HOUR);
      track(ctx, 'website', p, at, { type: 'identify', anonymousId, traits: identifyTraits(p) }, 'w:id');
      track(ctx, 'website', p, at, { type: 'track', event: 'Test Drive Booked', anonymousId, properties: { series: p.series.name } }, 'w:tdb');
      return at;
    }
    case 'app':
    case 'owner': {
      const userId = p.memberId!;
      const at = p.origin === 'owner' ? later(ctx.start, rng.int(0, 500) * DAY + dayTime(rng)) : p.firstAt;
      track(ctx, 'app', p, at, { type: 'identify', userId, traits: identifyTraits(p) }, 'a:id');
      track(ctx, 'app', p, at, { type: 'track', event: 'Signed Up', userId, properties: { method: 'phone' } }, 'a:su');
      browse(ctx, 'app', p, at, rng.int(1, 8), { userId }, 'a');
      return p.origin === 'app' && rng.chance(0.3) ? later(at, rng.exponential(10 * DAY) + HOUR) : null;
    }
    case 'mini_program': {
      const context = { externalIds: mpIds(p) };
      track(ctx, 'mini_program', p, p.firstAt, { type: 'track', event: 'Mini Program Opened', anonymousId: `mp-${p.n}`, context, properties: { scene: 1047 } }, 'm:open');
      browse(ctx, 'mini_program', p, p.firstAt, rng.int(0, 4), { anonymousId: `mp-${p.n}`, context }, 'm');
      if (!rng.chance(0.5)) return null;
      const at = later(p.firstAt, rng.exponential(4 * DAY) + HOUR);
      track(ctx, 'mini_program', p, at, { type: 'identify', anonymousId: `mp-${p.n}`, traits: { ...identifyTraits(p), unionid: p.unionid }, context }, 'm:id');
      return rng.chance(0.8) ? at : null;
    }
    case 'wechat_oa': {
      const context = { externalIds: oaIds(p) };
      track(ctx, 'wechat_oa', p, p.firstAt, { type: 'track', event: 'Official Account Followed', anonymousId: `oa-${p.n}`, context, properties: { appId: OA_APP_ID } }, 'o:f');
      browse(ctx, 'wechat_oa', p, p.firstAt, rng.int(1, 7), { anonymousId: `oa-${p.n}`, context }, 'o');
      if (rng.chance(0.12)) {
        track(ctx, 'wechat_oa', p, later(p.firstAt, rng.exponential(60 * DAY) + DAY), { type: 'track', event: 'Official Account Unfollowed', anonymousId: `oa-${p.n}`, context, properties: { appId: OA_APP_ID } }, 'o:u');
      }
      if (!rng.chance(0.22)) return null;
      // Followers leave their phone in the mini-program the account's menu opens.
      const at = later(p.firstAt, rng.exponential(20 * DAY) + HOUR);
      const mp = { externalIds: mpIds(p) };
      track(ctx, 'mini_program', p, at, { type: 'track', event: 'Mini Program Opened', anonymousId: `mp-${p.n}`, context: mp, properties: { scene: 1035 } }, 'o:mp');
      track(ctx, 'mini_program', p, at, { type: 'identify', anonymousId: `mp-${p.n}`, traits: { ...identifyTraits(p), unionid: p.unionid }, context: mp }, 'o:id');
      return at;
    }
    default:
      return null;
  }
}

/** After a lead from a public platform, some people come to the brand's own channels with the same phone. */
function laterOwnTouches(ctx: Ctx, p: PlannedPerson, leadAt: Date): void {
  const { rng } = ctx;
  if (rng.chance(0.22)) {
    const at = later(leadAt, rng.exponential(8 * DAY) + HOUR);
    const context = { externalIds: mpIds(p) };
    track(ctx, 'mini_program', p, at, { type: 'track', event: 'Mini Program Opened', anonymousId: `mp-${p.n}`, context, properties: { scene: 1011 } }, 'x:mp');
    track(ctx, 'mini_program', p, at, { type: 'identify', anonymousId: `mp-${p.n}`, traits: { phone: p.phone, ...(p.unionid ? { unionid: p.unionid } : {}) }, context }, 'x:id');
    browse(ctx, 'mini_program', p, at, rng.int(0, 4), { anonymousId: `mp-${p.n}`, context }, 'x');
  }
  if (p.unionid && rng.chance(0.15)) {
    const at = later(leadAt, rng.exponential(15 * DAY) + HOUR);
    track(ctx, 'wechat_oa', p, at, { type: 'track', event: 'Official Account Followed', anonymousId: `oa-${p.n}`, context: { externalIds: oaIds(p) }, properties: { appId: OA_APP_ID } }, 'x:oa');
  }
}

const clamp = (x: number, lo = 0, hi = 0.97) => Math.min(hi, Math.max(lo, x));

function modelOf(ctx: Ctx, series: DemoSeries) {
  return ctx.rng.pick(series.models);
}

function newOrder(ctx: Ctx, p: PlannedPerson, dealer: PlannedDealer, series: DemoSeries, at: Date, referrer: PlannedPerson | null): PlannedOrder {
  const { rng } = ctx;
  const model = modelOf(ctx, series);
  const discount = Math.round((rng.int(0, 12) * model.priceFen) / 200 / 100_000) * 100_000;
  const deliveryAt = later(at, rng.around(18, 7, 5, 45) * DAY);
  const cancelled = rng.chance(0.04);
  const vin = vinFor(series, deliveryAt.getUTCFullYear(), ++ctx.serial.vin);
  return {
    orderNo: `LS${at.toISOString().slice(2, 10).replaceAll('-', '')}${String(++ctx.serial.order).padStart(6, '0')}`,
    person: p,
    dealer,
    series,
    model: model.name,
    amountFen: model.priceFen - discount,
    orderedAt: at,
    referrer,
    invoicedAt: cancelled || deliveryAt > ctx.now ? null : later(deliveryAt, -rng.int(0, 3) * DAY),
    delivery: cancelled || deliveryAt > ctx.now ? null : { at: deliveryAt, vin },
    cancelledAt: cancelled ? later(at, rng.int(3, 20) * DAY) : null,
  };
}

/** The funnel steps a lead takes at `dealer`, from `createdAt`, as the store's quality makes them likely. */
function funnel(ctx: Ctx, lead: PlannedLead, walkIn: boolean, referrer: PlannedPerson | null): void {
  const { rng } = ctx;
  const q = lead.dealer.quality;
  const steps = lead.steps;
  let at = lead.createdAt;
  const step = (s: LeadStep) => {
    if (s.at > ctx.now) return false;
    steps.push(s);
    return true;
  };
  if (walkIn) {
    step({ kind: 'move', at: later(at, 5 * 60_000), to: 'visited' });
    step({ kind: 'follow_up', at: later(at, 10 * 60_000), via: 'visit', note: '到店接待，介绍车型' });
  } else {
    if (rng.chance(0.03)) return; // never followed up: still waiting in the consultant's list
    const prompt = rng.chance(clamp(0.62 * q + 0.15, 0.3, 0.96));
    at = later(at, prompt ? rng.exponential(7 * HOUR) + 10 * 60_000 : (2 + rng.exponential(3)) * DAY);
    if (rng.chance(0.07)) {
      step({ kind: 'invalid', at, reason: rng.weighted(INVALID_REASONS) });
      return;
    }
    if (!step({ kind: 'follow_up', at, via: rng.chance(0.7) ? 'call' : 'wecom_chat', note: '首次电话邀约，了解购车需求' })) return;
    if (!step({ kind: 'move', at, to: 'contacted' })) return;
    const invited = rng.chance(clamp(0.48 * q));
    if (invited) {
      at = later(at, rng.exponential(2 * DAY) + HOUR);
      if (!step({ kind: 'move', at, to: 'invited' })) return;
    }
    if (!rng.chance(invited ? clamp(0.68 * Math.sqrt(q)) : 0.07)) {
      defeatOrWait(ctx, lead, at, step);
      return;
    }
    at = later(at, rng.exponential(3 * DAY) + 2 * HOUR);
    if (!step({ kind: 'move', at, to: 'visited' })) return;
  }
  const drove = rng.chance(clamp((walkIn ? 0.55 : 0.66) * Math.sqrt(q)));
  if (drove) {
    at = later(at, rng.chance(0.6) ? 40 * 60_000 : rng.exponential(4 * DAY) + HOUR);
    if (!step({ kind: 'move', at, to: 'test_drive' })) return;
  }
  const orderP = clamp((drove ? 0.3 : 0.08) * q * (referrer ? 1.6 : 1));
  if (!rng.chance(orderP)) {
    defeatOrWait(ctx, lead, at, step);
    return;
  }
  at = later(at, rng.exponential(6 * DAY) + HOUR);
  step({ kind: 'order', at, order: newOrder(ctx, lead.person, lead.dealer, lead.person.series, at, referrer) });
}

function defeatOrWait(ctx: Ctx, lead: PlannedLead, after: Date, step: (s: LeadStep) => boolean): void {
  const { rng } = ctx;
  let at = after;
  // A second follow-up, some days later.
  const next = later(at, rng.around(5, 2, 1, 10) * DAY);
  if (!step({ kind: 'follow_up', at: next, via: rng.chance(0.5) ? 'call' : 'wecom_chat', note: '二次回访，发送车型资料和优惠' })) return;
  if (!rng.chance(0.62)) return;
  at = later(next, rng.around(12, 6, 2, 40) * DAY);
  const reason = rng.weighted(DEFEAT_REASONS);
  const decidedAt = later(at, rng.exponential(1.5 * DAY) + HOUR);
  const decision = decidedAt > ctx.now ? null : { approve: rng.chance(0.86), at: decidedAt };
  step({ kind: 'defeat', at, reason, remark: DEFEAT_REMARKS[reason], decision });
}

function leadSourceOf(p: PlannedPerson, via: 'own' | 'store' | 'first'): { source: string; channel: string | null } {
  if (via === 'store') return { source: 'offline_store', channel: '展厅到店' };
  switch (p.origin) {
    case 'wechat_oa':
    case 'mini_program':
      return { source: 'mini_program', channel: p.origin === 'wechat_oa' ? '公众号菜单-预约试驾' : '小程序-预约试驾' };
    case 'app':
    case 'owner':
      return { source: 'app', channel: p.origin === 'owner' ? '增换购' : 'APP-预约试驾' };
    case 'website':
      return { source: 'website', channel: '官网-预约试驾' };
    case 'referral':
      return { source: 'referral', channel: '老带新' };
    case 'offline_store':
      return { source: 'offline_store', channel: '展厅到店' };
    default:
      return { source: p.origin, channel: p.origin === 'douyin' ? '巨量引擎-线索通' : p.origin === 'autohome' ? '询价' : '留资' };
  }
}

function addLead(ctx: Ctx, p: PlannedPerson, at: Date, via: 'own' | 'store' | 'first', referrer: PlannedPerson | null, dealer = dealerIn(ctx, p)): PlannedLead | null {
  if (at > ctx.now) return null;
  const { source, channel } = leadSourceOf(p, via);
  const lead: PlannedLead = {
    externalId: `LS-${source}-${String(ctx.out.leads.length + 1).padStart(7, '0')}`,
    source,
    channel,
    person: p,
    createdAt: at,
    dealer,
    consultant: ctx.rng.pick(dealer.consultants),
    steps: [],
  };
  ctx.out.leads.push(lead);
  funnel(ctx, lead, via === 'store' || p.origin === 'offline_store', referrer);
  return lead;
}

function friendship(ctx: Ctx, p: PlannedPerson, consultant: PlannedStaff, state: string, at: Date, churn: number): void {
  const { rng } = ctx;
  if (at > ctx.now) return;
  const removedAt = later(at, rng.exponential(25 * DAY) + HOUR);
  const removed = rng.chance(churn) && removedAt <= ctx.now ? { at: removedAt, by: rng.chance(0.88) ? ('customer' as const) : ('staff' as const) } : null;
  const f = { person: p, consultant, state, at, removed };
  ctx.out.friendships.push(f);
  if (!ctx.friendOf.has(p)) ctx.friendOf.set(p, f);
}

/** The state of a dealer's channel code (at most 30 characters). */
export const dealerState = (dealerCode: string) => `dlr-${dealerCode.toLowerCase()}`;
export const HQ_STATE = 'hq-official';

function services(ctx: Ctx, vin: string, dealerCode: string, deliveredAt: Date): void {
  const { rng } = ctx;
  // The DMS export covers the window: older repair orders stay in the DMS.
  const add = (kind: AfterSalesKind, at: Date, amountFen: number) => {
    if (at > ctx.now || at < ctx.start) return;
    ctx.out.services.push({ externalId: `RO${String(++ctx.serial.service).padStart(8, '0')}`, vin, dealerCode, kind, amountFen, at });
  };
  if (rng.chance(0.35)) add('accessories', later(deliveredAt, rng.int(0, 20) * DAY), rng.int(8, 60) * 10_000);
  if (rng.chance(0.85)) add('first_maintenance', later(deliveredAt, rng.around(95, 12, 60, 140) * DAY), 0);
  for (let year = 1; year <= 5; year++) {
    const anniversary = later(deliveredAt, year * 365 * DAY);
    if (anniversary > ctx.now) break;
    if (rng.chance(0.7)) add('maintenance', later(anniversary, -rng.int(150, 200) * DAY), rng.int(60, 160) * 10_000);
    if (rng.chance(0.7)) add('maintenance', later(anniversary, -rng.int(0, 20) * DAY), rng.int(60, 180) * 10_000);
    if (rng.chance(0.62)) add('insurance_renewal', later(anniversary, -rng.int(0, 25) * DAY), rng.int(380, 720) * 1_000);
    if (rng.chance(0.16)) add('repair', later(anniversary, -rng.int(30, 330) * DAY), rng.int(50, 900) * 10_000);
  }
}

/** What the lead form or the app's sign-up asked: SMS marketing (some refuse), and a few who refuse calls later. */
function consents(ctx: Ctx, p: PlannedPerson, at: Date): void {
  const { rng } = ctx;
  if (at > ctx.now || !rng.chance(0.3)) return;
  ctx.out.consents.push({ person: p, channel: 'sms', purpose: 'marketing', state: rng.chance(0.82) ? 'granted' : 'denied', at });
  // WeCom friends asked in the chat whether they want the brand's news there (mass messages need it).
  const friend = ctx.friendOf.get(p);
  if (friend && rng.chance(0.6)) ctx.out.consents.push({ person: p, channel: 'wecom', purpose: 'marketing', state: rng.chance(0.88) ? 'granted' : 'denied', at: friend.at });
  const refusedCalls = later(at, rng.int(5, 90) * DAY);
  if (rng.chance(0.12) && refusedCalls <= ctx.now) ctx.out.consents.push({ person: p, channel: 'phone_call', purpose: 'marketing', state: 'denied', at: refusedCalls });
}

export function planJourneys(rng: Rng, network: PlannedNetwork, people: readonly PlannedPerson[], start: Date, now: Date): Journeys {
  const out: Journeys = { tracks: [], leads: [], pastOrders: [], friendships: [], services: [], consents: [], households: [] };
  const ctx: Ctx = { rng, now, start, network, out, serial: { vin: 0, order: 0, service: 0 }, owners: [], pastOrderOf: new Map(), spouses: new Set(), friendOf: new Map() };

  // The brand's existing owners first: bought one to four years before the window, from the DMS.
  for (const p of people.filter((x) => x.origin === 'owner')) {
    const dealer = dealerIn(ctx, p);
    const orderedAt = later(start, -rng.int(30, 4 * 365) * DAY);
    const order = newOrder(ctx, p, dealer, p.series, orderedAt, null);
    if (!order.delivery) continue; // cancelled back then: not an owner after all
    out.pastOrders.push(order);
    ctx.pastOrderOf.set(p, order);
    ctx.owners.push(p);
  }

  for (const p of people) {
    const phoneAt = ownChannels(ctx, p);
    const pastOrder = ctx.pastOrderOf.get(p);
    let lead: PlannedLead | null = null;
    if ((PUBLIC_ORIGINS as readonly string[]).includes(p.origin)) {
      lead = addLead(ctx, p, p.firstAt, 'first', null);
      if (lead) laterOwnTouches(ctx, p, lead.createdAt);
    } else if (p.origin === 'offline_store') {
      lead = addLead(ctx, p, p.firstAt, 'store', null);
    } else if (p.origin === 'referral') {
      const referrer = ctx.owners.length > 0 ? rng.pick(ctx.owners) : null;
      const referrerDealer = referrer ? ctx.pastOrderOf.get(referrer)?.dealer : undefined;
      lead = addLead(ctx, p, p.firstAt, 'first', referrer, referrerDealer ?? dealerIn(ctx, p));
    } else if (phoneAt) {
      lead = addLead(ctx, p, phoneAt, 'own', null);
    }
    if (pastOrder) {
      services(ctx, pastOrder.delivery!.vin, pastOrder.dealer.code, pastOrder.delivery!.at);
      if (rng.chance(0.55)) friendship(ctx, p, rng.pick(pastOrder.dealer.consultants), dealerState(pastOrder.dealer.code), later(start, rng.int(0, 480) * DAY + dayTime(rng)), 0.06);
      if (rng.chance(0.25)) households(ctx, p, pastOrder, people);
    }
    if (lead) {
      const order = lead.steps.find((s): s is Extract<LeadStep, { kind: 'order' }> => s.kind === 'order')?.order;
      if (order?.delivery) services(ctx, order.delivery.vin, order.dealer.code, order.delivery.at);
      // Consultants add the customers they work on WeCom; customers from public platforms delete them more often.
      const worked = lead.steps.some((s) => s.kind === 'move');
      const base = lead.source === 'offline_store' || lead.source === 'referral' ? 0.82 : (PUBLIC_ORIGINS as readonly string[]).includes(lead.source) ? 0.5 : 0.6;
      if (worked && rng.chance(clamp(base * lead.dealer.quality))) {
        const at = later(lead.createdAt, rng.exponential(1.5 * DAY) + 20 * 60_000);
        friendship(ctx, p, lead.consultant, dealerState(lead.dealer.code), at, (PUBLIC_ORIGINS as readonly string[]).includes(lead.source) ? 0.2 : 0.09);
      }
      consents(ctx, p, lead.createdAt);
    } else if ((p.origin === 'wechat_oa' || p.origin === 'mini_program') && rng.chance(0.12)) {
      // Followers who scan the official consultant code in an article.
      friendship(ctx, p, rng.pick(dealerIn(ctx, p).consultants), HQ_STATE, later(p.firstAt, rng.exponential(10 * DAY) + HOUR), 0.15);
    }
    if (p.origin === 'app' || p.origin === 'owner') consents(ctx, p, p.origin === 'owner' ? later(start, rng.int(0, 30) * DAY + dayTime(rng)) : p.firstAt);
  }
  // Owners upgrading or adding a car (增换购) leave a lead through the app.
  for (const p of ctx.owners) {
    if (!rng.chance(0.07)) continue;
    const order = ctx.pastOrderOf.get(p)!;
    const at = later(start, rng.int(30, 520) * DAY + dayTime(rng));
    if (at > now) continue;
    out.services.push({ externalId: `RO${String(++ctx.serial.service).padStart(8, '0')}`, vin: order.delivery!.vin, dealerCode: order.dealer.code, kind: 'trade_in_appraisal', amountFen: 0, at });
    addLead(ctx, p, later(at, HOUR), 'own', null, order.dealer);
  }
  return out;
}

/** An owner's spouse among the people who gave the app their phone (so both are known), sharing the car as a driver. */
function households(ctx: Ctx, owner: PlannedPerson, order: PlannedOrder, people: readonly PlannedPerson[]): void {
  let spouse: PlannedPerson | null = null;
  for (let tries = 0; tries < 30 && !spouse; tries++) {
    const p = people[ctx.rng.int(0, people.length - 1)]!;
    if (p.origin === 'app' && p.gender !== owner.gender && !ctx.spouses.has(p)) spouse = p;
  }
  if (!spouse) return;
  ctx.spouses.add(spouse);
  ctx.out.households.push({ owner, spouse, vin: order.delivery!.vin, at: order.delivery!.at });
}

