import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { eventsPageSchema } from '../src/contracts/events.js';
import { tenantStatusSchema, type IdentityLag } from '../src/contracts/status.js';
import { basicAuth } from '../src/testing/app.js';
import { testEngines } from '../src/testing/engines.js';
import {
  createTenantWithCli,
  isolatedDatabase,
  serverEnv,
  startHealthyServer,
  tempDataDir,
  within,
  type ServerProcess,
} from './support/server-process.js';

/**
 * Crash safety of ingestion: a `siyu serve` child is SIGKILLed while batches are in flight. After a
 * restart on the same store, every batch the server answered 200 is there, exactly once, and every
 * batch (answered or not) is there whole or not at all: a 200 means "committed", and a batch is one
 * transaction. One ID resolution, which runs from the stored log, survives a kill in the middle of a
 * batch: after a restart every acknowledged event is resolved, and exactly once (the resolver's count
 * of events resolved equals the events stored, since a batch and its count commit together).
 */

const CONCURRENCY = 4;
/** Kill once this many batches have been acknowledged. */
const KILL_AFTER_OK = 20;
/** Alternate sizes so both write paths run: multi-row INSERT (< 64 rows) and COPY. */
const BATCH_SIZES = [40, 100] as const;
/** A safety stop: the kill comes long before this unless the server misbehaves. */
const MAX_BATCHES = 1000;

interface SentBatch {
  index: number;
  messageIds: string[];
  body: string;
  state: 'in-flight' | 'answered' | 'failed';
  status?: number;
  error?: string;
}

function makeBatch(run: string, index: number): SentBatch {
  const size = BATCH_SIZES[index % BATCH_SIZES.length] ?? 50;
  const messageIds = Array.from({ length: size }, (_, j) => `crash-${run}-${index}-${j}`);
  const batch = messageIds.map((messageId, j) => ({
    type: 'track',
    messageId,
    anonymousId: `anon-${j % 10}`,
    event: 'Crash Probe',
    properties: { batch: index, j, note: 'quote " comma , 中文 '.repeat(4) },
  }));
  return { index, messageIds, body: JSON.stringify({ batch }), state: 'in-flight' };
}

async function postBatch(url: string, writeKey: string, body: string): Promise<Response> {
  return fetch(`${url}/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: basicAuth(writeKey) },
    body,
    signal: AbortSignal.timeout(20_000),
  });
}

async function identityLag(url: string, adminToken: string): Promise<IdentityLag> {
  const res = await fetch(`${url}/api/v1/status`, { headers: { authorization: `Bearer ${adminToken}` }, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET /api/v1/status answered ${res.status}: ${text}`);
  return tenantStatusSchema.parse(JSON.parse(text)).identity;
}

/** Polls the status until `done` holds for the lag (the resolver runs in the server). */
async function lagWhen(url: string, adminToken: string, done: (lag: IdentityLag) => boolean): Promise<IdentityLag> {
  for (;;) {
    const lag = await identityLag(url, adminToken);
    if (done(lag)) return lag;
    await sleep(50);
  }
}

/** Every stored event's messageId (and profile), read through the management API page by page. */
async function storedEvents(url: string, adminToken: string): Promise<Array<{ messageId: string; profileId: string | null }>> {
  const events: Array<{ messageId: string; profileId: string | null }> = [];
  let cursor: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const query = new URLSearchParams({ limit: '1000', ...(cursor ? { cursor } : {}) });
    const res = await fetch(`${url}/api/v1/events?${query.toString()}`, {
      headers: { authorization: `Bearer ${adminToken}` },
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`GET /api/v1/events answered ${res.status}: ${text}`);
    const body = eventsPageSchema.parse(JSON.parse(text));
    events.push(...body.data.map((e) => ({ messageId: e.messageId, profileId: e.profileId })));
    cursor = body.nextCursor;
    if (cursor === null) return events;
  }
  throw new Error('GET /api/v1/events kept returning a nextCursor after 1000 pages');
}

/** Every stored event's messageId, read through the management API page by page. */
async function storedMessageIds(url: string, adminToken: string): Promise<string[]> {
  return (await storedEvents(url, adminToken)).map((e) => e.messageId);
}

function countBy(ids: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

describe.each(testEngines)('crash safety of ingestion on %s', (engine) => {
  const servers: ServerProcess[] = [];
  const dataDirs: Array<{ path: string; remove(): void }> = [];
  const newDataDir = (prefix: string) => {
    const dir = tempDataDir(prefix);
    dataDirs.push(dir);
    return dir;
  };

  const databases: Array<{ drop(): Promise<void> }> = [];
  /** The child's environment: PGlite in a fresh folder, or a database of its own on the test PostgreSQL. */
  const childEnv = async (prefix: string): Promise<NodeJS.ProcessEnv> => {
    if (engine === 'pglite') return serverEnv(engine, { dataDir: newDataDir(prefix).path });
    const db = await isolatedDatabase();
    databases.push(db);
    return { ...serverEnv(engine), SIYU_DATABASE_URL: db.url };
  };

  afterAll(async () => {
    for (const s of servers) await s.kill().catch(() => undefined);
    for (const d of dataDirs) d.remove();
    for (const d of databases) await d.drop().catch(() => undefined);
  });

  it('keeps every acknowledged batch, and every batch whole or not at all, after SIGKILL mid-ingestion', { timeout: 120_000 }, async () => {
    // PGlite: a fresh data folder that both server processes open in turn. PostgreSQL: a database of its own.
    const env = await childEnv('siyu-crash-');
    const start = async () => {
      const server = await startHealthyServer(env, 90_000);
      servers.push(server);
      return server;
    };

    const tenant = await createTenantWithCli(env, 'crash');
    const first = await start();

    const run = randomUUID().slice(0, 8);
    const batches: SentBatch[] = [];
    let acknowledged = 0;
    let stop = false;
    let killing: Promise<void> | undefined;
    let inFlightAtKill = -1;
    const killDelayMs = Math.floor(Math.random() * 40);

    const killMidIngestion = async () => {
      await sleep(killDelayMs); // land the kill at varying points of the requests in flight
      inFlightAtKill = batches.filter((b) => b.state === 'in-flight').length;
      const gone = first.kill(); // SIGKILL is sent synchronously, before kill() first awaits
      stop = true;
      await gone;
    };

    const worker = async () => {
      while (!stop) {
        if (batches.length >= MAX_BATCHES) stop = true;
        const batch = makeBatch(run, batches.length);
        batches.push(batch);
        try {
          const res = await postBatch(first.url, tenant.writeKey, batch.body);
          const text = await res.text();
          batch.state = 'answered';
          batch.status = res.status;
          if (res.status !== 200) batch.error = text;
          else if (++acknowledged >= KILL_AFTER_OK) killing ??= killMidIngestion();
        } catch (err) {
          batch.state = 'failed';
          if (!killing) stop = true; // the server failed before we killed it: stop and report
          batch.error = err instanceof Error ? `${err.message} ${String(err.cause ?? '')}` : String(err);
        }
      }
    };
    await within(Promise.all(Array.from({ length: CONCURRENCY }, worker)), 90_000, 'sending batches until the kill');
    if (!killing) {
      const answers = batches.map((b) => `${b.index}: ${b.status ?? b.state} ${b.error ?? ''}`).slice(-10);
      throw new Error(`the server failed before it was killed (${acknowledged} acknowledged); last answers:\n${answers.join('\n')}\n${first.output()}`);
    }
    await within(killing, 15_000, 'killing the server');

    const exit = await within(first.exited, 15_000, 'the first server to exit');
    expect(exit.signal, `the first server should have died of SIGKILL:\n${first.output()}`).toBe('SIGKILL');
    expect(acknowledged).toBeGreaterThanOrEqual(KILL_AFTER_OK);
    expect(inFlightAtKill, 'requests were in flight when the server was killed').toBeGreaterThan(0);
    // Before the kill the server answered nothing but 200.
    expect(batches.filter((b) => b.state === 'answered' && b.status !== 200).map((b) => `${b.status}: ${b.error}`)).toEqual([]);

    // Restart on the same store and read back everything the tenant has.
    const second = await start();
    const stored = await within(storedMessageIds(second.url, tenant.adminToken), 60_000, 'reading the events back');
    const counts = countBy(stored);
    const sentIds = new Set(batches.flatMap((b) => b.messageIds));
    const diagnosis = `engine ${engine}, ${batches.length} batches sent, ${acknowledged} acknowledged, ${inFlightAtKill} in flight at kill (after ${killDelayMs} ms)`;

    expect([...counts].filter(([, n]) => n !== 1), `stored more than once (${diagnosis})`).toEqual([]);
    expect(stored.filter((id) => !sentIds.has(id)), `stored but never sent (${diagnosis})`).toEqual([]);
    const ok = batches.filter((b) => b.status === 200);
    const lost = ok.flatMap((b) => b.messageIds.filter((id) => !counts.has(id)));
    expect(lost, `acknowledged with 200 but missing after restart (${diagnosis})`).toEqual([]);
    const torn = batches
      .map((b) => ({ index: b.index, state: b.state, stored: b.messageIds.filter((id) => counts.has(id)).length, size: b.messageIds.length }))
      .filter((b) => b.stored !== 0 && b.stored !== b.size);
    expect(torn, `batches stored in part (${diagnosis})`).toEqual([]);

    // The restarted server takes writes, and dedup holds across the crash: a client that retries
    // every batch (the unanswered ones and the acknowledged ones) ends with each event exactly once.
    for (const b of batches) {
      const res = await postBatch(second.url, tenant.writeKey, b.body);
      expect(res.status, `retry of batch ${b.index}: ${await res.text()}`).toBe(200);
    }
    const afterRetry = countBy(await within(storedMessageIds(second.url, tenant.adminToken), 60_000, 'reading the events back'));
    expect(afterRetry.size).toBe(sentIds.size);
    expect([...afterRetry].filter(([id, n]) => n !== 1 || !sentIds.has(id))).toEqual([]);

    // The restarted server's resolver takes up what the first one left: every event resolved, once.
    const lag = await within(lagWhen(second.url, tenant.adminToken, (l) => l.waitingEvents === 0), 60_000, 'resolving the stored events');
    const events = await within(storedEvents(second.url, tenant.adminToken), 60_000, 'reading the events back');
    expect(events.filter((e) => e.profileId === null).map((e) => e.messageId), `unresolved (${diagnosis})`).toEqual([]);
    expect(lag.resolvedTotal, `events resolved vs stored (${diagnosis})`).toBe(events.length);
  });

  it('resolves every acknowledged event exactly once after a SIGKILL in the middle of resolution', { timeout: 180_000 }, async () => {
    const base = await childEnv('siyu-crash-resolve-');
    const tenant = await createTenantWithCli(base, 'crash-resolve');
    // Build a backlog with the resolver off, then let a server resolve it and kill it part-way.
    const ingestOnly = await startHealthyServer({ ...base, SIYU_WORKER: 'off' }, 90_000);
    servers.push(ingestOnly);
    const run = randomUUID().slice(0, 8);
    const bodies = Array.from({ length: 60 }, (_, i) => {
      const batch = Array.from({ length: 500 }, (_, j) => ({
        type: j % 5 === 0 ? 'identify' : 'track',
        messageId: `resolve-${run}-${i}-${j}`,
        anonymousId: `anon-${i}-${j % 50}`,
        ...(j % 5 === 0 ? { userId: `user-${(i * 7 + j) % 400}`, traits: { plan: `p${j % 3}` } } : { event: 'Crash Probe', properties: { i, j } }),
      }));
      return JSON.stringify({ batch });
    });
    for (let i = 0; i < bodies.length; i += 4) {
      const answers = await Promise.all(bodies.slice(i, i + 4).map((b) => postBatch(ingestOnly.url, tenant.writeKey, b)));
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    }
    const total = bodies.length * 500;
    expect((await identityLag(ingestOnly.url, tenant.adminToken)).waitingEvents).toBe(total);
    await ingestOnly.kill();

    const resolving = await startHealthyServer(base, 90_000);
    servers.push(resolving);
    // Once one batch has committed the next is under way: kill then.
    const partial = await within(lagWhen(resolving.url, tenant.adminToken, (l) => l.resolvedTotal > 0), 120_000, 'the first resolved batch');
    await resolving.kill();
    expect(partial.waitingEvents, 'events left to resolve at the kill').toBeGreaterThan(0);

    const after = await startHealthyServer(base, 90_000);
    servers.push(after);
    const lag = await within(lagWhen(after.url, tenant.adminToken, (l) => l.waitingEvents === 0), 150_000, 'resolving the rest');
    const events = await within(storedEvents(after.url, tenant.adminToken), 60_000, 'reading the events back');
    expect(events.length).toBe(total);
    expect(events.filter((e) => e.profileId === null).length, 'events left unresolved').toBe(0);
    expect(lag.resolvedTotal, 'events resolved, counted by the resolver, vs events stored').toBe(total);
  });
});
