import type { Db } from '../../platform/db/index.js';
import { storeCallbacks, type NewCallback, type StoreOutcome } from './callbacks.repo.js';

/**
 * Writes the callbacks that arrive together in one statement: a callback waits for the statement
 * that stores it (its 200 still means "stored"), and the callbacks that came in while a statement
 * ran go in the next one. Under a burst this takes the per-statement cost (parsing, planning, a
 * commit, the job's row) once per batch instead of once per callback; alone, a callback is written
 * at once.
 */

/** At most this many callbacks per statement. */
export const INBOX_BATCH_MAX = 500;

interface Waiting {
  callback: NewCallback;
  resolve: (outcome: StoreOutcome) => void;
  reject: (err: unknown) => void;
}

export interface InboxWriter {
  store(callback: NewCallback): Promise<StoreOutcome>;
}

export function createInboxWriter(db: Db): InboxWriter {
  let queue: Waiting[] = [];
  let writing = false;

  async function drain(): Promise<void> {
    writing = true;
    try {
      while (queue.length > 0) {
        const batch = queue.slice(0, INBOX_BATCH_MAX);
        queue = queue.slice(batch.length);
        try {
          const outcomes = await storeCallbacks(db, batch.map((w) => w.callback));
          batch.forEach((w, i) => w.resolve(outcomes[i] ?? 'duplicate'));
        } catch (err) {
          for (const w of batch) w.reject(err);
        }
      }
    } finally {
      writing = false;
    }
  }

  return {
    store(callback) {
      return new Promise<StoreOutcome>((resolve, reject) => {
        queue.push({ callback, resolve, reject });
        // Callbacks parsed in the same turn of the event loop join the first statement.
        if (!writing) {
          writing = true;
          setImmediate(() => void drain());
        }
      });
    },
  };
}

const writers = new WeakMap<Db, InboxWriter>();

/** The writer of a store's inbox (one per database handle in the process). */
export function inboxWriter(db: Db): InboxWriter {
  let writer = writers.get(db);
  if (!writer) {
    writer = createInboxWriter(db);
    writers.set(db, writer);
  }
  return writer;
}
