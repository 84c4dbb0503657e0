import { CITIES, SERIES, type DemoCity, type DemoSeries } from './brand.js';
import { personName, type Phones } from './network.js';
import type { Rng } from './random.js';

/** Who the demo's people are and where they first met the brand. */

export type Origin =
  | 'autohome'
  | 'yiche'
  | 'dongchedi'
  | 'douyin'
  | 'xiaohongshu'
  | 'website'
  | 'app'
  | 'mini_program'
  | 'wechat_oa'
  | 'offline_store'
  | 'referral'
  | 'owner';

/** Mix of first touches: public platforms bring most leads; the brand's own channels most of the pool. */
export const ORIGINS: readonly (readonly [Origin, number])[] = [
  ['autohome', 8],
  ['yiche', 3],
  ['dongchedi', 5],
  ['douyin', 7],
  ['xiaohongshu', 3],
  ['website', 17],
  ['app', 8],
  ['mini_program', 13],
  ['wechat_oa', 16],
  ['offline_store', 4],
  ['referral', 2],
  ['owner', 11],
];

export const PUBLIC_ORIGINS: readonly Origin[] = ['autohome', 'yiche', 'dongchedi', 'douyin', 'xiaohongshu'];

export interface PlannedPerson {
  n: number;
  name: string;
  gender: 1 | 2;
  phone: string;
  city: DemoCity;
  origin: Origin;
  firstAt: Date;
  series: DemoSeries;
  /** The WeChat unionid, for people who use the brand's WeChat apps. */
  unionid: string | null;
  /** Member id in the app, for app users. */
  memberId: string | null;
}

const DAY = 86_400_000;

/** When in the window [start, end] a person first turns up: more people lately (the brand grows). */
function firstTouch(rng: Rng, start: number, end: number): Date {
  const u = rng.next();
  const x = (-0.6 + Math.sqrt(0.36 + 1.6 * u)) / 0.8;
  // Between 08:00 and 23:00 Beijing time (00:00 to 15:00 UTC).
  const day = Math.floor((start + x * (end - start)) / DAY) * DAY;
  return new Date(Math.min(end - 60_000, day + rng.int(0, 15 * 60) * 60_000));
}

export function planPeople(rng: Rng, phones: Phones, count: number, start: Date, end: Date): PlannedPerson[] {
  const cities = CITIES.map((c) => [c, c.weight] as const);
  const series = SERIES.map((s) => [s, s.weight] as const);
  const people: PlannedPerson[] = [];
  for (let n = 0; n < count; n++) {
    const gender = rng.chance(0.62) ? 1 : 2;
    const origin = rng.weighted(ORIGINS);
    const wechat = origin === 'mini_program' || origin === 'wechat_oa' || rng.chance(0.35);
    people.push({
      n,
      name: personName(rng, gender),
      gender,
      phone: phones.next(),
      city: rng.weighted(cities),
      origin,
      firstAt: firstTouch(rng, start.getTime(), end.getTime()),
      series: rng.weighted(series),
      unionid: wechat ? `oLS${rng.hex(25)}` : null,
      memberId: origin === 'app' || origin === 'owner' ? `M${String(1_000_000 + n)}` : null,
    });
  }
  return people;
}

export { DAY };
