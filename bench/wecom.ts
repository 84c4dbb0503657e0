/**
 * `npm run bench -- wecom`: WeCom callbacks.
 * (a) accept: signed add_external_contact callbacks POSTed to a `siyu serve` child (dist/) on
 *     PostgreSQL, `concurrency` in flight over keep-alive connections: callbacks accepted per second
 *     (goal ≥ 2k/s) and the answers' latency (goal p99 < 100 ms) while a worker in this process
 *     applies them as they arrive (WeCom's rate limits lifted: the fake WeCom answers at once);
 * (b) apply: the same callbacks stored first, then applied by processCallbacks alone: add events
 *     applied per second on each engine (each is an externalcontact/get, a friendship, a timeline
 *     event resolved through One ID and a customer link).
 * The fake WeCom runs in this process and knows every customer.
 *
 * Environment: BENCH_PARTS (accept,apply), BENCH_APPLY_WHILE_POSTING (1; 0: accept alone, apply after), BENCH_ENGINES (postgres,pglite: apply only on PGlite),
 * BENCH_CALLBACKS (20000), BENCH_APPLY (10000; PGlite BENCH_PGLITE_APPLY 3000), BENCH_CONCURRENCY
 * (32), BENCH_SERVER_NODE_ARGS (e.g. --cpu-prof --cpu-prof-dir=/tmp/prof), SIYU_BENCH_DATABASE_URL (the PostgreSQL server: a database is made per part and dropped).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { acceptCallback, countPending, createWecomConnector, processCallbacks, type ProcessDeps } from '../src/modules/wecom/index.js';
import { createTenant, systemPrincipal } from '../src/modules/tenancy/index.js';
import { systemClock } from '../src/platform/clock.js';
import { openStore, type Store } from '../src/platform/db/index.js';
import { startFakeWecom, type FakeWecom } from '../src/testing/fakes/wecom.js';
import { findPostgres } from './lib/postgres.js';
import { loadAverage, repoRoot, runCli, siyuEnv, startServer } from './lib/processes.js';
import { pgliteTarget, postgresTarget, type Target } from './lib/targets.js';
import { addCallback, percentile, postCallbacks, type Keys } from './wecom/load.js';
import { envInt } from './lib/env.js';

const log = (line: string) => process.stderr.write(`${line}\n`);

const CORP_ID = 'wwbench0000000001';
const SECRET = 'bench-appSecret_0123456789abcdefghijABCDEFGH';
const KEYS: Keys = { corpId: CORP_ID, token: 'BenchToken1', aesKey: 'nWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };
const CONSULTANTS = 50;
/** The fake answers at once: no reason to pace calls to it. */
const UNLIMITED = { corp: { perMinute: 1e9, burst: 1e6 }, perApi: { perMinute: 1e9, burst: 1e6 } };

function seedFake(fake: FakeWecom, n: number, tag: string): string[] {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = `wm${tag}${i.toString(36).padStart(6, '0')}`;
    fake.addExternalContact({ external_userid: id, name: `客户${i}`, gender: i % 2 === 0 ? 1 : 2, unionid: `oU${tag}${i}`, follow_user: [{ userid: `wb${i % CONSULTANTS}` }] });
    ids.push(id);
  }
  return ids;
}

/** A worker loop in this process: applies the connector's callbacks until stopped and none are left. */
function applyLoop(deps: ProcessDeps, tenantId: string, connectorId: string) {
  let stopping = false;
  let applied = 0;
  const done = (async () => {
    for (;;) {
      const { processed } = await processCallbacks(deps, tenantId, connectorId);
      applied += processed;
      if (processed === 0) {
        if (stopping) return;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  })();
  return {
    applied: () => applied,
    async stop() {
      stopping = true;
      await done;
    },
  };
}

interface AcceptReport {
  callbacks: number;
  concurrency: number;
  seconds: number;
  acceptedPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  appliedDuringPosting: number;
  drainSeconds: number;
  appliedPerSecondOverall: number;
  serverPeakRssMb: number;
  /** CPU time of the server process per accepted callback (user + system). */
  serverCpuMsPerCallback: number;
  /** Whether the worker applied callbacks while they were posted. */
  applying: boolean;
  loadAverage: number[];
}

async function acceptPart(target: Target, n: number, concurrency: number, applying: boolean): Promise<AcceptReport> {
  const secretKey = randomBytes(32);
  const env = siyuEnv({ SIYU_HOST: '127.0.0.1', SIYU_LOG_LEVEL: 'warn', SIYU_WORKER: 'off', SIYU_SECRET_KEY: secretKey.toString('hex'), ...target.env });
  const created: unknown = JSON.parse(await runCli(['tenant', 'create', '--name', 'bench-wecom', '--json'], env));
  if (typeof created !== 'object' || created === null || !('tenantId' in created) || !('adminToken' in created)) throw new Error('siyu tenant create printed no tenant');
  const tenantId = String(created.tenantId);
  const fake = await startFakeWecom({ corpId: CORP_ID, secrets: [SECRET] });
  const server = await startServer(env, (process.env['BENCH_SERVER_NODE_ARGS'] ?? '').split(' ').filter(Boolean));
  const store = await openStore(target.config, { migrate: false });
  try {
    const res = await fetch(`${server.url}/api/v1/connectors/wecom`, {
      method: 'POST',
      headers: { authorization: `Bearer ${String(created.adminToken)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ corpId: CORP_ID, agentId: '1000002', secret: SECRET, token: KEYS.token, encodingAESKey: KEYS.aesKey, apiBaseUrl: fake.url }),
    });
    if (res.status !== 201) throw new Error(`connector: ${res.status} ${await res.text()}`);
    const connectorId = String(((await res.json()) as { id: unknown }).id);
    const ids = seedFake(fake, n, 'a');
    const now = Math.floor(Date.now() / 1000);
    const callbacks = ids.map((id, i) => addCallback(KEYS, connectorId, `wb${i % CONSULTANTS}`, id, now));
    log(`[accept] ${n.toLocaleString('en-US')} callbacks signed; posting with ${concurrency} in flight while this process applies them`);
    const loop = applying ? applyLoop({ store, clock: systemClock, secretKey, client: { limits: UNLIMITED } }, tenantId, connectorId) : null;
    const cpu0 = server.cpuSeconds();
    const t0 = performance.now();
    const posted = await postCallbacks(server.url, callbacks, concurrency);
    const serverCpuSeconds = server.cpuSeconds() - cpu0;
    const appliedDuringPosting = loop?.applied() ?? 0;
    await loop?.stop();
    if (!loop) await applyLoop({ store, clock: systemClock, secretKey, client: { limits: UNLIMITED } }, tenantId, connectorId).stop();
    const total = (performance.now() - t0) / 1000;
    const pending = await countPending(store.db, tenantId, connectorId);
    if (pending !== 0) throw new Error(`${pending} callbacks left unapplied`);
    const sorted = posted.latencies.slice().sort();
    return {
      callbacks: n,
      concurrency,
      seconds: posted.ms / 1000,
      acceptedPerSecond: Math.round(n / (posted.ms / 1000)),
      latencyMs: { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? 0 },
      appliedDuringPosting,
      drainSeconds: total - posted.ms / 1000,
      appliedPerSecondOverall: Math.round(n / total),
      serverPeakRssMb: Math.round(server.maxSampledRssKb() / 1024),
      serverCpuMsPerCallback: Math.round((serverCpuSeconds / n) * 1e6) / 1000,
      applying,
      loadAverage: [loadAverage()],
    };
  } finally {
    await store.close();
    await server.stop();
    await fake.close();
  }
}

interface ApplyReport {
  engine: string;
  events: number;
  storeSeconds: number;
  applySeconds: number;
  appliedPerSecond: number;
}

async function applyPart(engine: string, target: Target, n: number): Promise<ApplyReport> {
  const store: Store = await openStore(target.config);
  const fake = await startFakeWecom({ corpId: CORP_ID, secrets: [SECRET] });
  try {
    const secretKey = randomBytes(32);
    const deps = { store, clock: systemClock, secretKey };
    const tenant = await createTenant({ db: store.db, clock: systemClock }, { name: 'bench-wecom-apply' });
    const connector = await createWecomConnector(deps, systemPrincipal(tenant.tenantId, 'bench'), {
      corpId: CORP_ID,
      agentId: '1000002',
      secret: SECRET,
      token: KEYS.token,
      encodingAESKey: KEYS.aesKey,
      apiBaseUrl: fake.url,
    }, 'http://127.0.0.1');
    const ids = seedFake(fake, n, 'p');
    const now = Math.floor(Date.now() / 1000);
    const t0 = performance.now();
    for (const [i, id] of ids.entries()) {
      const c = addCallback(KEYS, connector.id, `wb${i % CONSULTANTS}`, id, now);
      const q = new URL(c.path, 'http://x').searchParams;
      await acceptCallback(deps, connector.id, { msg_signature: q.get('msg_signature')!, timestamp: q.get('timestamp')!, nonce: q.get('nonce')! }, c.body);
    }
    const storeSeconds = (performance.now() - t0) / 1000;
    log(`[apply ${engine}] ${n.toLocaleString('en-US')} callbacks stored in ${storeSeconds.toFixed(1)} s; applying`);
    const t1 = performance.now();
    let applied = 0;
    for (;;) {
      const { processed, more } = await processCallbacks({ ...deps, client: { limits: UNLIMITED } }, tenant.tenantId, connector.id);
      applied += processed;
      if (!more) break;
    }
    const applySeconds = (performance.now() - t1) / 1000;
    if (applied !== n) throw new Error(`applied ${applied} of ${n}`);
    return { engine, events: n, storeSeconds, applySeconds, appliedPerSecond: Math.round(n / applySeconds) };
  } finally {
    await fake.close();
    await store.close();
  }
}

export async function run(): Promise<void> {
  const parts = (process.env['BENCH_PARTS'] ?? 'accept,apply').split(',');
  const engines = (process.env['BENCH_ENGINES'] ?? 'postgres,pglite').split(',');
  const callbacks = envInt('BENCH_CALLBACKS', 20_000, 1);
  const concurrency = envInt('BENCH_CONCURRENCY', 32, 1);
  const apply = envInt('BENCH_APPLY', 10_000, 1);
  const pgliteApply = envInt('BENCH_PGLITE_APPLY', 3_000, 1);
  const pg = await findPostgres();
  const report: { machine: { cpus: number }; accept?: AcceptReport; apply: ApplyReport[] } = { machine: { cpus: cpus().length }, apply: [] };
  try {
    if (parts.includes('accept')) {
      if ('skip' in pg) log(`[accept] skipped: ${pg.skip}`);
      else {
        const target = await postgresTarget(pg.url, 'wecom_accept', false, 8);
        try {
          report.accept = await acceptPart(target, callbacks, concurrency, process.env['BENCH_APPLY_WHILE_POSTING'] !== '0');
          log(`[accept] ${JSON.stringify(report.accept)}`);
        } finally {
          await target.release();
        }
      }
    }
    if (parts.includes('apply')) {
      for (const engine of engines) {
        if (engine === 'postgres' && 'skip' in pg) continue;
        const target = engine === 'postgres' && !('skip' in pg) ? await postgresTarget(pg.url, 'wecom_apply', false, 4) : pgliteTarget('wecom-apply', false);
        try {
          const r = await applyPart(engine, target, engine === 'pglite' ? pgliteApply : apply);
          report.apply.push(r);
          log(`[apply ${engine}] ${JSON.stringify(r)}`);
        } finally {
          await target.release();
        }
      }
    }
  } finally {
    if (!('skip' in pg)) pg.stop();
  }
  const out = join(repoRoot, 'bench', 'out');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'wecom.json'), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}
