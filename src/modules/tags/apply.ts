import { tagKindSchema, type ProfileTag, type TagApplied, type TagHistoryPage, type TagRemoved } from '../../contracts/tags.js';
import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import { requireLiveProfile } from '../identity/index.js';
import type { Principal } from '../tenancy/index.js';
import { requestRefresh } from '../segments/index.js';
import { tagChanged } from './changes.js';
import { invalid, lockManualTag } from './manual.js';
import * as pt from './profile-tags.repo.js';
import * as repo from './tags.repo.js';
import type { TagsDeps } from './tags.js';

/**
 * Manual tags applied and removed by API for listed profiles (at most 1000, each a live profile of
 * the tenant), in the request. Replays change nothing and write no history. Bulk changes over a
 * segment or a definition are operations (bulk.ts).
 */

/** The profiles a request lists, by id; duplicates count once. */
export interface ListedProfiles {
  profileIds: readonly string[];
  reason?: string | undefined;
}

/** Locks the listed profiles, 400 naming the first that is not a live profile of the tenant. */
async function listedTarget(trx: Db, tenantId: string, profileIds: readonly string[]): Promise<pt.Target> {
  const ids = [...new Set(profileIds)];
  const live = await pt.lockLiveProfiles(trx, tenantId, ids);
  if (live.length < ids.length) {
    const dead = await pt.firstDeadProfile(trx, tenantId, profileIds);
    if (dead) {
      const path = `profileIds[${dead.index}]`;
      if (dead.mergedInto) throw invalid(path, `profile ${dead.id} was merged into ${dead.mergedInto}; use ${dead.mergedInto}`, { profileId: dead.id, mergedInto: dead.mergedInto });
      throw invalid(path, `no profile ${dead.id} in this tenant`, { profileId: dead.id });
    }
  }
  return pt.listedProfiles(live);
}

async function change(
  deps: TagsDeps,
  tenantId: string,
  tagId: string,
  input: ListedProfiles,
  actor: string,
  write: typeof pt.applyTag,
): Promise<{ changed: number; unchanged: number }> {
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    await lockManualTag(trx, tenantId, tagId);
    const target = await listedTarget(trx, tenantId, input.profileIds);
    const r = await write(trx, tenantId, tagId, target, { actor, reason: input.reason ?? null, at: now });
    if (r.changed > 0) await requestRefresh(trx, tenantId, now);
    if (r.changed > 0) await tagChanged(trx, { kind: 'members', tenantId, tagId, profileIds: input.profileIds, actor, at: now });
    return { changed: r.changed, unchanged: r.total - r.changed };
  });
}

export async function applyManualTag(deps: TagsDeps, tenantId: string, tagId: string, input: ListedProfiles, actor: string): Promise<TagApplied> {
  const r = await change(deps, tenantId, tagId, input, actor, pt.applyTag);
  return { applied: r.changed, unchanged: r.unchanged };
}

export async function removeManualTag(deps: TagsDeps, tenantId: string, tagId: string, input: ListedProfiles, actor: string): Promise<TagRemoved> {
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
