/**
 * One ID resolution behind the tracking API, as an operator sees it: `GET /api/v1/status` sampled
 * while events are sent and until the backlog is gone.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { tenantStatusSchema, type IdentityLag } from '../../src/contracts/status.js';

export interface LagSample {
  /** ms since the sampler started */
  t: number;
  waitingEvents: number;
  /** Age of the oldest waiting event, seconds (0 when none waits). */
  oldestSeconds: number;
}

export async function identityLag(baseUrl: string, adminToken: string): Promise<IdentityLag> {
  const res = await fetch(new URL('/api/v1/status', baseUrl), { headers: { authorization: `Bearer ${adminToken}` }, signal: AbortSignal.timeout(60_000) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET /api/v1/status answered ${res.status}: ${text}`);
  return tenantStatusSchema.parse(JSON.parse(text)).identity;
}

/** Polls the status every `intervalMs` until stopped. */
export function sampleLag(baseUrl: string, adminToken: string, intervalMs = 200): { stop(): Promise<LagSample[]> } {
  const samples: LagSample[] = [];
  const started = performance.now();
  let running = true;
  const loop = (async () => {
    while (running) {
      const lag = await identityLag(baseUrl, adminToken);
      samples.push({ t: performance.now() - started, waitingEvents: lag.waitingEvents, oldestSeconds: lag.oldestWaitingSeconds ?? 0 });
      await sleep(intervalMs);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return samples;
    },
  };
}

/** Waits until nothing waits for resolution; returns the ms it took. */
export async function waitDrained(baseUrl: string, adminToken: string, timeoutMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    const lag = await identityLag(baseUrl, adminToken);
    if (lag.waitingEvents === 0) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`${lag.waitingEvents} events still waiting for resolution after ${timeoutMs} ms`);
    await sleep(50);
  }
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}
