import { BRAND, CITIES, DISTRICTS, GIVEN_FEMALE, GIVEN_MALE, MOBILE_PREFIXES, REGIONS, SURNAMES, type DemoCity } from './brand.js';
import type { Rng } from './random.js';

/** The dealer network and its staff, as the demo creates them. */

export type DemoRole = 'admin' | 'hq_ops' | 'analyst' | 'dealer_manager' | 'consultant' | 'service_advisor';

export interface PlannedUnit {
  code: string;
  name: string;
  type: 'hq' | 'region' | 'dealer_group' | 'dealer';
  parentCode: string | null;
  city?: string;
  province?: string;
}

export interface PlannedDealer {
  code: string;
  name: string;
  city: DemoCity;
  /** How well the store works its leads: scales its conversion rates (1 is the network's average). */
  quality: number;
  consultants: PlannedStaff[];
  manager: PlannedStaff;
  advisors: PlannedStaff[];
}

export interface PlannedStaff {
  /** The user name without the tenant's prefix. */
  handle: string;
  name: string;
  role: DemoRole;
  unitCode: string;
  wecomUserId: string | null;
  phone: string;
}

export interface PlannedNetwork {
  units: PlannedUnit[];
  dealers: PlannedDealer[];
  hqStaff: PlannedStaff[];
  hqCode: string;
}

export function personName(rng: Rng, gender: 1 | 2): string {
  return rng.pick(SURNAMES) + rng.pick(gender === 1 ? GIVEN_MALE : GIVEN_FEMALE);
}

const JUNK = new Set(['13800138000', '13888888888', '13912345678']);

/** Synthetic mainland mobile numbers, unique within the demo. */
export class Phones {
  private readonly used = new Set<string>();
  constructor(private readonly rng: Rng) {}

  next(): string {
    for (;;) {
      const prefix = this.rng.pick(MOBILE_PREFIXES);
      const number = `${prefix}${String(this.rng.int(0, 99_999_999)).padStart(8, '0')}`;
      // Numbers that One ID refuses as junk (one digit repeated, the well-known test numbers) are skipped.
      if (this.used.has(number) || /^1\d{2}(\d)\1{7}$/.test(number) || JUNK.has(number)) continue;
      this.used.add(number);
      return number;
    }
  }
}

export function planNetwork(rng: Rng, phones: Phones): PlannedNetwork {
  const hqCode = `${BRAND.code}-HQ`;
  const units: PlannedUnit[] = [{ code: hqCode, name: `${BRAND.name}总部`, type: 'hq', parentCode: null, city: '上海', province: '上海' }];
  for (const region of REGIONS) {
    units.push({ code: region.code, name: region.name, type: 'region', parentCode: hqCode });
    for (const group of region.groups) units.push({ code: group.code, name: group.name, type: 'dealer_group', parentCode: region.code });
  }
  const staff = (handle: string, role: DemoRole, unitCode: string, wecom: boolean): PlannedStaff => {
    const gender = rng.chance(0.55) ? 1 : 2;
    return { handle, name: personName(rng, gender), role, unitCode, wecomUserId: wecom ? handle.replaceAll('.', '_') : null, phone: phones.next() };
  };
  const dealers: PlannedDealer[] = [];
  for (const city of CITIES) {
    const region = REGIONS.find((r) => r.code === city.region)!;
    for (let i = 0; i < city.dealers; i++) {
      const code = `${city.code}${String(i + 1).padStart(2, '0')}`;
      const district = DISTRICTS[city.name]![i % DISTRICTS[city.name]!.length]!;
      const name = `${BRAND.name}${city.name}${district}4S店`;
      const group = region.groups[(dealers.length + i) % region.groups.length]!;
      units.push({ code, name, type: 'dealer', parentCode: group.code, city: city.name, province: city.province });
      // A few stores clearly better or worse than the rest (their managers' leaderboards differ).
      const quality = rng.chance(0.12) ? rng.around(1.45, 0.1, 1.3, 1.7) : rng.chance(0.14) ? rng.around(0.6, 0.08, 0.45, 0.75) : rng.around(1, 0.12, 0.8, 1.2);
      const lc = code.toLowerCase();
      const consultants = Array.from({ length: rng.int(5, 9) }, (_, k) => staff(`${lc}.sc${k + 1}`, 'consultant', code, true));
      const advisors = Array.from({ length: rng.int(1, 2) }, (_, k) => staff(`${lc}.sa${k + 1}`, 'service_advisor', code, false));
      dealers.push({ code, name, city, quality, consultants, manager: staff(`${lc}.manager`, 'dealer_manager', code, true), advisors });
    }
  }
  const hqStaff = [
    staff('admin', 'admin', hqCode, false),
    staff('ops1', 'hq_ops', hqCode, false),
    staff('ops2', 'hq_ops', hqCode, false),
    staff('analyst', 'analyst', hqCode, false),
  ];
  return { units, dealers, hqStaff, hqCode };
}

