/**
 * The segments benchmark's data set, generated inside the database with `INSERT … SELECT
 * generate_series` (no rows travel through Node: faster than COPY from the client and the same SQL on
 * both engines). One tenant with `profiles` live profiles and `events` track events over the last 365
 * days (received_at ascending, a month partition at a time), a few sources, manual tags on ~20% of
 * profiles, vehicles (≈ 0.3 per profile) with buyer/owner relations, and a rollup row per profile.
 * Pseudo-random but deterministic: every choice is `hashint8` of the row number.
 *
 * Profile i (1-based) has the id `<run prefix>-0000-4000-8000-<i in hex>`: events name their profile
 * without a join. Activity is skewed: profile index = ceil(N · u²) for a uniform u, so low indexes are
 * the heavy users (as real traffic: a few people do most of it).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';
import { createTenant } from '../../src/modules/tenancy/index.js';
import { systemClock } from '../../src/platform/clock.js';
import type { Db, Store } from '../../src/platform/db/index.js';

export const CITIES = [
  '上海', '北京', '深圳', '广州', '杭州', '成都', '武汉', '南京', '重庆', '西安',
  '苏州', '天津', '长沙', '郑州', '东莞', '青岛', '沈阳', '宁波', '昆明', '合肥',
  '佛山', '无锡', '厦门', '福州', '济南', '大连', '哈尔滨', '长春', '南宁', '拉萨',
];
export const SERIES = ['秦PLUS', '汉', '唐', '宋PLUS', '海豚', '海豹', '元PLUS', '驱逐舰05', '护卫舰07', '腾势D9'];
export const TAG_NAMES = ['高意向', '老客户', '车展线索', '试驾未成交', '金融意向'];

/** Event names and their share of traffic (per mille); the rest is 'Content Viewed'. */
const EVENT_MIX: readonly (readonly [string, number])[] = [
  ['Mini Program Opened', 200],
  ['Official Account Followed', 40],
  ['Official Account Unfollowed', 8],
  ['WeCom Contact Added', 40],
  ['WeCom Contact Removed', 6],
  ['Signed Up', 30],
  ['Lead Created', 30],
  ['Price Inquiry', 50],
  ['Test Drive Booked', 20],
  ['Test Drive Completed', 15],
  ['Store Visited', 30],
  ['Order Placed', 10],
  ['Vehicle Delivered', 8],
  ['Service Completed', 50],
  ['Referral Made', 5],
  ['NPS Submitted', 10],
  ['Review Posted', 7],
];

const SOURCES = [
  { name: 'wecom', kind: 'wecom', domainClass: 'absolute' },
  { name: 'mini-program', kind: 'mini_program', domainClass: 'absolute' },
  { name: 'autohome', kind: 'autohome', domainClass: 'public' },
  { name: 'store', kind: 'offline_store', domainClass: 'secondary' },
] as const;

const DAY = 86_400_000;

export interface DatasetSpec {
  profiles: number;
  events: number;
  /** Data ends here (the measuring clock's now). */
  end: Date;
}

export interface Dataset {
  tenantId: string;
  /** The manual tags' ids, in TAG_NAMES order. */
  tagIds: string[];
  /** Seconds per phase. */
  seconds: Record<string, number>;
  counts: Record<string, number>;
}

/** `'<prefix>-0000-4000-8000-' || lpad(to_hex(i), 12, '0')`: profile i's id. */
export function profileIdSql(prefix: string, i: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`(${`${prefix}-0000-4000-8000-`}::text || lpad(to_hex(${i}), 12, '0'))::uuid`;
}

async function timed(seconds: Record<string, number>, phase: string, log: (l: string) => void, fn: () => Promise<void>): Promise<void> {
  const t = performance.now();
  await fn();
  seconds[phase] = (performance.now() - t) / 1000;
  log(`  ${phase}: ${seconds[phase].toFixed(1)} s`);
}

/** `CASE WHEN u < c1 THEN n1 … ELSE 'Content Viewed' END` over a per-mille draw `u`. */
function eventNameCase(u: RawBuilder<unknown>): RawBuilder<unknown> {
  let cum = 0;
  const whens = EVENT_MIX.map(([name, share]) => {
    cum += share;
    return sql`WHEN ${u} < ${sql.lit(cum)} THEN ${sql.lit(name)}`;
  });
  return sql`CASE ${sql.join(whens, sql` `)} ELSE 'Content Viewed' END`;
}

export async function generateDataset(store: Store, spec: DatasetSpec, log: (l: string) => void): Promise<Dataset> {
  const db = store.db;
  const seconds: Record<string, number> = {};
  const tenant = await createTenant({ db, clock: systemClock }, { name: `bench-segments-${spec.profiles}x${spec.events}` });
  const t = tenant.tenantId;
  const prefix = randomBytes(4).toString('hex');
  const pid = (i: RawBuilder<unknown>) => profileIdSql(prefix, i);
  const n = spec.profiles;
  const endMs = spec.end.getTime();
  const startMs = endMs - 365 * DAY;

  const sourceIds = [tenant.sourceId];
  for (const s of SOURCES) {
    const id = randomUUID();
    sourceIds.push(id);
    await sql`INSERT INTO sources (tenant_id, id, name, kind, domain_class) VALUES (${t}, ${id}, ${s.name}, ${s.kind}, ${s.domainClass})`.execute(db);
  }
  const srcArr = sql`${sourceIds}::uuid[]`;

  await timed(seconds, 'profiles', log, async () => {
    const cities = sql`${CITIES}::text[]`;
    const series = sql`${SERIES}::text[]`;
    for (let from = 1; from <= n; from += 250_000) {
      const to = Math.min(n, from + 249_999);
      await sql`
        INSERT INTO profiles (tenant_id, id, traits, trait_meta, first_seen, last_seen, created_at, updated_at)
        SELECT ${t}, ${pid(sql`g.i`)},
          jsonb_build_object(
            'name', (ARRAY['王','李','张','刘','陈','杨','赵','黄'])[1 + h % 8] || (ARRAY['伟','芳','娜','敏','静','强','磊','洋'])[1 + (h >> 3) % 8],
            'phone', '+86138' || lpad((g.i % 100000000)::text, 8, '0'),
            'city', (${cities})[1 + floor(30 * power(((h >> 6) % 10000) / 10000.0, 2))::int],
            'intendedSeries', (${series})[1 + (h >> 20) % 10],
            'gender', CASE WHEN h % 2 = 0 THEN 'female' ELSE 'male' END,
            'insuranceExpiresAt', to_char(date '2025-06-01' + ((h >> 11) % 730)::int, 'YYYY-MM-DD')),
          '{}'::jsonb, ft, ft + ((h >> 4) % 300) * interval '1 day', ft, ft
        FROM generate_series(${from}::int8, ${to}::int8) AS g(i),
          LATERAL (SELECT (hashint8(g.i) & 2147483647)::int8 AS h) x,
          LATERAL (SELECT ${new Date(startMs).toISOString()}::timestamptz + ((h >> 7) % 365) * interval '1 day' AS ft) y`.execute(db);
      log(`    ${to.toLocaleString('en-US')} / ${n.toLocaleString('en-US')} profiles`);
    }
  });

  await timed(seconds, 'events', log, async () => {
    // One INSERT per month partition, rows in received_at order (cheap appends to the time indexes).
    const months: { from: number; to: number }[] = [];
    for (let m = Date.UTC(new Date(startMs).getUTCFullYear(), new Date(startMs).getUTCMonth(), 1); m <= endMs; ) {
      const next = Date.UTC(new Date(m).getUTCFullYear(), new Date(m).getUTCMonth() + 1, 1);
      months.push({ from: Math.max(m, startMs), to: Math.min(next, endMs) });
      await sql`SELECT siyu_ensure_events_partition(${new Date(m).toISOString()}::timestamptz)`.execute(db);
      m = next;
    }
    const perMs = spec.events / (endMs - startMs);
    let done = 0;
    for (const [k, month] of months.entries()) {
      const count = k === months.length - 1 ? spec.events - done : Math.round((month.to - month.from) * perMs);
      if (count <= 0) continue;
      const step = (month.to - month.from) / count / 1000;
      const u = sql`((h >> 3) % 1000)`;
      await sql`
        INSERT INTO events (tenant_id, id, received_at, message_id, type, source_id, event, "timestamp", properties, profile_id)
        SELECT ${t}, nextval('events_id_seq'), ra, 'bench-' || g.i, 'track', (${srcArr})[1 + (h >> 13) % ${sourceIds.length}],
          ev, ra - interval '2 seconds',
          CASE ev
            WHEN 'NPS Submitted' THEN jsonb_build_object('score', h % 11)
            WHEN 'Content Viewed' THEN jsonb_build_object('contentId', 'c' || (h >> 17) % 500, 'channel', (ARRAY['oa','mp','web'])[1 + h % 3])
            WHEN 'Order Placed' THEN jsonb_build_object('series', (${sql`${SERIES}::text[]`})[1 + h % 10], 'amount', 100000 + (h % 200) * 1000)
            ELSE jsonb_build_object('k', h % 100)
          END,
          ${pid(sql`greatest(1, ceil(${n}::float8 * power((h2 % 1000000 + 0.5) / 1000000.0, 2)))::int8`)}
        FROM generate_series(${done + 1}::int8, ${done + count}::int8) AS g(i),
          LATERAL (SELECT (hashint8(g.i) & 2147483647)::int8 AS h, (hashint8(g.i * 3 + 1) & 2147483647)::int8 AS h2) x,
          LATERAL (SELECT ${new Date(month.from).toISOString()}::timestamptz + (g.i - ${done + 1}) * ${step}::float8 * interval '1 second' AS ra,
            ${eventNameCase(u)} AS ev) y`.execute(db);
      done += count;
      log(`    ${done.toLocaleString('en-US')} / ${spec.events.toLocaleString('en-US')} events (${new Date(month.from).toISOString().slice(0, 7)})`);
    }
  });

  const tagIds = TAG_NAMES.map(() => randomUUID());
  await timed(seconds, 'tags', log, async () => {
    const groupId = randomUUID();
    await sql`INSERT INTO tag_groups (tenant_id, id, name) VALUES (${t}, ${groupId}, '客户标签')`.execute(db);
    for (const [k, name] of TAG_NAMES.entries()) {
      await sql`INSERT INTO tags (tenant_id, id, group_id, name, kind) VALUES (${t}, ${tagIds[k]}, ${groupId}, ${name}, 'manual')`.execute(db);
    }
    // ~20% of profiles carry a tag (a fifth of those a second one); tag k is k+1 times rarer than tag 0.
    await sql`
      INSERT INTO profile_tags (tenant_id, tag_id, profile_id, applied_at, applied_by)
      SELECT DISTINCT ON (tag, g.i) ${t}, tag, ${pid(sql`g.i`)}, now() - ((h >> 5) % 300) * interval '1 day', 'bench'
      FROM generate_series(1::int8, ${n}::int8) AS g(i),
        LATERAL (SELECT (hashint8(g.i + 7) & 2147483647)::int8 AS h) x,
        LATERAL (SELECT unnest(CASE WHEN h % 25 = 0 THEN ARRAY[(${tagIds}::uuid[])[1 + (h >> 10) % 5], (${tagIds}::uuid[])[1]]
                                    ELSE ARRAY[(${tagIds}::uuid[])[1 + floor(5 * power(((h >> 10) % 1000) / 1000.0, 2))::int]] END) AS tag) y
      WHERE h % 5 = 0`.execute(db);
  });

  await timed(seconds, 'vehicles', log, async () => {
    const vehicles = Math.max(1, Math.round(n * 0.3));
    await sql`
      INSERT INTO vehicles (tenant_id, vin, series, model, model_year)
      SELECT ${t}, 'LGXCE' || lpad(g.i::text, 12, '0'), (${sql`${SERIES}::text[]`})[1 + h % 10],
        (${sql`${SERIES}::text[]`})[1 + h % 10] || (ARRAY[' 标准版', ' 豪华版', ' 旗舰版'])[1 + (h >> 4) % 3], 2018 + (h >> 8) % 9
      FROM generate_series(1::int8, ${vehicles}::int8) AS g(i), LATERAL (SELECT (hashint8(g.i + 11) & 2147483647)::int8 AS h) x`.execute(db);
    // Each vehicle: an owner (spread over all profiles); 40% also a buyer (the same person); 5% of
    // relations ended (sold).
    await sql`
      INSERT INTO vehicle_relations (tenant_id, id, vin, profile_id, role, valid_from, valid_to, source)
      SELECT ${t}, gen_random_uuid(), 'LGXCE' || lpad(g.i::text, 12, '0'), ${pid(sql`1 + (h % ${n})`)}, r.role, vf,
        CASE WHEN (h >> 9) % 20 = 0 THEN vf + interval '200 days' END, 'dms'
      FROM generate_series(1::int8, ${vehicles}::int8) AS g(i),
        LATERAL (SELECT (hashint8(g.i + 13) & 2147483647)::int8 AS h) x,
        LATERAL (SELECT ${new Date(endMs - 5 * 365 * DAY).toISOString()}::timestamptz + ((h >> 4) % 1800) * interval '1 day' AS vf) y,
        LATERAL (SELECT unnest(CASE WHEN (h >> 6) % 5 < 2 THEN ARRAY['owner', 'buyer'] ELSE ARRAY['owner'] END) AS role) r`.execute(db);
  });

  await timed(seconds, 'rollups', log, async () => {
    await sql`
      INSERT INTO profile_rollups (tenant_id, profile_id, first_touch_at, first_source_id, first_source_kind, first_domain_class, wecom_staff, oa_apps)
      SELECT ${t}, p.id, p.first_seen, s.id, s.kind, s.domain_class,
        CASE WHEN h % 10 < 3 THEN ARRAY['staff_' || (h >> 4) % 50] ELSE '{}' END,
        CASE WHEN (h >> 8) % 4 = 0 THEN ARRAY['wx_oa_main'] ELSE '{}' END
      FROM profiles p
        CROSS JOIN LATERAL (SELECT (hashtext(p.id::text) & 2147483647)::int8 AS h) x
        JOIN sources s ON s.tenant_id = p.tenant_id AND s.id = (${srcArr})[1 + (h >> 12) % ${sourceIds.length}]
      WHERE p.tenant_id = ${t}`.execute(db);
  });

  await timed(seconds, 'vacuum analyze', log, async () => {
    const session = await store.sql.session();
    try {
      await session.exec('VACUUM ANALYZE profiles, events, profile_tags, vehicles, vehicle_relations, profile_rollups, tags, sources');
    } finally {
      session.release();
    }
  });
  return { tenantId: t, tagIds, seconds, counts: await datasetCounts(db, t) };
}

export async function datasetCounts(db: Db, t: string): Promise<Record<string, number>> {
  const { rows } = await sql<Record<string, string>>`
    SELECT (SELECT count(*) FROM profiles WHERE tenant_id = ${t}) AS profiles,
      (SELECT count(*) FROM events WHERE tenant_id = ${t}) AS events,
      (SELECT count(*) FROM profile_tags WHERE tenant_id = ${t}) AS profile_tags,
      (SELECT count(DISTINCT profile_id) FROM profile_tags WHERE tenant_id = ${t}) AS tagged_profiles,
      (SELECT count(*) FROM vehicles WHERE tenant_id = ${t}) AS vehicles,
      (SELECT count(*) FROM vehicle_relations WHERE tenant_id = ${t}) AS vehicle_relations,
      (SELECT count(*) FROM profile_rollups WHERE tenant_id = ${t}) AS profile_rollups`.execute(db);
  return Object.fromEntries(Object.entries(rows[0] ?? {}).map(([k, v]) => [k, Number(v)]));
}
