import { WECOM_TAG_NAME_MAX } from '../../contracts/wecom-tags.js';
import { isAppError } from '../../platform/errors.js';
import { createTag, deleteTag, updateTag, type TagsDeps } from '../tags/index.js';
import type { WecomCorpTagGroup } from './client-schemas.js';
import { addProblem, errorMessage, UNKNOWN_TAG, type TagSyncContext } from './tag-sync-context.js';
import type { TagMapping } from './tag-sync-members.js';
import * as repo from './tag-sync.repo.js';
import { wecomErrcodeOf } from './errcodes.js';

/**
 * The synced groups' tags kept in step with the corp's tags. The mirror (wecom_corp_tags) is WeCom's
 * side as last read; each mapped tag's `syncedName` is what both sides agreed on, so a rename is
 * followed from the side that moved (the later one when both did), and nothing pulled is written
 * back. WeCom's list is read when a callback asked for it, on a full run, and before any write to
 * WeCom (so a write that went through before a crash is found by name instead of made twice).
 */

/** WeCom's answer to add_corp_tag for an existing name. */
const TAG_NAME_TAKEN = 40071;
/** Tags deleted per del_corp_tag call. */
const DELETE_BATCH = 100;

type Row = repo.MirrorRow;

const tooLong = (name: string) => [...name].length > WECOM_TAG_NAME_MAX;
const tooLongProblem = (what: string, name: string) =>
  `${what} "${name}" is not in WeCom: its name has ${[...name].length} characters and WeCom takes at most ${WECOM_TAG_NAME_MAX}; rename it in Siyu`;

/** Whether Siyu's side asks for a write to WeCom (a tag to create, rename or delete there). */
function wantsWrites(rows: readonly Row[], groups: readonly repo.SiyuGroup[], existing: ReadonlySet<string>): boolean {
  const bySiyu = new Map(rows.flatMap((r) => (r.siyuId ? [[r.siyuId, r]] : [])));
  if (rows.some((r) => r.kind === 'tag' && r.siyuId && !r.deletedAt && !existing.has(r.siyuId))) return true;
  return groups.some((g) =>
    g.tags.some((t) => {
      const row = bySiyu.get(t.id);
      if (!row) return !tooLong(t.name) && !tooLong(g.name);
      return !row.deletedAt && t.name !== (row.syncedName ?? row.name) && !tooLong(t.name);
    }),
  );
}

/** The mirror after reading WeCom's list: names and orders as WeCom has them, rows WeCom no longer lists marked deleted. */
function applyList(rows: readonly Row[], list: readonly WecomCorpTagGroup[], now: Date, changedAt: Date): Row[] {
  const byId = new Map(rows.map((r) => [r.wecomId, { ...r }]));
  const seen = new Set<string>();
  const see = (wecomId: string, kind: Row['kind'], wecomGroupId: string | null, name: string, order: number) => {
    seen.add(wecomId);
    const row = byId.get(wecomId);
    if (!row) {
      byId.set(wecomId, { wecomId, kind, wecomGroupId, name, order, siyuId: null, syncedName: null, nameChangedAt: null, deletedAt: null });
      return;
    }
    if (row.name !== name) row.nameChangedAt = changedAt;
    Object.assign(row, { name, order, wecomGroupId, deletedAt: null });
  };
  for (const g of list) {
    if (g.deleted) continue;
    see(g.group_id, 'group', null, g.group_name, g.order);
    for (const t of g.tag) if (!t.deleted) see(t.id, 'tag', g.group_id, t.name, t.order);
  }
  return [...byId.values()].flatMap((r) => {
    if (seen.has(r.wecomId)) return [r];
    // Gone from WeCom: a mapped row stays until Siyu has followed; an unmapped one just goes.
    return r.siyuId ? [{ ...r, deletedAt: r.deletedAt ?? now }] : [];
  });
}

/** Syncs the definitions; answers the synced tags mapped on both sides, and whether WeCom's list was read. */
export async function syncDefinitions(ctx: TagSyncContext, options: { pull: boolean; wecomChangedAt: Date | null }): Promise<{ mapping: TagMapping; pulled: boolean }> {
  const { tenantId, connectorId } = ctx;
  const db = ctx.deps.store.db;
  const tagsDeps = { db, clock: ctx.deps.clock };
  const now = ctx.deps.clock.now();
  const before = await repo.mirrorRows(db, tenantId, connectorId);
  const groups = await repo.selectedGroups(db, tenantId, connectorId);
  const existing = await repo.existingSiyuIds(db, tenantId, before.flatMap((r) => (r.siyuId ? [r.siyuId] : [])));
  const pulled = options.pull || wantsWrites(before, groups, existing);
  const rows = pulled ? applyList(before, (await ctx.client.getCorpTagList()).tag_group, now, options.wecomChangedAt ?? now) : before.map((r) => ({ ...r }));
  const gone = new Set<string>();
  const kept = () => rows.filter((r) => !gone.has(r.wecomId));
  // What was done is kept even when a later step fails: the next run goes on from there.
  try {
    await reconcile(ctx, tagsDeps, rows, gone, groups, existing);
  } finally {
    await persist(ctx, before, kept(), now);
  }
  return { mapping: mappingOf(kept(), groups), pulled };
}

/** Deletions both ways, then each synced group; `rows` (the mirror) changes in place, `gone` collects the rows to drop. */
async function reconcile(ctx: TagSyncContext, tagsDeps: TagsDeps, rows: Row[], gone: Set<string>, groups: readonly repo.SiyuGroup[], existing: ReadonlySet<string>): Promise<void> {
  const { tenantId } = ctx;
  const selected = new Set(groups.flatMap((g) => [g.id, ...g.tags.map((t) => t.id)]));
  const drop = (r: Row) => gone.add(r.wecomId);

  for (const r of rows) {
    if (!r.siyuId) continue;
    if (!existing.has(r.siyuId)) {
      // Deleted in Siyu: a tag is deleted in WeCom below; a group's mapping just ends (WeCom drops an empty group itself).
      if (r.deletedAt) drop(r);
      else if (r.kind === 'group') Object.assign(r, { siyuId: null, syncedName: null });
    } else if (!selected.has(r.siyuId)) {
      // Its group left the sync: the WeCom tag stays as it is, unmapped.
      if (r.deletedAt) drop(r);
      else Object.assign(r, { siyuId: null, syncedName: null });
    }
  }
  const toDelete = rows.filter((r) => r.kind === 'tag' && r.siyuId && !existing.has(r.siyuId) && !r.deletedAt);
  for (let i = 0; i < toDelete.length; i += DELETE_BATCH) {
    const chunk = toDelete.slice(i, i + DELETE_BATCH);
    try {
      await ctx.client.delCorpTag({ tag_id: chunk.map((r) => r.wecomId) });
      ctx.counts.pushed.deleted += chunk.length;
    } catch (err) {
      // Already gone in WeCom: nothing left to delete.
      if (wecomErrcodeOf(err) !== UNKNOWN_TAG) throw err;
    }
    chunk.forEach(drop);
  }

  // Deleted in WeCom: the Siyu tag follows unless something uses it (then it stays, as a tombstone that is not re-created).
  for (const r of rows) {
    const siyuId = r.siyuId;
    if (!r.deletedAt || siyuId === null || !selected.has(siyuId) || gone.has(r.wecomId)) continue;
    if (r.kind === 'group') {
      drop(r);
      continue;
    }
    try {
      await deleteTag(tagsDeps, tenantId, siyuId, ctx.actor);
      ctx.counts.pulled.deleted += 1;
      drop(r);
      for (const g of groups) g.tags = g.tags.filter((t) => t.id !== siyuId);
    } catch (err) {
      if (!isAppError(err) || (err.code !== 'conflict' && err.code !== 'not_found')) throw err;
      if (err.code === 'not_found') drop(r);
      else addProblem(ctx.counts, `tag "${r.name}" was deleted in WeCom; Siyu keeps it because ${err.message}`);
    }
  }

  rows.splice(0, rows.length, ...rows.filter((r) => !gone.has(r.wecomId)));
  gone.clear();
  for (const g of groups) await syncGroup(ctx, tagsDeps, rows, g);
}

/** One synced group: its mapping, renames both ways, WeCom-made tags into Siyu, Siyu-made tags into WeCom. */
async function syncGroup(ctx: TagSyncContext, tagsDeps: TagsDeps, rows: Row[], g: repo.SiyuGroup): Promise<void> {
  const { tenantId } = ctx;
  const bySiyu = () => new Map(rows.flatMap((r) => (r.siyuId ? [[r.siyuId, r]] : [])));
  let groupRow = bySiyu().get(g.id);
  if (!groupRow) {
    groupRow = rows.find((r) => r.kind === 'group' && !r.deletedAt && !r.siyuId && r.name === g.name);
    if (groupRow) Object.assign(groupRow, { siyuId: g.id, syncedName: g.name });
  }
  const inGroup = (row: Row | undefined) => rows.filter((r) => r.kind === 'tag' && !r.deletedAt && row !== undefined && r.wecomGroupId === row.wecomId);
  const toCreate: repo.SiyuTag[] = [];
  for (const t of g.tags) {
    const row = bySiyu().get(t.id);
    if (row?.deletedAt) continue;
    if (row) {
      await rename(ctx, tagsDeps, row, t);
      continue;
    }
    const match = inGroup(groupRow).find((r) => !r.siyuId && r.name === t.name);
    if (match) Object.assign(match, { siyuId: t.id, syncedName: t.name });
    else if (tooLong(t.name)) addProblem(ctx.counts, tooLongProblem('tag', t.name));
    else toCreate.push(t);
  }
  for (const r of inGroup(groupRow).filter((x) => !x.siyuId)) {
    try {
      const { tag, created } = await createTag(tagsDeps, tenantId, { groupId: g.id, name: r.name, kind: 'manual' }, ctx.actor);
      if (bySiyu().has(tag.id)) {
        addProblem(ctx.counts, `tag "${r.name}" made in WeCom is not in Siyu: the Siyu group "${g.name}" has a tag of that name synced with another WeCom tag`);
        continue;
      }
      Object.assign(r, { siyuId: tag.id, syncedName: r.name });
      g.tags.push({ id: tag.id, groupId: g.id, name: tag.name, kind: tag.kind, updatedAt: new Date(tag.updatedAt) });
      if (created) ctx.counts.pulled.created += 1;
    } catch (err) {
      if (!isAppError(err) || err.code !== 'conflict') throw err;
      addProblem(ctx.counts, `tag "${r.name}" made in WeCom is not in Siyu: ${err.message}`);
    }
  }
  if (toCreate.length === 0) return;
  if (!groupRow && tooLong(g.name)) {
    addProblem(ctx.counts, tooLongProblem('tag group', g.name));
    return;
  }
  try {
    const answer = await ctx.client.addCorpTag({ ...(groupRow ? { group_id: groupRow.wecomId } : { group_name: g.name }), tag: toCreate.map((t) => ({ name: t.name })) });
    const added = answer.tag_group;
    if (!groupRow) {
      groupRow = rows.find((r) => r.wecomId === added.group_id);
      if (!groupRow) {
        groupRow = { wecomId: added.group_id, kind: 'group', wecomGroupId: null, name: added.group_name, order: added.order, siyuId: null, syncedName: null, nameChangedAt: null, deletedAt: null };
        rows.push(groupRow);
      }
      if (!groupRow.siyuId) Object.assign(groupRow, { siyuId: g.id, syncedName: g.name });
    }
    for (const t of added.tag) {
      const siyu = toCreate.find((x) => x.name === t.name);
      rows.push({ wecomId: t.id, kind: 'tag', wecomGroupId: added.group_id, name: t.name, order: t.order, siyuId: siyu?.id ?? null, syncedName: siyu ? t.name : null, nameChangedAt: null, deletedAt: null });
      ctx.counts.pushed.created += 1;
    }
  } catch (err) {
    if (wecomErrcodeOf(err) !== TAG_NAME_TAKEN) throw err;
    addProblem(ctx.counts, `WeCom refused to create the tags ${toCreate.map((t) => `"${t.name}"`).join(', ')} of "${g.name}": ${errorMessage(err)}`);
  }
}

/** A mapped tag's name: the side that moved from the synced name is followed; when both did, the later one. */
async function rename(ctx: TagSyncContext, tagsDeps: TagsDeps, row: Row, t: repo.SiyuTag): Promise<void> {
  const synced = row.syncedName ?? row.name;
  if (t.name === row.name) {
    row.syncedName = t.name;
    return;
  }
  const siyuMoved = t.name !== synced;
  const wecomMoved = row.name !== synced;
  const pushSiyu = siyuMoved && (!wecomMoved || t.updatedAt.getTime() >= (row.nameChangedAt?.getTime() ?? 0));
  if (pushSiyu) {
    if (tooLong(t.name)) {
      addProblem(ctx.counts, tooLongProblem('tag', t.name));
      return;
    }
    await ctx.client.editCorpTag({ id: row.wecomId, name: t.name });
    Object.assign(row, { name: t.name, syncedName: t.name });
    ctx.counts.pushed.renamed += 1;
    return;
  }
  try {
    await updateTag(tagsDeps, ctx.tenantId, t.id, { name: row.name }, ctx.actor);
    row.syncedName = row.name;
    ctx.counts.pulled.renamed += 1;
  } catch (err) {
    if (!isAppError(err) || err.code !== 'conflict') throw err;
    addProblem(ctx.counts, `tag "${t.name}" was renamed "${row.name}" in WeCom but not in Siyu: ${err.message}`);
  }
}

function mappingOf(rows: readonly Row[], groups: readonly repo.SiyuGroup[]): TagMapping {
  const kinds = new Map(groups.flatMap((g) => g.tags.map((t) => [t.id, t.kind])));
  const wecomIdOf = new Map<string, string>();
  const ruleTags = new Set<string>();
  for (const r of rows) {
    if (r.kind !== 'tag' || !r.siyuId || r.deletedAt || !kinds.has(r.siyuId)) continue;
    wecomIdOf.set(r.siyuId, r.wecomId);
    if (kinds.get(r.siyuId) === 'rule') ruleTags.add(r.siyuId);
  }
  return { wecomIdOf, ruleTags };
}

const canonical = (rows: readonly Row[]) => JSON.stringify([...rows].sort((a, b) => a.wecomId.localeCompare(b.wecomId)));

async function persist(ctx: TagSyncContext, before: readonly Row[], after: readonly Row[], now: Date): Promise<void> {
  if (canonical(before) === canonical(after)) return;
  await ctx.deps.store.db.transaction().execute(async (trx) => {
    await repo.replaceMirror(trx, ctx.tenantId, ctx.connectorId, after, now);
    await repo.dropUnmappedMembers(trx, ctx.tenantId, ctx.connectorId);
  });
}
