import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { SegmentDefinition } from '../../contracts/segments.js';
import { operationStateSchema, TAG_OPERATION_KINDS, type TagOperation, type TagOperationKind } from '../../contracts/tags.js';
import type { Db } from '../../platform/db/index.js';
import { AppError, isAppError } from '../../platform/errors.js';
import { ensureJob } from '../../platform/jobs/index.js';
import { findOperation, finishOperation, insertOperation, lockUnfinished, startOperation, type OperationRow } from '../operations/index.js';
import { checkReferences, compileCondition, evaluationContext, requestRefresh, storedDefinition } from '../segments/index.js';
import { tagChanged } from './changes.js';
import { invalid, lockManualTag } from './manual.js';
import * as pt from './profile-tags.repo.js';
import * as repo from './tags.repo.js';
import type { TagsDeps } from './tags.js';

/**
 * A manual tag applied or removed in bulk: everyone a saved segment or a definition matches. The
 * request checks at once what it can (the tag, the segment, the definition) and writes the operation
 * and its job in one transaction; the job evaluates the target in the database when it runs, writes
 * the memberships and their history as a listed change does, and records the counts on the operation.
 */

/** The job that carries out a tag operation (key: the operation id). */
export const TAG_OPERATION_JOB = 'tags.operation';

export type TagAction = 'apply' | 'remove';

/** Whom a bulk change concerns (exactly one of the two), and why. */
export interface BulkTagChange {
  segmentId?: string | undefined;
  definition?: SegmentDefinition | undefined;
  reason?: string | undefined;
}

/** The target as the operation stores it. */
type Target = { segmentId: string } | { definition: SegmentDefinition };

const KINDS: Record<TagAction, TagOperationKind> = { apply: 'tag.apply', remove: 'tag.remove' };
const WRITES: Record<TagOperationKind, typeof pt.applyTag> = { 'tag.apply': pt.applyTag, 'tag.remove': pt.removeTag };

const storedTarget = z.union([z.object({ segmentId: z.string() }), z.object({ definition: z.unknown() })]);
const storedCounts = z.object({ changed: z.number().int(), unchanged: z.number().int() });
const storedError = z.object({ code: z.string(), message: z.string() });
const tagKind = z.enum(TAG_OPERATION_KINDS);

/** A tag operation row read back: its kind, tag and target (an AppError 'internal' if it does not read). */
function readOperation(row: OperationRow): { kind: TagOperationKind; tagId: string; target: z.infer<typeof storedTarget> } {
  const kind = tagKind.safeParse(row.kind);
  const target = storedTarget.safeParse(row.request);
  if (!kind.success || row.subject_id === null || !target.success) throw new AppError('internal', `operation ${row.id} is not a tag operation that reads back`);
  return { kind: kind.data, tagId: row.subject_id, target: target.data };
}

function view(row: OperationRow): TagOperation {
  const { kind, tagId, target } = readOperation(row);
  const counts = storedCounts.safeParse(row.result);
  const error = storedError.safeParse(row.error);
  return {
    id: row.id,
    kind,
    tagId,
    target: 'segmentId' in target ? { segmentId: target.segmentId, definition: null } : { segmentId: null, definition: target.definition },
    reason: row.reason,
    actor: row.actor,
    state: operationStateSchema.parse(row.state),
    counts: counts.success ? counts.data : null,
    error: error.success ? error.data : null,
    createdAt: row.created_at.toISOString(),
    startedAt: row.started_at?.toISOString() ?? null,
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}

/**
 * The profiles a target matches, as a subquery: the segment's definition (or the one given) checked
 * and compiled as of `now`. `missingSegment` says what a segment that is not there means.
 */
async function matching(trx: Db, tenantId: string, target: Target, now: Date, missingSegment: (id: string) => AppError): Promise<pt.Target> {
  let definition: SegmentDefinition;
  let path = 'definition.condition';
  if ('segmentId' in target) {
    const segment = await repo.segmentDefinition(trx, tenantId, target.segmentId);
    if (!segment) throw missingSegment(target.segmentId);
    definition = storedDefinition(segment.definition, `segment ${target.segmentId}`);
    path = 'segmentId';
  } else {
    definition = target.definition;
  }
  await checkReferences(trx, tenantId, definition.condition, { allowStages: true, allowRuleTags: true, path });
  const ctx = await evaluationContext(trx, tenantId, now, 'set');
  return pt.matchingProfiles(tenantId, compileCondition(definition.condition, ctx));
}

/**
 * Queues a bulk apply or remove: 404 for an unknown tag, 409 for a rule tag, 400 for an unknown
 * segment or a definition that does not check, and nothing written then. Otherwise the operation
 * (state queued) and its job, in one transaction.
 */
export async function queueTagOperation(deps: TagsDeps, tenantId: string, tagId: string, action: TagAction, input: BulkTagChange, actor: string): Promise<TagOperation> {
  const target: Target | undefined =
    input.segmentId !== undefined ? { segmentId: input.segmentId } : input.definition !== undefined ? { definition: input.definition } : undefined;
  if (!target) throw invalid('segmentId', 'give segmentId or definition');
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    await lockManualTag(trx, tenantId, tagId);
    await matching(trx, tenantId, target, now, (id) => invalid('segmentId', `no segment ${id} in this tenant`));
    const row = await insertOperation(trx, tenantId, { id: randomUUID(), kind: KINDS[action], subjectId: tagId, request: target, reason: input.reason ?? null, actor, at: now });
    await ensureJob(trx, { tenantId, kind: TAG_OPERATION_JOB, key: row.id, runAt: now });
    return view(row);
  });
}

/**
 * The job: evaluates the operation's target now and writes the change in one transaction with the
 * counts. What cannot succeed by trying again (the tag or segment deleted, no longer a manual tag, a
 * definition that no longer checks) ends the operation failed; any other error is thrown, so the job
 * runner tries again later and the operation stays running. A finished operation is left as it is.
 */
export async function runTagOperation(deps: TagsDeps, tenantId: string, operationId: string): Promise<void> {
  const row = await startOperation(deps.db, tenantId, operationId, deps.clock.now());
  if (!row) return;
  try {
    const { kind, tagId, target: stored } = readOperation(row);
    const target: Target = 'definition' in stored ? { definition: storedDefinition(stored.definition, `operation ${operationId}`) } : stored;
    await deps.db.transaction().execute(async (trx) => {
      if (!(await lockUnfinished(trx, tenantId, operationId))) return;
      const now = deps.clock.now();
      const tag = await repo.findTag(trx, tenantId, tagId, 'share');
      if (!tag) throw new AppError('not_found', `tag ${tagId} was deleted before the operation ran`);
      if (tag.kind !== 'manual') throw new AppError('conflict', `"${tag.name}" is no longer a manual tag: a rule tag cannot be applied or removed by hand`);
      const gone = (id: string) => new AppError('not_found', `segment ${id} was deleted before the operation ran`);
      const profiles = await matching(trx, tenantId, target, now, gone);
      const r = await WRITES[kind](trx, tenantId, tagId, profiles, { actor: row.actor, reason: row.reason, at: now });
      if (r.changed > 0) await requestRefresh(trx, tenantId, now);
      if (r.changed > 0) await tagChanged(trx, { kind: 'members', tenantId, tagId, profileIds: null, actor: row.actor, at: now });
      await finishOperation(trx, tenantId, operationId, { result: { changed: r.changed, unchanged: r.total - r.changed } }, now);
    });
  } catch (err) {
    if (!isAppError(err) || err.code === 'unavailable') throw err;
    await finishOperation(deps.db, tenantId, operationId, { error: { code: err.code, message: err.message } }, deps.clock.now());
  }
}

/** A tag operation of the tenant (404 for another tenant's, an unknown id or another kind). */
export async function getTagOperation(db: Db, tenantId: string, id: string): Promise<TagOperation> {
  const row = await findOperation(db, tenantId, id);
  if (!row || !tagKind.safeParse(row.kind).success) throw new AppError('not_found', `no operation ${id}`);
  return view(row);
}
