import type { Db } from '../../platform/db/index.js';

/**
 * News of tag changes for other modules (e.g. a connector that mirrors tags elsewhere), told inside
 * the transaction that makes the change, so that what a listener writes (a job, a mark) commits with
 * it or not at all. Listeners are registered once per process; the tags module knows none of them.
 */

export type TagChange =
  /** Who holds a manual tag changed: the listed profiles (some may have been unchanged), or null for a bulk change. */
  | { kind: 'members'; tenantId: string; tagId: string; profileIds: readonly string[] | null; actor: string; at: Date }
  /** A tag of the group was created, renamed or deleted. */
  | { kind: 'definition'; tenantId: string; groupId: string; tagId: string; actor: string; at: Date };

export type TagChangeListener = (trx: Db, change: TagChange) => Promise<void>;

const listeners = new Set<TagChangeListener>();

/** Registers a listener (the same function registered twice is told once). */
export function onTagChange(listener: TagChangeListener): void {
  listeners.add(listener);
}

/** Tells every listener of `change`, in the caller's transaction. */
export async function tagChanged(trx: Db, change: TagChange): Promise<void> {
  for (const listener of listeners) await listener(trx, change);
}
