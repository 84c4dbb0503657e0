import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantCreated } from '../contracts/tenancy.js';
import { ManualClock } from '../platform/clock.js';
import type { Store } from '../platform/db/index.js';
import { maskName, maskPhone, maskValue } from '../platform/pii.js';
import { useAppFixture } from '../testing/app.js';
import { testEngines } from '../testing/engines.js';
import { sendBatch } from '../testing/identity.js';
import { ALL_STAFF } from '../testing/isolation.js';
import { fillPath, findNeedles, getOperations, type Finding, type Needle } from '../testing/leaks.js';
import { asStaff, seedNetwork, type Network, type StaffName } from '../testing/org.js';
import { drainIdentityQueue, siyuWorker } from '../worker/index.js';
import { startFakeWecom, type FakeWecom } from '../testing/fakes/wecom.js';
import { connectWecom, contactEvent, postCallback, type TestCorp } from '../testing/wecom-callbacks.js';

/**
 * docs/org.md: analysts read the whole tenant with personal information masked. This walks every GET
 * operation of the served OpenAPI document (plus the query variants that change what an answer
 * names) as the analyst, over a world with leads, funnel records, orders, profiles, a vehicle, a
 * household, a tag and a segment, and fails on any raw customer name, phone or e-mail, or raw staff
 * name, user name or phone, in any answer (JSON or CSV); only GET /api/v1/auth/me may show the
 * analyst their own record. The same walk as HQ operations must find every one of those values, so
 * the world really holds them where the analyst looked. It prints what it called, what it skipped
 * and every raw value it found, with where.
 */

const NOW = new Date('2026-12-10T02:00:00.000Z');
const FROM = '2026-12-01';
const TO = '2026-12-11';
const VIN_ORDER = 'LSVAU2187N2123456';
const VIN_OWNED = 'LGXCE4CB0P0000001';

/** Display names and phones (national) given to the seeded staff: distinctive, so a find is a leak. */
const STAFF: Record<StaffName, { name: string; phone: string }> = {
  admin: { name: '欧阳总管', phone: '13811110001' },
  hqOps: { name: '上官运营', phone: '13811110002' },
  analyst: { name: '慕容分析', phone: '13811110003' },
  managerA: { name: '诸葛经理', phone: '13811110004' },
  consultantA1: { name: '东方顾问', phone: '13811110005' },
  consultantA2: { name: '西门顾问', phone: '13811110006' },
  advisorA: { name: '南宫服务', phone: '13811110007' },
  managerB: { name: '北堂经理', phone: '13811110008' },
  consultantB1: { name: '令狐顾问', phone: '13811110009' },
};
const STAFF_NAMES = ALL_STAFF;

/** Customers: four come in as leads (Zhao also through the tracking API), Zhou through the tracking API only. */
const CUSTOMERS = {
  zhao: { name: '赵子龙', phone: '13912340001', userId: 'cust-zhao', email: 'zilong.zhao@example.com' },
  qian: { name: '钱学森', phone: '13912340002' },
  sun: { name: '孙二娘', phone: '13912340003' },
  li: { name: '李逍遥', phone: '13912340004' },
  zhou: { name: '周芷若', phone: '13912340005', userId: 'cust-zhou', email: 'zhiruo.zhou@example.com' },
};
const HOUSEHOLD = '周家大院';

interface World {
  net: Network;
  leads: { a1: string; a2: string; b1: string; pool: string };
  profiles: { zhao: string; qian: string; sun: string; li: string; zhou: string };
  defeatId: string;
  orderNo: string;
  householdId: string;
  tagId: string;
  segmentId: string;
  operationId: string;
  stageModels: string[];
  /** Profiles merged into Zhou's (they answer 308 to those who see her). */
  mergedAway: string[];
  /** A WeCom connector (its routes hold credentials, no customer data; analysts are refused). */
  wecomConnectorId: string;
  /** Zhao as consultant A1's WeCom friend (the sidebar's customer); Qian deleted A1 (the churn list). */
  wecom: { codeId: string; massMessageId: string; transferId: string };
}

const CORP: TestCorp = { corpId: 'ww0123456789abcdef', secret: 'app-secret', token: 'Token123', aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };
const WECOM_ZHAO = 'wmZhaoZilong';
const WECOM_QIAN = 'wmQianXuesen';

/** Every raw value of the world, with what it is (staff user names are spelt from names too). */
function needles(net: Network): Needle[] {
  const phone = (national: string, whose: string): Needle[] => [
    { value: `+86${national}`, what: `phone of ${whose}` },
    { value: national, what: `phone of ${whose}` },
  ];
  const customers = Object.values(CUSTOMERS).flatMap((c) => [
    { value: c.name, what: 'customer name' },
    ...phone(c.phone, c.name),
    ...('email' in c ? [{ value: c.email, what: `e-mail of ${c.name}` }] : []),
  ]);
  const staff = STAFF_NAMES.flatMap((s) => [
    { value: STAFF[s].name, what: `staff name (${s})` },
    { value: net.staff[s].username, what: `staff user name (${s})` },
    ...phone(STAFF[s].phone, `staff ${s}`),
  ]);
  return [...customers, { value: HOUSEHOLD, what: 'household name' }, ...staff];
}

/** What may appear where: the caller's own record in GET /api/v1/auth/me, nothing else. */
function needlesFor(url: string, all: readonly Needle[], net: Network, self: StaffName): Needle[] {
  if (!url.startsWith('/api/v1/auth/me')) return [...all];
  const own = new Set([STAFF[self].name, net.staff[self].username, STAFF[self].phone, `+86${STAFF[self].phone}`]);
  return all.filter((n) => !own.has(n.value));
}

const rec = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v)) : {});
const str = (v: unknown, what: string): string => {
  if (typeof v !== 'string') throw new Error(`${what}: expected a string, got ${JSON.stringify(v)}`);
  return v;
};
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

type Send = (method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown, token?: string) => Promise<Record<string, unknown>>;

/** A request as the tenant's admin token (or `token`) that must succeed; its JSON body. */
function sender(app: FastifyInstance, tenant: TenantCreated): Send {
  return async (method, url, body, token = tenant.adminToken) => {
    const res = await asStaff(app, token, method, url, body);
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return rec(JSON.parse(res.body));
  };
}

type LeadRef = { id: string; profileId: string };

/** Four leads: one per consultant (A1, A2, B1) and one in the HQ pool (an unknown dealer code). */
async function seedLeads(send: Send, net: Network): Promise<Record<'a1' | 'a2' | 'b1' | 'pool', LeadRef>> {
  const lead = async (c: { name: string; phone: string }, dealerCode: string, consultant: StaffName | null, day: number): Promise<LeadRef> => {
    const created = await send('POST', '/api/v1/leads', {
      source: 'website',
      externalId: `web-${day}`,
      name: c.name,
      phone: c.phone,
      city: '上海',
      series: '汉',
      dealerCode,
      ...(consultant ? { consultant: net.staff[consultant].username } : {}),
      createdAt: `2026-12-0${day}T02:00:00Z`,
    });
    if (consultant && created['consultantId'] !== net.staff[consultant].id) throw new Error(`lead of ${c.name} not assigned to ${consultant}`);
    return { id: str(created['id'], 'lead id'), profileId: str(created['profileId'], 'profile id') };
  };
  return {
    a1: await lead(CUSTOMERS.zhao, 'SH001', 'consultantA1', 2),
    a2: await lead(CUSTOMERS.qian, 'SH001', 'consultantA2', 3),
    b1: await lead(CUSTOMERS.sun, 'HZ001', 'consultantB1', 4),
    pool: await lead(CUSTOMERS.li, 'NOWHERE', null, 5),
  };
}

/**
 * Tracking: names, phones and e-mails as traits (Zhao's phone joins his lead's person). Zhou is two
 * people first (a user id with her name, a visitor with her phone) that her phone then merges, so
 * her identity log names the phone; she is also a WeCom friend of consultant A1. Each batch is
 * resolved (`resolve`) before what follows reads its people.
 */
async function seedTracking(app: FastifyInstance, tenant: TenantCreated, send: Send, resolve: () => Promise<unknown>): Promise<{ zhou: string; mergedAway: string }> {
  const batch = async (events: Array<Record<string, unknown>>) => {
    const res = await sendBatch(app, tenant, events);
    if (res.statusCode !== 200) throw new Error(`batch: ${res.body}`);
    await resolve();
  };
  const { zhao, zhou } = CUSTOMERS;
  await batch([
    { type: 'identify', userId: zhao.userId, traits: { name: zhao.name, phone: `+86${zhao.phone}`, email: zhao.email }, messageId: 'am-1' },
    { type: 'identify', userId: zhou.userId, traits: { name: zhou.name }, messageId: 'am-2' },
    { type: 'identify', anonymousId: 'anon-zhou', traits: { phone: zhou.phone }, messageId: 'am-3' },
  ]);
  const holder = async (type: string, value: string) => str((await send('GET', `/api/v1/profiles/lookup?type=${type}&value=${value}`))['id'], `${type} holder`);
  const [user, visitor] = [await holder('user_id', zhou.userId), await holder('phone', zhou.phone)];
  if (user === visitor) throw new Error('the user and the visitor were expected to be two people');
  await batch([
    { type: 'identify', userId: zhou.userId, traits: { phone: `+86${zhou.phone}`, email: zhou.email }, messageId: 'am-4' },
    { type: 'track', userId: zhou.userId, event: 'WeCom Contact Added', properties: { staffUserId: 'wa1' }, messageId: 'am-5' },
  ]);
  // Either may survive the merge; the other answers 308.
  const survivor = await holder('user_id', zhou.userId);
  if ((await holder('phone', zhou.phone)) !== survivor) throw new Error('the phone was expected to merge the user and the visitor');
  return { zhou: survivor, mergedAway: survivor === user ? visitor : user };
}

/** The funnel: a follow-up and a test drive by A1, a defeat request by A2, an order delivered, after-sales. */
async function seedFunnel(send: Send, net: Network, leads: Record<'a1' | 'a2', LeadRef>): Promise<{ defeatId: string; orderNo: string }> {
  const a1 = net.staff.consultantA1.token;
  await send('POST', `/api/v1/leads/${leads.a1.id}/follow-ups`, { kind: 'call', note: '电话沟通，客户想试驾' }, a1);
  await send('POST', `/api/v1/leads/${leads.a1.id}/transitions`, { to: 'test_drive' }, a1);
  const defeat = await send('POST', `/api/v1/leads/${leads.a2.id}/defeat-requests`, { reasonCode: 'postponed', remark: '明年再买' }, net.staff.consultantA2.token);
  await send('POST', '/api/v1/orders', { orderNo: 'SO-AM-1', leadId: leads.a1.id, series: '汉', amountFen: 25_998_000, orderedAt: '2026-12-06T06:00:00Z' }, a1);
  await send('POST', '/api/v1/orders/SO-AM-1/deliver', { at: '2026-12-08T08:00:00Z', vin: VIN_ORDER }, a1);
  await send('POST', '/api/v1/after-sales', { profileId: leads.a1.profileId, vin: VIN_ORDER, dealerCode: 'SH001', kind: 'first_maintenance', amountFen: 30_000, at: '2026-12-09T01:00:00Z', note: '首保' });
  return { defeatId: str(defeat['id'], 'defeat request'), orderNo: 'SO-AM-1' };
}

/** Zhou's vehicle, household (with Zhao) and consent; a tag on everyone, the AARRR model, a segment, a bulk tag operation. */
async function seedBelongings(send: Send, zhou: string, zhao: string, everyone: string[]): Promise<{ householdId: string; tagId: string; segmentId: string; operationId: string }> {
  await send('PUT', `/api/v1/vehicles/${VIN_OWNED}`, { series: '唐' });
  await send('POST', `/api/v1/vehicles/${VIN_OWNED}/relations`, { profileId: zhou, role: 'owner', validFrom: '2025-01-01T00:00:00Z' });
  const household = await send('POST', '/api/v1/households', { name: HOUSEHOLD, members: [{ profileId: zhou, relation: 'self' }, { profileId: zhao }] });
  await send('POST', `/api/v1/profiles/${zhou}/consents`, { channel: 'sms', purpose: 'marketing', state: 'granted', at: '2026-12-01T00:00:00Z' });
  const group = await send('POST', '/api/v1/tag-groups', { name: '意向' });
  const tagId = str((await send('POST', '/api/v1/tags', { groupId: group['id'], name: '高意向', kind: 'manual' }))['id'], 'tag');
  await send('POST', `/api/v1/tags/${tagId}/apply`, { profileIds: everyone });
  await send('POST', '/api/v1/stage-models/presets/aarrr');
  const segment = await send('POST', '/api/v1/segments', { name: '有电话', definition: { condition: { type: 'trait', trait: 'phone', op: 'exists' } } });
  const segmentId = str(segment['id'], 'segment');
  const operation = await send('POST', `/api/v1/tags/${tagId}/apply`, { segmentId, reason: '有电话' });
  return { householdId: str(household['id'], 'household'), tagId, segmentId, operationId: str(operation['id'], 'operation') };
}

/** Builds the world through the API (staff renamed, leads, tracking, funnel, belongings), then refreshes. */
async function buildWorld(app: FastifyInstance, store: Store, secretKey: Buffer, tenant: TenantCreated, clock: ManualClock, fake: FakeWecom): Promise<World> {
  const db = store.db;
  const net = await seedNetwork(app, tenant);
  const send = sender(app, tenant);
  for (const s of STAFF_NAMES) await send('PUT', `/api/v1/staff/${net.staff[s].id}`, { name: STAFF[s].name, phone: `+86${STAFF[s].phone}` });
  const leads = await seedLeads(send, net);
  // One ID resolves the tracked events as the resolver would, on the test's clock.
  const { zhou, mergedAway } = await seedTracking(app, tenant, send, () => drainIdentityQueue(db, clock, tenant.tenantId));
  const funnel = await seedFunnel(send, net, leads);
  const profiles = { zhao: leads.a1.profileId, qian: leads.a2.profileId, sun: leads.b1.profileId, li: leads.pool.profileId, zhou };
  const belongings = await seedBelongings(send, zhou, profiles.zhao, Object.values(profiles));
  // WeCom: Zhao (by the remark mobile, One ID joins him) is consultant A1's friend; Qian was, and deleted A1.
  const wecomConnectorId = await connectWecom(app, tenant, CORP, fake.url);
  fake.addExternalContact({ external_userid: WECOM_ZHAO, name: CUSTOMERS.zhao.name, follow_user: [{ userid: 'wa1', remark: CUSTOMERS.zhao.name, remark_mobiles: [CUSTOMERS.zhao.phone] }] });
  fake.addExternalContact({ external_userid: WECOM_QIAN, name: CUSTOMERS.qian.name, follow_user: [{ userid: 'wa1' }] });
  const at = () => Math.floor(clock.now().getTime() / 1000);
  for (const [changeType, externalUserId] of [['add_external_contact', WECOM_ZHAO], ['add_external_contact', WECOM_QIAN], ['del_follow_user', WECOM_QIAN]] as const) {
    await postCallback(app, wecomConnectorId, CORP, contactEvent(CORP.corpId, { changeType, userId: 'wa1', externalUserId, createTime: at() }), { timestamp: at() });
  }
  const code = await send('POST', '/api/v1/wecom/channel-codes', { connectorId: wecomConnectorId, kind: 'link', linkUrl: 'https://work.weixin.qq.com/ca/cawx', name: '展厅', source: 'showroom', dealerCode: 'SH001', consultantIds: [net.staff.consultantA1.id] });
  // The refresh job: rollups, rule tags, stages and segment changes of everyone touched (and the WeCom callbacks).
  clock.advance(60_000);
  await siyuWorker({ db, store, secretKey, clock, onlyTenant: tenant.tenantId }).drain();
  const mass = await send('POST', '/api/v1/wecom/mass-messages', { connectorId: wecomConnectorId, name: '春季', audience: { segmentId: belongings.segmentId }, content: { text: '春季试驾' } });
  const transfer = await send('POST', '/api/v1/wecom/transfers', { connectorId: wecomConnectorId, fromStaffId: net.staff.consultantA1.id, toStaffId: net.staff.consultantA2.id, externalUserIds: [WECOM_ZHAO] });
  const stageModels = list((await send('GET', '/api/v1/stage-models'))['data']).map((m) => str(rec(m)['key'], 'stage model key'));
  return {
    net,
    leads: { a1: leads.a1.id, a2: leads.a2.id, b1: leads.b1.id, pool: leads.pool.id },
    profiles,
    ...funnel,
    ...belongings,
    stageModels,
    mergedAway: [mergedAway],
    wecomConnectorId,
    wecom: { codeId: str(code['id'], 'channel code'), massMessageId: str(mass['id'], 'mass message'), transferId: str(transfer['id'], 'transfer') },
  };
}

/** Path parameter values of the world, keyed as by `pathParameterKeys` (`leads/{id}` → every lead). */
function pathValues(w: World, tenant: TenantCreated): Record<string, string[]> {
  return {
    'sources/{sourceId}': [tenant.sourceId],
    'org-units/{code}': ['SH001', 'SH001-T1', 'HZ001'],
    'staff/{id}': STAFF_NAMES.map((s) => w.net.staff[s].id),
    'profiles/{id}': [...Object.values(w.profiles), ...w.mergedAway],
    'vehicles/{vin}': [VIN_ORDER, VIN_OWNED],
    'households/{id}': [w.householdId],
    'tags/{id}': [w.tagId],
    'segments/{id}': [w.segmentId],
    'operations/{id}': [w.operationId],
    'stage-models/{key}': w.stageModels,
    'leads/{id}': Object.values(w.leads),
    'defeat-requests/{id}': [w.defeatId],
    'orders/{orderNo}': [w.orderNo],
    'wecom/{id}': [w.wecomConnectorId],
    'channel-codes/{id}': [w.wecom.codeId],
    'mass-messages/{id}': [w.wecom.massMessageId],
    'transfers/{id}': [w.wecom.transferId],
    'tag-sync/{connectorId}': [w.wecomConnectorId],
  };
}

/** Values of required query parameters, by name. */
function requiredQueryValues(w: World): Record<string, string> {
  // WeCom's URL verification, unsigned: refused (401) before anything is read.
  const wecom = { msg_signature: '0'.repeat(40), timestamp: '0', nonce: 'n', echostr: 'AAAA' };
  return {
    from: FROM,
    to: TO,
    type: 'phone',
    value: CUSTOMERS.zhao.phone,
    profileId: w.profiles.zhou,
    ...wecom,
    url: 'https://siyu.example.com/sidebar',
    externalUserId: WECOM_ZHAO,
    connectorId: w.wecomConnectorId,
  };
}

/**
 * Operations the walk leaves out: the WeCom sign-in's callback answers only a redirect and cookies,
 * and only to the browser holding the cookie of a sign-in it started (anything else is its 400).
 */
const NOT_WALKED = new Set(['/api/v1/auth/wecom/callback']);

/** Query variants that change what an answer names: KPI groups, lead filters, searches, lookups. */
function variants(w: World): string[] {
  const s = w.net.staff;
  const kpis = (q: string) => `/api/v1/kpis/leads?from=${FROM}&${q}`;
  const customers = Object.values(CUSTOMERS);
  return [
    ...['none', 'org_unit', 'consultant', 'source', 'day', 'week', 'month'].map((g) => kpis(`groupBy=${g}`)),
    kpis('groupBy=consultant&orgUnitCode=SH001-T1'),
    kpis(`groupBy=consultant&consultantId=${s.consultantA1.id}`),
    `/api/v1/leads?consultantId=${s.consultantA1.id}`,
    '/api/v1/leads?inPool=true',
    '/api/v1/leads?dealerCode=HZ001',
    '/api/v1/leads?status=delivered,assigned',
    '/api/v1/leads/pool?limit=200',
    `/api/v1/exports/leads.csv?consultantId=${s.consultantA1.id}`,
    '/api/v1/exports/leads.csv?dealerCode=HZ001',
    ...customers.flatMap((c) => [`/api/v1/profiles?q=${encodeURIComponent(c.name)}`, `/api/v1/profiles?q=${c.phone.slice(-4)}`, `/api/v1/profiles/lookup?type=phone&value=${c.phone}`]),
    `/api/v1/profiles?q=${CUSTOMERS.zhou.userId}`,
    `/api/v1/profiles/lookup?type=email&value=${encodeURIComponent(CUSTOMERS.zhou.email)}`,
    `/api/v1/profiles/lookup?type=user_id&value=${CUSTOMERS.zhao.userId}`,
    ...Object.values(w.profiles).flatMap((id) => [`/api/v1/households?profileId=${id}`, `/api/v1/orders?profileId=${id}`, `/api/v1/profiles/${id}/events?type=identify`]),
    '/api/v1/orders?dealerCode=SH001',
    '/api/v1/staff?role=consultant',
    '/api/v1/staff?orgUnitCode=SH001',
    `/api/v1/defeat-requests?leadId=${w.leads.a2}`,
    '/api/v1/defeat-requests?state=pending',
    '/api/v1/notifications?unread=true',
  ];
}

/** Reads that are POSTs (a body carries the question): answers an analyst can get besides the GETs. */
const POST_READS: ReadonlyArray<readonly [string, unknown]> = [
  ['/api/v1/segments/preview', { definition: { condition: { type: 'or', conditions: [{ type: 'trait', trait: 'name', op: 'exists' }, { type: 'trait', trait: 'phone', op: 'exists' }] } } }],
];

interface Answer {
  method: 'GET' | 'POST';
  url: string;
  status: number;
  body: string;
}

/** Every GET of the served OpenAPI document with real ids, then the variants, as the holder of `token`. */
async function walk(app: FastifyInstance, tenant: TenantCreated, w: World, token: string): Promise<{ calls: Answer[]; skipped: string[] }> {
  const values = pathValues(w, tenant);
  const query = requiredQueryValues(w);
  const urls: string[] = [];
  const skipped: string[] = [];
  for (const op of getOperations(app.swagger())) {
    if (NOT_WALKED.has(op.path)) continue;
    const filled = fillPath(op.path, values);
    const missing = op.requiredQuery.filter((name) => query[name] === undefined);
    if (filled === null || missing.length > 0) {
      skipped.push(`${op.path}${missing.length > 0 ? ` (no value for ${missing.join(', ')})` : ' (no value for a path parameter)'}`);
      continue;
    }
    const qs = op.requiredQuery.map((name) => `${name}=${encodeURIComponent(query[name] ?? '')}`).join('&');
    urls.push(...filled.map((url) => (qs === '' ? url : `${url}?${qs}`)));
  }
  urls.push(...variants(w));
  const calls: Answer[] = [];
  for (const url of urls) {
    const res = await asStaff(app, token, 'GET', url);
    calls.push({ method: 'GET', url, status: res.statusCode, body: res.body });
  }
  for (const [url, body] of POST_READS) {
    const res = await asStaff(app, token, 'POST', url, body);
    calls.push({ method: 'POST', url, status: res.statusCode, body: res.body });
  }
  return { calls, skipped };
}

/** One line per raw value found: the call, its status, what the value is and where it was. */
function leaksIn(calls: readonly Answer[], net: Network, self: StaffName): string[] {
  const all = needles(net);
  return calls.flatMap((c) =>
    findNeedles(c.body, needlesFor(c.url, all, net, self)).map((f: Finding) => `${c.method} ${c.url} (${c.status}): ${f.needle.what} ${JSON.stringify(f.needle.value)} at ${f.at}`),
  );
}

function bodyOf(calls: readonly Answer[], url: string): unknown {
  const call = calls.find((c) => c.url === url);
  if (!call) throw new Error(`no call of ${url}`);
  if (call.status !== 200) throw new Error(`${url}: ${call.status} ${call.body.slice(0, 300)}`);
  return call.body.startsWith('{') || call.body.startsWith('[') ? JSON.parse(call.body) : call.body;
}

describe.each(testEngines)('analysts read every answer masked (%s)', (engine) => {
  const clock = new ManualClock(NOW);
  // With a secret key, as a real deployment: the WeCom connector stores its credentials.
  const secretKey = randomBytes(32);
  const fx = useAppFixture(engine, { clock, secretKey });
  let fake: FakeWecom;
  beforeAll(async () => {
    fake = await startFakeWecom({ corpId: CORP.corpId, secrets: [CORP.secret], now: () => clock.now().getTime() });
  });
  afterAll(() => fake.close());

  it('no GET answer carries a raw customer name, phone or e-mail, or a raw staff name or phone', async () => {
    const started = performance.now();
    clock.set(NOW);
    const w = await buildWorld(fx.app, fx.store, secretKey, fx.tenant, clock, fake);
    const built = performance.now();
    const analyst = await walk(fx.app, fx.tenant, w, w.net.staff.analyst.token);
    const leaks = leaksIn(analyst.calls, w.net, 'analyst');
    const statuses = new Map<number, number>();
    for (const c of analyst.calls) statuses.set(c.status, (statuses.get(c.status) ?? 0) + 1);
    console.log(
      [
        `[${engine}] world built in ${Math.round(built - started)} ms; analyst walk: ${analyst.calls.length} GET calls ` +
          `(${[...statuses].map(([s, n]) => `${s}×${n}`).join(', ')}) in ${Math.round(performance.now() - built)} ms`,
        `skipped operations: ${analyst.skipped.length === 0 ? 'none' : analyst.skipped.join('; ')}`,
        `not 2xx: ${analyst.calls.filter((c) => c.status >= 300).map((c) => `${c.url} ${c.status}`).join('; ') || 'none'}`,
        `raw values found: ${leaks.length === 0 ? 'none' : `\n  ${leaks.join('\n  ')}`}`,
      ].join('\n'),
    );

    // The control: HQ operations (unmasked) find every raw value, so the world holds each one.
    const ops = await walk(fx.app, fx.tenant, w, w.net.staff.hqOps.token);
    const all = needles(w.net);
    const seen = new Set(ops.calls.flatMap((c) => findNeedles(c.body, all).map((f) => f.needle.value)));
    expect(all.filter((n) => !seen.has(n.value)).map((n) => `${n.what}: ${n.value}`)).toEqual([]);

    expect(analyst.skipped).toEqual([]);
    // A 400 or 5xx would mean the walk asked wrongly and read nothing there.
    expect(analyst.calls.filter((c) => c.status === 400 || c.status >= 500).map((c) => `${c.url} ${c.status} ${c.body.slice(0, 300)}`)).toEqual([]);
    expect(leaks).toEqual([]);

    // What the analyst does read: the masked forms, and their own record in /auth/me.
    const s = w.net.staff;
    const masked = (who: StaffName) => maskName(STAFF[who].name);
    expect(rec(bodyOf(analyst.calls, `/api/v1/leads/${w.leads.a1}`))).toMatchObject({ name: maskName(CUSTOMERS.zhao.name), consultantId: s.consultantA1.id, consultantName: masked('consultantA1') });
    const groups = list(rec(bodyOf(analyst.calls, `/api/v1/kpis/leads?from=${FROM}&groupBy=consultant`))['groups']).map((g) => `${String(rec(g)['key'])}: ${String(rec(g)['name'])}`);
    const consultants: StaffName[] = ['consultantA1', 'consultantA2', 'consultantB1'];
    expect(groups.sort()).toEqual([...consultants.map((c) => `${s[c].id}: ${masked(c)}`), 'null: null'].sort());
    expect(rec(bodyOf(analyst.calls, `/api/v1/staff/${s.consultantA1.id}`))).toMatchObject({
      id: s.consultantA1.id,
      name: masked('consultantA1'),
      phone: maskPhone(`+86${STAFF.consultantA1.phone}`),
      username: maskValue(s.consultantA1.username),
      wecomUserId: maskValue('wa1'),
      role: 'consultant',
      orgUnitCode: 'SH001-T1',
    });
    expect(rec(rec(bodyOf(analyst.calls, '/api/v1/auth/me'))['staff'])).toMatchObject({ name: STAFF.analyst.name, username: s.analyst.username });
    // The preview's sample holds the world's people (masked): the walk read real answers there too.
    expect(list(rec(bodyOf(analyst.calls, '/api/v1/segments/preview'))['sample']).length).toBeGreaterThan(0);
    expect(String(bodyOf(analyst.calls, `/api/v1/exports/leads.csv?consultantId=${s.consultantA1.id}`))).toContain(`,${masked('consultantA1')},`);
    console.log(`[${engine}] world, both walks and checks: ${Math.round(performance.now() - started)} ms`);
  }, 180_000);
});
