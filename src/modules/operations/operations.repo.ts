import type { Db } from '../../platform/db/index.js';

/**
 * SQL for operations: work a request starts and a job finishes. A row is queued when the request
 * writes it, running once a job has started on it, and ends succeeded (with its result) or failed
 * (with its error); a finished row never changes again, so a replayed job finds nothing to do.
 */

export type OperationRow = {
  id: string;
  kind: string;
  subject_id: string | null;
  request: unknown;
  reason: string | null;
  actor: string;
  state: string;
  result: unknown;
  error: unknown;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
};

export interface NewOperation {
  id: string;
  kind: string;
  subjectId: string | null;
  request: unknown;
  reason: string | null;
  actor: string;
  at: Date;
}

/** How an operation ended: what it did, or why it stopped. */
export type Outcome = { result: unknown } | { error: { code: string; message: string } };

const COLUMNS = ['id', 'kind', 'subject_id', 'request', 'reason', 'actor', 'state', 'result', 'error', 'created_at', 'started_at', 'finished_at'] as const;
const UNFINISHED = ['queued', 'running'];

export async function insertOperation(trx: Db, tenantId: string, o: NewOperation): Promise<OperationRow> {
  return trx
    .insertInto('operations')
    .values({
      tenant_id: tenantId,
      id: o.id,
      kind: o.kind,
      subject_id: o.subjectId,
      request: JSON.stringify(o.request),
      reason: o.reason,
      actor: o.actor,
      state: 'queued',
      created_at: o.at,
    })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
}

export async function findOperation(db: Db, tenantId: string, id: string): Promise<OperationRow | undefined> {
  return db.selectFrom('operations').select(COLUMNS).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

/** Marks an unfinished operation running (its first start time kept); undefined when it is finished or unknown. */
export async function startOperation(db: Db, tenantId: string, id: string, at: Date): Promise<OperationRow | undefined> {
  return db
    .updateTable('operations')
    .set((eb) => ({ state: 'running', started_at: eb.fn.coalesce('started_at', eb.val(at)) }))
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('state', 'in', UNFINISHED)
    .returning(COLUMNS)
    .executeTakeFirst();
}

/** Locks the operation while it is unfinished: a second run of its job waits, then finds it finished. */
export async function lockUnfinished(trx: Db, tenantId: string, id: string): Promise<boolean> {
  const row = await trx.selectFrom('operations').select('id').where('tenant_id', '=', tenantId).where('id', '=', id).where('state', 'in', UNFINISHED).forUpdate().executeTakeFirst();
  return row !== undefined;
}

/** Records how an unfinished operation ended; a finished one is left as it is. */
export async function finishOperation(db: Db, tenantId: string, id: string, outcome: Outcome, at: Date): Promise<void> {
  const ended =
    'result' in outcome ? { state: 'succeeded', result: JSON.stringify(outcome.result), error: null } : { state: 'failed', result: null, error: JSON.stringify(outcome.error) };
  await db
    .updateTable('operations')
    .set((eb) => ({ ...ended, started_at: eb.fn.coalesce('started_at', eb.val(at)), finished_at: at }))
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('state', 'in', UNFINISHED)
    .execute();
}
