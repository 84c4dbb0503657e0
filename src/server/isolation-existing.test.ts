import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { materializeSegment, refreshRollupsFor } from '../modules/segments/index.js';
import { systemClock } from '../platform/clock.js';
import { json, useAppFixture } from '../testing/app.js';
import { testEngines } from '../testing/engines.js';
import { adminRequest, resolveQueued, sendBatch } from '../testing/identity.js';
import { ALL_STAFF, idsOf, only, runIsolationCases, same, type IsolationCase } from '../testing/isolation.js';
import { asStaff, seedNetwork, type Network, type StaffName } from '../testing/org.js';

/**
 * Data scope and PII masking on every management endpoint that existed before the dealer network:
 * dealer A's staff see and change A's customers only, dealer B's the reverse, a consultant
 * their WeCom friends, analysts everyone masked, HQ operations everyone; out of scope is a 404 like
 * an unknown id; configuration, raw events and analytics stay with the roles that own them.
 */

const VIN_A = 'LRW3E7FS3PC000001';
const VIN_B = 'LRW3E7FS5PC000002';
const VIN_SHARED = 'LGXCE4CB0P0000001';
const VIN_NEW = '1M8GDM9AXKP042788';

/** The raw personal values of the customers: none may reach an analyst. */
const RAW = ['王小明', '13412341234', 'wang@example.com', 'cust-a-001', 'anon-a-001', '李四', '13598765432', 'cust-b-001', '赵六', '13655556666', '张三', '13711112222', '王家'];

interface World {
  custA: string;
  mergedA: string;
  custB: string;
  custB2: string;
  friend: string;
  householdMixed: string;
  householdB: string;
  relationB: string;
  tagGroup: string;
  tag: string;
  segment: string;
  operation: string;
}

const HQ: StaffName[] = ['admin', 'hqOps', 'analyst'];
const OPS: StaffName[] = ['admin', 'hqOps'];
/** Who sees each customer. */
const SEES_A: StaffName[] = [...HQ, 'managerA', 'advisorA'];
const SEES_B: StaffName[] = [...HQ, 'managerB'];
const SEES_FRIEND: StaffName[] = [...HQ, 'managerA', 'advisorA', 'consultantA1'];

/** Writers among `readers` succeed, the analyst gets 403, everybody else 404. */
const writers = (readers: StaffName[]) => ({ ...only(readers.filter((s) => s !== 'analyst')), analyst: 403 as const });
/** Only `roles` may call it; everybody else gets 403. */
const roles = (allowed: StaffName[]) => only(allowed, 'ok', 403);
/** Denials only (the allowed call would destroy the fixture): `roles` are not called. */
const deniedBut = (allowed: StaffName[]) => Object.fromEntries(ALL_STAFF.filter((s) => !allowed.includes(s)).map((s) => [s, 403]));

/** The customers a staff member sees, sorted. */
function visible(w: World, who: StaffName): string[] {
  const ids = new Set<string>();
  if (SEES_A.includes(who)) ids.add(w.custA);
  if (SEES_B.includes(who)) for (const id of [w.custB, w.custB2]) ids.add(id);
  if (SEES_FRIEND.includes(who)) ids.add(w.friend);
  return [...ids].sort();
}

const rec = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {});
const data = (body: unknown): Record<string, unknown>[] => (Array.isArray(rec(body).data) ? (rec(body).data as unknown[]).map(rec) : []);

/** For analysts: no raw personal value anywhere in the answer. */
function noLeak(who: StaffName, body: unknown): string | null {
  if (who !== 'analyst') return null;
  const text = JSON.stringify(body);
  const leaked = RAW.filter((v) => text.includes(v));
  return leaked.length === 0 ? null : `leaks ${leaked.join(', ')}`;
}

const all = (...problems: Array<string | null>) => problems.find((p) => p !== null) ?? null;

function cases(): IsolationCase<World>[] {
  const get = (name: string, url: (w: World) => string, expect: IsolationCase<World>['expect'], check?: IsolationCase<World>['check']): IsolationCase<World> => ({
    name,
    method: 'GET',
    url,
    expect,
    ...(check ? { check } : {}),
  });
  return [
    // --- configuration: the admin role only -------------------------------------------------------
    get('sources', () => '/api/v1/sources', roles(['admin'])),
    get('admin tokens', () => '/api/v1/admin-tokens', roles(['admin'])),
    get('identifier types', () => '/api/v1/identity/types', roles(['admin'])),
    get('blocklist', () => '/api/v1/identity/blocklist', roles(['admin'])),
    { name: 'trait strategy', method: 'PUT', url: () => '/api/v1/identity/trait-strategies/city', body: () => ({ strategy: 'first' }), expect: roles(['admin']) },
    // --- raw events of everyone: admin, hq_ops --------------------------------------------------
    get('events', () => '/api/v1/events', roles(OPS)),
    // --- profiles -------------------------------------------------------------------------------
    get('search without q', () => '/api/v1/profiles?limit=50', only([...ALL_STAFF]), (who, body, w) =>
      all(
        same('ids', idsOf(body), visible(w, who)),
        noLeak(who, body),
        who === 'analyst' ? same('masked names', data(body).map((p) => p.name).sort(), ['张*', '李*', '王**', '赵*']) : null,
        who === 'hqOps' ? same('names', data(body).map((p) => p.name).sort(), ['张三', '李四', '王小明', '赵六']) : null,
      ),
    ),
    get('search by phone suffix of A’s customer', () => '/api/v1/profiles?q=1234', only([...ALL_STAFF]), (who, body, w) =>
      all(same('ids', idsOf(body), SEES_A.includes(who) ? [w.custA] : []), who === 'analyst' ? same('summary', data(body), [{ id: w.custA, name: '王**', phone: '134****1234', lastSeen: data(body)[0]?.lastSeen }]) : null),
    ),
    get('search by name of B’s customer', () => `/api/v1/profiles?q=${encodeURIComponent('李')}`, only([...ALL_STAFF]), (who, body, w) =>
      same('ids', idsOf(body), SEES_B.includes(who) ? [w.custB] : []),
    ),
    get('lookup B’s customer', () => '/api/v1/profiles/lookup?type=user_id&value=cust-b-001', only(SEES_B), (who, body, w) => all(same('id', rec(body).id, w.custB), noLeak(who, body))),
    get('lookup the WeCom friend by phone', () => '/api/v1/profiles/lookup?type=phone&value=13711112222', only(SEES_FRIEND), (_who, body, w) => same('id', rec(body).id, w.friend)),
    get('profile of A’s customer', (w) => `/api/v1/profiles/${w.custA}`, only(SEES_A), (who, body, w) => {
      const p = rec(body);
      const household = rec(p.household);
      const members = Array.isArray(household.members) ? household.members.map((m) => String(rec(m).profileId)).sort() : [];
      const seenMembers = [w.custA, ...(SEES_B.includes(who) ? [w.custB] : [])].sort();
      if (who === 'analyst') {
        return all(
          same('traits', p.traits, { name: '王**', phone: '134****1234', email: 'w***@example.com' }),
          same('identity values', (p.identities as unknown[]).map((i) => rec(i).value).sort(), ['134****1234', 'an******01', 'cu******01', 'w***@example.com']),
          same('household', [household.name, members], ['王*', seenMembers]),
          noLeak(who, body),
        );
      }
      return all(same('name', rec(p.traits).name, '王小明'), same('household', [household.name, members], ['王家', seenMembers]));
    }),
    get('profile of B’s customer', (w) => `/api/v1/profiles/${w.custB}`, only(SEES_B), (who, body) => noLeak(who, body)),
    get('profile of the WeCom friend', (w) => `/api/v1/profiles/${w.friend}`, only(SEES_FRIEND), (who, body) =>
      who === 'analyst' ? all(same('traits', rec(body).traits, { name: '张*', phone: '137****2222' }), noLeak(who, body)) : null,
    ),
    // A merged-away id: 308 to the survivor only for those who see the survivor.
    get('merged-away id of A’s customer', (w) => `/api/v1/profiles/${w.mergedA}`, only(SEES_A, 308)),
    get('events of A’s customer', (w) => `/api/v1/profiles/${w.custA}/events`, only(SEES_A), (who, body) => {
      if (who !== 'analyst') return null;
      const identify = data(body).find((e) => e.type === 'identify' && rec(e.traits).name !== undefined);
      return all(same('identify', identify && [identify.userId, identify.traits], ['cu******01', { name: '王**', phone: '134****1234', email: 'w***@example.com' }]), noLeak(who, body));
    }),
    get('events of B’s customer', (w) => `/api/v1/profiles/${w.custB}/events`, only(SEES_B), (who, body) => noLeak(who, body)),
    get('merges of A’s customer', (w) => `/api/v1/profiles/${w.custA}/merges`, only(SEES_A), (who, body) => {
      const merge = data(body).find((e) => e.kind === 'merge');
      const values = Array.isArray(merge?.identifiers) ? merge.identifiers.map((i) => rec(i).value).sort() : [];
      return who === 'analyst' ? all(same('identifier values', values, ['an******01']), noLeak(who, body)) : same('identifier values', values, ['anon-a-001']);
    }),
    get('merges of B’s customer', (w) => `/api/v1/profiles/${w.custB}/merges`, only(SEES_B)),

    // --- consents -------------------------------------------------------------------------------
    get('consents of A’s customer', (w) => `/api/v1/profiles/${w.custA}/consents`, only(SEES_A)),
    get('consent history of B’s customer', (w) => `/api/v1/profiles/${w.custB}/consents/history`, only(SEES_B)),
    {
      name: 'record a consent of B’s customer',
      method: 'POST',
      url: (w) => `/api/v1/profiles/${w.custB}/consents`,
      body: () => ({ channel: 'sms', purpose: 'service', state: 'granted', at: '2026-01-02T00:00:00Z' }),
      expect: writers(SEES_B),
    },

    // --- vehicles -------------------------------------------------------------------------------
    get('vehicle of A’s customer', () => `/api/v1/vehicles/${VIN_A}`, only(SEES_A), (_who, body, w) => same('relations', idsOf({ data: rec(body).relations }, 'profileId'), [w.custA])),
    get('vehicle of B’s customer', () => `/api/v1/vehicles/${VIN_B}`, only(SEES_B)),
    get('vehicle resold from A’s to B’s customer', () => `/api/v1/vehicles/${VIN_SHARED}`, only([...SEES_A, ...SEES_B]), (who, body, w) =>
      same('relations', idsOf({ data: rec(body).relations }, 'profileId'), [...(SEES_A.includes(who) ? [w.custA] : []), ...(SEES_B.includes(who) ? [w.custB] : [])].sort()),
    ),
    { name: 'update B’s customer’s vehicle', method: 'PUT', url: () => `/api/v1/vehicles/${VIN_B}`, body: () => ({ series: '唐' }), expect: writers(SEES_B) },
    { name: 'create a new vehicle', method: 'PUT', url: () => `/api/v1/vehicles/${VIN_NEW}`, body: () => ({ series: '宋' }), expect: { ...only(ALL_STAFF.filter((s) => s !== 'analyst')), analyst: 403 } },
    {
      name: 'relate A’s customer to their vehicle',
      method: 'POST',
      url: () => `/api/v1/vehicles/${VIN_A}/relations`,
      body: (w) => ({ profileId: w.custA, role: 'driver', validFrom: '2026-01-01T00:00:00Z' }),
      expect: writers(SEES_A),
    },
    {
      name: 'relate B’s customer to A’s customer’s vehicle',
      method: 'POST',
      url: () => `/api/v1/vehicles/${VIN_A}/relations`,
      body: (w) => ({ profileId: w.custB, role: 'driver', validFrom: '2026-01-01T00:00:00Z' }),
      // managerB sees B's customer but not the vehicle; no dealer staff sees both.
      expect: { ...deniedBut([]), ...only(OPS, 'ok', 404), analyst: 403 },
    },
    {
      name: 'end B’s customer’s ownership',
      method: 'POST',
      url: (w) => `/api/v1/vehicles/${VIN_B}/relations/${w.relationB}/end`,
      body: () => ({}),
      expect: { managerA: 404, advisorA: 404, consultantA1: 404, consultantB1: 404, analyst: 403 },
    },

    // --- households -----------------------------------------------------------------------------
    get('household of A’s customer', (w) => `/api/v1/households?profileId=${w.custA}`, only(SEES_A), (who, body, w) =>
      all(same('members', idsOf({ data: data(body)[0]?.members }, 'profileId'), [w.custA, ...(SEES_B.includes(who) ? [w.custB] : [])].sort()), noLeak(who, body)),
    ),
    get('household of A’s and B’s customers', (w) => `/api/v1/households/${w.householdMixed}`, only([...SEES_A, ...SEES_B]), (who, body, w) =>
      same('members', idsOf({ data: rec(body).members }, 'profileId'), [...(SEES_A.includes(who) ? [w.custA] : []), ...(SEES_B.includes(who) ? [w.custB] : [])].sort()),
    ),
    get('household of B’s customer', (w) => `/api/v1/households/${w.householdB}`, only(SEES_B)),
    {
      name: 'create a household with B’s customer (already in one: 409 once in scope)',
      method: 'POST',
      url: () => '/api/v1/households',
      body: (w) => ({ members: [{ profileId: w.custB }] }),
      expect: { ...only(SEES_B, 409), analyst: 403 },
    },
    {
      name: 'add the WeCom friend to the mixed household',
      method: 'POST',
      url: (w) => `/api/v1/households/${w.householdMixed}/members`,
      body: (w) => ({ profileId: w.friend, relation: 'friend' }),
      // consultantA1 sees the friend but no member of the household.
      expect: { ...writers(SEES_A), consultantA1: 404 },
    },
    {
      name: 'remove B’s customer from their household',
      method: 'DELETE',
      url: (w) => `/api/v1/households/${w.householdB}/members/${w.custB2}`,
      expect: writers(SEES_B),
    },

    // --- tags -----------------------------------------------------------------------------------
    get('tag groups', () => '/api/v1/tag-groups', only([...ALL_STAFF])),
    get('tags', () => '/api/v1/tags', only([...ALL_STAFF])),
    get('a tag (memberCount tenant-wide)', (w) => `/api/v1/tags/${w.tag}`, only([...ALL_STAFF]), (_who, body) => same('memberCount', rec(body).memberCount, 3)),
    get('a tag’s history', (w) => `/api/v1/tags/${w.tag}/history`, only([...ALL_STAFF]), (who, body, w) =>
      same('profiles', [...new Set(idsOf(body, 'profileId'))], visible(w, who).filter((id) => id !== w.custB2)),
    ),
    get('tags of B’s customer', (w) => `/api/v1/profiles/${w.custB}/tags`, only(SEES_B)),
    get('tag history of the WeCom friend', (w) => `/api/v1/profiles/${w.friend}/tags/history`, only(SEES_FRIEND)),
    { name: 'create a tag group', method: 'POST', url: () => '/api/v1/tag-groups', body: () => ({ name: '新分组' }), expect: roles(OPS) },
    { name: 'change a tag', method: 'PUT', url: (w) => `/api/v1/tags/${w.tag}`, body: () => ({ description: '到店客户' }), expect: roles(OPS) },
    { name: 'apply a tag', method: 'POST', url: (w) => `/api/v1/tags/${w.tag}/apply`, body: (w) => ({ profileIds: [w.custA] }), expect: roles(OPS) },
    { name: 'remove a tag', method: 'POST', url: (w) => `/api/v1/tags/${w.tag}/remove`, body: (w) => ({ profileIds: [w.custB2] }), expect: roles(OPS) },
    { name: 'queue a tag for a segment', method: 'POST', url: (w) => `/api/v1/tags/${w.tag}/apply`, body: (w) => ({ segmentId: w.segment }), expect: roles(OPS) },
    get('a bulk tag operation', (w) => `/api/v1/operations/${w.operation}`, roles(OPS)),
    { name: 'delete a tag', method: 'DELETE', url: (w) => `/api/v1/tags/${w.tag}`, expect: deniedBut(OPS) },
    { name: 'delete a tag group', method: 'DELETE', url: (w) => `/api/v1/tag-groups/${w.tagGroup}`, expect: deniedBut(OPS) },

    // --- segments -------------------------------------------------------------------------------
    get('segments', () => '/api/v1/segments', only([...ALL_STAFF])),
    get('a segment (memberCount tenant-wide)', (w) => `/api/v1/segments/${w.segment}`, only([...ALL_STAFF]), (_who, body) => same('memberCount', rec(body).memberCount, 4)),
    get('segment members', (w) => `/api/v1/segments/${w.segment}/members`, only([...ALL_STAFF]), (who, body, w) => same('members', idsOf(body, 'profileId'), visible(w, who))),
    get('segment changes', (w) => `/api/v1/segments/${w.segment}/changes`, only([...ALL_STAFF]), (who, body, w) => same('profiles', idsOf(body, 'profileId'), visible(w, who))),
    get('segment counts', (w) => `/api/v1/segments/${w.segment}/counts?from=2020-01-01&to=2030-01-01`, roles(HQ)),
    {
      name: 'preview a segment',
      method: 'POST',
      url: () => '/api/v1/segments/preview',
      body: () => ({ definition: { condition: { type: 'trait', trait: 'name', op: 'exists' } } }),
      expect: roles(HQ),
      check: (who, body) =>
        who === 'analyst'
          ? all(same('sample names', (rec(body).sample as unknown[]).map((s) => rec(rec(s).traits).name).sort(), ['张*', '李*', '王**', '赵*']), noLeak(who, body))
          : null,
    },
    {
      name: 'save a segment',
      method: 'POST',
      url: () => '/api/v1/segments',
      body: () => ({ name: '有电话', definition: { condition: { type: 'trait', trait: 'phone', op: 'exists' } } }),
      expect: roles(OPS),
    },
    { name: 'change a segment', method: 'PUT', url: (w) => `/api/v1/segments/${w.segment}`, body: () => ({ description: '有姓名' }), expect: roles(OPS) },
    { name: 'delete a segment', method: 'DELETE', url: (w) => `/api/v1/segments/${w.segment}`, expect: deniedBut(OPS) },

    // --- stages ---------------------------------------------------------------------------------
    get('stage models', () => '/api/v1/stage-models', only([...ALL_STAFF])),
    get('a stage model', () => '/api/v1/stage-models/five_a', only([...ALL_STAFF])),
    { name: 'install a preset', method: 'POST', url: () => '/api/v1/stage-models/presets/aarrr', expect: roles(OPS) },
    { name: 'delete a stage model', method: 'DELETE', url: () => '/api/v1/stage-models/aarrr', expect: deniedBut(OPS) },
    get('stages of A’s customer', (w) => `/api/v1/profiles/${w.custA}/stages`, only(SEES_A)),
    get('stage history of B’s customer', (w) => `/api/v1/profiles/${w.custB}/stages/history`, only(SEES_B)),

    // --- analytics: HQ roles (after the stage models exist) ----------------------------------
    get('analytics stages', () => '/api/v1/analytics/stages', roles(HQ)),
    get('analytics funnel', () => '/api/v1/analytics/funnel?from=2020-01-01T00:00:00Z', roles(HQ)),
    get('analytics stage flows', () => '/api/v1/analytics/stage-flows?from=2020-01-01T00:00:00Z', roles(HQ)),
    get('analytics reachable pool', () => '/api/v1/analytics/reachable-pool', roles(HQ)),

    // --- erasure and split: admin, hq_ops -------------------------------------------------------
    { name: 'erase B’s customer', method: 'DELETE', url: (w) => `/api/v1/profiles/${w.custB}`, expect: deniedBut(OPS) },
    {
      name: 'split B’s customer',
      method: 'POST',
      url: (w) => `/api/v1/profiles/${w.custB}/split`,
      body: () => ({ identifiers: [{ type: 'phone', value: '13598765432' }] }),
      expect: { ...deniedBut(OPS), hqOps: 'ok' },
    },
  ];
}

describe.each(testEngines)('data scope on the existing management API on %s', (engine) => {
  const fx = useAppFixture(engine);
  const admin = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) => adminRequest(fx.app, fx.tenant, method, url, payload);
  const ok = async <T>(res: Promise<{ statusCode: number; body: string }>): Promise<T> => {
    const r = await res;
    if (r.statusCode >= 300) throw new Error(`${r.statusCode} ${r.body}`);
    return JSON.parse(r.body) as T;
  };
  const holder = async (value: string) =>
    (await fx.store.db.selectFrom('profile_identifiers').select('profile_id').where('tenant_id', '=', fx.tenant.tenantId).where('value', '=', value).executeTakeFirstOrThrow()).profile_id;

  /** Customers of A, of B and a WeCom friend of consultant A1, with what the endpoints read about them. */
  async function seedWorld(net: Network): Promise<World> {
    const tenantId = fx.tenant.tenantId;
    let n = 0;
    const msg = () => `iso-${(n += 1)}`;
    const identify = (userId: string, traits: Record<string, unknown>) => ({ type: 'identify', userId, traits, messageId: msg() });
    // Two profiles first, then the event that merges them (A's customer keeps an identity log entry).
    expect((await sendBatch(fx.app, fx.tenant, [identify('cust-a-001', { name: '王小明' }), { type: 'identify', anonymousId: 'anon-a-001', traits: {}, messageId: msg() }])).statusCode).toBe(200);
    await resolveQueued(fx.store, tenantId);
    const batch = await sendBatch(fx.app, fx.tenant, [
      { ...identify('cust-a-001', { name: '王小明', phone: '+8613412341234', email: 'wang@example.com' }), anonymousId: 'anon-a-001' },
      identify('cust-b-001', { name: '李四', phone: '13598765432' }),
      identify('cust-b-002', { name: '赵六', phone: '13655556666' }),
      identify('cust-f-001', { name: '张三', phone: '13711112222' }),
      { type: 'track', userId: 'cust-f-001', event: 'WeCom Contact Added', properties: { staffUserId: 'wa1' }, messageId: msg() },
    ]);
    expect(batch.statusCode, batch.body).toBe(200);
    await resolveQueued(fx.store, tenantId);
    const [custA, custB, custB2, friend] = await Promise.all(['cust-a-001', 'cust-b-001', 'cust-b-002', 'cust-f-001'].map(holder));
    const merged = await fx.store.db.selectFrom('profiles').select('id').where('tenant_id', '=', tenantId).where('merged_into', '=', custA!).execute();
    expect(merged).toHaveLength(1);

    // Dealer links (leads and orders make them; written directly here) and the friend's rollup.
    const since = new Date('2026-01-01T00:00:00Z');
    await fx.store.db
      .insertInto('customer_links')
      .values([
        { tenant_id: tenantId, profile_id: custA!, org_unit_id: net.units.dealerA.id, reason: 'manual', since },
        { tenant_id: tenantId, profile_id: custB!, org_unit_id: net.units.dealerB.id, reason: 'manual', since },
        { tenant_id: tenantId, profile_id: custB2!, org_unit_id: net.units.teamB.id, reason: 'manual', since },
      ])
      .execute();
    await fx.store.db.transaction().execute((trx) => refreshRollupsFor(trx, tenantId, [friend!], new Date()));
    const rollup = await fx.store.db.selectFrom('profile_rollups').select('wecom_staff').where('tenant_id', '=', tenantId).where('profile_id', '=', friend!).executeTakeFirstOrThrow();
    expect(rollup.wecom_staff).toEqual(['wa1']);

    for (const vin of [VIN_A, VIN_B, VIN_SHARED]) await ok(admin('PUT', `/api/v1/vehicles/${vin}`, { series: '汉' }));
    await ok(admin('POST', `/api/v1/vehicles/${VIN_A}/relations`, { profileId: custA, role: 'owner', validFrom: '2025-01-01T00:00:00Z' }));
    const relationB = await ok<{ id: string }>(admin('POST', `/api/v1/vehicles/${VIN_B}/relations`, { profileId: custB, role: 'owner', validFrom: '2025-01-01T00:00:00Z' }));
    await ok(admin('POST', `/api/v1/vehicles/${VIN_SHARED}/relations`, { profileId: custA, role: 'owner', validFrom: '2024-01-01T00:00:00Z' }));
    await ok(admin('POST', `/api/v1/vehicles/${VIN_SHARED}/relations`, { profileId: custB, role: 'owner', validFrom: '2025-06-01T00:00:00Z' }));

    const householdMixed = await ok<{ id: string }>(admin('POST', '/api/v1/households', { name: '王家', members: [{ profileId: custA, relation: 'self' }, { profileId: custB }] }));
    const householdB = await ok<{ id: string }>(admin('POST', '/api/v1/households', { members: [{ profileId: custB2 }] }));
    for (const id of [custA, custB]) await ok(admin('POST', `/api/v1/profiles/${id}/consents`, { channel: 'sms', purpose: 'marketing', state: 'granted', at: '2026-01-01T00:00:00Z' }));

    const group = await ok<{ id: string }>(admin('POST', '/api/v1/tag-groups', { name: '到店' }));
    const tag = await ok<{ id: string }>(admin('POST', '/api/v1/tags', { groupId: group.id, name: '已到店', kind: 'manual' }));
    await ok(admin('POST', `/api/v1/tags/${tag.id}/apply`, { profileIds: [custA, custB, friend] }));
    const segment = await ok<{ id: string }>(admin('POST', '/api/v1/segments', { name: '有姓名', definition: { condition: { type: 'trait', trait: 'name', op: 'exists' } } }));
    // What the materialise job does after a save.
    await materializeSegment({ db: fx.store.db, clock: systemClock }, tenantId, segment.id);
    // Queued, not run: no worker runs here, so the tag's holders stay as they are.
    const operation = await ok<{ id: string }>(admin('POST', `/api/v1/tags/${tag.id}/remove`, { segmentId: segment.id }));
    return {
      custA: custA!,
      mergedA: merged[0]!.id,
      custB: custB!,
      custB2: custB2!,
      friend: friend!,
      householdMixed: householdMixed.id,
      householdB: householdB.id,
      relationB: relationB.id,
      tagGroup: group.id,
      tag: tag.id,
      segment: segment.id,
      operation: operation.id,
    };
  }

  it('every endpoint answers each role within its scope, masked for analysts', async () => {
    const net = await seedNetwork(fx.app, fx.tenant);
    const world = await seedWorld(net);
    expect(await runIsolationCases(fx.app, net, world, cases())).toEqual([]);

    // The split by hq_ops was audited with the moved identifier count and the new profile.
    const audit = await fx.store.db
      .selectFrom('audit_log')
      .select(['actor', 'target_id', 'details'])
      .where('tenant_id', '=', fx.tenant.tenantId)
      .where('action', '=', 'profile.split')
      .execute();
    const split = await fx.store.db.selectFrom('identity_log').select('profile_after').where('tenant_id', '=', fx.tenant.tenantId).where('kind', '=', 'split').executeTakeFirstOrThrow();
    expect(audit).toEqual([{ actor: `staff:${net.staff.hqOps.id}`, target_id: world.custB, details: { newProfileId: split.profile_after, identifiers: 1, eventsMoved: 0 } }]);
  });

  it('out of scope answers exactly like an unknown id, and never names a merged id’s survivor', async () => {
    const net = await seedNetwork(fx.app, fx.tenant);
    const w = await seedWorld(net);
    const unknown = randomUUID();
    const as = (who: StaffName, method: 'GET' | 'POST', url: string, payload?: unknown) => asStaff(fx.app, net.staff[who].token, method, url, payload);
    const pairs: Array<[StaffName, string, string, 'GET' | 'POST', unknown?]> = [
      ['managerB', `/api/v1/profiles/${w.custA}`, `/api/v1/profiles/${unknown}`, 'GET'],
      ['managerB', `/api/v1/profiles/${w.mergedA}`, `/api/v1/profiles/${unknown}`, 'GET'],
      ['consultantA1', `/api/v1/profiles/${w.custA}/events`, `/api/v1/profiles/${unknown}/events`, 'GET'],
      ['managerB', `/api/v1/profiles/${w.custA}/consents`, `/api/v1/profiles/${unknown}/consents`, 'POST', { channel: 'sms', purpose: 'marketing', state: 'denied' }],
      ['managerA', `/api/v1/households/${w.householdB}`, `/api/v1/households/${unknown}`, 'GET'],
      ['managerA', `/api/v1/profiles/${w.custB}/tags`, `/api/v1/profiles/${unknown}/tags`, 'GET'],
    ];
    for (const [who, hidden, missing, method, body] of pairs) {
      const a = await as(who, method, hidden, body);
      const b = await as(who, method, missing, body);
      const hiddenId = hidden.split('/')[4]!;
      expect([a.statusCode, a.body.replaceAll(hiddenId, unknown)], hidden).toEqual([404, b.body]);
      expect(b.statusCode).toBe(404);
    }
    // A merged-away id: 308 with the survivor for A's manager only.
    const redirect = await as('managerA', 'GET', `/api/v1/profiles/${w.mergedA}`);
    expect([redirect.statusCode, redirect.headers.location]).toEqual([308, `/api/v1/profiles/${w.custA}`]);
    expect((await as('managerB', 'GET', `/api/v1/profiles/${w.mergedA}`)).body).not.toContain(w.custA);
    // Lookup and search never find B's customer for A's staff.
    const lookup = await as('managerA', 'GET', '/api/v1/profiles/lookup?type=phone&value=13598765432');
    const lookupMissing = await as('managerA', 'GET', '/api/v1/profiles/lookup?type=phone&value=13500000000');
    expect([lookup.statusCode, lookup.body.replaceAll('+8613598765432', '+8613500000000')]).toEqual([lookupMissing.statusCode, lookupMissing.body]);
    expect(json(await as('consultantB1', 'GET', '/api/v1/profiles?q=cust-a-001'))).toEqual({ data: [], nextCursor: null });
  });
});
