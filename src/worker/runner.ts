import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db/index.js';
import { claimDueJobs, completeJob, failJob, type Job } from '../platform/jobs/index.js';
import type { Logger } from '../platform/logger.js';

/** Runs one claimed job; returns the next due time of a recurring job, or nothing when it is done. */
export type JobHandler = (job: Job) => Promise<Date | void>;

export interface WorkerDeps {
  db: Db;
  clock: Clock;
  logger?: Logger;
  /** Run only this tenant's jobs (tests; an operator draining one tenant). */
  onlyTenant?: string;
}

export interface Worker {
  /** Claims and runs the jobs due now (at most `limit`); returns how many ran. */
  tick(limit?: number): Promise<number>;
  /** Runs ticks until no job is due (tests and the CLI's one-shot mode). */
  drain(maxTicks?: number): Promise<number>;
  start(pollMs: number): void;
  /** Looks for due jobs now instead of at the next poll (work was just made due in this process). */
  wake(): void;
  stop(): Promise<void>;
}

/** How long a claimed job is ours; a worker that dies gives it back when the lease runs out. */
const LEASE_MS = 10 * 60_000;

export function createWorker(deps: WorkerDeps, handlers: Readonly<Record<string, JobHandler>>): Worker {
  const kinds = Object.keys(handlers);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  let ticking = false;
  let woken = false;
  let startLoop: (() => void) | undefined;

  async function runJob(job: Job): Promise<void> {
    const handler = handlers[job.kind];
    if (!handler) return;
    try {
      const next = await handler(job);
      await completeJob(deps.db, job, deps.clock.now(), next ?? undefined);
    } catch (err) {
      const retryAt = await failJob(deps.db, job, deps.clock.now(), err instanceof Error ? (err.stack ?? err.message) : String(err));
      deps.logger?.error({ err, job: { kind: job.kind, tenantId: job.tenantId, attempts: job.attempts }, retryAt }, 'job failed');
    }
  }

  async function tick(limit = 10): Promise<number> {
    const jobs = await claimDueJobs(deps.db, deps.clock.now(), kinds, limit, LEASE_MS, deps.onlyTenant);
    for (const job of jobs) await runJob(job);
    return jobs.length;
  }

  const worker: Worker = {
    tick,
    async drain(maxTicks = 100) {
      let total = 0;
      for (let i = 0; i < maxTicks; i++) {
        const n = await tick();
        total += n;
        if (n === 0) break;
      }
      return total;
    },
    start(pollMs) {
      const loop = () => {
        if (stopped) return;
        timer = undefined;
        ticking = true;
        running = tick()
          .catch((err: unknown) => deps.logger?.error({ err }, 'worker tick failed'))
          .finally(() => {
            ticking = false;
            if (stopped) return;
            // Woken while the tick ran: look again at once.
            timer = setTimeout(loop, woken ? 0 : pollMs);
            woken = false;
          });
      };
      startLoop = loop;
      timer = setTimeout(loop, 0);
    },
    wake() {
      if (stopped || !startLoop) return;
      if (ticking) {
        woken = true;
        return;
      }
      if (timer) clearTimeout(timer);
      timer = setTimeout(startLoop, 0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
  return worker;
}
