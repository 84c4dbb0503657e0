import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../contracts/events.js';
import { ManualClock } from '../../platform/clock.js';
import { useAppFixture } from '../../testing/app.js';
import { testEngines } from '../../testing/engines.js';
import { requestAs, login, seedNetwork, type Network, type StaffName } from '../../testing/org.js';
import { refreshChangedProfiles } from '../../worker/index.js';

/**
 * The funnel's facts on the person's timeline: what intake, routing, the funnel steps, orders and
 * deliveries record appears as Siyu's standard events at the facts' own times, and the stage
 * models follow the person through the funnel.
 */

const T0 = new Date('2026-03-01T02:00:00.000Z');
const VIN = 'LSVAU2187N2123456';
const at = (iso: string) => new Date(iso);

type Method = 'GET' | 'POST';

describe.each(testEngines)('funnel facts on the timeline on %s', (engine) => {
  const clock = new ManualClock(T0);
  const fx = useAppFixture(engine, { clock });
  const t = () => fx.tenant.tenantId;
  const as = (who: StaffName | 'token', net: Network, method: Method, url: string, payload?: unknown) => requestAs(fx, who, net, method, url, payload);
  async function setup() {
    clock.set(T0);
    const net = await seedNetwork(fx.app, fx.tenant);
    for (const preset of ['5a', 'aarrr', 'aipl']) expect((await as('token', net, 'POST', `/api/v1/stage-models/presets/${preset}`)).status).toBe(201);
    return net;
  }
  /** The person's timeline, oldest first. */
  const timeline = async (net: Network, profileId: string) => {
    const res = await as('token', net, 'GET', `/api/v1/profiles/${profileId}/events?limit=1000`);
    expect(res.status).toBe(200);
    return (res.body as { data: StoredEvent[] }).data
      .reverse()
      .map((e) => ({ type: e.type, event: e.event, messageId: e.messageId, timestamp: e.timestamp, sourceId: e.sourceId, properties: e.properties }));
  };
  /** The clock moves on to `iso`; the staff log in again (sessions last hours, the story days). */
  const tick = async (net: Network, iso: string) => {
    clock.set(at(iso));
    for (const who of ['consultantA1', 'consultantA2', 'managerA'] as const) net.staff[who].token = await login(fx.app, net.staff[who].username);
  };
  const sourceId = async (name: string) => (await fx.store.db.selectFrom('sources').select('id').where('tenant_id', '=', t()).where('name', '=', name).executeTakeFirstOrThrow()).id;
  /** The refresh job's pass over the changed people; then each model's stage of the person. */
  const stagesAfterRefresh = async (net: Network, profileId: string) => {
    await refreshChangedProfiles({ db: fx.store.db, clock }, t());
    const res = await as('token', net, 'GET', `/api/v1/profiles/${profileId}/stages`);
    return Object.fromEntries((res.body as { data: Array<{ model: string; stage: string | null }> }).data.map((s) => [s.model, s.stage]));
  };
  const intake = async (net: Network, lead: Record<string, unknown>) => {
    const res = await as('token', net, 'POST', '/api/v1/leads', { source: 'autohome', series: '汉', model: '汉 EV', dealerCode: 'SH001', createdAt: '2026-03-01T01:00:00Z', ...lead });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; profileId: string; consultantId: string | null };
  };

  it('intake → visited → test drive → order → delivery: each fact once, with its properties at its own time; 5A follows to A4', async () => {
    const net = await setup();
    const a1 = net.staff.consultantA1.id;
    const lead = await intake(net, { externalId: 'AH-1', name: '韩梅梅', phone: '13412341234', city: '上海', consultant: 'wa1' });
    expect(lead.consultantId).toBe(a1);
    const profileId = lead.profileId;

    // The lead-only person's 360: the lead's name, city and phone are their traits.
    const p360 = await as('token', net, 'GET', `/api/v1/profiles/${profileId}`);
    expect(p360.body).toMatchObject({ traits: { name: '韩梅梅', city: '上海', phone: '+8613412341234' } });
    expect(await stagesAfterRefresh(net, profileId)).toMatchObject({ five_a: 'A3', aipl: 'interest' });

    await tick(net, '2026-03-02T08:00:00Z');
    expect((await as('consultantA1', net, 'POST', `/api/v1/leads/${lead.id}/transitions`, { to: 'visited', at: '2026-03-02T06:00:00Z' })).status).toBe(200);
    // The same status again changes nothing and records nothing.
    expect(await as('consultantA1', net, 'POST', `/api/v1/leads/${lead.id}/transitions`, { to: 'visited', at: '2026-03-02T07:00:00Z' })).toMatchObject({ status: 200, body: { changed: false } });
    await tick(net, '2026-03-03T08:00:00Z');
    expect((await as('consultantA1', net, 'POST', `/api/v1/leads/${lead.id}/transitions`, { to: 'test_drive', at: '2026-03-03T07:00:00Z' })).status).toBe(200);
    await tick(net, '2026-03-05T09:00:00Z');
    const order = { orderNo: 'F-1', leadId: lead.id, series: '汉', model: '汉 EV', amountFen: 21_000_000, orderedAt: '2026-03-05T08:00:00Z' };
    expect((await as('consultantA1', net, 'POST', '/api/v1/orders', order)).status).toBe(201);
    expect((await as('consultantA1', net, 'POST', '/api/v1/orders', order)).status).toBe(200);
    await tick(net, '2026-03-08T10:00:00Z');
    const deliver = { at: '2026-03-08T09:00:00Z', vin: VIN };
    expect((await as('consultantA1', net, 'POST', '/api/v1/orders/F-1/deliver', deliver)).status).toBe(200);
    expect((await as('consultantA1', net, 'POST', '/api/v1/orders/F-1/deliver', deliver)).status).toBe(200);

    const fromLead = await sourceId('leads:autohome');
    const own = await sourceId('siyu:records');
    const leadProps = { leadId: lead.id, source: 'autohome', series: '汉', model: '汉 EV', dealerCode: 'SH001', dealerName: '上海浦东4S店', consultantId: a1 };
    const orderProps = { orderNo: 'F-1', leadId: lead.id, dealerCode: 'SH001', dealerName: '上海浦东4S店', consultantId: a1, series: '汉', model: '汉 EV', amountFen: 21_000_000 };
    expect(await timeline(net, profileId)).toEqual([
      { type: 'identify', event: null, messageId: `lead:${lead.id}:identify`, timestamp: '2026-03-01T01:00:00.000Z', sourceId: fromLead, properties: null },
      {
        type: 'track',
        event: 'Lead Created',
        messageId: `lead:${lead.id}`,
        timestamp: '2026-03-01T01:00:00.000Z',
        sourceId: fromLead,
        properties: { leadId: lead.id, source: 'autohome', externalId: 'AH-1', series: '汉', model: '汉 EV', city: '上海', dealerCode: 'SH001' },
      },
      { type: 'track', event: 'Lead Assigned', messageId: `lead:${lead.id}:assigned:${T0.getTime()}`, timestamp: T0.toISOString(), sourceId: own, properties: { ...leadProps, via: 'routing' } },
      { type: 'track', event: 'Store Visited', messageId: `lead:${lead.id}:status:visited`, timestamp: '2026-03-02T06:00:00.000Z', sourceId: own, properties: leadProps },
      { type: 'track', event: 'Test Drive Completed', messageId: `lead:${lead.id}:status:test_drive`, timestamp: '2026-03-03T07:00:00.000Z', sourceId: own, properties: leadProps },
      { type: 'track', event: 'Order Placed', messageId: 'order:F-1:placed', timestamp: '2026-03-05T08:00:00.000Z', sourceId: own, properties: orderProps },
      { type: 'track', event: 'Vehicle Delivered', messageId: 'order:F-1:delivered', timestamp: '2026-03-08T09:00:00.000Z', sourceId: own, properties: { ...orderProps, vin: VIN, vehicleRole: 'owner' } },
    ]);
    const source = await fx.store.db.selectFrom('sources').select(['kind', 'domain_class']).where('tenant_id', '=', t()).where('id', '=', own).executeTakeFirstOrThrow();
    expect(source).toEqual({ kind: 'offline_store', domain_class: 'absolute' });
    // The delivery event repeats what the delivery recorded: the buyer is buyer and owner, nothing more.
    const vehicles = await as('token', net, 'GET', `/api/v1/profiles/${profileId}`);
    expect((vehicles.body as { vehicles: Array<{ vin: string; role: string }> }).vehicles.map((v) => `${v.vin}:${v.role}`).sort()).toEqual([`${VIN}:buyer`, `${VIN}:owner`]);

    await tick(net, '2026-03-10T02:00:00Z');
    expect(await stagesAfterRefresh(net, profileId)).toEqual({ five_a: 'A4', aarrr: 'revenue', aipl: 'purchase' });
  });

  it('claims and assignments, a move straight to test drive (with the visit it implies) and an approved defeat are events; a reopen records nothing', async () => {
    const net = await setup();
    const [a1, a2] = [net.staff.consultantA1.id, net.staff.consultantA2.id];
    const lead = await intake(net, { externalId: 'AH-2', name: '李雷', phone: '13512345678', consultant: 'wa1' });
    await tick(net, '2026-03-01T03:00:00Z');
    // Into the dealer's pool (no consultant: no event), claimed by A2, then given to A1 by the manager.
    expect((await as('managerA', net, 'POST', `/api/v1/leads/${lead.id}/assign`, { dealerCode: 'SH001' })).status).toBe(200);
    await tick(net, '2026-03-01T04:00:00Z');
    expect((await as('consultantA2', net, 'POST', `/api/v1/leads/${lead.id}/claim`)).status).toBe(200);
    await tick(net, '2026-03-01T05:00:00Z');
    expect((await as('managerA', net, 'POST', `/api/v1/leads/${lead.id}/assign`, { consultantId: a1 })).status).toBe(200);
    // The same assignment again changes nothing.
    expect((await as('managerA', net, 'POST', `/api/v1/leads/${lead.id}/assign`, { consultantId: a1 })).status).toBe(200);
    await tick(net, '2026-03-02T08:00:00Z');
    expect((await as('consultantA1', net, 'POST', `/api/v1/leads/${lead.id}/transitions`, { to: 'test_drive', at: '2026-03-02T07:00:00Z' })).status).toBe(200);
    const request = await as('consultantA1', net, 'POST', `/api/v1/leads/${lead.id}/defeat-requests`, { reasonCode: 'bought_competitor', remark: '已买竞品' });
    expect(request.status, JSON.stringify(request.body)).toBe(201);
    const requestId = (request.body as { id: string }).id;
    await tick(net, '2026-03-04T01:00:00Z');
    expect((await as('managerA', net, 'POST', `/api/v1/defeat-requests/${requestId}/approve`, {})).status).toBe(200);
    expect((await as('managerA', net, 'POST', `/api/v1/defeat-requests/${requestId}/approve`, {})).status).toBe(200);
    // Reopened to where it was: neither a visit nor a test drive happened again.
    await tick(net, '2026-03-05T01:00:00Z');
    expect(await as('managerA', net, 'POST', `/api/v1/leads/${lead.id}/transitions`, { to: 'test_drive' })).toMatchObject({ status: 200, body: { lead: { status: 'test_drive' } } });

    const leadProps = { leadId: lead.id, source: 'autohome', series: '汉', model: '汉 EV', dealerCode: 'SH001', dealerName: '上海浦东4S店' };
    const facts = (await timeline(net, lead.profileId)).filter((e) => e.type === 'track' && e.event !== 'Lead Created');
    expect(facts.map((e) => [e.event, e.messageId, e.timestamp, e.properties])).toEqual([
      ['Lead Assigned', `lead:${lead.id}:assigned:${T0.getTime()}`, T0.toISOString(), { ...leadProps, consultantId: a1, via: 'routing' }],
      ['Lead Assigned', `lead:${lead.id}:assigned:${at('2026-03-01T04:00:00Z').getTime()}`, '2026-03-01T04:00:00.000Z', { ...leadProps, consultantId: a2, via: 'claim' }],
      ['Lead Assigned', `lead:${lead.id}:assigned:${at('2026-03-01T05:00:00Z').getTime()}`, '2026-03-01T05:00:00.000Z', { ...leadProps, consultantId: a1, via: 'manual_assign', previousConsultantId: a2 }],
      ['Store Visited', `lead:${lead.id}:status:visited`, '2026-03-02T07:00:00.000Z', { ...leadProps, consultantId: a1, implied: true }],
      ['Test Drive Completed', `lead:${lead.id}:status:test_drive`, '2026-03-02T07:00:00.000Z', { ...leadProps, consultantId: a1 }],
      ['Lead Defeated', `lead:${lead.id}:defeated:${requestId}`, '2026-03-04T01:00:00.000Z', { ...leadProps, consultantId: a1, reason: 'bought_competitor', requestId }],
    ]);
  });
});
