/**
 * Traffic for the incremental-resolution benchmark: a car brand's website and mini program seen by a
 * pool of people over time. Most events are anonymous page views and tracks; people sign up or log in
 * (identify with userId + phone + e-mail), which joins their device's anonymous history; some use a
 * second device (a bridge: two profiles merged on login); some leave only a phone on a lead form
 * first and register later (the phone joins them). Deterministic for a given seed (message ids too).
 */
import type { BatchBody } from '../../src/contracts/ingest.js';
import { Rng } from '../../src/testing/fuzz/rng.js';

const MODELS = ['极光 X7', '星瀚 GT', '云途 L9'];
const EVENTS = ['Car Configured', 'Brochure Downloaded', 'Test Drive Booked', 'Coupon Claimed', 'Store Visit Scheduled'];
const CITIES = ['上海', '北京', '深圳', '杭州', '成都'];

interface Person {
  n: number;
  devices: string[];
  device: number;
  registered: boolean;
  leadSent: boolean;
}

export interface IdentityTraffic {
  bodies: BatchBody[];
  events: number;
  /** Messages per type, and identify messages that carried a userId. */
  mix: Record<string, number>;
}

export function buildIdentityTraffic(opts: { events: number; batchEvents: number; people: number; seed: number; start: Date; tag: string }): IdentityTraffic {
  const rnd = Rng.stream(opts.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const people: Person[] = [];
  const mix: Record<string, number> = {};
  const bodies: BatchBody[] = [];
  let batch: BatchBody['batch'] = [];
  let t = opts.start.getTime();
  let seq = 0;
  const context = (p: Person) => ({
    library: { name: 'analytics.js', version: 'npm:next-1.76.0' },
    ip: `116.228.${p.n % 256}.${(p.n >> 8) % 256}`,
    locale: 'zh-CN',
    page: { path: '/models/x7', url: 'https://www.example-auto.cn/models/x7?utm_source=douyin', title: '极光 X7 | 官方网站' },
  });
  const person = (): Person => {
    // New people keep arriving; returning people come back.
    if (people.length < opts.people && (people.length < 50 || rnd() < 0.3)) {
      const p: Person = { n: people.length, devices: [`${opts.tag}-d-${people.length}-0`], device: 0, registered: false, leadSent: false };
      people.push(p);
      return p;
    }
    return pick(people);
  };
  for (let i = 0; i < opts.events; i++) {
    const p = person();
    // A returning person sometimes comes back on a second device.
    if (p.devices.length === 1 && rnd() < 0.05) p.devices.push(`${opts.tag}-d-${p.n}-1`);
    p.device = p.devices.length > 1 && rnd() < 0.5 ? 1 : 0;
    t += Math.floor(rnd() * 2_000);
    const base = {
      messageId: `${opts.tag}-${seq++}`,
      anonymousId: p.devices[p.device]!,
      timestamp: new Date(t).toISOString(),
      context: context(p),
    };
    const userId = `${opts.tag}-u-${p.n}`;
    const phone = `+86139${String(10_000_000 + p.n).slice(-8)}`;
    const r = rnd();
    let m: BatchBody['batch'][number];
    if (!p.registered && !p.leadSent && r < 0.04) {
      // A lead form: a phone, no account yet.
      p.leadSent = true;
      m = { type: 'identify', ...base, traits: { phone, city: pick(CITIES), intended_model: pick(MODELS) } };
    } else if (!p.registered && r < 0.1) {
      // Sign-up: joins the device's history (and the lead's phone).
      p.registered = true;
      m = { type: 'identify', ...base, userId, traits: { name: `客户${p.n}`, phone, email: `c${p.n}@example.cn`, city: pick(CITIES) } };
    } else if (p.registered && r < 0.13) {
      // Login on whichever device: on a second device this bridges two profiles.
      m = { type: 'identify', ...base, userId, traits: { last_login_channel: pick(['官网', '小程序']) } };
    } else if (r < 0.55) {
      m = { type: 'page', ...base, ...(p.registered && rnd() < 0.5 ? { userId } : {}), name: `${pick(MODELS)} 车型详情`, properties: { path: '/models/x7' } };
    } else {
      m = { type: 'track', ...base, ...(p.registered && rnd() < 0.5 ? { userId } : {}), event: pick(EVENTS), properties: { model: pick(MODELS), dealer: `${pick(CITIES)}体验中心` } };
    }
    mix[m.type] = (mix[m.type] ?? 0) + 1;
    batch.push(m);
    if (batch.length === opts.batchEvents) {
      bodies.push({ batch });
      batch = [];
    }
  }
  if (batch.length > 0) bodies.push({ batch });
  return { bodies, events: opts.events, mix };
}
