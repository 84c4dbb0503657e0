import { describe, expect, it } from 'vitest';
import { countRows, insertLead, leadRow, person, transitionRows } from '../modules/leads/funnel.test-helpers.js';
import { ManualClock } from '../platform/clock.js';
import { json, useAppFixture } from '../testing/app.js';
import { testEngines } from '../testing/engines.js';
import { requestAs, seedNetwork, type Network, type StaffName } from '../testing/org.js';

const NOW = new Date('2026-03-10T02:00:00.000Z');
const CREATED = new Date('2026-03-01T01:00:00.000Z');
const VIN = 'LSVAU2187N2123456';
const VIN2 = 'LGXCE4CB0P0000001';

type Method = 'GET' | 'POST';
interface Err {
  error: { code: string; message: string; details: unknown };
}

describe.each(testEngines)('orders and deliveries on %s', (engine) => {
  const clock = new ManualClock(NOW);
  const fx = useAppFixture(engine, { clock });
  const t = () => fx.tenant.tenantId;
  const as = (who: StaffName | 'token', net: Network, method: Method, url: string, payload?: unknown) => requestAs(fx, who, net, method, url, payload);
  async function setup() {
    clock.set(NOW);
    const net = await seedNetwork(fx.app, fx.tenant);
    const profileId = await person(fx.app, fx.store, fx.tenant, `buyer-${Math.random()}`, { name: '李雷' });
    const leadId = await insertLead(fx.store, t(), { profileId, dealerId: net.units.dealerA.id, consultantId: net.staff.consultantA1.id, status: 'test_drive', createdAt: CREATED });
    return { net, profileId, leadId, actor: (who: StaffName) => `staff:${net.staff[who].id}` };
  }
  const order = (leadId: string, orderNo = 'SO-1', extra: Record<string, unknown> = {}) => ({
    orderNo,
    leadId,
    series: '汉',
    model: '汉 EV 冠军版',
    amountFen: 25_998_000,
    orderedAt: '2026-03-05T06:00:00.000Z',
    ...extra,
  });

  it('order → invoice → deliver moves the lead, creates the vehicle and makes the buyer its buyer and owner', async () => {
    const { net, profileId, leadId, actor } = await setup();
    const created = await as('consultantA1', net, 'POST', '/api/v1/orders', order(leadId));
    expect(created).toMatchObject({
      status: 201,
      body: {
        orderNo: 'SO-1',
        leadId,
        profileId,
        dealer: { id: net.units.dealerA.id, code: 'SH001', name: '上海浦东4S店' },
        consultantId: net.staff.consultantA1.id,
        amountFen: 25_998_000,
        status: 'ordered',
        vin: null,
        originUnitId: net.units.dealerA.id,
      },
    });
    expect(await as('consultantA1', net, 'POST', '/api/v1/orders', order(leadId))).toMatchObject({ status: 200, body: { id: (created.body as { id: string }).id } });
    const clash = await as('consultantA1', net, 'POST', '/api/v1/orders', order(leadId, 'SO-1', { amountFen: 1 }));
    expect(clash.status).toBe(409);
    expect(await countRows(fx.store, t(), 'orders')).toBe(1);
    expect((await leadRow(fx.store, t(), leadId)).status).toBe('ordered');

    expect((await as('consultantA1', net, 'POST', '/api/v1/orders/SO-1/invoice', { at: '2026-03-04T00:00:00Z' })).status).toBe(400);
    expect(await as('consultantA1', net, 'POST', '/api/v1/orders/SO-1/invoice', { at: '2026-03-06T00:00:00Z' })).toMatchObject({ status: 200, body: { status: 'invoiced', invoicedAt: '2026-03-06T00:00:00.000Z' } });
    expect((await as('consultantA1', net, 'POST', '/api/v1/orders/SO-1/deliver', { at: '2026-03-08T08:00:00Z' })).status).toBe(400);
    const badVin = await as('consultantA1', net, 'POST', '/api/v1/orders/SO-1/deliver', { at: '2026-03-08T08:00:00Z', vin: 'LSVAU2187N2123457' });
    expect(badVin.status).toBe(400);
    expect((badVin.body as Err).error.message).toContain('check digit');
    const delivered = await as('consultantA1', net, 'POST', '/api/v1/orders/SO-1/deliver', { at: '2026-03-08T08:00:00Z', vin: VIN.toLowerCase() });
    expect(delivered).toMatchObject({ status: 200, body: { status: 'delivered', vin: VIN, deliveredAt: '2026-03-08T08:00:00.000Z' } });
    expect(await as('consultantA1', net, 'POST', '/api/v1/orders/SO-1/deliver', { at: '2026-03-08T08:00:00Z', vin: VIN })).toMatchObject({ status: 200 });
    expect(await countRows(fx.store, t(), 'vehicle_relations')).toBe(2);

    const vehicle = await as('token', net, 'GET', `/api/v1/vehicles/${VIN}`);
    expect(vehicle.body).toMatchObject({ vin: VIN, series: '汉', model: '汉 EV 冠军版' });
    const relations = (vehicle.body as { relations: Array<Record<string, unknown>> }).relations.map((r) => [r['profileId'], r['role'], r['validFrom'], r['validTo'], r['source']]).sort();
    expect(relations).toEqual([
      [profileId, 'buyer', '2026-03-08T08:00:00.000Z', null, 'order:SO-1'],
      [profileId, 'owner', '2026-03-08T08:00:00.000Z', null, 'order:SO-1'],
    ]);
    const profile = await as('token', net, 'GET', `/api/v1/profiles/${profileId}`);
    expect((profile.body as { vehicles: Array<{ vin: string; role: string }> }).vehicles.map((v) => `${v.vin}:${v.role}`).sort()).toEqual([`${VIN}:buyer`, `${VIN}:owner`]);

    const lead = await leadRow(fx.store, t(), leadId);
    expect([lead.status, lead.ordered_at?.toISOString(), lead.invoiced_at?.toISOString(), lead.delivered_at?.toISOString()]).toEqual([
      'delivered',
      '2026-03-05T06:00:00.000Z',
      '2026-03-06T00:00:00.000Z',
      '2026-03-08T08:00:00.000Z',
    ]);
    expect((await transitionRows(fx.store, t(), leadId)).map((r) => [r.from_status, r.to_status, r.actor, r.reason, r.details])).toEqual([
      ['test_drive', 'ordered', actor('consultantA1'), 'order', { orderNo: 'SO-1' }],
      ['ordered', 'invoiced', actor('consultantA1'), 'order', { orderNo: 'SO-1' }],
      ['invoiced', 'delivered', actor('consultantA1'), 'order', { orderNo: 'SO-1', vin: VIN }],
    ]);
    const cancel = await as('managerA', net, 'POST', '/api/v1/orders/SO-1/cancel', {});
    expect(cancel).toMatchObject({ status: 409, body: { error: { code: 'invalid_transition', details: { from: 'delivered', to: 'cancelled', allowed: [] } } } });
  });

  it('cancelling the only order returns the lead to its status before the order and clears the order milestones', async () => {
    const { net, leadId, actor } = await setup();
    await as('consultantA1', net, 'POST', '/api/v1/orders', order(leadId, 'SO-2'));
    expect((await as('consultantA1', net, 'POST', '/api/v1/orders/SO-2/cancel', {})).status).toBe(403);
    const cancelled = await as('managerA', net, 'POST', '/api/v1/orders/SO-2/cancel', { at: '2026-03-07T00:00:00Z', remark: '客户退订' });
    expect(cancelled).toMatchObject({ status: 200, body: { status: 'cancelled', cancelledAt: '2026-03-07T00:00:00.000Z' } });
    expect(await as('managerA', net, 'POST', '/api/v1/orders/SO-2/cancel', {})).toMatchObject({ status: 200, body: { status: 'cancelled' } });
    const lead = await leadRow(fx.store, t(), leadId);
    expect([lead.status, lead.ordered_at]).toEqual(['test_drive', null]);
    expect((await transitionRows(fx.store, t(), leadId)).at(-1)).toMatchObject({ from_status: 'ordered', to_status: 'test_drive', actor: actor('managerA'), reason: 'order_cancelled' });
    expect((await as('managerA', net, 'POST', '/api/v1/orders/SO-2/invoice', { at: '2026-03-08T00:00:00Z' })).status).toBe(409);
  });

  it('scope: orders of other dealers and other consultants answer 404; analysts read masked VINs and cannot write', async () => {
    const { net, profileId, leadId } = await setup();
    expect((await as('consultantA1', net, 'POST', '/api/v1/orders', { ...order(leadId), leadId: undefined, profileId })).status).toBe(400);
    expect((await as('consultantA2', net, 'POST', '/api/v1/orders', order(leadId))).status).toBe(404);
    expect((await as('managerB', net, 'POST', '/api/v1/orders', order(leadId))).status).toBe(404);
    expect((await as('analyst', net, 'POST', '/api/v1/orders', order(leadId))).status).toBe(403);
    expect((await as('managerA', net, 'POST', '/api/v1/orders', order(leadId, 'SO-3', { dealerCode: 'HZ001' }))).status).toBe(404);
    await as('consultantA1', net, 'POST', '/api/v1/orders', order(leadId, 'SO-3'));
    await as('consultantA1', net, 'POST', '/api/v1/orders/SO-3/deliver', { at: '2026-03-08T08:00:00Z', vin: VIN });
    expect((await as('managerB', net, 'GET', '/api/v1/orders/SO-3')).status).toBe(404);
    expect((await as('consultantA2', net, 'GET', '/api/v1/orders/SO-3')).status).toBe(404);
    expect((await as('managerB', net, 'POST', '/api/v1/orders/SO-3/invoice', { at: '2026-03-08T00:00:00Z' })).status).toBe(404);
    expect((await as('managerB', net, 'GET', '/api/v1/orders')).body).toEqual({ data: [] });
    expect((await as('consultantA2', net, 'GET', '/api/v1/orders')).body).toEqual({ data: [] });
    expect((await as('consultantA1', net, 'GET', `/api/v1/orders?profileId=${profileId}`)).body).toMatchObject({ data: [{ orderNo: 'SO-3' }] });
    expect((await as('managerA', net, 'GET', '/api/v1/orders?dealerCode=SH001')).body).toMatchObject({ data: [{ orderNo: 'SO-3', vin: VIN }] });
    expect((await as('analyst', net, 'GET', '/api/v1/orders/SO-3')).body).toMatchObject({ orderNo: 'SO-3', vin: 'LS*************56' });
    // An order number taken at another dealer is a conflict that tells nothing about the order.
    const taken = await as('managerB', net, 'POST', '/api/v1/orders', { orderNo: 'SO-3', profileId, series: '汉', amountFen: 1, orderedAt: '2026-03-05T06:00:00Z' });
    expect(taken).toMatchObject({ status: 409, body: { error: { code: 'conflict', details: { orderNo: 'SO-3' } } } });
  });

  it('origin credit: a person brought in by dealer A who orders at dealer B or online credits dealer A', async () => {
    const { net, profileId } = await setup();
    const atB = await as('token', net, 'POST', '/api/v1/orders', { orderNo: 'HZ-9', profileId, dealerCode: 'HZ001', series: '唐', amountFen: 30_000_000, orderedAt: '2026-03-06T00:00:00Z' });
    expect(atB).toMatchObject({ status: 201, body: { dealer: { code: 'HZ001' }, originUnitId: net.units.dealerA.id, leadId: null } });
    const online = await as('token', net, 'POST', '/api/v1/orders', { orderNo: 'WEB-1', profileId, series: '海豹', amountFen: 20_000_000, orderedAt: '2026-03-07T00:00:00Z' });
    expect(online).toMatchObject({ status: 201, body: { dealer: null, originUnitId: net.units.dealerA.id } });
    const dealerA = { id: net.units.dealerA.id, code: 'SH001', name: '上海浦东4S店' };
    expect((await as('managerA', net, 'GET', `/api/v1/profiles/${profileId}/origin`)).body).toEqual({
      profileId,
      orgUnit: dealerA,
      source: 'website',
      leadId: expect.any(String),
      at: CREATED.toISOString(),
      conversions: [
        { kind: 'order', orderNo: 'HZ-9', status: 'ordered', dealerCode: 'HZ001', at: '2026-03-06T00:00:00.000Z', elsewhere: true, creditedTo: dealerA },
        { kind: 'online', orderNo: 'WEB-1', status: 'ordered', dealerCode: null, at: '2026-03-07T00:00:00.000Z', elsewhere: true, creditedTo: dealerA },
      ],
    });
    // Dealer B now sees its buyer (customer link); a stranger's origin is 404 to them.
    expect((await as('managerB', net, 'GET', `/api/v1/profiles/${profileId}/origin`)).status).toBe(200);
    const stranger = await person(fx.app, fx.store, fx.tenant, `walk-in-${Math.random()}`);
    expect((await as('managerB', net, 'GET', `/api/v1/profiles/${stranger}/origin`)).status).toBe(404);
    // A person without an origin gets the ordering dealer.
    const fresh = await as('token', net, 'POST', '/api/v1/orders', { orderNo: 'HZ-10', profileId: stranger, dealerCode: 'HZ001', series: '唐', amountFen: 1, orderedAt: '2026-03-06T00:00:00Z' });
    expect(fresh.body).toMatchObject({ originUnitId: net.units.dealerB.id });
    expect((await as('managerB', net, 'GET', `/api/v1/profiles/${stranger}/origin`)).body).toMatchObject({ orgUnit: { code: 'HZ001' }, source: 'order', conversions: [{ elsewhere: false }] });
  });
});

describe.each(testEngines)('after-sales and LTV on %s', (engine) => {
  const clock = new ManualClock(NOW);
  const fx = useAppFixture(engine, { clock });
  const t = () => fx.tenant.tenantId;
  const as = (who: StaffName | 'token', net: Network, method: Method, url: string, payload?: unknown) => requestAs(fx, who, net, method, url, payload);
  const csv = (net: Network, who: StaffName, query: string, text: string) =>
    fx.app.inject({ method: 'POST', url: `/api/v1/after-sales/import${query}`, payload: text, headers: { authorization: `Bearer ${net.staff[who].token}`, 'content-type': 'text/csv' } });
  /** A delivered car: the buyer owns VIN from 2026-03-08. */
  async function delivered() {
    clock.set(NOW);
    const net = await seedNetwork(fx.app, fx.tenant);
    const profileId = await person(fx.app, fx.store, fx.tenant, `owner-${Math.random()}`);
    const leadId = await insertLead(fx.store, t(), { profileId, dealerId: net.units.dealerA.id, consultantId: net.staff.consultantA1.id, status: 'visited', createdAt: CREATED });
    const base = { leadId, series: '汉', orderedAt: '2026-03-05T06:00:00Z' };
    expect((await as('managerA', net, 'POST', '/api/v1/orders', { ...base, orderNo: 'SO-1', amountFen: 25_998_000 })).status).toBe(201);
    expect((await as('managerA', net, 'POST', '/api/v1/orders/SO-1/deliver', { at: '2026-03-08T08:00:00Z', vin: VIN })).status).toBe(200);
    expect((await as('managerA', net, 'POST', '/api/v1/orders', { ...base, orderNo: 'SO-2', amountFen: 19_000_000 })).status).toBe(201);
    expect((await as('managerA', net, 'POST', '/api/v1/orders', { ...base, orderNo: 'SO-3', amountFen: 17_000_000 })).status).toBe(201);
    expect((await as('managerA', net, 'POST', '/api/v1/orders/SO-3/cancel', {})).status).toBe(200);
    return { net, profileId };
  }

  it('after-sales by VIN finds the owner, is idempotent by externalId, and adds to the LTV in fen', async () => {
    const { net, profileId } = await delivered();
    const body = { externalId: 'RO-1', vin: VIN, kind: 'first_maintenance', amountFen: 0, at: '2026-03-09T01:00:00Z', note: '首保' };
    const created = await as('advisorA', net, 'POST', '/api/v1/after-sales', body);
    expect(created).toMatchObject({ status: 201, body: { externalId: 'RO-1', profileId, vin: VIN, dealer: { code: 'SH001' }, kind: 'first_maintenance', amountFen: 0 } });
    expect(await as('advisorA', net, 'POST', '/api/v1/after-sales', body)).toMatchObject({ status: 200, body: { id: (created.body as { id: string }).id } });
    expect((await as('advisorA', net, 'POST', '/api/v1/after-sales', { ...body, amountFen: 5 })).status).toBe(409);
    expect((await as('advisorA', net, 'POST', '/api/v1/after-sales', { ...body, externalId: 'RO-2', vin: VIN2 })).status).toBe(404);
    expect((await as('advisorA', net, 'POST', '/api/v1/after-sales', { ...body, externalId: 'RO-2', amountFen: 1.5 })).status).toBe(400);
    expect((await as('advisorA', net, 'POST', '/api/v1/after-sales', { ...body, externalId: 'RO-2', dealerCode: 'HZ001' })).status).toBe(404);
    expect((await as('analyst', net, 'POST', '/api/v1/after-sales', { ...body, externalId: 'RO-2' })).status).toBe(403);
    const repair = { vin: VIN, kind: 'repair', amountFen: 123_456, at: '2026-03-09T02:00:00Z' };
    expect((await as('advisorA', net, 'POST', '/api/v1/after-sales', repair)).status).toBe(201);
    expect((await as('advisorA', net, 'POST', '/api/v1/after-sales', repair)).status).toBe(200);
    expect((await as('token', net, 'POST', '/api/v1/after-sales', { profileId, kind: 'insurance_renewal', amountFen: 450_000, at: '2026-03-09T03:00:00Z' })).status).toBe(201);
    expect(await countRows(fx.store, t(), 'after_sales')).toBe(3);

    const ltv = await as('managerA', net, 'GET', `/api/v1/profiles/${profileId}/ltv`);
    expect(ltv.body).toEqual({
      profileId,
      totalFen: 25_998_000 + 123_456 + 450_000,
      byKind: { new_car: 25_998_000, first_maintenance: 0, maintenance: 0, repair: 123_456, insurance_renewal: 450_000, accessories: 0, trade_in_appraisal: 0 },
      orders: 1,
      afterSales: 3,
    });
    expect((await as('managerB', net, 'GET', `/api/v1/profiles/${profileId}/ltv`)).status).toBe(404);
    expect((await as('consultantA2', net, 'GET', `/api/v1/profiles/${profileId}/ltv`)).status).toBe(404);
    expect((await as('consultantA1', net, 'GET', `/api/v1/profiles/${profileId}/ltv`)).status).toBe(200);
  });

  it("a VIN never opens another dealer's customer: after-sales by VIN and deliveries see only owners in scope", async () => {
    const { net, profileId } = await delivered();
    // Dealer B's staff: the owner (dealer A's customer) is not theirs, so no owner is known to them.
    const byVin = await as('managerB', net, 'POST', '/api/v1/after-sales', { vin: VIN, kind: 'repair', amountFen: 100, at: '2026-03-09T01:00:00Z' });
    expect(byVin.status).toBe(404);
    expect(JSON.stringify(byVin.body)).not.toContain(profileId);
    expect((await as('managerB', net, 'GET', `/api/v1/profiles/${profileId}`)).status).toBe(404);
    // Dealer B delivering a car with that VIN would end A's customer's ownership: refused, nothing changes.
    const buyer = await person(fx.app, fx.store, fx.tenant, `b-buyer-${Math.random()}`);
    const leadB = await insertLead(fx.store, t(), { profileId: buyer, dealerId: net.units.dealerB.id, consultantId: net.staff.consultantB1.id, status: 'visited', createdAt: CREATED });
    expect((await as('managerB', net, 'POST', '/api/v1/orders', { leadId: leadB, orderNo: 'SO-B', series: '汉', amountFen: 1, orderedAt: '2026-03-09T06:00:00Z' })).status).toBe(201);
    const relationsBefore = await countRows(fx.store, t(), 'vehicle_relations');
    const deliver = await as('managerB', net, 'POST', '/api/v1/orders/SO-B/deliver', { at: '2026-03-09T08:00:00Z', vin: VIN });
    expect(deliver.status).toBe(409);
    expect(await countRows(fx.store, t(), 'vehicle_relations')).toBe(relationsBefore);
    expect(await countRows(fx.store, t(), 'after_sales')).toBe(0);
  });

  it('CSV import: a bad row rejects the whole file naming its line; the good file imports once', async () => {
    const { net, profileId } = await delivered();
    const header = '工单号,车架号,业务类型,金额(元),时间,备注';
    const map = '?map.externalId=工单号&map.vin=车架号&map.kind=业务类型&map.amountYuan=金额(元)&map.at=时间&map.note=备注';
    const good = [header, `RO-10,${VIN},首保,0,2026-03-09 09:00,首保免费`, `RO-11,${VIN},维修,"1,234.50",2026-03-09 10:30:00,"换刹车片, 含工时"`, `RO-12,${VIN},accessories,88,2026-03-09,`];
    const bad = [...good.slice(0, 2), `RO-11,${VIN},洗车,12.345,2026-03-09 10:30,`, good[3]];
    const rejected = await csv(net, 'advisorA', map, bad.join('\n'));
    expect(rejected.statusCode).toBe(400);
    const details = (json(rejected) as Err).error.details as { errors: Array<{ row: number; field: string }>; errorCount: number };
    expect(details).toEqual({ errors: [{ row: 3, field: 'amountYuan', message: expect.stringContaining('12.345') }], errorCount: 1 });
    expect((json(rejected) as Err).error.message).toContain('row 3');
    const badKind = await csv(net, 'advisorA', map, [...good.slice(0, 3), `RO-12,${VIN},洗车,88,2026-03-09,`].join('\n'));
    expect((json(badKind) as Err).error.details).toMatchObject({ errors: [{ row: 4, field: 'kind' }] });
    const unknownVin = await csv(net, 'advisorA', map, [...good.slice(0, 3), `RO-12,${VIN2},保养,88,2026-03-09,`].join('\n'));
    expect(unknownVin.statusCode).toBe(400);
    expect((json(unknownVin) as Err).error.details).toMatchObject({ errors: [{ row: 4, field: 'vin' }], errorCount: 1 });
    expect(await countRows(fx.store, t(), 'after_sales')).toBe(0);
    const missingColumn = await csv(net, 'advisorA', '?map.kind=类型', good.join('\n'));
    expect(missingColumn.statusCode).toBe(400);

    const imported = await csv(net, 'advisorA', map, good.join('\r\n') + '\r\n');
    expect(imported.statusCode, imported.body).toBe(200);
    expect(json(imported)).toMatchObject({ rows: 3, created: 3, unchanged: 0, records: [{ row: 2, created: true }, { row: 3 }, { row: 4 }] });
    const rows = await fx.store.db.selectFrom('after_sales').select(['external_id', 'profile_id', 'kind', 'amount_fen', 'at', 'note']).where('tenant_id', '=', t()).orderBy('external_id').execute();
    expect(rows.map((r) => ({ ...r, amount_fen: Number(r.amount_fen), at: r.at.toISOString() }))).toEqual([
      { external_id: 'RO-10', profile_id: profileId, kind: 'first_maintenance', amount_fen: 0, at: '2026-03-09T01:00:00.000Z', note: '首保免费' },
      { external_id: 'RO-11', profile_id: profileId, kind: 'repair', amount_fen: 123_450, at: '2026-03-09T02:30:00.000Z', note: '换刹车片, 含工时' },
      { external_id: 'RO-12', profile_id: profileId, kind: 'accessories', amount_fen: 8_800, at: '2026-03-08T16:00:00.000Z', note: null },
    ]);
    expect(json(await csv(net, 'advisorA', map, good.join('\n')))).toMatchObject({ rows: 3, created: 0, unchanged: 3 });
    const changed = await csv(net, 'advisorA', map, [good[0], `RO-10,${VIN},首保,1,2026-03-09 09:00,首保免费`].join('\n'));
    expect(changed.statusCode).toBe(409);
    expect((json(changed) as Err).error.details).toMatchObject({ errors: [{ row: 2, code: 'conflict' }] });
    expect(await countRows(fx.store, t(), 'after_sales')).toBe(3);
    expect((await as('advisorA', net, 'GET', `/api/v1/profiles/${profileId}/ltv`)).body).toMatchObject({ totalFen: 25_998_000 + 123_450 + 8_800, afterSales: 3 });
  });
});
