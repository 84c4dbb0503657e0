import type { Db } from '../../platform/db/index.js';
import type { CompactGraph, Reassigned } from './compact-graph.js';
import type { EventSpill } from './rebuild-spill.js';

export type RebuildPhase = 'reading' | 'resolving' | 'writing';

export interface RebuildProgress {
  phase: RebuildPhase;
  /** What is being counted, e.g. "events", "profiles", "identifiers". */
  unit: string;
  done: number;
  total: number;
}

export type EventWriteMode = 'auto' | 'unnest' | 'copy';

export interface RebuildOptions {
  /** Who asked (audit_log.actor, identity_log.actor). */
  actor: string;
  /**
   * Moves everything that names a profile merged away to its survivor: consents, household, vehicle
   * relations, tags, leads, orders, after-sales, dealer links, origin (profiles module).
   */
  moveBelongings: (trx: Db, tenantId: string, from: string, to: string) => Promise<unknown>;
  /** Which of these profiles anything names (profiles module): those are never deleted. */
  withBelongings: (trx: Db, tenantId: string, ids: readonly string[]) => Promise<Set<string>>;
  /** Marks profiles changed, so their tags, stages and segments follow (segments module). */
  markChanged: (trx: Db, tenantId: string, ids: readonly (string | null)[], now: Date) => Promise<void>;
  /**
   * Locks the vehicles of these profiles' relations (profiles module), taken after the profile rows
   * and before moving belongings: the lock order every writer of belongings follows.
   */
  lockVehicles?: (trx: Db, tenantId: string, profileIds: readonly string[], vins: readonly string[]) => Promise<void>;
  onProgress?: (p: RebuildProgress) => void;
  /** Events per page (default 1,000: a page dies young, before the garbage collector promotes it). */
  pageSize?: number;
  /** How moved events are written: 'unnest' statements, 'copy' into a temporary table and one join, or 'auto' (default): copy from 50,000 moves on. */
  eventWrite?: EventWriteMode;
}

export interface RebuildSummary {
  tenantId: string;
  identityLogId: string;
  events: number;
  eventsWithoutProfile: number;
  eventsMoved: number;
  profilesBefore: number;
  profilesAfter: number;
  profilesKept: number;
  profilesCreated: number;
  profilesUpdated: number;
  profilesMergedAway: number;
  profilesDeleted: number;
  merges: number;
  blockedMerges: number;
  reassignments: number;
  identifiersBefore: number;
  identifiersAfter: number;
  identifiersAdded: number;
  identifiersRemoved: number;
  identifiersMoved: number;
  identifiersRetimed: number;
  formerAdded: number;
  formerRemoved: number;
  identifierWrite: 'none' | 'diff' | 'replace';
  eventWrite: 'none' | 'unnest' | 'copy';
  /** Milliseconds per step; read + resolve interleave page by page. */
  timings: Record<string, number>;
}

/** Counts and side records gathered while the graph is built. */
export interface Resolved {
  graph: CompactGraph;
  spill: EventSpill;
  /** Recycled identifiers: what their holders keep as former identifiers. */
  former: Reassigned[];
  withoutProfile: number;
}
