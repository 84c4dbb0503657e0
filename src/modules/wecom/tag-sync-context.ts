import type { WecomTagSyncCounts } from '../../contracts/wecom-tags.js';
import type { WecomClient } from './client.js';
import type { ProcessDeps } from './job-deps.js';

/** What one run of a connector's tag sync works with, and what it has done so far. */

export interface TagSyncContext {
  deps: ProcessDeps;
  tenantId: string;
  connectorId: string;
  client: WecomClient;
  /** Who Siyu's changes are recorded as (tag history, audit): the connector's sync. */
  actor: string;
  counts: WecomTagSyncCounts;
}

/** The actor of the changes a connector's sync makes in Siyu; its own changes are not pushed back to it. */
export const syncActor = (connectorId: string) => `wecom-tag-sync:${connectorId}`;

/** Why Siyu changed a person's tag: a consultant set or removed it in WeCom. */
export const PULL_REASON = 'set in WeCom by a consultant (corp customer tag)';

/** At most this many problems are kept per run. */
const MAX_PROBLEMS = 50;

export function emptyCounts(): WecomTagSyncCounts {
  return {
    pushed: { created: 0, renamed: 0, deleted: 0, marked: 0 },
    pulled: { created: 0, renamed: 0, deleted: 0, applied: 0, removed: 0 },
    problems: [],
  };
}

export function addProblem(counts: WecomTagSyncCounts, problem: string): void {
  if (counts.problems.length < MAX_PROBLEMS && !counts.problems.includes(problem)) counts.problems.push(problem);
}

/** `a` and `b` added up (the counts of a run that takes several job runs). */
export function addCounts(a: WecomTagSyncCounts, b: WecomTagSyncCounts): WecomTagSyncCounts {
  const out: WecomTagSyncCounts = {
    pushed: {
      created: a.pushed.created + b.pushed.created,
      renamed: a.pushed.renamed + b.pushed.renamed,
      deleted: a.pushed.deleted + b.pushed.deleted,
      marked: a.pushed.marked + b.pushed.marked,
    },
    pulled: {
      created: a.pulled.created + b.pulled.created,
      renamed: a.pulled.renamed + b.pulled.renamed,
      deleted: a.pulled.deleted + b.pulled.deleted,
      applied: a.pulled.applied + b.pulled.applied,
      removed: a.pulled.removed + b.pulled.removed,
    },
    problems: [...a.problems],
  };
  for (const p of b.problems) addProblem(out, p);
  return out;
}

/** WeCom says the customer, the friendship or the member is gone: skip it, its end arrives by callback. */
export const GONE_ERRCODES = new Set([84061, 40096, 60111, 40003]);
/** WeCom does not know a tag id: its tag list is read again. */
export const UNKNOWN_TAG = 40068;

export const errorMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));
