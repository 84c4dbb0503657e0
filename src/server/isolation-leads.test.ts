import { describe, expect, it } from 'vitest';
import { json, useAppFixture } from '../testing/app.js';
import { testEngines } from '../testing/engines.js';
import { adminRequest } from '../testing/identity.js';
import { ALL_STAFF, only, runIsolationCases, type IsolationCase } from '../testing/isolation.js';
import { asStaff, seedNetwork, type Network, type StaffName } from '../testing/org.js';

/**
 * Data scopes on the issue-5 endpoints (leads, pool, funnel, follow-ups, defeat requests, orders,
 * after-sales, KPIs, exports): dealer A's staff never see or change dealer B's records, a consultant
 * never another consultant's leads, analysts read masked and never write.
 */

interface World {
  leadA1: string;
  leadA3: string;
  leadA2: string;
  leadB1: string;
  personA1: string;
  personB1: string;
  defeatA1: string;
  orderA1: string;
  orderB1: string;
  consultantA2: string;
}

const HQ: StaffName[] = ['admin', 'hqOps', 'analyst'];
const DEALER_A: StaffName[] = ['managerA', 'advisorA'];

function ids(body: unknown): string[] {
  const data = (body as { data?: Array<{ id: string }> }).data ?? [];
  return data.map((d) => d.id).sort();
}

function cases(): IsolationCase<World>[] {
  const readLeadA1 = [...HQ, ...DEALER_A, 'consultantA1'] as StaffName[];
  return [
    {
      name: "A1's lead",
      method: 'GET',
      url: (w) => `/api/v1/leads/${w.leadA1}`,
      expect: only(readLeadA1),
      check: (who, body) => {
        const lead = body as { name: string | null; phone: string | null };
        if (who === 'analyst') return lead.name === '李*' && lead.phone === '139****0001' ? null : `analyst saw ${lead.name} ${lead.phone}`;
        return lead.name === '李雷' && lead.phone === '+8613900000001' ? null : `saw ${lead.name} ${lead.phone}`;
      },
    },
    {
      name: 'lead list',
      method: 'GET',
      url: () => '/api/v1/leads',
      otherwise: 'ok',
      expect: {},
      check: (who, body, w) => {
        const want: Record<StaffName, string[]> = {
          admin: [w.leadA1, w.leadA2, w.leadA3, w.leadB1],
          hqOps: [w.leadA1, w.leadA2, w.leadA3, w.leadB1],
          analyst: [w.leadA1, w.leadA2, w.leadA3, w.leadB1],
          managerA: [w.leadA1, w.leadA2, w.leadA3],
          advisorA: [w.leadA1, w.leadA2, w.leadA3],
          consultantA1: [w.leadA1, w.leadA3],
          consultantA2: [w.leadA2],
          managerB: [w.leadB1],
          consultantB1: [w.leadB1],
        };
        const got = ids(body);
        return JSON.stringify(got) === JSON.stringify(want[who].sort()) ? null : `saw ${got.join(',')}`;
      },
    },
    {
      name: "re-sending A1's lead (same source and externalId)",
      method: 'POST',
      url: () => '/api/v1/leads',
      body: () => ({ source: 'website', externalId: 'f-13900000001', phone: '13900000001', createdAt: '2026-11-20T01:00:00Z' }),
      expect: { managerB: 404, consultantB1: 404, consultantA2: 404, analyst: 403 },
      check: () => 'must not answer',
    },
    { name: "A1's lead transitions", method: 'GET', url: (w) => `/api/v1/leads/${w.leadA1}/transitions`, expect: only(readLeadA1) },
    { name: "A1's lead follow-ups", method: 'GET', url: (w) => `/api/v1/leads/${w.leadA1}/follow-ups`, expect: only(readLeadA1) },
    {
      name: "a follow-up on A1's lead",
      method: 'POST',
      url: (w) => `/api/v1/leads/${w.leadA1}/follow-ups`,
      body: () => ({ kind: 'call', note: '电话沟通' }),
      expect: { ...only(['admin', 'hqOps', ...DEALER_A, 'consultantA1']), analyst: 403 },
    },
    {
      name: "moving A1's lead to invited",
      method: 'POST',
      url: (w) => `/api/v1/leads/${w.leadA1}/transitions`,
      body: () => ({ to: 'invited' }),
      expect: { ...only(['admin', 'hqOps', ...DEALER_A, 'consultantA1']), analyst: 403 },
    },
    {
      name: "assigning B's lead",
      method: 'POST',
      url: (w) => `/api/v1/leads/${w.leadB1}/assign`,
      body: (w) => ({ consultantId: w.consultantA2 }),
      expect: { managerA: 404, consultantA1: 403, consultantA2: 403, analyst: 403, advisorA: 403 },
    },
    { name: "A1's defeat request", method: 'GET', url: (w) => `/api/v1/defeat-requests/${w.defeatA1}`, expect: only(readLeadA1) },
    {
      name: "approving A1's defeat request",
      method: 'POST',
      url: (w) => `/api/v1/defeat-requests/${w.defeatA1}/approve`,
      body: () => ({ note: '同意' }),
      expect: { managerB: 404, consultantB1: 403, consultantA2: 403, analyst: 403, managerA: 'ok' },
    },
    { name: "A's order", method: 'GET', url: (w) => `/api/v1/orders/${w.orderA1}`, expect: only(readLeadA1) },
    { name: "B's order", method: 'GET', url: (w) => `/api/v1/orders/${w.orderB1}`, expect: only([...HQ, 'managerB', 'consultantB1']) },
    {
      name: 'order list',
      method: 'GET',
      url: () => '/api/v1/orders',
      otherwise: 'ok',
      expect: {},
      check: (who, body, w) => {
        const nos = ((body as { data: Array<{ orderNo: string }> }).data ?? []).map((o) => o.orderNo).sort();
        const a = [w.orderA1];
        const b = [w.orderB1];
        const want: Record<StaffName, string[]> = {
          admin: [...a, ...b].sort(),
          hqOps: [...a, ...b].sort(),
          analyst: [...a, ...b].sort(),
          managerA: a,
          advisorA: a,
          consultantA1: a,
          consultantA2: [],
          managerB: b,
          consultantB1: b,
        };
        return JSON.stringify(nos) === JSON.stringify(want[who]) ? null : `saw ${nos.join(',')}`;
      },
    },
    {
      name: "after-sales for B's customer",
      method: 'POST',
      url: () => '/api/v1/after-sales',
      body: (w) => ({ profileId: w.personB1, kind: 'repair', amountFen: 10000, at: '2026-11-20T02:00:00Z', externalId: 'AS-B-1', dealerCode: 'HZ001' }),
      expect: { advisorA: 404, managerA: 404, consultantA1: 404, analyst: 403 },
    },
    { name: "person of A1's lead", method: 'GET', url: (w) => `/api/v1/profiles/${w.personA1}`, expect: only(readLeadA1) },
    { name: "person of B1's lead", method: 'GET', url: (w) => `/api/v1/profiles/${w.personB1}`, expect: only([...HQ, 'managerB', 'consultantB1']) },
    { name: "person of A1's second lead (ordered)", method: 'GET', url: (w) => `/api/v1/leads/${w.leadA3}`, expect: only(readLeadA1) },
    { name: "LTV of A1's person", method: 'GET', url: (w) => `/api/v1/profiles/${w.personA1}/ltv`, expect: only(readLeadA1) },
    {
      name: "KPIs of dealer B",
      method: 'GET',
      url: () => '/api/v1/kpis/leads?from=2026-11-01&orgUnitCode=HZ001',
      expect: { ...only([...HQ, 'managerB']), consultantB1: 'ok' },
    },
    { name: "KPIs of consultant A2", method: 'GET', url: (w) => `/api/v1/kpis/leads?from=2026-11-01&consultantId=${w.consultantA2}`, expect: only([...HQ, 'managerA', 'advisorA', 'consultantA2']) },
    {
      name: 'lead export',
      method: 'GET',
      url: () => '/api/v1/exports/leads.csv',
      expect: { admin: 'ok', hqOps: 'ok', analyst: 'ok', managerA: 'ok', managerB: 'ok', consultantA1: 403, advisorA: 403, consultantB1: 403 },
      check: (who, body) => {
        const text = String(body);
        const lines = text.trim().split('\n').length - 1;
        const want = who === 'managerA' ? 3 : who === 'managerB' ? 1 : 4;
        if (lines !== want) return `exported ${lines} rows`;
        if (who === 'analyst' && (text.includes('李雷') || text.includes('13900000001'))) return 'analyst export carries PII';
        return null;
      },
    },
  ];
}

describe.each(testEngines)('data scopes on leads, funnel, orders, KPIs and exports (%s)', (engine) => {
  const fx = useAppFixture(engine);

  async function world(net: Network): Promise<World> {
    const post = async (url: string, body: unknown, token = fx.tenant.adminToken) => {
      const res = await asStaff(fx.app, token, 'POST', url, body);
      if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
      return json(res) as Record<string, unknown>;
    };
    const lead = async (phone: string, name: string, dealerCode: string, consultant: string) =>
      post('/api/v1/leads', { source: 'website', externalId: `f-${phone}`, name, phone, city: dealerCode === 'SH001' ? '上海' : '杭州', series: 'X5', dealerCode, consultant, createdAt: '2026-11-20T01:00:00Z' });
    const a1 = await lead('13900000001', '李雷', 'SH001', net.staff.consultantA1.username);
    const a2 = await lead('13900000002', '韩梅梅', 'SH001', net.staff.consultantA2.username);
    const a3 = await lead('13900000004', '林涛', 'SH001', net.staff.consultantA1.username);
    const b1 = await lead('13900000003', '王强', 'HZ001', net.staff.consultantB1.username);
    for (const [l, who] of [[a1, 'consultantA1'], [a2, 'consultantA2'], [b1, 'consultantB1']] as const) {
      if (l['consultantId'] !== net.staff[who].id) throw new Error(`lead not assigned to ${who}: ${JSON.stringify(l)}`);
    }
    const defeatA1 = await post(`/api/v1/leads/${String(a1['id'])}/defeat-requests`, { reasonCode: 'postponed', remark: '明年再买' }, net.staff.consultantA1.token);
    await post('/api/v1/orders', { orderNo: 'SO-A-1', leadId: a3['id'], series: 'X5', amountFen: 35_000_000, orderedAt: '2026-11-21T02:00:00Z' });
    await post('/api/v1/orders', { orderNo: 'SO-B-1', leadId: b1['id'], series: 'X5', amountFen: 36_000_000, orderedAt: '2026-11-21T03:00:00Z' });
    return {
      leadA1: String(a1['id']),
      leadA2: String(a2['id']),
      leadA3: String(a3['id']),
      leadB1: String(b1['id']),
      personA1: String(a1['profileId']),
      personB1: String(b1['profileId']),
      defeatA1: String(defeatA1['id']),
      orderA1: 'SO-A-1',
      orderB1: 'SO-B-1',
      consultantA2: net.staff.consultantA2.id,
    };
  }

  it('keeps every staff member inside their slice', async () => {
    const net = await seedNetwork(fx.app, fx.tenant);
    const w = await world(net);
    expect(await runIsolationCases(fx.app, net, w, cases())).toEqual([]);
    // What the allowed writes did, and nothing else.
    const transitions = json(await adminRequest(fx.app, fx.tenant, 'GET', `/api/v1/leads/${w.leadB1}/transitions`)) as { data: Array<{ to: string }> };
    expect(transitions.data.map((t) => t.to)).not.toContain('invited');
    const b = json(await adminRequest(fx.app, fx.tenant, 'GET', `/api/v1/leads/${w.leadB1}`)) as { consultantId: string };
    expect(b.consultantId).toBe(net.staff.consultantB1.id);
    const afterSales = await fx.store.db.selectFrom('after_sales').select('id').where('tenant_id', '=', fx.tenant.tenantId).execute();
    expect(afterSales).toEqual([]);
    const exports = json(await adminRequest(fx.app, fx.tenant, 'GET', '/api/v1/audit-log?action=leads.export')) as { data: Array<{ actor: string }> };
    expect(exports.data.map((e) => e.actor).sort()).toEqual(
      (['admin', 'hqOps', 'analyst', 'managerA', 'managerB'] as const).map((s) => `staff:${net.staff[s].id}`).sort(),
    );
    expect(ALL_STAFF).toHaveLength(9);
  });
});
