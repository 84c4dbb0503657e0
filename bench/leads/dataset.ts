/**
 * The KPI benchmark's data set, generated inside the database with `INSERT … SELECT generate_series`
 * (the same SQL on both engines, no rows through Node): one tenant with HQ → 5 regions → 200 dealers
 * (one team each, 10 consultants per team: 2,000 consultants, plus a manager per dealer) and `leads`
 * leads spread evenly over the 365 days before `end`, with realistic milestone ratios, the defeat
 * requests and the orders (10% referred) that go with them. Pseudo-random but deterministic: every
 * choice is `hashint8` of the lead number.
 *
 * Shares (of leads): 5% duplicates, 20% merged; 10% wait in a dealer's pool (no consultant); of the
 * assigned, 92% are followed up (≈77% of those within 48 h); 8% invalid; of the followed-up valid
 * leads 85% contacted and of those 45% invited, 35% visited, 22% test drives, 12% orders, 11%
 * invoiced, 10% delivered; 40% of contacted leads without an order defeated (approved), 8% more with a
 * pending or rejected request; 35% become reachable 0-19 days after the lead.
 */
import { randomBytes } from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';
import { createTenant } from '../../src/modules/tenancy/index.js';
import { systemClock } from '../../src/platform/clock.js';
import type { Db, Store } from '../../src/platform/db/index.js';

export const DEALERS = 200;
export const CONSULTANTS_PER_DEALER = 10;
const REGIONS = 5;
const DAY = 86_400_000;

export const CITIES = ['上海', '北京', '深圳', '广州', '杭州', '成都', '武汉', '南京', '重庆', '西安', '苏州', '天津', '长沙', '郑州', '青岛', '宁波', '合肥', '厦门', '济南', '大连'];
/** Lead sources and their share in per cent (cumulative bounds are derived). */
export const SOURCES: ReadonlyArray<readonly [string, number]> = [
  ['autohome', 30],
  ['douyin', 25],
  ['yiche', 10],
  ['dongchedi', 10],
  ['website', 10],
  ['mini_program', 8],
  ['offline_store', 7],
];

export interface KpiDataset {
  tenantId: string;
  /** Ids have the shape `<prefix>-0000-4000-<kind>-<n in hex>`. */
  prefix: string;
  start: string;
  end: string;
  /** The busiest dealer (dealer 1), its manager and its first consultant. */
  dealer: { id: string; code: string; managerId: string };
  consultantId: string;
  seconds: Record<string, number>;
  counts: Record<string, number>;
}

/** Kind codes of the generated ids. */
const KIND = { hq: '8001', region: '8002', dealer: '8003', team: '8004', consultant: '8005', manager: '8006', lead: '8007' } as const;

export function idOf(prefix: string, kind: keyof typeof KIND, n: number): string {
  return `${prefix}-0000-4000-${KIND[kind]}-${n.toString(16).padStart(12, '0')}`;
}

function idSql(prefix: string, kind: keyof typeof KIND, n: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`(${`${prefix}-0000-4000-${KIND[kind]}-`}::text || lpad(to_hex(${n}), 12, '0'))::uuid`;
}

async function timed(seconds: Record<string, number>, phase: string, log: (l: string) => void, fn: () => Promise<void>): Promise<void> {
  const t = performance.now();
  await fn();
  seconds[phase] = (performance.now() - t) / 1000;
  log(`  ${phase}: ${seconds[phase].toFixed(1)} s`);
}

function sourceCase(u: RawBuilder<unknown>): RawBuilder<unknown> {
  let cum = 0;
  const whens = SOURCES.map(([name, share]) => {
    cum += share;
    return sql`WHEN ${u} < ${sql.lit(cum)} THEN ${sql.lit(name)}`;
  });
  return sql`CASE ${sql.join(whens, sql` `)} ELSE 'other' END`;
}

/** Org units and staff of the network (ids from idOf); consultants hold at most `maxOpenLeads` open leads. */
export async function network(db: Db, t: string, prefix: string, maxOpenLeads = 5000): Promise<void> {
  const id = (kind: keyof typeof KIND, n: RawBuilder<unknown>) => idSql(prefix, kind, n);
  const hq = idOf(prefix, 'hq', 1);
  await sql`INSERT INTO org_units (tenant_id, id, code, name, type, path) VALUES (${t}, ${hq}, 'HQ', '总部', 'hq', ARRAY[${hq}::uuid])`.execute(db);
  await sql`
    INSERT INTO org_units (tenant_id, id, code, name, type, parent_id, path)
    SELECT ${t}, ${id('region', sql`g.i`)}, 'R' || g.i, '大区' || g.i, 'region', ${hq}, ARRAY[${hq}::uuid, ${id('region', sql`g.i`)}]
    FROM generate_series(1, ${REGIONS}) AS g(i)`.execute(db);
  const cities = sql`${CITIES}::text[]`;
  await sql`
    INSERT INTO org_units (tenant_id, id, code, name, type, parent_id, path, city, province, capacity)
    SELECT ${t}, ${id('dealer', sql`g.i`)}, 'D' || lpad(g.i::text, 3, '0'), '经销商' || g.i, 'dealer', ${id('region', sql`r`)},
      ARRAY[${hq}::uuid, ${id('region', sql`r`)}, ${id('dealer', sql`g.i`)}], (${cities})[1 + g.i % ${CITIES.length}], (${cities})[1 + g.i % ${CITIES.length}], 400
    FROM generate_series(1, ${DEALERS}) AS g(i), LATERAL (SELECT 1 + (g.i - 1) % ${REGIONS} AS r) x`.execute(db);
  await sql`
    INSERT INTO org_units (tenant_id, id, code, name, type, parent_id, path)
    SELECT ${t}, ${id('team', sql`g.i`)}, 'D' || lpad(g.i::text, 3, '0') || '-T1', '销售组', 'team', d.id, d.path || ${id('team', sql`g.i`)}
    FROM generate_series(1, ${DEALERS}) AS g(i)
    JOIN org_units d ON d.tenant_id = ${t} AND d.id = ${id('dealer', sql`g.i`)}`.execute(db);
  await sql`
    INSERT INTO staff (tenant_id, id, username, name, role, org_unit_id, password_hash, wecom_user_id, max_open_leads)
    SELECT ${t}, ${id('consultant', sql`g.i`)}, 'c' || g.i || '-' || ${prefix}, '顾问' || g.i, 'consultant',
      ${id('team', sql`1 + (g.i - 1) / ${CONSULTANTS_PER_DEALER}`)}, 'x', 'w' || g.i || '-' || ${prefix}, ${maxOpenLeads}
    FROM generate_series(1, ${DEALERS * CONSULTANTS_PER_DEALER}) AS g(i)`.execute(db);
  await sql`
    INSERT INTO staff (tenant_id, id, username, name, role, org_unit_id, password_hash)
    SELECT ${t}, ${id('manager', sql`g.i`)}, 'm' || g.i || '-' || ${prefix}, '经理' || g.i, 'dealer_manager', ${id('dealer', sql`g.i`)}, 'x'
    FROM generate_series(1, ${DEALERS}) AS g(i)`.execute(db);
}

export async function generateKpiDataset(store: Store, spec: { leads: number; end: Date }, log: (l: string) => void): Promise<KpiDataset> {
  const db = store.db;
  const seconds: Record<string, number> = {};
  const tenant = await createTenant({ db, clock: systemClock }, { name: `bench-leads-${spec.leads}` });
  const t = tenant.tenantId;
  const prefix = randomBytes(4).toString('hex');
  const endMs = spec.end.getTime();
  const startMs = endMs - 365 * DAY;
  const stepSeconds = (365 * DAY) / 1000 / spec.leads;

  await timed(seconds, 'network', log, () => network(db, t, prefix));

  await timed(seconds, 'leads', log, async () => {
    const chunk = 250_000;
    for (let from = 1; from <= spec.leads; from += chunk) {
      const to = Math.min(spec.leads, from + chunk - 1);
      // Draws: h1 dealer, consultant, source; h2 dedup, assignment, follow-up; h3 funnel depth; h4 reach, defeat.
      await sql`
        INSERT INTO leads (tenant_id, id, source, external_id, status, dedup, dealer_id, consultant_id, in_pool, invalid_reason, defeat_reason,
          created_at, received_at, updated_at, assigned_at, first_follow_up_at, contacted_at, invited_at, visited_at, test_drive_at,
          ordered_at, invoiced_at, delivered_at, closed_at, reachable_at)
        SELECT ${t}, ${idSql(prefix, 'lead', sql`g.i`)}, src, 'b' || g.i,
          CASE WHEN NOT nd THEN 'new' WHEN inv THEN 'invalid' WHEN defeated THEN 'defeated' WHEN depth < 100 THEN 'delivered'
            WHEN depth < 110 THEN 'invoiced' WHEN depth < 120 THEN 'ordered' WHEN depth < 220 THEN 'test_drive' WHEN depth < 350 THEN 'visited'
            WHEN depth < 450 THEN 'invited' WHEN contacted THEN 'contacted' WHEN assigned THEN 'assigned' ELSE 'new' END,
          dedup, ${idSql(prefix, 'dealer', sql`d`)}, CASE WHEN assigned THEN ${idSql(prefix, 'consultant', sql`(d - 1) * ${CONSULTANTS_PER_DEALER} + 1 + (h1 >> 20) % ${CONSULTANTS_PER_DEALER}`)} END,
          nd AND NOT assigned, CASE WHEN inv THEN 'wrong_number' END, CASE WHEN defeated THEN 'price' END,
          c, c, c,
          CASE WHEN assigned THEN c + ((h2 >> 8) % 120) * interval '1 minute' END,
          CASE WHEN fu THEN c + ((h2 >> 8) % 120) * interval '1 minute' + 80 * power(((h2 >> 20) % 1000) / 1000.0, 2) * interval '1 hour' END,
          CASE WHEN contacted THEN c + interval '3 hours' + 80 * power(((h2 >> 20) % 1000) / 1000.0, 2) * interval '1 hour' END,
          CASE WHEN depth < 450 THEN c + interval '2 days' END,
          CASE WHEN depth < 350 THEN c + interval '4 days' END,
          CASE WHEN depth < 220 THEN c + interval '4 days' END,
          CASE WHEN depth < 120 THEN c + (5 + (h4 >> 24) % 30) * interval '1 day' END,
          CASE WHEN depth < 110 THEN c + (10 + (h4 >> 24) % 30) * interval '1 day' END,
          CASE WHEN depth < 100 THEN c + (20 + (h4 >> 24) % 30) * interval '1 day' END,
          CASE WHEN defeated OR inv THEN c + interval '10 days' END,
          CASE WHEN nd AND (h4 >> 8) % 100 < 35 THEN c + ((h4 >> 16) % 20) * interval '1 day' + ((h4 >> 4) % 24) * interval '1 hour' END
        FROM generate_series(${from}::int8, ${to}::int8) AS g(i),
          LATERAL (SELECT (hashint8(g.i) & 2147483647)::int8 AS h1, (hashint8(g.i * 7 + 3) & 2147483647)::int8 AS h2,
            (hashint8(g.i * 13 + 5) & 2147483647)::int8 AS h3, (hashint8(g.i * 17 + 11) & 2147483647)::int8 AS h4) x,
          LATERAL (SELECT ${new Date(startMs).toISOString()}::timestamptz + (g.i - 1) * ${stepSeconds}::float8 * interval '1 second' AS c,
            1 + floor(${DEALERS} * power(((h1 % 10000) + 0.5) / 10000.0, 1.5))::int AS d,
            ${sourceCase(sql`((h1 >> 14) % 100)`)} AS src,
            CASE WHEN h2 % 100 < 5 THEN 'duplicate' WHEN h2 % 100 < 25 THEN 'merged' ELSE 'new' END AS dedup) y,
          LATERAL (SELECT y.dedup <> 'duplicate' AS nd) z1,
          LATERAL (SELECT nd AND (h1 >> 8) % 10 <> 0 AS assigned, nd AND h3 % 100 < 8 AS inv) z2,
          LATERAL (SELECT assigned AND (h2 >> 16) % 100 < 92 AS fu) z3,
          LATERAL (SELECT fu AND NOT inv AND (h3 >> 7) % 100 < 85 AS contacted) z4,
          LATERAL (SELECT CASE WHEN contacted THEN (h3 >> 14) % 1000 ELSE 1000 END AS depth) z5,
          LATERAL (SELECT contacted AND depth >= 120 AND h4 % 100 < 40 AS defeated) z6`.execute(db);
      log(`    ${to.toLocaleString('en-US')} / ${spec.leads.toLocaleString('en-US')} leads`);
    }
  });

  await timed(seconds, 'defeat requests + orders', log, async () => {
    // Approved requests for defeated leads; a pending or rejected one for 8% of the other contacted leads without an order.
    await sql`
      INSERT INTO defeat_requests (tenant_id, id, lead_id, reason_code, remark, previous_status, requested_by, requested_at, state, decided_by, decided_at)
      SELECT ${t}, gen_random_uuid(), l.id, 'price', '价格原因', 'contacted', 'bench', l.contacted_at + interval '5 days',
        s, CASE WHEN s <> 'pending' THEN 'bench' END, CASE WHEN s <> 'pending' THEN l.contacted_at + interval '6 days' END
      FROM leads l, LATERAL (SELECT (hashtext(l.id::text) & 2147483647)::int8 AS h) x,
        LATERAL (SELECT CASE WHEN l.status = 'defeated' THEN 'approved' WHEN h % 100 < 4 THEN 'pending' WHEN h % 100 < 8 THEN 'rejected' END AS s) y
      WHERE l.tenant_id = ${t} AND l.contacted_at IS NOT NULL AND l.ordered_at IS NULL AND s IS NOT NULL`.execute(db);
    await sql`
      INSERT INTO orders (tenant_id, id, order_no, lead_id, profile_id, dealer_id, consultant_id, amount_fen, status, ordered_at, invoiced_at, delivered_at, referred_by)
      SELECT ${t}, gen_random_uuid(), 'BO' || l.external_id, l.id, gen_random_uuid(), l.dealer_id, l.consultant_id, 15000000 + (h % 100) * 100000,
        CASE WHEN l.delivered_at IS NOT NULL THEN 'delivered' WHEN l.invoiced_at IS NOT NULL THEN 'invoiced' ELSE 'ordered' END,
        l.ordered_at, l.invoiced_at, l.delivered_at, CASE WHEN h % 100 < 10 THEN gen_random_uuid() END
      FROM leads l, LATERAL (SELECT (hashtext(l.id::text) & 2147483647)::int8 AS h) x
      WHERE l.tenant_id = ${t} AND l.ordered_at IS NOT NULL`.execute(db);
  });

  await timed(seconds, 'vacuum analyze', log, async () => {
    const session = await store.sql.session();
    try {
      await session.exec('VACUUM ANALYZE leads, orders, defeat_requests, org_units, staff');
    } finally {
      session.release();
    }
  });
  return {
    tenantId: t,
    prefix,
    start: new Date(startMs).toISOString(),
    end: spec.end.toISOString(),
    dealer: { id: idOf(prefix, 'dealer', 1), code: 'D001', managerId: idOf(prefix, 'manager', 1) },
    consultantId: idOf(prefix, 'consultant', 1),
    seconds,
    counts: await datasetCounts(db, t, idOf(prefix, 'dealer', 1), idOf(prefix, 'consultant', 1)),
  };
}

/** The data set of the latest bench-leads tenant in a kept database (BENCH_REUSE_PG_KPI_DB). */
export async function findKpiDataset(db: Db): Promise<KpiDataset> {
  const { rows } = await sql<{ id: string; dealer: string; start: Date | string }>`
    SELECT t.id, d.id AS dealer, (SELECT min(created_at) FROM leads l WHERE l.tenant_id = t.id) AS start
    FROM tenants t JOIN org_units d ON d.tenant_id = t.id AND d.code = 'D001'
    WHERE t.name LIKE 'bench-leads-%' ORDER BY t.created_at DESC LIMIT 1`.execute(db);
  const r = rows[0];
  if (!r) throw new Error('no bench-leads data set in the reused database');
  const prefix = r.dealer.slice(0, 8);
  const start = new Date(r.start);
  return {
    tenantId: r.id,
    prefix,
    start: start.toISOString(),
    end: new Date(start.getTime() + 365 * DAY).toISOString(),
    dealer: { id: r.dealer, code: 'D001', managerId: idOf(prefix, 'manager', 1) },
    consultantId: idOf(prefix, 'consultant', 1),
    seconds: {},
    counts: await datasetCounts(db, r.id, r.dealer, idOf(prefix, 'consultant', 1)),
  };
}

export async function datasetCounts(db: Db, t: string, dealerId: string, consultantId: string): Promise<Record<string, number>> {
  const { rows } = await sql<Record<string, string>>`
    SELECT (SELECT count(*) FROM leads WHERE tenant_id = ${t}) AS leads,
      (SELECT count(*) FROM leads WHERE tenant_id = ${t} AND dealer_id = ${dealerId}) AS dealer_leads,
      (SELECT count(*) FROM leads WHERE tenant_id = ${t} AND consultant_id = ${consultantId}) AS consultant_leads,
      (SELECT count(*) FROM orders WHERE tenant_id = ${t}) AS orders,
      (SELECT count(*) FROM defeat_requests WHERE tenant_id = ${t}) AS defeat_requests,
      (SELECT count(*) FROM org_units WHERE tenant_id = ${t}) AS org_units,
      (SELECT count(*) FROM staff WHERE tenant_id = ${t}) AS staff`.execute(db);
  return Object.fromEntries(Object.entries(rows[0] ?? {}).map(([k, v]) => [k, Number(v)]));
}
