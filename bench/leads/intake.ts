/**
 * Lead intake at scale: `leads` leads through `POST /api/v1/leads` ({ leads: [...] }, `batch` per
 * request, `concurrency` in flight) of a real `siyu serve` child process (dist/), each resolved
 * through One ID, deduplicated, scored and routed; ~20% returning people (an earlier phone, another
 * series: merged), ~5% duplicates (an earlier phone and series); 200 dealers (capacity 400 a day,
 * routed by city) with 10 consultants each (load cap `cap`). The baseline: the same rows COPYed
 * straight into `leads` from this process (no HTTP, no One ID, no routing), `concurrency` COPYs in
 * flight, one transaction per `batch` rows.
 */
import http from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { CompiledQuery, sql } from 'kysely';
import { createTenant } from '../../src/modules/tenancy/index.js';
import { systemClock } from '../../src/platform/clock.js';
import type { StoreConfig } from '../../src/platform/config.js';
import { CopySource, openStore, toCopyText, type CopyValue } from '../../src/platform/db/index.js';
import { runCli, siyuEnv, startServer } from '../lib/processes.js';
import { CITIES, network } from './dataset.js';
import { Rng } from '../../src/testing/fuzz/rng.js';

const SERIES = ['秦PLUS', '汉', '唐', '宋PLUS', '海豚', '海豹', '元PLUS', '驱逐舰05', '护卫舰07', '腾势D9'];
const SOURCES = ['autohome', 'douyin', 'yiche', 'dongchedi', 'website', 'mini_program'];
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '强', '磊', '洋'];

export interface LeadJson {
  source: string;
  externalId: string;
  channel: string;
  campaign: string;
  name: string;
  phone: string;
  city: string;
  province: string;
  series: string;
  createdAt: string;
}

export interface Workload {
  leads: LeadJson[];
  bodies: Buffer[];
  /** What was built: returning people and duplicates by construction. */
  planned: { returning: number; duplicates: number };
}

/** `n` leads, one second apart, ending now; people numbered from `personBase`. */
export function buildWorkload(spec: { leads: number; batch: number; seed: number; personBase: number; tag: string }): Workload {
  const rand = Rng.stream(spec.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const leads: LeadJson[] = [];
  const people: Array<{ phone: string; name: string; city: string; series: string }> = [];
  let returning = 0;
  let duplicates = 0;
  const end = Date.now() - 60_000;
  for (let i = 0; i < spec.leads; i++) {
    const r = rand();
    const earlier = people.length > 0 ? people[Math.max(0, people.length - 1 - Math.floor(rand() * 5000))] : undefined;
    let person: { phone: string; name: string; city: string; series: string };
    if (earlier && r < 0.05) {
      person = earlier;
      duplicates += 1;
    } else if (earlier && r < 0.25) {
      const others = SERIES.filter((s) => s !== earlier.series);
      person = { ...earlier, series: pick(others) };
      returning += 1;
    } else {
      const k = spec.personBase + people.length;
      // 5% of people live where no dealer is (routed by province or to the HQ pool).
      const city = rand() < 0.05 ? '拉萨' : pick(CITIES);
      person = { phone: `+8613${String(k).padStart(9, '0')}`, name: pick(SURNAMES) + pick(GIVEN), city, series: pick(SERIES) };
    }
    people.push(person);
    leads.push({
      source: pick(SOURCES),
      externalId: `${spec.tag}-${i}`,
      channel: pick(['信息流', '搜索', '表单', '直播']),
      campaign: `2026Q${1 + (i % 4)}`,
      name: person.name,
      phone: person.phone,
      city: person.city,
      province: person.city,
      series: person.series,
      createdAt: new Date(end - (spec.leads - i) * 1000).toISOString(),
    });
  }
  const bodies: Buffer[] = [];
  for (let i = 0; i < leads.length; i += spec.batch) bodies.push(Buffer.from(JSON.stringify({ leads: leads.slice(i, i + spec.batch) })));
  return { leads, bodies, planned: { returning, duplicates } };
}

export interface IntakeTally {
  results: number;
  dedup: Record<string, number>;
  toConsultant: number;
  toDealerPool: number;
  toHqPool: number;
}

function postLeads(agent: http.Agent, url: URL, body: Buffer, authorization: string, tally: IntakeTally): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length, authorization } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) return reject(new Error(`POST /api/v1/leads answered ${res.statusCode ?? '?'}: ${text.slice(0, 800)}`));
        const parsed: unknown = JSON.parse(text);
        const results = typeof parsed === 'object' && parsed !== null && 'results' in parsed && Array.isArray(parsed.results) ? (parsed.results as unknown[]) : [];
        for (const r of results) {
          if (typeof r !== 'object' || r === null) continue;
          const o = r as { dedup?: string; dealerId?: string | null; consultantId?: string | null };
          tally.results += 1;
          tally.dedup[o.dedup ?? '?'] = (tally.dedup[o.dedup ?? '?'] ?? 0) + 1;
          if (o.consultantId) tally.toConsultant += 1;
          else if (o.dealerId) tally.toDealerPool += 1;
          else tally.toHqPool += 1;
        }
        resolve();
      });
    });
    req.setTimeout(300_000, () => req.destroy(new Error('POST /api/v1/leads: no answer within 300 s')));
    req.on('error', reject);
    req.end(body);
  });
}

async function postAllLeads(base: string, bodies: readonly Buffer[], authorization: string, concurrency: number): Promise<{ ms: number; tally: IntakeTally }> {
  const url = new URL('/api/v1/leads', base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const tally: IntakeTally = { results: 0, dedup: {}, toConsultant: 0, toDealerPool: 0, toHqPool: 0 };
  let next = 0;
  const worker = async () => {
    for (let body = bodies[next++]; body; body = bodies[next++]) await postLeads(agent, url, body, authorization, tally);
  };
  const started = performance.now();
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return { ms: performance.now() - started, tally };
}

export interface IntakeResult {
  leads: number;
  requests: number;
  seconds: number;
  leadsPerSec: number;
  tally: IntakeTally;
  planned: Workload['planned'];
  stored: Record<string, number>;
  server: { cpuSeconds: number; peakRssMb: number; maxSampledRssMb: number; rssIdleMb: number; rssEndMb: number };
  raw: { rows: number; seconds: number; rowsPerSec: number };
  ratio: number;
}

const mb = (kb: number) => kb / 1024;

/**
 * One engine: a tenant made by `siyu tenant create`, the dealer network written straight into the
 * store, then the server started on it, a warm-up and the timed intake; the stored leads counted
 * afterwards (the server stopped: PGlite's folder is single-process); then the raw COPY baseline.
 */
export async function measureIntake(
  config: StoreConfig,
  env: Record<string, string>,
  work: Workload,
  warmup: Workload,
  s: { concurrency: number; batch: number; cap: number },
  log: (l: string) => void,
): Promise<IntakeResult> {
  const siyu = siyuEnv({ SIYU_HOST: '127.0.0.1', SIYU_LOG_LEVEL: 'warn', ...env });
  const created: unknown = JSON.parse(await runCli(['tenant', 'create', '--name', 'bench-leads-intake', '--json'], siyu));
  if (typeof created !== 'object' || created === null || !('tenantId' in created) || !('adminToken' in created)) throw new Error('siyu tenant create printed no tenant');
  const tenantId = String(created.tenantId);
  const authorization = `Bearer ${String(created.adminToken)}`;
  const setup = await openStore(config);
  try {
    await network(setup.db, tenantId, randomBytes(4).toString('hex'), s.cap);
  } finally {
    await setup.close();
  }

  const server = await startServer(siyu);
  let seconds = 0;
  let tally: IntakeTally = { results: 0, dedup: {}, toConsultant: 0, toDealerPool: 0, toHqPool: 0 };
  const rss = { idle: 0, end: 0 };
  let cpuSeconds = 0;
  let peakKb = 0;
  let sampledKb = 0;
  try {
    rss.idle = mb(server.memory().rssKb);
    log(`  warm-up: ${warmup.leads.length} leads (server pid ${server.pid})`);
    await postAllLeads(server.url, warmup.bodies, authorization, s.concurrency);
    log(`  ${work.leads.length.toLocaleString('en-US')} leads in ${work.bodies.length} requests of ${s.batch}, ${s.concurrency} at a time`);
    const cpu0 = server.cpuSeconds();
    const posted = await postAllLeads(server.url, work.bodies, authorization, s.concurrency);
    seconds = posted.ms / 1000;
    tally = posted.tally;
    cpuSeconds = server.cpuSeconds() - cpu0;
    const mem = server.memory();
    rss.end = mb(mem.rssKb);
    peakKb = mem.hwmKb;
    sampledKb = Math.max(server.maxSampledRssKb(), mem.rssKb);
  } finally {
    const code = await server.stop();
    if (code !== 0) log(`  the server exited with ${code}`);
  }

  const check = await openStore(config);
  let stored: Record<string, number>;
  try {
    const { rows } = await sql<{ dedup: string; n: string }>`SELECT dedup, count(*) AS n FROM leads WHERE tenant_id = ${tenantId} GROUP BY dedup`.execute(check.db);
    stored = Object.fromEntries(rows.map((r) => [r.dedup, Number(r.n)]));
  } finally {
    await check.close();
  }
  const storedTotal = Object.values(stored).reduce((a, b) => a + b, 0);
  if (storedTotal !== work.leads.length + warmup.leads.length) throw new Error(`${work.leads.length + warmup.leads.length} leads sent but ${storedTotal} stored`);

  log(`  raw COPY of the same ${work.leads.length.toLocaleString('en-US')} rows into leads`);
  const raw = await rawCopyLeads(config, work.leads, s.batch, s.concurrency);
  const leadsPerSec = work.leads.length / seconds;
  return {
    leads: work.leads.length,
    requests: work.bodies.length,
    seconds,
    leadsPerSec,
    tally,
    planned: work.planned,
    stored,
    server: { cpuSeconds, peakRssMb: mb(peakKb), maxSampledRssMb: mb(sampledKb), rssIdleMb: rss.idle, rssEndMb: rss.end },
    raw,
    ratio: leadsPerSec / raw.rowsPerSec,
  };
}

const COPY_LEADS_SQL =
  'COPY leads (tenant_id, id, source, external_id, channel, campaign, name, phone, city, province, series, status, dedup, created_at, received_at, updated_at) FROM STDIN';

/** The baseline: the leads' rows COPYed into `leads` of a new tenant, `concurrency` COPYs in flight. */
export async function rawCopyLeads(config: StoreConfig, leads: readonly LeadJson[], batch: number, concurrency: number): Promise<IntakeResult['raw']> {
  const store = await openStore(config);
  try {
    const tenant = await createTenant({ db: store.db, clock: systemClock }, { name: 'bench-leads-raw-copy' });
    const now = new Date();
    const chunks: Buffer[] = [];
    for (let i = 0; i < leads.length; i += batch) {
      const rows: CopyValue[][] = leads.slice(i, i + batch).map((l) => [
        tenant.tenantId, randomUUID(), l.source, l.externalId, l.channel, l.campaign, l.name, l.phone, l.city, l.province, l.series, 'new', 'new', l.createdAt, now, now,
      ]);
      chunks.push(toCopyText(rows));
    }
    let next = 0;
    const worker = async () => {
      for (let c = chunks[next++]; c; c = chunks[next++]) {
        const data = c;
        await store.db.transaction().execute((trx) => trx.executeQuery(CompiledQuery.raw(COPY_LEADS_SQL, [new CopySource(data)])));
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = (performance.now() - started) / 1000;
    const n = await sql<{ n: string }>`SELECT count(*) AS n FROM leads WHERE tenant_id = ${tenant.tenantId}`.execute(store.db);
    const rows = Number(n.rows[0]?.n ?? NaN);
    if (rows !== leads.length) throw new Error(`raw COPY: ${leads.length} rows sent but ${rows} stored`);
    return { rows, seconds, rowsPerSec: rows / seconds };
  } finally {
    await store.close();
  }
}
