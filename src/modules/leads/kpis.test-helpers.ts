import { randomUUID } from 'node:crypto';
import type { Db } from '../../platform/db/index.js';

/**
 * Test-only seeding for the KPI tests: org units, staff, leads with milestone times, defeat requests
 * and orders written straight into the tables (the KPI module only reads them), so the tests do not
 * depend on intake, routing or the funnel. Times are ISO strings or offsets from the lead time.
 */

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export interface LeadSpec {
  id?: string;
  source: string;
  createdAt: string;
  dealerId?: string | null;
  consultantId?: string | null;
  profileId?: string | null;
  status?: string;
  dedup?: 'new' | 'merged' | 'duplicate';
  invalidReason?: string;
  /** Milestones as milliseconds after createdAt. */
  assigned?: number;
  firstFollowUp?: number;
  contacted?: number;
  invited?: number;
  visited?: number;
  testDrive?: number;
  ordered?: number;
  invoiced?: number;
  delivered?: number;
  reachable?: number;
  /** An absolute assignment time (a lead routed late). */
  assignedAt?: string;
}

export class KpiSeed {
  constructor(
    readonly db: Db,
    readonly tenantId: string,
  ) {}

  async unit(code: string, type: string, parent: { id: string; path: string[] } | null): Promise<{ id: string; path: string[] }> {
    const id = randomUUID();
    const path = [...(parent?.path ?? []), id];
    await this.db
      .insertInto('org_units')
      .values({ tenant_id: this.tenantId, id, code, name: `unit ${code}`, type, parent_id: parent?.id ?? null, path })
      .execute();
    return { id, path };
  }

  async staff(name: string, role: string, orgUnitId: string): Promise<string> {
    const id = randomUUID();
    await this.db
      .insertInto('staff')
      .values({ tenant_id: this.tenantId, id, username: `${name}-${id.slice(0, 8)}`, name, role, org_unit_id: orgUnitId, password_hash: 'x' })
      .execute();
    return id;
  }

  async lead(spec: LeadSpec): Promise<string> {
    const id = spec.id ?? randomUUID();
    const created = new Date(spec.createdAt);
    const at = (offset: number | undefined) => (offset === undefined ? null : new Date(created.getTime() + offset));
    await this.db
      .insertInto('leads')
      .values({
        tenant_id: this.tenantId,
        id,
        profile_id: spec.profileId ?? null,
        source: spec.source,
        dealer_id: spec.dealerId ?? null,
        consultant_id: spec.consultantId ?? null,
        status: spec.status ?? 'new',
        dedup: spec.dedup ?? 'new',
        invalid_reason: spec.invalidReason ?? null,
        created_at: created,
        received_at: created,
        updated_at: created,
        assigned_at: spec.assignedAt ? new Date(spec.assignedAt) : at(spec.assigned),
        first_follow_up_at: at(spec.firstFollowUp),
        contacted_at: at(spec.contacted),
        invited_at: at(spec.invited),
        visited_at: at(spec.visited),
        test_drive_at: at(spec.testDrive),
        ordered_at: at(spec.ordered),
        invoiced_at: at(spec.invoiced),
        delivered_at: at(spec.delivered),
        reachable_at: at(spec.reachable),
      })
      .execute();
    return id;
  }

  async defeatRequest(leadId: string, state: 'pending' | 'approved' | 'rejected', at: string): Promise<void> {
    await this.db
      .insertInto('defeat_requests')
      .values({
        tenant_id: this.tenantId,
        id: randomUUID(),
        lead_id: leadId,
        reason_code: 'price',
        remark: 'bought elsewhere',
        previous_status: 'contacted',
        requested_by: 'staff:test',
        requested_at: at,
        state,
        decided_by: state === 'pending' ? null : 'staff:manager',
        decided_at: state === 'pending' ? null : at,
      })
      .execute();
  }

  async order(leadId: string | null, o: { status: 'ordered' | 'invoiced' | 'delivered' | 'cancelled'; orderedAt: string; referredBy?: string }): Promise<void> {
    const id = randomUUID();
    await this.db
      .insertInto('orders')
      .values({
        tenant_id: this.tenantId,
        id,
        order_no: `NO-${id.slice(0, 8)}`,
        lead_id: leadId,
        profile_id: randomUUID(),
        amount_fen: 15_000_000,
        status: o.status,
        ordered_at: o.orderedAt,
        delivered_at: o.status === 'delivered' ? o.orderedAt : null,
        referred_by: o.referredBy ?? null,
      })
      .execute();
  }
}

export interface Network4 {
  dealer1: string;
  dealer2: string;
  consultant1: string;
  consultant2: string;
}

/**
 * The hand-built KPI data set (docs/kpis.md, tests): 20 leads of two dealers, two consultants and three
 * sources (autohome, douyin, website) around January 2026 in Asia/Shanghai; leads 16 and 18 fall just
 * outside [2026-01-01, 2026-02-01) local time. The expected figures are written out in the tests.
 */
export async function seedKpiLeads(seed: KpiSeed, n: Network4): Promise<Record<number, string>> {
  const d1 = { dealerId: n.dealer1, consultantId: n.consultant1 };
  const d2 = { dealerId: n.dealer2, consultantId: n.consultant2 };
  const ids: Record<number, string> = {};
  const add = async (i: number, spec: LeadSpec) => (ids[i] = await seed.lead(spec));
  const day = (d: number, hourUtc = 4) => `2026-01-${String(d).padStart(2, '0')}T${String(hourUtc).padStart(2, '0')}:00:00.000Z`;

  await add(1, { ...d1, source: 'autohome', createdAt: day(5), status: 'delivered', assigned: HOUR, firstFollowUp: 10 * HOUR, contacted: 10 * HOUR, invited: DAY, visited: 2 * DAY, testDrive: 2 * DAY, ordered: 5 * DAY, delivered: 9 * DAY, reachable: DAY });
  await add(2, { ...d1, source: 'autohome', createdAt: day(6), status: 'ordered', assigned: HOUR, firstFollowUp: 50 * HOUR, contacted: 50 * HOUR, visited: 4 * DAY, ordered: 10 * DAY, reachable: 8 * DAY });
  await add(3, { ...d1, source: 'douyin', createdAt: day(7), status: 'defeated', assigned: HOUR, firstFollowUp: 2 * HOUR, contacted: 2 * HOUR });
  await add(4, { ...d1, source: 'douyin', createdAt: day(8), status: 'assigned', assigned: HOUR });
  await add(5, { ...d1, source: 'website', createdAt: day(9), status: 'invalid', invalidReason: 'wrong_number', assigned: HOUR, firstFollowUp: HOUR, contacted: HOUR });
  await add(6, { ...d1, source: 'autohome', createdAt: day(5, 5), dedup: 'duplicate', reachable: DAY });
  await add(7, { dealerId: n.dealer1, source: 'website', createdAt: day(12), reachable: 0 });
  await add(8, { ...d2, source: 'autohome', createdAt: day(13), status: 'delivered', assigned: HOUR, firstFollowUp: 47 * HOUR, contacted: 47 * HOUR, invited: 3 * DAY, visited: 4 * DAY, testDrive: 4 * DAY, ordered: 20 * DAY, invoiced: 21 * DAY, delivered: 22 * DAY, reachable: 7 * DAY });
  await add(9, { ...d2, source: 'douyin', createdAt: day(14), status: 'ordered', assigned: HOUR, firstFollowUp: 30 * HOUR, contacted: 30 * HOUR, visited: 2 * DAY, ordered: 3 * DAY });
  // First follow-up exactly 48 h after the assignment (at +1 h): within the SLA.
  await add(10, { ...d2, source: 'douyin', createdAt: day(15), status: 'contacted', assigned: HOUR, firstFollowUp: 49 * HOUR, contacted: 49 * HOUR });
  await add(11, { ...d2, source: 'website', createdAt: day(20), status: 'assigned', assignedAt: '2026-02-14T12:00:00.000Z' });
  await add(12, { dealerId: n.dealer2, source: 'autohome', createdAt: day(21) });
  await add(13, { ...d2, source: 'autohome', createdAt: day(22), status: 'invalid', invalidReason: 'no_intent' });
  await add(14, { ...d2, source: 'douyin', createdAt: day(13, 6), dedup: 'duplicate' });
  await add(15, { ...d1, source: 'website', createdAt: '2025-12-31T16:00:00.000Z', status: 'contacted', assigned: HOUR, firstFollowUp: 2 * HOUR, contacted: 2 * HOUR });
  await add(16, { ...d1, source: 'website', createdAt: '2025-12-31T15:59:59.999Z', status: 'delivered', assigned: HOUR, firstFollowUp: HOUR, contacted: HOUR, ordered: DAY, delivered: 2 * DAY, reachable: 0 });
  await add(17, { ...d2, source: 'autohome', createdAt: '2026-01-31T15:59:59.999Z' });
  await add(18, { ...d2, source: 'autohome', createdAt: '2026-01-31T16:00:00.000Z', assigned: HOUR, firstFollowUp: HOUR, reachable: 0 });
  await add(19, { source: 'douyin', createdAt: day(26), reachable: 2 * DAY });
  await add(20, { ...d1, source: 'autohome', createdAt: day(27), status: 'delivered', assigned: HOUR, firstFollowUp: 5 * HOUR, contacted: 5 * HOUR, visited: 3 * DAY, ordered: 7 * DAY, delivered: 12 * DAY });

  await seed.defeatRequest(ids[3]!, 'rejected', day(8));
  await seed.defeatRequest(ids[3]!, 'approved', day(9));
  await seed.defeatRequest(ids[10]!, 'pending', day(20));
  const referrer = randomUUID();
  await seed.order(ids[1]!, { status: 'delivered', orderedAt: day(10), referredBy: referrer });
  await seed.order(ids[20]!, { status: 'delivered', orderedAt: '2026-02-03T04:00:00.000Z', referredBy: referrer });
  await seed.order(ids[8]!, { status: 'delivered', orderedAt: '2026-02-02T04:00:00.000Z' });
  await seed.order(ids[9]!, { status: 'ordered', orderedAt: day(17), referredBy: referrer });
  await seed.order(ids[16]!, { status: 'delivered', orderedAt: day(1), referredBy: referrer });
  await seed.order(null, { status: 'delivered', orderedAt: day(10), referredBy: referrer });
  return ids;
}
