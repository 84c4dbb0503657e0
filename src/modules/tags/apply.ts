import { tagKindSchema, type ProfileTag, type TagApplied, type TagApply, type TagHistoryPage, type TagRemoved } from '../../contracts/tags.js';
import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import { requireLiveProfile } from '../identity/index.js';
import type { Principal } from '../tenancy/index.js';
import { checkReferences, compileCondition, evaluationContext, requestRefresh, storedDefinition } from '../segments/index.js';
import * as pt from './profile-tags.repo.js';
import * as repo from './tags.repo.js';
import type { TagsDeps } from './tags.js';

/**
 * Manual tags applied and removed by API: listed profiles (at most 1000, each a live profile of the
 * tenant), or everyone a saved segment or a definition matches now, evaluated in the database.
 * Replays change nothing and write no history.
 */

function invalid(path: string, message: string, extra: Record<string, unknown> = {}): AppError {
  return new AppError('invalid_request', `${path}: ${message}`, { issues: [{ path, message }], ...extra });
}

/** Whom the request names, as a subquery; listed profiles are checked live and locked. */
async function resolveTarget(trx: Db, tenantId: string, input: TagApply, now: Date): Promise<pt.Target> {
  if (input.profileIds) {
    const ids = [...new Set(input.profileIds)];
    const live = await pt.lockLiveProfiles(trx, tenantId, ids);
    if (live.length < ids.length) {
      const dead = await pt.firstDeadProfile(trx, tenantId, input.profileIds);
      if (dead) {
        const path = `profileIds[${dead.index}]`;
        if (dead.mergedInto) throw invalid(path, `profile ${dead.id} was merged into ${dead.mergedInto}; use ${dead.mergedInto}`, { profileId: dead.id, mergedInto: dead.mergedInto });
        throw invalid(path, `no profile ${dead.id} in this tenant`, { profileId: dead.id });
      }
    }
    return pt.listedProfiles(live);
  }
  let definition = input.definition;
  let path = 'definition.condition';
  if (input.segmentId !== undefined) {
    const segment = await repo.segmentDefinition(trx, tenantId, input.segmentId);
    if (!segment) throw invalid('segmentId', `no segment ${input.segmentId} in this tenant`);
    definition = storedDefinition(segment.definition, `segment ${input.segmentId}`);
    path = 'segmentId';
  }
  if (!definition) throw invalid('profileIds', 'give exactly one of profileIds, segmentId or definition');
  await checkReferences(trx, tenantId, definition.condition, { allowStages: true, allowRuleTags: true, path });
  const ctx = await evaluationContext(trx, tenantId, now, 'set');
  return pt.matchingProfiles(tenantId, compileCondition(definition.condition, ctx));
}

async function change(
  deps: TagsDeps,
  tenantId: string,
  tagId: string,
  input: TagApply,
  actor: string,
  write: typeof pt.applyTag,
): Promise<{ changed: number; unchanged: number }> {
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    // A share lock: applies run side by side; a delete of the tag waits for them.
    const tag = await repo.findTag(trx, tenantId, tagId, 'share');
    if (!tag) throw new AppError('not_found', `no tag ${tagId}`);
    if (tag.kind !== 'manual') throw new AppError('conflict', `"${tag.name}" is a rule tag: it follows its definition and cannot be applied or removed by hand`, { kind: tag.kind });
    const target = await resolveTarget(trx, tenantId, input, now);
    const r = await write(trx, tenantId, tagId, target, { actor, reason: input.reason ?? null, at: now });
    if (r.changed > 0) await requestRefresh(trx, tenantId, now);
    return { changed: r.changed, unchanged: r.total - r.changed };
  });
}

export async function applyManualTag(deps: TagsDeps, tenantId: string, tagId: string, input: TagApply, actor: string): Promise<TagApplied> {
  const r = await change(deps, tenantId, tagId, input, actor, pt.applyTag);
  return { applied: r.changed, unchanged: r.unchanged };
}

export async function removeManualTag(deps: TagsDeps, tenantId: string, tagId: string, input: TagApply, actor: string): Promise<TagRemoved> {
  const r = await change(deps, tenantId, tagId, input, actor, pt.removeTag);
  return { removed: r.changed, unchanged: r.unchanged };
}

/** A live profile's current tags (308 for a merged-away id). */
export async function tagsOfProfile(db: Db, tenantId: string, profileId: string): Promise<ProfileTag[]> {
  await requireLiveProfile(db, tenantId, profileId);
  return (await pt.profileTags(db, tenantId, profileId)).map((r) => ({
    tagId: r.tag_id,
    name: r.name,
    kind: tagKindSchema.parse(r.kind),
    groupId: r.group_id,
    groupName: r.group_name,
    appliedAt: r.applied_at.toISOString(),
    appliedBy: r.applied_by,
  }));
}

type HistoryRow = Awaited<ReturnType<typeof pt.history>>[number];

function page(rows: HistoryRow[], limit: number): TagHistoryPage {
  return {
    data: rows.map((r) => ({
      id: String(r.id),
      tagId: r.tag_id,
      profileId: r.profile_id,
      action: r.action === 'removed' ? 'removed' : 'applied',
      actor: r.actor,
      reason: r.reason,
      at: r.at.toISOString(),
    })),
    nextCursor: rows.length === limit ? String(rows[rows.length - 1]!.id) : null,
  };
}

/** A profile's tag history, oldest first, after a cursor (308 for a merged-away id). */
export async function profileTagHistory(db: Db, tenantId: string, profileId: string, after: string | undefined, limit: number): Promise<TagHistoryPage> {
  await requireLiveProfile(db, tenantId, profileId);
  return page(await pt.history(db, tenantId, { profileId }, after, limit), limit);
}

/** A tag's history, oldest first, after a cursor: the rows about people in the caller's data scope. */
export async function tagHistory(db: Db, principal: Principal, tagId: string, after: string | undefined, limit: number): Promise<TagHistoryPage> {
  const tenantId = principal.tenantId;
  if (!(await repo.findTag(db, tenantId, tagId))) throw new AppError('not_found', `no tag ${tagId}`);
  return page(await pt.history(db, tenantId, { tagId }, after, limit, principal), limit);
}
