import { randomUUID } from 'node:crypto';
import {
  segmentDefinitionSchema,
  type DailyCount,
  type Segment,
  type SegmentChange,
  type SegmentCreate,
  type SegmentDefinition,
  type SegmentMember,
  type SegmentPreviewResult,
  type SegmentUpdate,
} from '../../contracts/segments.js';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import { canonicalJson, isRecord } from '../../platform/json.js';
import { ensureJob } from '../../platform/jobs/index.js';
import { maskTraits } from '../../platform/pii.js';
import { insertAudit, type Principal } from '../tenancy/index.js';
import { compileCondition, type CompileContext } from './compile.repo.js';
import { dayIn, evaluationContext } from './context.js';
import { countAndSample, recordRefresh, refreshMembership, tuneForEvaluation } from './membership.repo.js';
import { checkReferences } from './references.repo.js';
import * as repo from './segments.repo.js';

export interface SegmentsDeps {
  db: Db;
  clock: Clock;
}

const SAMPLE_SIZE = 20;

/** A stored definition, read back through the schema (it was valid when saved). */
export function storedDefinition(value: unknown, what: string): SegmentDefinition {
  const parsed = segmentDefinitionSchema.safeParse(value);
  if (!parsed.success) throw new AppError('internal', `${what} holds a definition that no longer parses: ${parsed.error.message}`);
  return parsed.data;
}

function view(r: repo.SegmentRow): Segment {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    definition: r.definition,
    revision: r.revision,
    state: r.materialized_revision >= r.revision ? 'ready' : 'computing',
    timeDependent: r.time_dependent,
    memberCount: r.member_count,
    refreshedAt: r.refreshed_at?.toISOString() ?? null,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

/**
 * Count and a sample of who matches a definition now, evaluated in the database; with `maskPii`
 * (analysts), the sample's personal traits are masked.
 */
export async function previewSegment(deps: SegmentsDeps, tenantId: string, definition: SegmentDefinition, options: { maskPii?: boolean } = {}): Promise<SegmentPreviewResult> {
  const now = deps.clock.now();
  await checkReferences(deps.db, tenantId, definition.condition, { allowStages: true, allowRuleTags: true });
  const ctx = await evaluationContext(deps.db, tenantId, now, 'set');
  const predicate = compileCondition(definition.condition, ctx);
  return deps.db.transaction().execute(async (trx) => {
    await tuneForEvaluation(trx);
    const found = await countAndSample(trx, tenantId, predicate, SAMPLE_SIZE);
    const count = found.count;
    const sample = found.sample.map((r) => ({
      id: r.id,
      traits: isRecord(r.traits) ? (options.maskPii ? maskTraits(r.traits) : r.traits) : {},
      firstSeen: r.first_seen.toISOString(),
      lastSeen: r.last_seen.toISOString(),
    }));
    return { count, sample, evaluatedAt: now.toISOString() };
  });
}

async function materializeFull(trx: Db, ctx: CompileContext, segmentId: string, definition: SegmentDefinition): Promise<void> {
  await tuneForEvaluation(trx);
  const diff = await refreshMembership(trx, ctx.tenantId, segmentId, compileCondition(definition.condition, ctx), null, ctx.now);
  await recordRefresh(trx, ctx.tenantId, segmentId, diff, ctx.now, dayIn(ctx.timeZone, ctx.now));
}

/** The job that computes a saved segment's members after it was created or its definition changed (key: segment id). */
export const MATERIALIZE_JOB = 'segments.materialize';

function requestMaterialize(trx: Db, tenantId: string, segmentId: string, now: Date): Promise<void> {
  return ensureJob(trx, { tenantId, kind: MATERIALIZE_JOB, key: segmentId, runAt: now });
}

/**
 * Saves a segment; a job computes its members (state `computing` until it has), so saving answers at
 * once whatever the tenant's size. Idempotent by name: the same name with the same definition
 * answers the existing segment (`created: false`); with another definition, 409.
 */
export async function createSegment(deps: SegmentsDeps, tenantId: string, input: SegmentCreate, actor: string): Promise<{ segment: Segment; created: boolean }> {
  const facts = await checkReferences(deps.db, tenantId, input.definition.condition, { allowStages: true, allowRuleTags: true });
  const now = deps.clock.now();
  // Compiled now, so a definition the job could not evaluate is a 400 here; the members come later.
  compileCondition(input.definition.condition, await evaluationContext(deps.db, tenantId, now, 'set'));
  return deps.db.transaction().execute(async (trx) => {
    const id = randomUUID();
    const inserted = await repo.insertSegment(trx, tenantId, {
      id,
      name: input.name,
      description: input.description ?? null,
      definition: input.definition,
      timeDependent: facts.timeDependent,
      at: now,
    });
    if (!inserted) {
      const existing = await repo.findSegmentByName(trx, tenantId, input.name);
      if (existing && canonicalJson(existing.definition) === canonicalJson(input.definition)) return { segment: view(existing), created: false };
      throw new AppError('conflict', `a segment named "${input.name}" already exists with another definition; change it with PUT /api/v1/segments/${existing?.id ?? ''}`, {
        id: existing?.id,
      });
    }
    await requestMaterialize(trx, tenantId, id, now);
    await insertAudit(trx, { tenantId, actor, action: 'segment.create', targetType: 'segment', targetId: id, details: { name: input.name } });
    const row = await repo.findSegment(trx, tenantId, id);
    return { segment: view(row!), created: true };
  });
}

/**
 * The materialise job: computes the members of the segment's current revision, unless they are
 * already (a replayed or overtaken job changes nothing). Runs under the segment's row lock, so a
 * definition saved meanwhile waits and asks for another run.
 */
export async function materializeSegment(deps: SegmentsDeps, tenantId: string, segmentId: string): Promise<void> {
  const now = deps.clock.now();
  const ctx = await evaluationContext(deps.db, tenantId, now, 'set');
  await deps.db.transaction().execute(async (trx) => {
    const row = await repo.findSegment(trx, tenantId, segmentId, true);
    if (!row || row.materialized_revision >= row.revision) return;
    await materializeFull(trx, ctx, segmentId, storedDefinition(row.definition, `segment ${segmentId}`));
    await repo.markMaterialized(trx, tenantId, segmentId, row.revision);
  });
}

export async function getSegment(db: Db, tenantId: string, id: string): Promise<Segment> {
  const row = await repo.findSegment(db, tenantId, id);
  if (!row) throw new AppError('not_found', `no segment ${id}`);
  return view(row);
}

export async function listSegments(db: Db, tenantId: string): Promise<Segment[]> {
  return (await repo.listSegments(db, tenantId)).map(view);
}

/** Changes name, description or definition; a new definition (revision + 1) is re-evaluated by the materialise job. */
export async function updateSegment(deps: SegmentsDeps, tenantId: string, id: string, input: SegmentUpdate, actor: string): Promise<Segment> {
  const facts = input.definition ? await checkReferences(deps.db, tenantId, input.definition.condition, { allowStages: true, allowRuleTags: true }) : null;
  const now = deps.clock.now();
  if (input.definition) compileCondition(input.definition.condition, await evaluationContext(deps.db, tenantId, now, 'set'));
  return deps.db.transaction().execute(async (trx) => {
    const row = await repo.findSegment(trx, tenantId, id, true);
    if (!row) throw new AppError('not_found', `no segment ${id}`);
    const name = input.name ?? row.name;
    if (name !== row.name) {
      const other = await repo.findSegmentByName(trx, tenantId, name);
      if (other) throw new AppError('conflict', `a segment named "${name}" already exists`, { id: other.id });
    }
    const changed = input.definition !== undefined && canonicalJson(input.definition) !== canonicalJson(row.definition);
    const definition = input.definition ?? storedDefinition(row.definition, `segment ${id}`);
    await repo.updateSegment(trx, tenantId, id, {
      name,
      description: input.description === undefined ? row.description : input.description,
      definition,
      timeDependent: facts ? facts.timeDependent : row.time_dependent,
      revision: changed ? row.revision + 1 : row.revision,
      at: now,
    });
    if (changed) await requestMaterialize(trx, tenantId, id, now);
    await insertAudit(trx, { tenantId, actor, action: 'segment.update', targetType: 'segment', targetId: id, details: { definitionChanged: changed } });
    return view((await repo.findSegment(trx, tenantId, id))!);
  });
}

export async function deleteSegment(deps: SegmentsDeps, tenantId: string, id: string, actor: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const row = await repo.findSegment(trx, tenantId, id, true);
    if (!row) throw new AppError('not_found', `no segment ${id}`);
    await repo.deleteSegment(trx, tenantId, id);
    await insertAudit(trx, { tenantId, actor, action: 'segment.delete', targetType: 'segment', targetId: id, details: { name: row.name } });
  });
}

/** Current members in the caller's data scope, in profile id order (the segment's memberCount stays tenant-wide). */
export async function segmentMembers(db: Db, principal: Principal, id: string, after: string | undefined, limit: number): Promise<{ data: SegmentMember[]; nextCursor: string | null }> {
  await getSegment(db, principal.tenantId, id);
  const rows = await repo.listMembers(db, principal, id, after, limit);
  return {
    data: rows.map((r) => ({ profileId: r.profile_id, enteredAt: r.entered_at.toISOString() })),
    nextCursor: rows.length === limit ? rows[rows.length - 1]!.profile_id : null,
  };
}

/** Change records about people in the caller's data scope, in id order. */
export async function segmentChanges(db: Db, principal: Principal, id: string, after: string | undefined, limit: number): Promise<{ data: SegmentChange[]; nextCursor: string | null }> {
  await getSegment(db, principal.tenantId, id);
  const rows = await repo.listChanges(db, principal, id, after, limit);
  return {
    data: rows.map((r) => ({ id: r.id, profileId: r.profile_id, kind: r.kind === 'segment_exited' ? 'segment_exited' : 'segment_entered', at: r.at.toISOString() })),
    nextCursor: rows.length === limit ? rows[rows.length - 1]!.id : null,
  };
}

export async function segmentDailyCounts(db: Db, tenantId: string, id: string, from: string, to: string): Promise<DailyCount[]> {
  await getSegment(db, tenantId, id);
  return repo.dailyCounts(db, tenantId, id, from, to);
}

/**
 * Incremental refresh: re-evaluates every saved segment for `profileIds` (row-mode predicates).
 * Runs in the caller's transaction; segment rows are locked in id order.
 */
export async function refreshSegmentsFor(trx: Db, ctx: CompileContext, profileIds: readonly string[]): Promise<void> {
  if (profileIds.length === 0) return;
  const segments = await repo.lockSegments(trx, ctx.tenantId);
  const rowCtx: CompileContext = { ...ctx, mode: 'row' };
  for (const s of segments) {
    const definition = storedDefinition(s.definition, `segment ${s.id}`);
    const diff = await refreshMembership(trx, ctx.tenantId, s.id, compileCondition(definition.condition, rowCtx), profileIds, ctx.now);
    await recordRefresh(trx, ctx.tenantId, s.id, diff, ctx.now, dayIn(ctx.timeZone, ctx.now));
  }
}

/**
 * The scheduled pass: re-evaluates saved segments over the whole tenant, one transaction per
 * segment (only those with relative time windows unless `all`), and records today's counts.
 */
export async function refreshSegmentsFull(db: Db, tenantId: string, now: Date, options: { all: boolean }): Promise<number> {
  const ctx = await evaluationContext(db, tenantId, now, 'set');
  const ids = await repo.segmentIds(db, tenantId);
  let refreshed = 0;
  for (const id of ids) {
    await db.transaction().execute(async (trx) => {
      const row = await repo.findSegment(trx, tenantId, id, true);
      if (!row) return;
      if (row.time_dependent || options.all) {
        await materializeFull(trx, ctx, id, storedDefinition(row.definition, `segment ${id}`));
        await repo.markMaterialized(trx, tenantId, id, row.revision);
        refreshed += 1;
      } else {
        // Not re-evaluated, but the day still gets its count.
        await recordRefresh(trx, tenantId, id, { entered: 0, exited: 0 }, row.refreshed_at ?? now, dayIn(ctx.timeZone, now));
      }
    });
  }
  return refreshed;
}
