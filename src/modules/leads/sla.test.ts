import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { ensureJob, pendingJobs } from '../../platform/jobs/index.js';
import { json, useAppFixture } from '../../testing/app.js';
import { testEngines } from '../../testing/engines.js';
import { adminRequest } from '../../testing/identity.js';
import { asStaff, login, seedNetwork } from '../../testing/org.js';
import { siyuWorker } from '../../worker/index.js';
import { runSlaCheck } from './index.js';

const T0 = new Date('2026-03-10T02:00:00.000Z');
const HOUR = 3_600_000;
const at = (hours: number) => new Date(T0.getTime() + hours * HOUR);

describe.each(testEngines)('lead SLA on %s', (engine) => {
  const clock = new ManualClock(T0);
  const fx = useAppFixture(engine, { clock });
  const tenantId = () => fx.tenant.tenantId;
  const worker = () => siyuWorker({ db: fx.store.db, clock, onlyTenant: tenantId() });
  const leadRow = (id: string) =>
    fx.store.db
      .selectFrom('leads')
      .select(['status', 'consultant_id', 'dealer_id', 'in_pool', 'pool_reason', 'reassign_count', 'assigned_at', 'sla_due_at', 'first_follow_up_at'])
      .where('tenant_id', '=', tenantId())
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  const slaTransitions = (id: string) =>
    fx.store.db.selectFrom('lead_transitions').select(['from_status', 'to_status', 'actor', 'reason', 'details']).where('tenant_id', '=', tenantId()).where('lead_id', '=', id).where('actor', '=', 'system:sla').orderBy('id').execute();
  const notifications = () => fx.store.db.selectFrom('notifications').select(['staff_id', 'kind', 'payload', 'dedupe_key']).where('tenant_id', '=', tenantId()).orderBy('dedupe_key').execute();
  const slaJobs = async () =>
    (await pendingJobs(fx.store.db, tenantId()))
      .filter((j) => j.kind === 'leads.sla')
      .map((j) => [j.key, j.runAt.toISOString()])
      .sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
  async function createLead(externalId: string, dealerCode: string): Promise<{ id: string; consultantId: string | null }> {
    const res = await adminRequest(fx.app, fx.tenant, 'POST', '/api/v1/leads', { source: 'website', externalId, phone: `1381234${externalId.padStart(4, '0')}`, dealerCode, createdAt: T0.toISOString() });
    expect(res.statusCode, res.body).toBe(201);
    return json(res) as { id: string; consultantId: string | null };
  }

  it('47 h: nothing; a followed-up lead stays; past 48 h the lead goes to the next consultant, the manager is told once', async () => {
    clock.set(T0);
    const net = await seedNetwork(fx.app, fx.tenant);
    const { consultantA1: a1, consultantA2: a2, managerA, managerB } = net.staff;
    const lead = await createLead('1', 'SH001');
    const other = await createLead('2', 'SH001');
    expect([lead.consultantId, other.consultantId]).toEqual([a1.id, a2.id]);
    expect(await slaJobs()).toEqual([lead.id, other.id].map((id) => [id, at(48).toISOString()]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1)));

    clock.set(at(47));
    await worker().drain();
    expect(await leadRow(lead.id)).toMatchObject({ status: 'assigned', consultant_id: a1.id, reassign_count: 0 });
    expect(await notifications()).toEqual([]);

    // A2 calls the other customer before the SLA runs out.
    // (Sessions expire: log in again at the later time.)
    const followUp = await asStaff(fx.app, await login(fx.app, a2.username), 'POST', `/api/v1/leads/${other.id}/follow-ups`, { kind: 'call', note: '约周六到店' });
    expect(followUp.statusCode, followUp.body).toBe(201);

    clock.set(at(48.5));
    await worker().drain();
    expect(await leadRow(lead.id)).toMatchObject({ status: 'assigned', consultant_id: a2.id, reassign_count: 1, assigned_at: T0, sla_due_at: at(96.5), in_pool: false });
    expect(await leadRow(other.id)).toMatchObject({ consultant_id: a2.id, reassign_count: 0, first_follow_up_at: at(47) });
    expect(await slaTransitions(lead.id)).toEqual([
      {
        from_status: 'assigned',
        to_status: 'assigned',
        actor: 'system:sla',
        reason: 'sla_expired',
        details: { previousConsultantId: a1.id, newConsultantId: a2.id, slaDueAt: at(48).toISOString(), reassignCount: 1 },
      },
    ]);
    expect(await slaTransitions(other.id)).toEqual([]);
    const told = [{ staff_id: managerA.id, kind: 'lead.sla_expired', payload: { leadId: lead.id, previousConsultantId: a1.id, newConsultantId: a2.id }, dedupe_key: `sla:${lead.id}:1` }];
    expect(await notifications()).toEqual(told);
    expect(told.some((n) => n.staff_id === managerB.id)).toBe(false);
    // The job stays as the new assignee's timer; the followed-up lead's timer is gone.
    expect(await slaJobs()).toEqual([[lead.id, at(96.5).toISOString()]]);

    // The job runs again (a retry, a second worker): nothing changes, nobody is told twice.
    expect(await runSlaCheck({ db: fx.store.db, clock }, tenantId(), lead.id)).toEqual({ outcome: 'waiting', next: at(96.5) });
    await ensureJob(fx.store.db, { tenantId: tenantId(), kind: 'leads.sla', key: lead.id, runAt: clock.now() });
    await worker().drain();
    expect(await notifications()).toEqual(told);
    expect(await slaTransitions(lead.id)).toHaveLength(1);
    expect(await slaJobs()).toEqual([[lead.id, at(96.5).toISOString()]]);

    // A2 does not follow up either: back to A1 (A2 is excluded), the manager told again.
    clock.set(at(97));
    await worker().drain();
    expect(await leadRow(lead.id)).toMatchObject({ status: 'assigned', consultant_id: a1.id, reassign_count: 2 });
    expect((await notifications()).map((n) => n.dedupe_key)).toEqual([`sla:${lead.id}:1`, `sla:${lead.id}:2`]);
  });

  it("with nobody else at the dealer the lead goes to the dealer's pool; the consultant can claim it back", async () => {
    clock.set(T0);
    const net = await seedNetwork(fx.app, fx.tenant);
    const { consultantB1: b1, managerB } = net.staff;
    const lead = await createLead('7', 'HZ001');
    expect(lead.consultantId).toBe(b1.id);
    clock.set(at(49));
    await worker().drain();
    expect(await leadRow(lead.id)).toMatchObject({ status: 'new', consultant_id: null, dealer_id: net.units.dealerB.id, in_pool: true, pool_reason: 'sla_expired', reassign_count: 1, sla_due_at: null });
    expect((await slaTransitions(lead.id)).map((t) => [t.from_status, t.to_status])).toEqual([['assigned', 'new']]);
    expect(await notifications()).toEqual([
      { staff_id: managerB.id, kind: 'lead.sla_expired', payload: { leadId: lead.id, previousConsultantId: b1.id, newConsultantId: null }, dedupe_key: `sla:${lead.id}:1` },
    ]);
    expect(await slaJobs()).toEqual([]);

    const token = await login(fx.app, b1.username);
    const pool = await asStaff(fx.app, token, 'GET', '/api/v1/leads/pool');
    expect(pool.statusCode, pool.body).toBe(200);
    expect((json(pool) as { data: Array<{ id: string }> }).data.map((l) => l.id)).toEqual([lead.id]);
    const claimed = await asStaff(fx.app, token, 'POST', `/api/v1/leads/${lead.id}/claim`);
    expect(claimed.statusCode, claimed.body).toBe(200);
    expect(json(claimed)).toMatchObject({ status: 'assigned', consultantId: b1.id, inPool: false, poolReason: null, slaDueAt: at(97).toISOString() });
    expect(await slaJobs()).toEqual([[lead.id, at(97).toISOString()]]);
  });
});
