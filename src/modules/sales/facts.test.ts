import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../contracts/events.js';
import { ManualClock } from '../../platform/clock.js';
import { json, storedCounts, useAppFixture } from '../../testing/app.js';
import { testEngines } from '../../testing/engines.js';
import { people, sendResolved } from '../../testing/identity.js';
import { requestAs, seedNetwork, type Network, type StaffName } from '../../testing/org.js';
import { refreshChangedProfiles } from '../../worker/index.js';
import { ensureEventPartitions } from '../ingest/index.js';
import { person } from '../leads/funnel.test-helpers.js';
import { recordFacts } from '../profiles/index.js';
import { orderPlacedMessages } from './facts.js';
import { findOrderByNo } from './orders.repo.js';
import { systemPrincipal } from '../tenancy/index.js';

/**
 * Sales facts on the people's timelines: a referred order is `Referral Made` on the referrer's, an
 * after-sales record (API or CSV) `Service Completed` on the customer's; a fact written again is
 * stored once; the stage models follow.
 */

const NOW = new Date('2026-03-10T02:00:00.000Z');
const VIN = 'LSVAU2187N2123456';

type Method = 'GET' | 'POST';

describe.each(testEngines)('sales facts on the timeline on %s', (engine) => {
  const clock = new ManualClock(NOW);
  const fx = useAppFixture(engine, { clock });
  const t = () => fx.tenant.tenantId;
  const as = (who: StaffName | 'token', net: Network, method: Method, url: string, payload?: unknown) => requestAs(fx, who, net, method, url, payload);
  const csv = (net: Network, who: StaffName, query: string, text: string): Promise<LightMyRequestResponse> =>
    fx.app.inject({ method: 'POST', url: `/api/v1/after-sales/import${query}`, payload: text, headers: { authorization: `Bearer ${net.staff[who].token}`, 'content-type': 'text/csv' } });
  const timeline = async (net: Network, profileId: string) => {
    const res = await as('token', net, 'GET', `/api/v1/profiles/${profileId}/events?limit=1000`);
    expect(res.status).toBe(200);
    return (res.body as { data: StoredEvent[] }).data
      .reverse()
      .map((e) => ({ type: e.type, event: e.event, messageId: e.messageId, timestamp: e.timestamp, properties: e.properties, context: e.context }));
  };
  const stagesAfterRefresh = async (net: Network, profileId: string) => {
    await refreshChangedProfiles({ db: fx.store.db, clock }, t());
    const res = await as('token', net, 'GET', `/api/v1/profiles/${profileId}/stages`);
    return Object.fromEntries((res.body as { data: Array<{ model: string; stage: string | null }> }).data.map((s) => [s.model, s.stage]));
  };
  /** A network with the three presets and a buyer who came in as dealer A's lead for consultant A1. */
  async function setup() {
    clock.set(NOW);
    const net = await seedNetwork(fx.app, fx.tenant);
    for (const preset of ['5a', 'aarrr', 'aipl']) expect((await as('token', net, 'POST', `/api/v1/stage-models/presets/${preset}`)).status).toBe(201);
    const lead = await as('token', net, 'POST', '/api/v1/leads', {
      source: 'website',
      externalId: 'W-1',
      name: '韩梅梅',
      phone: '13412341234',
      series: '汉',
      dealerCode: 'SH001',
      consultant: 'wa1',
      createdAt: '2026-03-01T01:00:00Z',
    });
    expect(lead.status, JSON.stringify(lead.body)).toBe(201);
    const { id: leadId, profileId } = lead.body as { id: string; profileId: string };
    return { net, leadId, profileId };
  }
  const order = (leadId: string, extra: Record<string, unknown> = {}) => ({ orderNo: 'R-1', leadId, series: '汉', model: '汉 EV', amountFen: 21_000_000, orderedAt: '2026-03-05T08:00:00Z', ...extra });

  it('a referred order is Referral Made on the referrer (who becomes an advocate); repeated writes store each fact once', async () => {
    const { net, leadId, profileId } = await setup();
    const referrer = await person(fx.app, fx.store, fx.tenant, 'referrer-1', { name: '李雷' });
    expect(await as('consultantA1', net, 'POST', '/api/v1/orders', order(leadId, { referredByProfileId: referrer }))).toMatchObject({ status: 201 });
    const props = { orderNo: 'R-1', leadId, dealerCode: 'SH001', dealerName: '上海浦东4S店', consultantId: net.staff.consultantA1.id, series: '汉', model: '汉 EV', amountFen: 21_000_000 };
    const referrals = (await timeline(net, referrer)).filter((e) => e.type === 'track');
    expect(referrals).toEqual([
      {
        type: 'track',
        event: 'Referral Made',
        messageId: 'order:R-1:referral',
        timestamp: '2026-03-05T08:00:00.000Z',
        properties: { ...props, referredProfileId: profileId },
        // Addressed to the referrer through the identifier their profile holds.
        context: { externalIds: [{ type: 'user_id', id: 'referrer-1' }] },
      },
    ]);
    const placed = (await timeline(net, profileId)).filter((e) => e.event === 'Order Placed');
    expect(placed.map((e) => [e.messageId, e.timestamp, e.properties])).toEqual([['order:R-1:placed', '2026-03-05T08:00:00.000Z', { ...props, referredByProfileId: referrer }]]);
    expect(await stagesAfterRefresh(net, referrer)).toEqual({ five_a: 'A5', aarrr: 'referral', aipl: 'awareness' });
    expect(await stagesAfterRefresh(net, profileId)).toMatchObject({ five_a: 'A4', aarrr: 'revenue', aipl: 'purchase' });

    // The same order again answers the stored one and records nothing; so does the same delivery.
    const before = await storedCounts(fx.store, t());
    expect((await as('consultantA1', net, 'POST', '/api/v1/orders', order(leadId, { referredByProfileId: referrer }))).status).toBe(200);
    expect(await storedCounts(fx.store, t())).toEqual(before);
    expect((await as('consultantA1', net, 'POST', '/api/v1/orders/R-1/deliver', { at: '2026-03-08T09:00:00Z', vin: VIN })).status).toBe(200);
    const delivered = await storedCounts(fx.store, t());
    expect(delivered.events).toBe(before.events + 1);
    expect((await as('consultantA1', net, 'POST', '/api/v1/orders/R-1/deliver', { at: '2026-03-08T09:00:00Z', vin: VIN })).status).toBe(200);
    expect(await storedCounts(fx.store, t())).toEqual(delivered);
    // A write retried below the API (its business rows already there) finds its events stored.
    await ensureEventPartitions(fx.store, [NOW]);
    const again = await fx.store.db.transaction().execute(async (trx) => {
      const row = await findOrderByNo(trx, systemPrincipal(t(), 'test'), 'R-1');
      if (!row) throw new Error('no order R-1');
      return recordFacts(trx, t(), orderPlacedMessages(row), NOW);
    });
    expect(again.map((r) => r.stored)).toEqual([false, false]);
    expect(await storedCounts(fx.store, t())).toEqual(delivered);
  });

  it('after-sales records (CSV import and API) are Service Completed with their service type at their own time; a re-import records nothing', async () => {
    const { net, leadId, profileId } = await setup();
    expect((await as('consultantA1', net, 'POST', '/api/v1/orders', order(leadId))).status).toBe(201);
    expect((await as('consultantA1', net, 'POST', '/api/v1/orders/R-1/deliver', { at: '2026-03-08T09:00:00Z', vin: VIN })).status).toBe(200);
    expect(await stagesAfterRefresh(net, profileId)).toMatchObject({ aipl: 'purchase' });

    const map = '?map.externalId=工单号&map.vin=车架号&map.kind=业务类型&map.amountYuan=金额(元)&map.at=时间&map.dealerCode=门店';
    const file = ['工单号,车架号,业务类型,金额(元),时间,门店', `RO-1,${VIN},首保,0,2026-03-09 09:00,SH001`, `RO-2,${VIN},续保,"4,500.00",2026-03-09 10:30,SH001`].join('\n');
    const imported = await csv(net, 'advisorA', map, file);
    expect(imported.statusCode, imported.body).toBe(200);
    const ids = (json(imported) as { records: Array<{ id: string }> }).records.map((r) => r.id);
    const service = { dealerCode: 'SH001', dealerName: '上海浦东4S店', vehicleVin: VIN };
    const services = () => timeline(net, profileId).then((events) => events.filter((e) => e.event === 'Service Completed').map((e) => [e.messageId, e.timestamp, e.properties]));
    expect(await services()).toEqual([
      [`aftersales:${ids[0]}`, '2026-03-09T01:00:00.000Z', { afterSalesId: ids[0], externalId: 'RO-1', serviceType: 'first_maintenance', amountFen: 0, ...service }],
      [`aftersales:${ids[1]}`, '2026-03-09T02:30:00.000Z', { afterSalesId: ids[1], externalId: 'RO-2', serviceType: 'insurance_renewal', amountFen: 450_000, ...service }],
    ]);
    const before = await storedCounts(fx.store, t());
    expect(json(await csv(net, 'advisorA', map, file))).toMatchObject({ rows: 2, created: 0, unchanged: 2 });
    expect(await storedCounts(fx.store, t())).toEqual(before);

    const repair = { profileId, kind: 'repair', amountFen: 123_456, at: '2026-03-09T05:00:00Z' };
    const created = await as('advisorA', net, 'POST', '/api/v1/after-sales', repair);
    expect(created.status).toBe(201);
    expect((await as('advisorA', net, 'POST', '/api/v1/after-sales', repair)).status).toBe(200);
    const id = (created.body as { id: string }).id;
    expect((await services()).at(-1)).toEqual([`aftersales:${id}`, '2026-03-09T05:00:00.000Z', { afterSalesId: id, serviceType: 'repair', amountFen: 123_456, dealerCode: 'SH001', dealerName: '上海浦东4S店' }]);
    expect(await services()).toHaveLength(3);
    // Bought and came back for service: AIPL loyalty.
    expect(await stagesAfterRefresh(net, profileId)).toEqual({ five_a: 'A4', aarrr: 'revenue', aipl: 'loyalty' });
  });

  it('an event about a profile merged away meanwhile reaches the survivor through the identifier it holds', async () => {
    const { net, profileId } = await setup();
    const other = await person(fx.app, fx.store, fx.tenant, 'member-9');
    // The buyer (known by phone) turns out to be member-9: one of the two profiles is merged into the other.
    const merged = await sendResolved(fx.app, fx.store, fx.tenant, [{ type: 'identify', userId: 'member-9', traits: { phone: '13412341234' }, messageId: 'merge-1' }]);
    expect(merged.statusCode).toBe(200);
    const survivor = (await people(fx.store, t())).find((p) => p.identifiers.includes('user_id::member-9'))!;
    expect([profileId, other]).toContain(survivor.id);
    const gone = survivor.id === profileId ? other : profileId;
    await ensureEventPartitions(fx.store, [NOW]);
    const message = { type: 'track' as const, event: 'Order Placed', messageId: 'order:M-1:placed', timestamp: '2026-03-06T00:00:00.000Z', properties: { orderNo: 'M-1' } };
    const [result] = await fx.store.db.transaction().execute((trx) => recordFacts(trx, t(), [{ profileId: gone, message }], NOW));
    expect(result).toEqual({ profileId: survivor.id, known: true, stored: true });
    const placed = (await timeline(net, survivor.id)).filter((e) => e.messageId === 'order:M-1:placed');
    expect(placed.map((e) => e.context)).toEqual([{ externalIds: [{ type: 'user_id', id: 'member-9' }] }]);
  });
});
