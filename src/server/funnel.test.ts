import { describe, expect, it } from 'vitest';
import { countRows, insertLead, leadRow, person, transitionRows } from '../modules/leads/funnel.test-helpers.js';
import { ManualClock } from '../platform/clock.js';
import { json, useAppFixture } from '../testing/app.js';
import { testEngines } from '../testing/engines.js';
import { adminRequest } from '../testing/identity.js';
import { asStaff, seedNetwork, type Network, type StaffName } from '../testing/org.js';

const NOW = new Date('2026-03-10T02:00:00.000Z');
const CREATED = new Date('2026-03-01T01:00:00.000Z');
const ALL = ['new', 'assigned', 'contacted', 'invited', 'visited', 'test_drive', 'ordered', 'invoiced', 'delivered', 'defeated', 'invalid'];
/** What a manager may set by hand from each status (written out, not computed: this is the rule under test). */
const ALLOWED: Record<string, string[]> = {
  new: ['invalid'],
  assigned: ['contacted', 'invited', 'visited', 'test_drive', 'invalid'],
  contacted: ['invited', 'visited', 'test_drive', 'invalid'],
  invited: ['visited', 'test_drive', 'invalid'],
  visited: ['test_drive', 'invalid'],
  test_drive: ['invalid'],
  ordered: [],
  invoiced: [],
  delivered: [],
};

type Method = 'GET' | 'POST';
interface ErrorBody {
  error: { code: string; message: string; details: unknown };
}

describe.each(testEngines)('funnel API on %s', (engine) => {
  const clock = new ManualClock(NOW);
  const fx = useAppFixture(engine, { clock });
  const t = () => fx.tenant.tenantId;
  const as = async (who: StaffName | 'token', net: Network | null, method: Method, url: string, payload?: unknown) => {
    const res = who === 'token' || !net ? await adminRequest(fx.app, fx.tenant, method, url, payload) : await asStaff(fx.app, net.staff[who].token, method, url, payload);
    return { status: res.statusCode, body: json(res) };
  };
  async function setup() {
    clock.set(NOW);
    const net = await seedNetwork(fx.app, fx.tenant);
    const profileId = await person(fx.app, fx.store, fx.tenant, `buyer-${Math.random()}`, { name: '王小明' });
    const lead = (status = 'assigned', consultant: StaffName | null = 'consultantA1') =>
      insertLead(fx.store, t(), { profileId, dealerId: net.units.dealerA.id, consultantId: consultant ? net.staff[consultant].id : null, status, createdAt: CREATED });
    return { net, profileId, lead, actor: (who: StaffName) => `staff:${net.staff[who].id}` };
  }

  it('allows exactly the documented moves from every status; anything else is 409 listing them', async () => {
    const { net, lead } = await setup();
    for (const from of Object.keys(ALLOWED)) {
      const id = await lead(from);
      for (const to of ALL) {
        if (to === from || ALLOWED[from]?.includes(to)) continue;
        const res = await as('managerA', net, 'POST', `/api/v1/leads/${id}/transitions`, { to, ...(to === 'invalid' ? { reason: 'no_intent' } : {}) });
        expect(res.status, `${from} → ${to}`).toBe(409);
        expect((res.body as ErrorBody).error).toMatchObject({ code: 'invalid_transition', details: { from, to, allowed: ALLOWED[from] } });
      }
      for (const to of ALLOWED[from] ?? []) {
        const fresh = await lead(from);
        const res = await as('managerA', net, 'POST', `/api/v1/leads/${fresh}/transitions`, { to, ...(to === 'invalid' ? { reason: 'unreachable' } : {}) });
        expect(res.status, `${from} → ${to}: ${JSON.stringify(res.body)}`).toBe(200);
        expect(res.body).toMatchObject({ changed: true, lead: { id: fresh, status: to }, transition: { from, to, actor: `staff:${net.staff.managerA.id}` } });
      }
    }
    const defeated = await as('managerA', net, 'POST', `/api/v1/leads/${await lead('visited')}/transitions`, { to: 'defeated' });
    expect(defeated.status).toBe(409);
    expect((defeated.body as ErrorBody).error.message).toContain('defeat request');
  });

  it('allowed-transitions lists exactly what a move would accept, per status and role', async () => {
    const { net, lead } = await setup();
    for (const from of Object.keys(ALLOWED)) {
      const id = await lead(from);
      const res = await as('managerA', net, 'GET', `/api/v1/leads/${id}/allowed-transitions`);
      expect(res, from).toEqual({ status: 200, body: { from, allowed: ALLOWED[from], defeatable: ['new', 'assigned', 'contacted', 'invited', 'visited', 'test_drive'].includes(from) } });
    }
    // A closed lead: its manager may reopen it to where it was, its consultant may not move it.
    const closed = await lead('visited');
    expect((await as('managerA', net, 'POST', `/api/v1/leads/${closed}/transitions`, { to: 'invalid', reason: 'no_intent' })).status).toBe(200);
    expect((await as('managerA', net, 'GET', `/api/v1/leads/${closed}/allowed-transitions`)).body).toEqual({ from: 'invalid', allowed: ['visited'], defeatable: false });
    expect((await as('consultantA1', net, 'GET', `/api/v1/leads/${closed}/allowed-transitions`)).body).toEqual({ from: 'invalid', allowed: [], defeatable: false });
    // Analysts read but never write; another dealer's manager does not see the lead at all.
    const open = await lead('contacted');
    expect((await as('analyst', net, 'GET', `/api/v1/leads/${open}/allowed-transitions`)).body).toEqual({ from: 'contacted', allowed: [], defeatable: false });
    expect((await as('managerB', net, 'GET', `/api/v1/leads/${open}/allowed-transitions`)).status).toBe(404);
  });

  it('allowed-transitions offers a defeat request only when POST …/defeat-requests would file one', async () => {
    const { net, lead } = await setup();
    const id = await lead('invited');
    const allowedFor = async (who: StaffName) => as(who, net, 'GET', `/api/v1/leads/${id}/allowed-transitions`);
    expect((await allowedFor('consultantA1')).body).toMatchObject({ from: 'invited', defeatable: true });
    // A service advisor may move the lead but not ask for its defeat (403 there).
    const advisor = await allowedFor('advisorA');
    expect(advisor).toMatchObject({ status: 200, body: { defeatable: false } });
    expect((await as('advisorA', net, 'POST', `/api/v1/leads/${id}/defeat-requests`, { reasonCode: 'price', remark: '嫌贵' })).status).toBe(403);
    // One pending request per lead: another would be a 409.
    expect((await as('consultantA1', net, 'POST', `/api/v1/leads/${id}/defeat-requests`, { reasonCode: 'price', remark: '嫌贵' })).status).toBe(201);
    expect((await allowedFor('consultantA1')).body).toMatchObject({ from: 'invited', defeatable: false });
    expect((await allowedFor('managerA')).body).toMatchObject({ from: 'invited', defeatable: false });
  });

  it('a forward move sets its milestone and the implied ones once, keeps time and actor, and repeats as a no-op', async () => {
    const { net, lead, actor } = await setup();
    const id = await lead('assigned');
    const at = '2026-03-02T03:00:00.000Z';
    const res = await as('consultantA1', net, 'POST', `/api/v1/leads/${id}/transitions`, { to: 'test_drive', at, remark: '试驾汉EV' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      changed: true,
      lead: {
        status: 'test_drive',
        milestones: { firstFollowUpAt: at, contactedAt: at, invitedAt: null, visitedAt: at, testDriveAt: at, orderedAt: null, closedAt: null },
      },
      transition: { from: 'assigned', to: 'test_drive', at, actor: actor('consultantA1'), reason: null, remark: '试驾汉EV' },
    });
    const again = await as('consultantA1', net, 'POST', `/api/v1/leads/${id}/transitions`, { to: 'test_drive' });
    expect(again).toMatchObject({ status: 200, body: { changed: false, transition: null, lead: { status: 'test_drive' } } });
    expect(await transitionRows(fx.store, t(), id)).toEqual([
      { from_status: 'assigned', to_status: 'test_drive', at, actor: actor('consultantA1'), reason: null, remark: '试驾汉EV', details: null },
    ]);
    const history = await as('managerA', net, 'GET', `/api/v1/leads/${id}/transitions`);
    expect(history.body).toMatchObject({ data: [{ leadId: id, from: 'assigned', to: 'test_drive', at, actor: actor('consultantA1') }] });

    const future = await as('consultantA1', net, 'POST', `/api/v1/leads/${await lead()}/transitions`, { to: 'contacted', at: '2026-03-11T00:00:00Z' });
    expect(future.status).toBe(400);
    const beforeLead = await as('consultantA1', net, 'POST', `/api/v1/leads/${await lead()}/transitions`, { to: 'contacted', at: '2026-02-01T00:00:00Z' });
    expect(beforeLead.status).toBe(400);
  });

  it('invalid needs a listed reason (other: with a remark); a manager may reopen a closed lead, a consultant may not', async () => {
    const { net, lead, actor } = await setup();
    const id = await lead('visited');
    for (const body of [{ to: 'invalid' }, { to: 'invalid', reason: 'bad_mood' }, { to: 'invalid', reason: 'other' }]) {
      const res = await as('consultantA1', net, 'POST', `/api/v1/leads/${id}/transitions`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect(await countRows(fx.store, t(), 'lead_transitions')).toBe(0);
    const res = await as('consultantA1', net, 'POST', `/api/v1/leads/${id}/transitions`, { to: 'invalid', reason: 'other', remark: '同行询价' });
    expect(res).toMatchObject({ status: 200, body: { lead: { status: 'invalid', invalidReason: 'other', milestones: { closedAt: NOW.toISOString() } } } });
    const reopenByConsultant = await as('consultantA1', net, 'POST', `/api/v1/leads/${id}/transitions`, { to: 'visited' });
    expect(reopenByConsultant.status).toBe(409);
    expect((reopenByConsultant.body as ErrorBody).error.details).toEqual({ from: 'invalid', to: 'visited', allowed: [] });
    const wrongTarget = await as('managerA', net, 'POST', `/api/v1/leads/${id}/transitions`, { to: 'test_drive' });
    expect((wrongTarget.body as ErrorBody).error.details).toEqual({ from: 'invalid', to: 'test_drive', allowed: ['visited'] });
    const reopened = await as('managerA', net, 'POST', `/api/v1/leads/${id}/transitions`, { to: 'visited' });
    expect(reopened).toMatchObject({ status: 200, body: { lead: { status: 'visited', invalidReason: null, milestones: { closedAt: null } }, transition: { reason: 'reopened' } } });
    expect((await transitionRows(fx.store, t(), id)).map((r) => [r.from_status, r.to_status, r.actor, r.reason])).toEqual([
      ['visited', 'invalid', actor('consultantA1'), 'other'],
      ['invalid', 'visited', actor('managerA'), 'reopened'],
    ]);
  });

  it('a follow-up stops the SLA clock, makes an assigned lead contacted, and a retry with its id writes nothing', async () => {
    const { net, lead, actor } = await setup();
    const id = await lead('assigned');
    const fu = { id: '6d1f4a52-7a3c-4d53-9a59-0d6c3c0c1a01', kind: 'call', at: '2026-03-01T05:00:00.000Z', note: '约周六到店', nextFollowUpAt: '2026-03-07T02:00:00.000Z' };
    const first = await as('consultantA1', net, 'POST', `/api/v1/leads/${id}/follow-ups`, fu);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      followUp: { ...fu, leadId: id, actor: actor('consultantA1'), staffId: net.staff.consultantA1.id },
      lead: { status: 'contacted', nextFollowUpAt: fu.nextFollowUpAt, milestones: { firstFollowUpAt: fu.at, contactedAt: fu.at } },
    });
    const retry = await as('consultantA1', net, 'POST', `/api/v1/leads/${id}/follow-ups`, fu);
    expect(retry).toMatchObject({ status: 200, body: { followUp: { id: fu.id } } });
    const reused = await as('consultantA1', net, 'POST', `/api/v1/leads/${id}/follow-ups`, { ...fu, note: '别的' });
    expect(reused.status).toBe(409);
    const second = await as('consultantA1', net, 'POST', `/api/v1/leads/${id}/follow-ups`, { kind: 'wecom_chat', at: '2026-03-03T05:00:00.000Z' });
    expect(second.status).toBe(201);
    const row = await leadRow(fx.store, t(), id);
    expect({ status: row.status, first: row.first_follow_up_at?.toISOString(), next: row.next_follow_up_at }).toEqual({ status: 'contacted', first: fu.at, next: null });
    expect(await countRows(fx.store, t(), 'lead_follow_ups')).toBe(2);
    expect(await transitionRows(fx.store, t(), id)).toEqual([
      { from_status: 'assigned', to_status: 'contacted', at: fu.at, actor: actor('consultantA1'), reason: 'follow_up', remark: null, details: { followUpId: fu.id, kind: 'call' } },
    ]);
    const list = await as('consultantA1', net, 'GET', `/api/v1/leads/${id}/follow-ups`);
    expect((list.body as { data: Array<{ kind: string }> }).data.map((f) => f.kind)).toEqual(['wecom_chat', 'call']);
    const badNext = await as('consultantA1', net, 'POST', `/api/v1/leads/${id}/follow-ups`, { kind: 'sms', at: '2026-03-04T00:00:00Z', nextFollowUpAt: '2026-03-03T00:00:00Z' });
    expect(badNext.status).toBe(400);
  });

  it('defeat: requested by the consultant, one pending per lead, approved by a manager of the dealer only', async () => {
    const { net, lead, actor } = await setup();
    const id = await lead('invited');
    const body = { reasonCode: 'bought_competitor', remark: '已在竞品店下定' };
    expect((await as('consultantA1', net, 'POST', `/api/v1/leads/${id}/defeat-requests`, { reasonCode: 'price', remark: '  ' })).status).toBe(400);
    expect((await as('consultantA1', net, 'POST', `/api/v1/leads/${id}/defeat-requests`, { reasonCode: 'weather', remark: 'x' })).status).toBe(400);
    expect((await as('advisorA', net, 'POST', `/api/v1/leads/${id}/defeat-requests`, body)).status).toBe(403);
    expect((await as('consultantA2', net, 'POST', `/api/v1/leads/${id}/defeat-requests`, body)).status).toBe(404);
    const created = await as('consultantA1', net, 'POST', `/api/v1/leads/${id}/defeat-requests`, body);
    expect(created).toMatchObject({ status: 201, body: { leadId: id, state: 'pending', previousStatus: 'invited', requestedBy: actor('consultantA1'), ...body } });
    const requestId = (created.body as { id: string }).id;
    expect(await as('consultantA1', net, 'POST', `/api/v1/leads/${id}/defeat-requests`, body)).toMatchObject({ status: 200, body: { id: requestId } });
    const second = await as('managerA', net, 'POST', `/api/v1/leads/${id}/defeat-requests`, { reasonCode: 'price', remark: '嫌贵' });
    expect(second).toMatchObject({ status: 409, body: { error: { code: 'conflict', details: { pendingId: requestId } } } });

    expect((await as('consultantA1', net, 'POST', `/api/v1/defeat-requests/${requestId}/approve`)).status).toBe(403);
    expect((await as('managerB', net, 'POST', `/api/v1/defeat-requests/${requestId}/approve`)).status).toBe(404);
    expect((await as('managerB', net, 'GET', '/api/v1/defeat-requests?state=pending')).body).toEqual({ data: [] });
    expect((await as('managerA', net, 'GET', '/api/v1/defeat-requests?state=pending')).body).toMatchObject({ data: [{ id: requestId }] });
    expect((await leadRow(fx.store, t(), id)).status).toBe('invited');

    const approved = await as('managerA', net, 'POST', `/api/v1/defeat-requests/${requestId}/approve`, { note: '属实' });
    expect(approved).toMatchObject({ status: 200, body: { state: 'approved', decidedBy: actor('managerA'), decidedAt: NOW.toISOString(), decisionNote: '属实' } });
    const row = await leadRow(fx.store, t(), id);
    expect({ status: row.status, reason: row.defeat_reason, closed: row.closed_at?.toISOString() }).toEqual({ status: 'defeated', reason: 'bought_competitor', closed: NOW.toISOString() });
    expect(await transitionRows(fx.store, t(), id)).toEqual([
      {
        from_status: 'invited',
        to_status: 'defeated',
        at: NOW.toISOString(),
        actor: actor('managerA'),
        reason: 'bought_competitor',
        remark: body.remark,
        details: { requestId, requestedBy: actor('consultantA1'), reasonCode: 'bought_competitor', note: '属实' },
      },
    ]);
    expect(await as('managerA', net, 'POST', `/api/v1/defeat-requests/${requestId}/approve`)).toMatchObject({ status: 200, body: { state: 'approved' } });
    expect((await as('managerA', net, 'POST', `/api/v1/defeat-requests/${requestId}/reject`)).status).toBe(409);
    expect(await countRows(fx.store, t(), 'lead_transitions')).toBe(1);
    expect((await as('managerA', net, 'POST', `/api/v1/leads/${id}/defeat-requests`, body)).status).toBe(409);
  });

  it('defeat: a rejection leaves the lead; a manager cannot decide their own request, an admin can', async () => {
    const { net, lead, actor } = await setup();
    const id = await lead('contacted');
    const req = await as('consultantA1', net, 'POST', `/api/v1/leads/${id}/defeat-requests`, { reasonCode: 'postponed', remark: '明年再买' });
    const requestId = (req.body as { id: string }).id;
    const rejected = await as('managerA', net, 'POST', `/api/v1/defeat-requests/${requestId}/reject`, { note: '继续跟进' });
    expect(rejected).toMatchObject({ status: 200, body: { state: 'rejected', decidedBy: actor('managerA'), decisionNote: '继续跟进' } });
    expect((await leadRow(fx.store, t(), id)).status).toBe('contacted');
    expect(await countRows(fx.store, t(), 'lead_transitions')).toBe(0);

    const own = await as('managerA', net, 'POST', `/api/v1/leads/${id}/defeat-requests`, { reasonCode: 'no_budget', remark: '预算不够' });
    const ownId = (own.body as { id: string }).id;
    expect((await as('managerA', net, 'POST', `/api/v1/defeat-requests/${ownId}/approve`)).status).toBe(403);
    expect(await as('admin', net, 'POST', `/api/v1/defeat-requests/${ownId}/approve`)).toMatchObject({ status: 200, body: { state: 'approved', decidedBy: actor('admin') } });
    expect((await leadRow(fx.store, t(), id)).status).toBe('defeated');
    // A manager reopens it to where it was.
    expect(await as('managerA', net, 'POST', `/api/v1/leads/${id}/transitions`, { to: 'contacted' })).toMatchObject({ status: 200, body: { lead: { status: 'contacted', defeatReason: null } } });
  });

  it('end to end from intake: a lead taken in by POST /api/v1/leads is followed up, moved, ordered and delivered', async () => {
    const { net, actor } = await setup();
    const intake = await as('token', net, 'POST', '/api/v1/leads', {
      source: 'autohome',
      externalId: 'AH-1',
      name: '韩梅梅',
      phone: '13412341234',
      series: '汉',
      dealerCode: 'SH001',
      consultant: 'wa1',
      createdAt: '2026-03-09T00:00:00Z',
    });
    expect(intake, JSON.stringify(intake.body)).toMatchObject({ status: 201, body: { status: 'assigned', dealerId: net.units.dealerA.id, consultantId: net.staff.consultantA1.id } });
    const { id, profileId } = intake.body as { id: string; profileId: string };
    expect(await as('consultantA1', net, 'POST', `/api/v1/leads/${id}/follow-ups`, { kind: 'call', at: '2026-03-09T01:00:00Z' })).toMatchObject({ status: 201, body: { lead: { status: 'contacted' } } });
    expect(await as('consultantA1', net, 'POST', `/api/v1/leads/${id}/transitions`, { to: 'visited', at: '2026-03-09T06:00:00Z' })).toMatchObject({ status: 200 });
    const order = await as('consultantA1', net, 'POST', '/api/v1/orders', { orderNo: 'E2E-1', leadId: id, series: '汉', amountFen: 21_000_000, orderedAt: '2026-03-09T08:00:00Z' });
    expect(order).toMatchObject({ status: 201, body: { profileId, dealer: { code: 'SH001' }, originUnitId: net.units.dealerA.id } });
    expect(await as('consultantA1', net, 'POST', '/api/v1/orders/E2E-1/deliver', { at: '2026-03-10T01:00:00Z', vin: 'LSVAU2187N2123456' })).toMatchObject({ status: 200 });
    const history = await as('consultantA1', net, 'GET', `/api/v1/leads/${id}/transitions`);
    expect((history.body as { data: Array<{ from: string | null; to: string; actor: string }> }).data.filter((h) => h.actor === actor('consultantA1')).map((h) => `${h.from}>${h.to}`)).toEqual([
      'assigned>contacted',
      'contacted>visited',
      'visited>ordered',
      'ordered>delivered',
    ]);
    expect(await as('managerA', net, 'GET', `/api/v1/profiles/${profileId}/origin`)).toMatchObject({ status: 200, body: { orgUnit: { code: 'SH001' }, source: 'autohome', leadId: id } });
  });

  it('scope: other consultants and dealers get 404, analysts 403 on writes, advisors record follow-ups of their dealer', async () => {
    const { net, lead } = await setup();
    const id = await lead('assigned');
    expect((await as('consultantA2', net, 'POST', `/api/v1/leads/${id}/transitions`, { to: 'contacted' })).status).toBe(404);
    expect((await as('consultantA2', net, 'GET', `/api/v1/leads/${id}/transitions`)).status).toBe(404);
    expect((await as('managerB', net, 'POST', `/api/v1/leads/${id}/follow-ups`, { kind: 'call' })).status).toBe(404);
    expect((await as('consultantB1', net, 'GET', `/api/v1/leads/${id}/follow-ups`)).status).toBe(404);
    expect((await as('analyst', net, 'POST', `/api/v1/leads/${id}/transitions`, { to: 'contacted' })).status).toBe(403);
    expect((await as('analyst', net, 'GET', `/api/v1/leads/${id}/transitions`)).status).toBe(200);
    expect((await as('advisorA', net, 'POST', `/api/v1/leads/${id}/follow-ups`, { kind: 'visit' })).status).toBe(201);
    expect((await as('token', net, 'POST', `/api/v1/leads/${id}/transitions`, { to: 'invited' })).status).toBe(200);
    expect((await as('managerA', net, 'POST', '/api/v1/leads/00000000-0000-4000-8000-000000000000/transitions', { to: 'contacted' })).status).toBe(404);
  });
});
