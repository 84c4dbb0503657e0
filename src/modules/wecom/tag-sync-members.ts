import { applyManualTag, removeManualTag } from '../tags/index.js';
import { addProblem, errorMessage, GONE_ERRCODES, PULL_REASON, UNKNOWN_TAG, type TagSyncContext } from './tag-sync-context.js';
import { mergeTag } from './tag-sync-merge.js';
import * as mr from './tag-sync-members.repo.js';
import * as repo from './tag-sync.repo.js';
import { wecomErrcodeOf } from './errcodes.js';

/**
 * People's synced tags reconciled, a batch of waiting customers at a time: each person's tags merged
 * three ways (tag-sync-merge.ts) against the consultants' friendships, Siyu's changes made first,
 * then the marks in WeCom (one mark_tag per friendship with all its additions and removals), then
 * the new last-synced state and the handled marks in one transaction.
 */

/** Customers reconciled per job run. */
export const MEMBER_BATCH = 200;

/** The synced tags that exist on both sides. */
export interface TagMapping {
  /** Siyu tag id → corp tag id. */
  wecomIdOf: Map<string, string>;
  ruleTags: Set<string>;
}

interface Mark {
  follow: mr.FollowRow;
  profileId: string;
  add: string[];
  remove: string[];
}

/** Reads the customers again whose stored tags may predate Siyu's last mark (WeCom's answer wins). */
async function refreshStale(ctx: TagSyncContext, follows: mr.FollowRow[]): Promise<Set<string>> {
  const refreshed = new Set<string>();
  const customers = [...new Set(follows.filter((f) => f.stale).map((f) => f.externalUserid))];
  for (const externalUserid of customers) {
    try {
      const answer = await ctx.client.getExternalContact(externalUserid);
      for (const f of follows.filter((x) => x.externalUserid === externalUserid)) {
        const follow = answer.follow_user.find((u) => u.userid === f.userid);
        if (!follow) continue;
        f.tagIds = follow.tags.flatMap((t) => (t.type === 1 && t.tag_id !== undefined ? [t.tag_id] : []));
        refreshed.add(f.id);
      }
    } catch (err) {
      if (!GONE_ERRCODES.has(wecomErrcodeOf(err) ?? 0)) throw err;
    }
  }
  return refreshed;
}

/** Reconciles one batch; `more` when customers are still waiting. `pulledNow`: the tag list was read in this run. */
export async function reconcileMembers(ctx: TagSyncContext, mapping: TagMapping, pulledNow: boolean): Promise<{ more: boolean }> {
  const { tenantId, connectorId } = ctx;
  const db = ctx.deps.store.db;
  const batch = await repo.dirtyBatch(db, tenantId, connectorId, MEMBER_BATCH);
  if (batch.length === 0) return { more: false };
  const people = await mr.peopleOf(db, tenantId, connectorId, batch.map((b) => b.externalUserid));
  const follows = await mr.followsOf(db, tenantId, connectorId, [...new Set([...people.values()].flat())]);
  const refreshed = await refreshStale(ctx, follows);
  const profileIds = [...people.keys()];
  const tagIds = [...mapping.wecomIdOf.keys()];
  const holds = await mr.holdings(db, tenantId, profileIds, tagIds);
  const held = await mr.lastSynced(db, tenantId, connectorId, profileIds);
  const siyuAt = await mr.lastSiyuChanges(db, tenantId, profileIds, tagIds);

  const siyuOps = new Map<string, { apply: string[]; remove: string[] }>();
  const marks = new Map<string, Mark>();
  const after: { profileId: string; tagId: string }[] = [];
  const synced = new Set<string>();
  for (const [profileId, customers] of people) {
    const mine = follows.filter((f) => customers.includes(f.externalUserid));
    // Nobody in WeCom to sync with: the last-synced state waits for a friendship.
    if (mine.length === 0) continue;
    synced.add(profileId);
    for (const [tagId, wecomId] of mapping.wecomIdOf) {
      const key = `${profileId}:${tagId}`;
      const d = mergeTag({
        rule: mapping.ruleTags.has(tagId),
        holds: holds.has(key),
        held: held.has(key),
        follows: mine.map((f) => ({ id: f.id, has: f.tagIds.includes(wecomId), had: f.base === null ? null : f.base.includes(wecomId), changedAt: f.changedAt })),
        siyuChangedAt: siyuAt.get(key) ?? null,
      });
      if (d.result) after.push({ profileId, tagId });
      if (d.siyu) {
        const ops = siyuOps.get(tagId) ?? { apply: [], remove: [] };
        ops[d.siyu].push(profileId);
        siyuOps.set(tagId, ops);
      }
      for (const follow of mine) {
        const list = d.add.includes(follow.id) ? 'add' : d.remove.includes(follow.id) ? 'remove' : null;
        if (list === null) continue;
        const mark = marks.get(follow.id) ?? { follow, profileId, add: [], remove: [] };
        mark[list].push(wecomId);
        marks.set(follow.id, mark);
      }
    }
  }

  for (const [tagId, ops] of siyuOps) {
    const deps = { db, clock: ctx.deps.clock };
    if (ops.apply.length > 0) ctx.counts.pulled.applied += (await applyManualTag(deps, tenantId, tagId, { profileIds: ops.apply, reason: PULL_REASON }, ctx.actor)).applied;
    if (ops.remove.length > 0) ctx.counts.pulled.removed += (await removeManualTag(deps, tenantId, tagId, { profileIds: ops.remove, reason: PULL_REASON }, ctx.actor)).removed;
  }

  const { marked, failed, unknown, fatal } = await sendMarks(ctx, [...marks.values()]);
  if (unknown.size > 0 && !pulledNow) await repo.requestPull(db, tenantId, connectorId, ctx.deps.clock.now(), ctx.deps.clock.now());
  if (unknown.size > 0 && pulledNow) addProblem(ctx.counts, 'WeCom did not know a corp tag it had just listed; those customers are synced again by the next run');
  // Failed people stay waiting, their last-synced state as it was, so the next run makes the marks missing.
  const retry = (profileId: string | undefined) => profileId !== undefined && (failed.has(profileId) || (unknown.has(profileId) && !pulledNow));

  const mappedWecomIds = new Set(mapping.wecomIdOf.values());
  const profileOf = new Map([...people].flatMap(([profileId, customers]) => customers.map((c): [string, string] => [c, profileId])));
  const now = ctx.deps.clock.now();
  const updates: mr.FollowUpdate[] = [];
  for (const f of follows) {
    const profileId = profileOf.get(f.externalUserid);
    const done = marked.get(f.id);
    const fresh = refreshed.has(f.id);
    if (!done && (profileId === undefined || !synced.has(profileId) || (retry(profileId) && !fresh))) continue;
    const tagIdsNow = done ?? f.tagIds;
    const keepBase = !done && profileId !== undefined && retry(profileId);
    updates.push({
      friendshipId: f.id,
      tagIds: done || fresh ? tagIdsNow : null,
      base: keepBase ? null : tagIdsNow.filter((id) => mappedWecomIds.has(id)),
      pushedAt: done ? now : null,
    });
  }
  await db.transaction().execute(async (trx) => {
    await mr.saveFollows(trx, tenantId, updates);
    await mr.saveLastSynced(
      trx,
      tenantId,
      connectorId,
      [...synced].filter((p) => !retry(p)),
      after.filter((a) => !retry(a.profileId)),
    );
    await repo.clearDirty(trx, tenantId, connectorId, batch.filter((b) => !retry(profileOf.get(b.externalUserid))));
  });
  if (fatal !== null) throw fatal;
  return { more: batch.length === MEMBER_BATCH || (unknown.size > 0 && !pulledNow) };
}

/**
 * One mark_tag per friendship, in turn. A friendship or member WeCom no longer knows is skipped (its
 * end arrives by callback); an unknown tag id asks for the tag list again; any other error stops the
 * batch, and the marks not made are retried by the next run.
 */
async function sendMarks(ctx: TagSyncContext, marks: readonly Mark[]) {
  const marked = new Map<string, string[]>();
  const failed = new Set<string>();
  const unknown = new Set<string>();
  let fatal: Error | null = null;
  for (const m of marks) {
    if (fatal !== null) {
      failed.add(m.profileId);
      continue;
    }
    try {
      await ctx.client.markTag({
        userid: m.follow.userid,
        external_userid: m.follow.externalUserid,
        ...(m.add.length > 0 ? { add_tag: m.add } : {}),
        ...(m.remove.length > 0 ? { remove_tag: m.remove } : {}),
      });
      marked.set(m.follow.id, [...m.follow.tagIds.filter((id) => !m.remove.includes(id)), ...m.add.filter((id) => !m.follow.tagIds.includes(id))]);
      ctx.counts.pushed.marked += 1;
    } catch (err) {
      const code = wecomErrcodeOf(err);
      if (code !== null && GONE_ERRCODES.has(code)) {
        ctx.deps.logger?.info({ connectorId: ctx.connectorId, userid: m.follow.userid, errcode: code }, `tag sync skipped a friendship WeCom no longer knows: ${errorMessage(err)}`);
      } else if (code === UNKNOWN_TAG) {
        unknown.add(m.profileId);
      } else {
        fatal = err instanceof Error ? err : new Error(errorMessage(err));
        failed.add(m.profileId);
      }
    }
  }
  return { marked, failed, unknown, fatal };
}
