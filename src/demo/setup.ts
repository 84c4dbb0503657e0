import { randomBytes } from 'node:crypto';
import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db/index.js';
import { AppError } from '../platform/errors.js';
import { createOrgUnit, createSource, createStaff, createTenant, staffPrincipal, systemPrincipal, type Principal } from '../modules/tenancy/index.js';
import { BRAND } from './brand.js';
import type { PlannedNetwork, PlannedStaff } from './network.js';
import type { TrackSource } from './journeys.js';

/** The demo tenant's frame: the tenant, its tracking sources, the dealer network and its staff. */

export interface DemoTenant {
  tenantId: string;
  writeKey: string;
  adminToken: string;
  /** Write keys of the tracking sources, by source. */
  writeKeys: Record<TrackSource, string>;
  /** Prefix of every demo user name (`ls.`; `ls2.` … when another demo holds it: names are unique across tenants). */
  prefix: string;
  password: string;
  staffIds: Map<PlannedStaff, string>;
  usernameOf(s: PlannedStaff): string;
  principalOf(s: PlannedStaff): Promise<Principal>;
  system: Principal;
  /** Creates one staff member of the plan. */
  create(s: PlannedStaff): Promise<void>;
}

const TRACK_SOURCES: readonly { source: TrackSource; name: string; kind: 'website' | 'app' | 'mini_program' | 'wechat_oa' }[] = [
  { source: 'website', name: '官网 www.lanshan-auto.example', kind: 'website' },
  { source: 'app', name: '岚山汽车 APP', kind: 'app' },
  { source: 'mini_program', name: '岚山汽车小程序', kind: 'mini_program' },
  { source: 'wechat_oa', name: '岚山汽车公众号', kind: 'wechat_oa' },
];

/** Runs `work` over `items`, `width` at a time. */
export async function inParallel<T>(items: readonly T[], width: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(width, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i]!, i);
    }
  });
  await Promise.all(lanes);
}

/**
 * The tenant, its sources and org units, and its first staff member (who fixes the user names'
 * prefix); `addDemoStaff` adds the others.
 */
export async function createDemoTenant(deps: { db: Db; clock: Clock }, network: PlannedNetwork): Promise<DemoTenant> {
  const created = await createTenant(deps, { name: `${BRAND.name} ${BRAND.nameEn} (demo)` }, 'demo');
  const { tenantId } = created;
  const system = systemPrincipal(tenantId, 'demo');
  const keys = new Map<TrackSource, string>([['website', created.writeKey]]);
  for (const s of TRACK_SOURCES) {
    if (s.source === 'website') continue;
    const { writeKey } = await createSource(deps, tenantId, { name: s.name, kind: s.kind }, 'demo');
    keys.set(s.source, writeKey.key);
  }
  const keyOf = (source: TrackSource) => keys.get(source) ?? created.writeKey;
  const writeKeys: Record<TrackSource, string> = { website: keyOf('website'), app: keyOf('app'), mini_program: keyOf('mini_program'), wechat_oa: keyOf('wechat_oa') };
  for (const u of network.units) {
    await createOrgUnit(deps, system, {
      code: u.code,
      name: u.name,
      type: u.type,
      parentCode: u.parentCode,
      city: u.city ?? null,
      province: u.province ?? null,
      ...(u.type === 'dealer' ? { capacity: 400 } : {}),
    });
  }

  const password = `Ls-${randomBytes(6).toString('base64url')}9`;
  const staff = allStaff(network);
  const staffIds = new Map<PlannedStaff, string>();
  let prefix = 'ls';
  const create = async (s: PlannedStaff) => {
    const { staff: view } = await createStaff(deps, system, {
      username: `${prefix}.${s.handle}`,
      password,
      name: s.name,
      role: s.role,
      orgUnitCode: s.unitCode,
      wecomUserId: s.wecomUserId,
      phone: s.phone,
      maxOpenLeads: s.role === 'consultant' ? 100_000 : null,
    });
    staffIds.set(s, view.id);
  };
  // User names are unique across tenants: a second demo in the same store takes the next free prefix.
  for (let n = 2; ; n++) {
    try {
      await create(staff[0]!);
      break;
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'conflict' || n > 99) throw err;
      prefix = `ls${n}`;
    }
  }
  const principals = new Map<PlannedStaff, Promise<Principal>>();
  return {
    tenantId,
    writeKey: created.writeKey,
    adminToken: created.adminToken,
    writeKeys,
    prefix,
    password,
    staffIds,
    usernameOf: (s) => `${prefix}.${s.handle}`,
    principalOf: (s) => {
      let p = principals.get(s);
      if (!p) {
        p = staffPrincipal(deps.db, tenantId, staffIds.get(s)!).then((found) => {
          if (!found) throw new Error(`demo staff ${s.handle} has no principal`);
          return found;
        });
        principals.set(s, p);
      }
      return p;
    },
    system,
    create,
  };
}

function allStaff(network: PlannedNetwork): PlannedStaff[] {
  return [...network.hqStaff, ...network.dealers.flatMap((d) => [d.manager, ...d.consultants, ...d.advisors])];
}

/** Every other staff member, with their password: scrypt runs on libuv's threads, a few at once keep both cores busy. */
export async function addDemoStaff(t: DemoTenant, network: PlannedNetwork, onStaff: (done: number, total: number) => void): Promise<void> {
  const staff = allStaff(network);
  let done = 1;
  await inParallel(staff.slice(1), 4, async (s) => {
    await t.create(s);
    onStaff(++done, staff.length);
  });
}
