import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { TenantCreated } from '../../contracts/tenancy.js';
import { adminRequest } from '../identity.js';
import { TEST_PASSWORD, login, seedNetwork, type Network } from '../org.js';
import { isRecord } from '../../platform/json.js';
import { CSV_SAMPLE } from './requests.js';
import type { Hints } from './sample.js';

/**
 * Real records for the fuzzer to aim at, made through the API: the seeded dealer network, leads
 * (and so people), an order, a defeat request, a vehicle with a relation, a household, tags, a
 * segment, a bulk tag operation, a stage model, a routing rule, a WeCom connector with a channel
 * code, a mass message, a transfer and its tag sync. Paths that
 * destroy or lock (revoke, password, logout, unit changes) point at spare records, so the fuzzer's
 * own credentials keep working.
 */

export const WORLD_VIN = 'LSVAU2187N2123456';
const LEAD_MAPPING = { columns: { phone: 'phone', name: 'name', city: 'city', series: 'series', externalId: 'externalId' }, source: 'dms', dealerCode: 'SH001' };
const ORDER_NO = 'FZ-SO-1';
/**
 * The world's WeCom connector. Its API host is the test's fake WeCom (which knows this corp and
 * secret), or else a closed local port, so that calls fail fast without leaving the machine.
 */
export const FUZZ_WECOM = { corpId: 'wwf0220000000000fa', agentId: '1000002', secret: 'fuzz-app-secret', token: 'FuzzToken1', encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };
const CLOSED_PORT = 'http://127.0.0.1:9';
/** A customer of the world's WeCom corp (the fake knows them as consultant wa1's friend). */
export const FUZZ_EXTERNAL_USERID = 'wmFuzzCustomer1';

export interface World {
  tenant: TenantCreated;
  network: Network;
  /** Values for path parameters, by the path up to and including the parameter. */
  pathValues: Record<string, string>;
  hints: Hints;
  /** A staff member whose sessions the fuzzer may end (logout): its user name. */
  logoutUser: string;
}

function ok(res: LightMyRequestResponse, what: string): Record<string, unknown> {
  if (res.statusCode >= 300) throw new Error(`fuzz world: ${what}: ${res.statusCode} ${res.body}`);
  const body: unknown = JSON.parse(res.body);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error(`fuzz world: ${what}: not an object`);
  return Object.fromEntries(Object.entries(body));
}

function text(record: Record<string, unknown>, key: string): string {
  const v = record[key];
  if (typeof v !== 'string') throw new Error(`fuzz world: no ${key} in ${JSON.stringify(record)}`);
  return v;
}

export async function buildWorld(app: FastifyInstance, tenant: TenantCreated, options: { wecomApiBaseUrl?: string } = {}): Promise<World> {
  const WECOM = { ...FUZZ_WECOM, apiBaseUrl: options.wecomApiBaseUrl ?? CLOSED_PORT };
  const network = await seedNetwork(app, tenant);
  const call = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) => ok(await adminRequest(app, tenant, method, url, payload), `${method} ${url}`);
  const suffix = tenant.tenantId.slice(0, 8);

  await call('POST', '/api/v1/org-units', { code: 'FZ001', name: '福州试验店', type: 'dealer', parentCode: 'GRP1', city: '福州', province: '福建', capacity: 10 });
  const spare = await call('POST', '/api/v1/staff', { username: `spare-${suffix}`, password: TEST_PASSWORD, name: '备用顾问', role: 'consultant', orgUnitCode: 'FZ001' });
  const logoutUser = `logout-${suffix}`;
  // In team A, not in the spare dealer: changes to the spare unit (closing it) must not end these sessions.
  await call('POST', '/api/v1/staff', { username: logoutUser, password: TEST_PASSWORD, name: '登出顾问', role: 'consultant', orgUnitCode: 'SH001-T1' });
  await login(app, logoutUser);
  // Logins go to a staff member of their own: the password endpoint changes the spare's password.
  const loginUser = `login-${suffix}`;
  await call('POST', '/api/v1/staff', { username: loginUser, password: TEST_PASSWORD, name: '登录顾问', role: 'consultant', orgUnitCode: 'SH001-T1' });
  const created = (await call('POST', '/api/v1/sources', { name: 'fuzz app', kind: 'app' }))['source'];
  const sourceId = text(isRecord(created) ? Object.fromEntries(Object.entries(created)) : {}, 'id');
  const key = await call('POST', `/api/v1/sources/${sourceId}/write-keys`, {});
  const token = await call('POST', '/api/v1/admin-tokens', { name: 'fuzz spare' });

  const lead = await call('POST', '/api/v1/leads', { source: 'autohome', externalId: 'fz-1', phone: '13812345678', name: '李雷', city: '上海', series: '汉', dealerCode: 'SH001' });
  const lead2 = await call('POST', '/api/v1/leads', { source: 'douyin', externalId: 'fz-2', phone: '13912345678', name: '韩梅梅', city: '上海', series: '汉', dealerCode: 'SH001' });
  const leadId = text(lead, 'id');
  const profileId = text(lead, 'profileId');
  const profile2 = text(lead2, 'profileId');
  const order = await call('POST', '/api/v1/orders', { orderNo: ORDER_NO, leadId, series: '汉', model: '汉 EV', amountFen: 25_998_000, orderedAt: '2026-03-05T06:00:00Z' });
  const defeat = await call('POST', `/api/v1/leads/${text(lead2, 'id')}/defeat-requests`, { reasonCode: 'price', remark: '预算不足' });

  await call('PUT', `/api/v1/vehicles/${WORLD_VIN}`, { series: '汉', model: '汉 EV' });
  const relation = await call('POST', `/api/v1/vehicles/${WORLD_VIN}/relations`, { profileId: profile2, role: 'owner' });
  const household = await call('POST', '/api/v1/households', { name: '李家', members: [{ profileId }, { profileId: profile2 }] });
  const group = await call('POST', '/api/v1/tag-groups', { name: '兴趣' });
  const spareGroup = await call('POST', '/api/v1/tag-groups', { name: '待删' });
  const tag = await call('POST', '/api/v1/tags', { groupId: text(group, 'id'), name: '新能源', kind: 'manual' });
  const condition = { type: 'trait', trait: 'city', op: 'eq', value: '上海' };
  const segment = await call('POST', '/api/v1/segments', { name: '上海客户', definition: { condition } });
  const operation = await call('POST', `/api/v1/tags/${text(tag, 'id')}/apply`, { segmentId: text(segment, 'id') });
  await call('POST', '/api/v1/stage-models/presets/5a');
  await call('POST', '/api/v1/stage-models/presets/aarrr');
  const rule = await call('POST', '/api/v1/routing-rules', { name: '上海', dealerCodes: ['SH001'], cities: ['上海'] });
  const wecom = await call('POST', '/api/v1/connectors/wecom', WECOM);
  const connectorId = text(wecom, 'id');
  const a1 = network.staff.consultantA1.id;
  const a2 = network.staff.consultantA2.id;
  // An acquisition-link code (no WeCom call to make it), a mass message, a transfer, the tag sync.
  const code = await call('POST', '/api/v1/wecom/channel-codes', {
    connectorId,
    kind: 'link',
    linkUrl: 'https://work.weixin.qq.com/ca/cawfuzz',
    name: '展厅',
    source: 'showroom',
    dealerCode: 'SH001',
    consultantIds: [a1],
  });
  const mass = await call('POST', '/api/v1/wecom/mass-messages', { connectorId, name: '春季', audience: { segmentId: text(segment, 'id') }, content: { text: '春季试驾' } });
  const transfer = await call('POST', '/api/v1/wecom/transfers', { connectorId, fromStaffId: a1, toStaffId: a2, externalUserIds: [FUZZ_EXTERNAL_USERID] });
  await call('PUT', `/api/v1/wecom/tag-sync/${connectorId}`, { tagGroupIds: [text(group, 'id')] });

  const pathValues: Record<string, string> = {
    '/api/v1/sources/{sourceId}': sourceId,
    '/api/v1/sources/{sourceId}/write-keys/{keyId}': text(key, 'id'),
    '/api/v1/admin-tokens/{id}': text(token, 'id'),
    '/api/v1/org-units/{code}': 'FZ001',
    '/api/v1/staff/{id}': text(spare, 'id'),
    '/api/v1/profiles/{id}': profileId,
    '/api/v1/vehicles/{vin}': WORLD_VIN,
    '/api/v1/vehicles/{vin}/relations/{id}': text(relation, 'id'),
    '/api/v1/households/{id}': text(household, 'id'),
    '/api/v1/households/{id}/members/{profileId}': profile2,
    '/api/v1/identity/types/{type}': 'member_no',
    '/api/v1/identity/trait-strategies/{trait}': 'city',
    '/api/v1/tag-groups/{id}': text(spareGroup, 'id'),
    '/api/v1/tags/{id}': text(tag, 'id'),
    '/api/v1/segments/{id}': text(segment, 'id'),
    '/api/v1/operations/{id}': text(operation, 'id'),
    '/api/v1/stage-models/{key}': 'five_a',
    '/api/v1/leads/{id}': leadId,
    '/api/v1/routing-rules/{id}': text(rule, 'id'),
    '/api/v1/defeat-requests/{id}': text(defeat, 'id'),
    '/api/v1/orders/{orderNo}': text(order, 'orderNo'),
    '/api/v1/connectors/wecom/{id}': connectorId,
    '/connectors/wecom/{id}': connectorId,
    '/api/v1/wecom/channel-codes/{id}': text(code, 'id'),
    '/api/v1/wecom/mass-messages/{id}': text(mass, 'id'),
    '/api/v1/wecom/transfers/{id}': text(transfer, 'id'),
    '/api/v1/wecom/tag-sync/{connectorId}': connectorId,
  };
  const hints: Hints = {
    dealerCode: ['SH001', 'HZ001'],
    dealerCodes: [['SH001'], ['SH001', 'HZ001']],
    orgUnitCode: ['SH001-T1', 'SH001'],
    parentCode: ['GRP1'],
    profileId: [profileId, profile2],
    profileIds: [[profileId], [profileId, profile2]],
    leadId: [leadId],
    consultantId: [network.staff.consultantA1.id],
    staffId: [network.staff.consultantA1.id],
    segmentId: [text(segment, 'id')],
    tagId: [text(tag, 'id')],
    groupId: [text(group, 'id')],
    sourceId: [tenant.sourceId],
    vin: [WORLD_VIN],
    orderNo: [ORDER_NO, 'FZ-SO-2'],
    phone: ['13812345678', '+8613712345678'],
    series: ['汉', '唐'],
    city: ['上海', '杭州'],
    province: ['上海', '浙江'],
    username: [loginUser],
    password: [TEST_PASSWORD],
    trait: ['city', 'name'],
    userId: ['u-fuzz-1'],
    // An identifier type and value (profile lookup, blocklist); enum-typed `type` fields ignore it.
    type: ['phone'],
    value: ['13812345678'],
    anonymousId: ['anon-fuzz-1'],
    event: ['Test Drive Booked'],
    // The CSV imports: the columns of CSV_SAMPLE (src/testing/fuzz/requests.ts) mapped to fields.
    mapping: [JSON.stringify(LEAD_MAPPING), LEAD_MAPPING],
    csv: [CSV_SAMPLE],
    'map.externalId': ['externalId'],
    'map.vin': ['vin'],
    'map.kind': ['kind'],
    'map.amountFen': ['amountFen'],
    'map.at': ['at'],
    delimiter: [','],
    // WeCom connector settings: other corps than the world's (so that a create can succeed), the closed local port as API host.
    corpId: ['wwf0220000000000fb', 'wwf0220000000000fc'],
    agentId: ['1000002'],
    secret: [WECOM.secret],
    token: [WECOM.token],
    encodingAESKey: [WECOM.encodingAESKey],
    apiBaseUrl: [WECOM.apiBaseUrl],
    connectorId: [connectorId],
    consultantIds: [[a1], [a1, a2]],
    backupIds: [[a2]],
    fromStaffId: [a1],
    toStaffId: [a2],
    externalUserIds: [[FUZZ_EXTERNAL_USERID]],
    externalUserId: [FUZZ_EXTERNAL_USERID],
    tagGroupIds: [[text(group, 'id')]],
    source: ['showroom', 'autohome'],
    url: ['https://siyu.example.com/sidebar'],
    // The page to open after the WeCom sign-in: a path of this site.
    next: ['/sidebar', '/leads?view=mine'],
  };
  return { tenant, network, pathValues, hints, logoutUser };
}
