/**
 * Event → segment entry under background traffic: a saved segment of people with trait probe = yes,
 * background batches paced at a fixed rate, and every `probeEveryMs` an identify that puts a new person
 * in it. Each probe's lag is from its 200 to the first poll of the segment's changes (every 100 ms)
 * that shows the person entered: an upper bound by at most the poll interval.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { percentile } from './resolution.js';

export interface FreshnessResult {
  backgroundEventsPerSec: number;
  achievedEventsPerSec: number;
  probes: number;
  p50Seconds: number;
  p95Seconds: number;
  maxSeconds: number;
}

interface Target {
  baseUrl: string;
  writeAuthorization: string;
  adminToken: string;
}


async function call(t: Target, method: 'GET' | 'POST', path: string, body?: unknown, auth: 'write' | 'admin' = 'admin'): Promise<unknown> {
  const res = await fetch(new URL(path, t.baseUrl), {
    method,
    headers: { authorization: auth === 'write' ? t.writeAuthorization : `Bearer ${t.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 500)}`);
  return text === '' ? null : JSON.parse(text);
}

const changesSchema = z.object({ data: z.array(z.object({ id: z.string(), profileId: z.string(), kind: z.string() })), nextCursor: z.string().nullable() });

export async function measureFreshness(
  t: Target,
  background: readonly Buffer[],
  opts: { eventsPerBatch: number; eventsPerSec: number; seconds: number; probeEveryMs: number },
): Promise<FreshnessResult> {
  const run = randomUUID().slice(0, 8);
  const segment = z.object({ id: z.string() }).parse(
    await call(t, 'POST', '/api/v1/segments', { name: `bench probes ${run}`, definition: { condition: { type: 'trait', trait: 'probe', op: 'eq', value: run } } }),
  );
  const started = performance.now();
  const until = started + opts.seconds * 1000;
  const intervalMs = (opts.eventsPerBatch / opts.eventsPerSec) * 1000;

  let sent = 0;
  const backgroundLoop = (async () => {
    for (let i = 0; performance.now() < until && i < background.length; i++) {
      const due = started + i * intervalMs;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      await call(t, 'POST', '/v1/batch', background[i]!.toString('utf8'), 'write');
      sent += opts.eventsPerBatch;
    }
  })();

  const acked = new Map<string, number>();
  const probeLoop = (async () => {
    for (let k = 0; performance.now() < until; k++) {
      const userId = `probe-${run}-${k}`;
      await call(t, 'POST', '/v1/identify', { userId, traits: { probe: run } }, 'write');
      acked.set(userId, performance.now());
      await sleep(opts.probeEveryMs);
    }
  })();

  const seen = new Map<string, number>();
  let cursor: string | null = null;
  const poll = async () => {
    for (;;) {
      const q = new URLSearchParams({ limit: '1000', ...(cursor ? { after: cursor } : {}) });
      const page = changesSchema.parse(await call(t, 'GET', `/api/v1/segments/${segment.id}/changes?${q.toString()}`));
      const at = performance.now();
      for (const c of page.data) if (c.kind === 'segment_entered' && !seen.has(c.profileId)) seen.set(c.profileId, at);
      if (page.data.length > 0) cursor = page.data[page.data.length - 1]!.id;
      if (page.nextCursor === null) return;
    }
  };
  let polling = true;
  const pollLoop = (async () => {
    while (polling) {
      await poll();
      await sleep(100);
    }
  })();

  await Promise.all([backgroundLoop, probeLoop]);
  const elapsed = (performance.now() - started) / 1000;
  const deadline = performance.now() + 60_000;
  while (seen.size < acked.size && performance.now() < deadline) await sleep(100);
  polling = false;
  await pollLoop;

  const lags: number[] = [];
  for (const [userId, ackAt] of acked) {
    const profile = z.object({ id: z.string() }).parse(await call(t, 'GET', `/api/v1/profiles/lookup?type=user_id&value=${encodeURIComponent(userId)}`));
    const at = seen.get(profile.id);
    if (at === undefined) throw new Error(`probe ${userId} never entered the segment`);
    lags.push((at - ackAt) / 1000);
  }
  lags.sort((a, b) => a - b);
  return {
    backgroundEventsPerSec: opts.eventsPerSec,
    achievedEventsPerSec: sent / elapsed,
    probes: lags.length,
    p50Seconds: percentile(lags, 50),
    p95Seconds: percentile(lags, 95),
    maxSeconds: lags[lags.length - 1] ?? 0,
  };
}
