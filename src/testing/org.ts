import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { TenantCreated } from '../contracts/tenancy.js';
import { adminRequest } from './identity.js';

/**
 * A dealer network for scope tests, built through the API: HQ → East region → dealer group →
 * dealer A (SH001, 上海) with team A and dealer B (HZ001, 杭州) with team B, and a logged-in staff
 * member per role. User names carry a random suffix (they are unique across tenants).
 */

export const TEST_PASSWORD = 'Passw0rd!23';

export interface NetUnit {
  id: string;
  code: string;
}
export interface NetStaff {
  id: string;
  username: string;
  token: string;
  wecomUserId: string | null;
}

export type UnitName = 'hq' | 'east' | 'group' | 'dealerA' | 'teamA' | 'dealerB' | 'teamB';
export type StaffName = 'admin' | 'hqOps' | 'analyst' | 'managerA' | 'consultantA1' | 'consultantA2' | 'advisorA' | 'managerB' | 'consultantB1';

export interface Network {
  units: Record<UnitName, NetUnit>;
  staff: Record<StaffName, NetStaff>;
}

/** An inject as a staff member (or anyone with a Bearer token). */
export function asStaff(app: FastifyInstance, token: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH', url: string, payload?: unknown): Promise<LightMyRequestResponse> {
  return app.inject({
    method,
    url,
    ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    headers: { authorization: `Bearer ${token}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
  });
}

/** A request as a named staff member of `net`, or with the tenant's admin token (`'token'`): its status and parsed body. */
export async function requestAs(
  fx: { app: FastifyInstance; tenant: TenantCreated },
  who: StaffName | 'token',
  net: Network,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  payload?: unknown,
): Promise<{ status: number; body: unknown }> {
  const res = who === 'token' ? await adminRequest(fx.app, fx.tenant, method, url, payload) : await asStaff(fx.app, net.staff[who].token, method, url, payload);
  return { status: res.statusCode, body: JSON.parse(res.body) as unknown };
}

function ok<T>(res: LightMyRequestResponse, what: string): T {
  if (res.statusCode >= 300) throw new Error(`${what}: ${res.statusCode} ${res.body}`);
  return JSON.parse(res.body) as T;
}

export async function login(app: FastifyInstance, username: string, password = TEST_PASSWORD): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
  return ok<{ token: string }>(res, `login ${username}`).token;
}

export async function seedNetwork(app: FastifyInstance, tenant: TenantCreated): Promise<Network> {
  const suffix = tenant.tenantId.slice(0, 8);
  const unitSpecs: Array<[UnitName, Record<string, unknown>]> = [
    ['hq', { code: `HQ-${suffix}`, name: '总部', type: 'hq', city: '北京', province: '北京' }],
    ['east', { code: 'EAST', name: '华东大区', type: 'region', parentCode: `HQ-${suffix}` }],
    ['group', { code: 'GRP1', name: '华东经销商集团', type: 'dealer_group', parentCode: 'EAST' }],
    ['dealerA', { code: 'SH001', name: '上海浦东4S店', type: 'dealer', parentCode: 'GRP1', city: '上海', province: '上海', capacity: 50 }],
    ['teamA', { code: 'SH001-T1', name: '销售一组', type: 'team', parentCode: 'SH001' }],
    ['dealerB', { code: 'HZ001', name: '杭州西湖4S店', type: 'dealer', parentCode: 'GRP1', city: '杭州', province: '浙江', capacity: 50 }],
    ['teamB', { code: 'HZ001-T1', name: '销售一组', type: 'team', parentCode: 'HZ001' }],
  ];
  const units = new Map<UnitName, NetUnit>();
  for (const [name, body] of unitSpecs) {
    const unit = ok<{ id: string; code: string }>(await adminRequest(app, tenant, 'POST', '/api/v1/org-units', body), `org unit ${name}`);
    units.set(name, { id: unit.id, code: unit.code });
  }
  const unitOf = (name: UnitName): NetUnit => {
    const unit = units.get(name);
    if (!unit) throw new Error(`no unit ${name}`);
    return unit;
  };
  const staffSpecs: Array<[StaffName, string, UnitName, string | null]> = [
    ['admin', 'admin', 'hq', null],
    ['hqOps', 'hq_ops', 'hq', null],
    ['analyst', 'analyst', 'hq', null],
    ['managerA', 'dealer_manager', 'dealerA', 'ma'],
    ['consultantA1', 'consultant', 'teamA', 'wa1'],
    ['consultantA2', 'consultant', 'teamA', 'wa2'],
    ['advisorA', 'service_advisor', 'teamA', null],
    ['managerB', 'dealer_manager', 'dealerB', 'mb'],
    ['consultantB1', 'consultant', 'teamB', 'wb1'],
  ];
  const staff = new Map<StaffName, NetStaff>();
  for (const [name, role, unit, wecomUserId] of staffSpecs) {
    const username = `${name.toLowerCase()}-${suffix}`;
    const created = ok<{ id: string }>(
      await adminRequest(app, tenant, 'POST', '/api/v1/staff', {
        username,
        password: TEST_PASSWORD,
        name: `${name} 测试`,
        role,
        orgUnitCode: unitOf(unit).code,
        ...(wecomUserId ? { wecomUserId } : {}),
      }),
      `staff ${name}`,
    );
    staff.set(name, { id: created.id, username, token: await login(app, username), wecomUserId });
  }
  const staffOf = (name: StaffName): NetStaff => {
    const s = staff.get(name);
    if (!s) throw new Error(`no staff ${name}`);
    return s;
  };
  return {
    units: { hq: unitOf('hq'), east: unitOf('east'), group: unitOf('group'), dealerA: unitOf('dealerA'), teamA: unitOf('teamA'), dealerB: unitOf('dealerB'), teamB: unitOf('teamB') },
    staff: {
      admin: staffOf('admin'),
      hqOps: staffOf('hqOps'),
      analyst: staffOf('analyst'),
      managerA: staffOf('managerA'),
      consultantA1: staffOf('consultantA1'),
      consultantA2: staffOf('consultantA2'),
      advisorA: staffOf('advisorA'),
      managerB: staffOf('managerB'),
      consultantB1: staffOf('consultantB1'),
    },
  };
}
