/**
 * What the segments benchmark measures on a generated data set, in the process that runs it (a child
 * of the bench, so that its memory is its own): preview latency of the 4-condition segment and of each
 * condition alone (median of 5 after a warm-up), the count's plan (EXPLAIN ANALYZE BUFFERS), the
 * process's memory around previews and materialisations of a small and a large segment, the full
 * materialisation (createSegment), and the incremental refresh after 10k new events.
 */
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { segmentDefinitionSchema, type SegmentDefinition } from '../../src/contracts/segments.js';
import { compileCondition, createSegment, evaluationContext, previewSegment, refreshSegmentsFor } from '../../src/modules/segments/index.js';
import type { Clock } from '../../src/platform/clock.js';
import type { Db, Store } from '../../src/platform/db/index.js';
import { CITIES, profileIdSql, SERIES, TAG_NAMES } from './dataset.js';
import { loadRefresh } from './refresh-port.js';

const ACTOR = 'bench:segments';

export interface Memory {
  rssMb: number;
  hwmMb: number;
}

export function memory(): Memory {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

export interface Timing {
  name: string;
  count: number;
  medianMs: number;
  runsMs: number[];
}

export interface MeasureResult {
  engine: string;
  tenantId: string;
  now: string;
  previews: Timing[];
  explain: string;
  memory: Array<{ step: string; count?: number; ms?: number } & Memory>;
  materialise: Array<{ name: string; members: number; ms: number }>;
  refresh: {
    newEvents: number;
    profiles: number;
    segments: number;
    /** refreshSegmentsFor (segments module) over the changed profiles, one transaction. */
    segmentsForMs: number;
    /** refreshChangedProfiles (src/worker/refresh.ts) or why it was not measured. */
    worker: { ms: number; profiles: number; batches: number } | { pending: string };
  };
}

const def = (condition: unknown): SegmentDefinition => segmentDefinitionSchema.parse({ condition });

export function definitions(tagIds: readonly string[]) {
  const trait = { type: 'trait', trait: 'city', op: 'in', values: CITIES.slice(0, 3) };
  const event = { type: 'event', event: 'Content Viewed', count: { op: 'at_least', value: 2 }, window: { lastDays: 30 } };
  const tag = { type: 'tag', tag: tagIds[0], has: true };
  const vehicle = { type: 'vehicle', series: SERIES.slice(0, 2) };
  return {
    four: def({ type: 'and', conditions: [trait, event, tag, vehicle] }),
    alone: { trait: def(trait), event: def(event), tag: def(tag), vehicle: def(vehicle) },
    /** ~half of the profiles: the memory comparison's large segment. */
    large: def({ type: 'trait', trait: 'gender', op: 'eq', value: 'female' }),
    /** A third saved segment for the refresh: time-dependent trait and reachability. */
    third: def({ type: 'and', conditions: [{ type: 'trait', trait: 'insuranceExpiresAt', op: 'within_next_days', days: 30 }, { type: 'wecom_friend' }] }),
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

async function timePreview(deps: { db: Db; clock: Clock }, tenantId: string, name: string, d: SegmentDefinition, runs: number): Promise<Timing> {
  const first = await previewSegment(deps, tenantId, d);
  const runsMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await previewSegment(deps, tenantId, d);
    runsMs.push(performance.now() - t);
  }
  return { name, count: first.count, medianMs: median(runsMs), runsMs };
}

async function tagIdsOf(db: Db, tenantId: string): Promise<string[]> {
  const rows = await db.selectFrom('tags').select(['id', 'name']).where('tenant_id', '=', tenantId).execute();
  const byName = new Map(rows.map((r) => [r.name, r.id]));
  return TAG_NAMES.map((n) => {
    const id = byName.get(n);
    if (!id) throw new Error(`tenant ${tenantId} has no tag ${n}: not a segments bench data set`);
    return id;
  });
}

async function explainCount(db: Db, tenantId: string, now: Date, d: SegmentDefinition): Promise<string> {
  const ctx = await evaluationContext(db, tenantId, now, 'set');
  // The statement countMatching (membership.repo.ts) runs.
  const { rows } = await sql<{ 'QUERY PLAN': string }>`
    EXPLAIN (ANALYZE, BUFFERS) SELECT count(*) AS n FROM profiles p
    WHERE p.tenant_id = ${tenantId} AND p.merged_into IS NULL AND ${compileCondition(d.condition, ctx)}`.execute(db);
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}

/** 10k new events for 5k existing profiles (two each, spread over the id range), marked dirty. */
async function newEvents(db: Db, tenantId: string, now: Date, events: number): Promise<string[]> {
  const profiles = Math.max(1, Math.floor(events / 2));
  const { rows: pre } = await sql<{ id: string }>`SELECT id::text FROM profiles WHERE tenant_id = ${tenantId} LIMIT 1`.execute(db);
  const prefix = pre[0]?.id.slice(0, 8);
  if (!prefix) throw new Error('no profiles');
  const { rows: n } = await sql<{ n: string }>`SELECT count(*) AS n FROM profiles WHERE tenant_id = ${tenantId}`.execute(db);
  const total = Number(n[0]?.n);
  const pid = profileIdSql(prefix, sql`1 + ((g.i / 2) * 197) % ${total}`);
  await sql`SELECT siyu_ensure_events_partition(${now.toISOString()}::timestamptz)`.execute(db);
  const run = Date.now().toString(36);
  const { rows } = await sql<{ profile_id: string }>`
    WITH ins AS (
      INSERT INTO events (tenant_id, received_at, message_id, type, source_id, event, "timestamp", properties, profile_id)
      SELECT ${tenantId}, ${now.toISOString()}::timestamptz, ${`refresh-${run}-`}::text || g.i, 'track',
        (SELECT id FROM sources WHERE tenant_id = ${tenantId} ORDER BY created_at LIMIT 1),
        CASE WHEN g.i % 4 = 0 THEN 'Order Placed' ELSE 'Content Viewed' END, ${now.toISOString()}::timestamptz - interval '1 minute',
        jsonb_build_object('k', g.i % 10), ${pid}
      FROM generate_series(0::int8, ${events - 1}::int8) AS g(i)
      RETURNING profile_id
    ),
    dirty AS (
      INSERT INTO profiles_dirty (tenant_id, profile_id, marked_at)
      SELECT DISTINCT ${tenantId}::uuid, profile_id, ${now.toISOString()}::timestamptz FROM ins
      ON CONFLICT (tenant_id, profile_id) DO NOTHING
      RETURNING profile_id
    )
    SELECT DISTINCT profile_id::text AS profile_id FROM ins`.execute(db);
  if (rows.length !== profiles) throw new Error(`expected ${profiles} profiles with new events, got ${rows.length}`);
  return rows.map((r) => r.profile_id);
}

export async function measure(store: Store, tenantId: string, runs: number, log: (l: string) => void): Promise<MeasureResult> {
  const db = store.db;
  const tenant = await db.selectFrom('tenants').select('created_at').where('id', '=', tenantId).executeTakeFirstOrThrow();
  const now = tenant.created_at;
  const clock: Clock = { now: () => now };
  const deps = { db, clock };
  const defs = definitions(await tagIdsOf(db, tenantId));
  const mem: MeasureResult['memory'] = [{ step: 'store open', ...memory() }];

  const previews: Timing[] = [];
  log(`[${store.engine}] previews (median of ${runs} after a warm-up)`);
  const four = await timePreview(deps, tenantId, '4 conditions (AND)', defs.four, runs);
  previews.push(four);
  log(`  4 conditions: ${four.count} profiles, ${four.medianMs.toFixed(0)} ms`);
  mem.push({ step: 'after previews of the 4-condition segment', count: four.count, ...memory() });
  for (const [name, d] of Object.entries(defs.alone)) {
    const t = await timePreview(deps, tenantId, `${name} alone`, d, runs);
    previews.push(t);
    log(`  ${name} alone: ${t.count} profiles, ${t.medianMs.toFixed(0)} ms`);
  }
  const large = await timePreview(deps, tenantId, 'large (gender = female)', defs.large, runs);
  previews.push(large);
  log(`  large: ${large.count} profiles, ${large.medianMs.toFixed(0)} ms`);
  mem.push({ step: 'after previews of the large segment', count: large.count, ...memory() });

  log(`[${store.engine}] EXPLAIN (ANALYZE, BUFFERS) of the 4-condition count`);
  const explain = await explainCount(db, tenantId, now, defs.four);

  log(`[${store.engine}] materialisation (createSegment)`);
  const materialise: MeasureResult['materialise'] = [];
  const saved = [
    ['bench 4 conditions', defs.four],
    ['bench large', defs.large],
    ['bench insurance + wecom', defs.third],
  ] as const;
  for (const [name, d] of saved) {
    const t = performance.now();
    const { segment } = await createSegment(deps, tenantId, { name: `${name} ${Date.now().toString(36)}`, definition: d }, ACTOR);
    const took = performance.now() - t;
    materialise.push({ name, members: segment.memberCount, ms: took });
    mem.push({ step: `after createSegment (${name})`, count: segment.memberCount, ms: took, ...memory() });
    log(`  ${name}: ${segment.memberCount} members, ${(took / 1000).toFixed(2)} s`);
  }

  const eventsN = 10_000;
  log(`[${store.engine}] incremental refresh: ${eventsN} new events`);
  await sql`DELETE FROM profiles_dirty WHERE tenant_id = ${tenantId}`.execute(db);
  const ids = await newEvents(db, tenantId, now, eventsN);
  const segmentsCount = saved.length;
  // The segments part alone, in a transaction rolled back so that the worker below sees the same work.
  let segmentsForMs = 0;
  await db
    .transaction()
    .execute(async (trx) => {
      const ctx = await evaluationContext(trx, tenantId, now, 'set');
      const t = performance.now();
      await refreshSegmentsFor(trx, ctx, ids);
      segmentsForMs = performance.now() - t;
      throw new RolledBack();
    })
    .catch((err: unknown) => {
      if (!(err instanceof RolledBack)) throw err;
    });
  log(`  segments part (${segmentsCount} segments × ${ids.length} profiles): ${segmentsForMs.toFixed(0)} ms`);
  const refreshChangedProfiles = await loadRefresh();
  let worker: MeasureResult['refresh']['worker'];
  if (typeof refreshChangedProfiles === 'string') {
    worker = { pending: refreshChangedProfiles };
    log(`  refreshChangedProfiles: ${refreshChangedProfiles}`);
  } else {
    const t = performance.now();
    let profiles = 0;
    let batches = 0;
    for (let i = 0; i < 1000; i++) {
      const r = await refreshChangedProfiles({ db, clock }, tenantId);
      profiles += r.profiles;
      batches += r.batches;
      if (r.profiles === 0) break;
    }
    worker = { ms: performance.now() - t, profiles, batches };
    log(`  refreshChangedProfiles: ${profiles} profiles in ${batches} batches, ${worker.ms.toFixed(0)} ms`);
  }
  mem.push({ step: 'after the refresh', ...memory() });
  return {
    engine: store.engine,
    tenantId,
    now: now.toISOString(),
    previews,
    explain,
    memory: mem,
    materialise,
    refresh: { newEvents: eventsN, profiles: ids.length, segments: segmentsCount, segmentsForMs, worker },
  };
}

class RolledBack extends Error {}
