import { randomUUID } from 'node:crypto';
import type { SegmentDefinition } from '../../contracts/segments.js';
import { tagKindSchema, type Tag, type TagCreate, type TagDetail, type TagGroup, type TagGroupCreate, type TagUpdate } from '../../contracts/tags.js';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/index.js';
import { canonicalJson } from '../../platform/json.js';
import { AppError } from '../../platform/errors.js';
import { checkReferences, evaluationContext, storedDefinition } from '../segments/index.js';
import { insertAudit } from '../tenancy/index.js';
import { tagChanged } from './changes.js';
import { materializeRuleTag } from './rules.js';
import * as repo from './tags.repo.js';

export interface TagsDeps {
  db: Db;
  clock: Clock;
}

function tagView(r: repo.TagRow): Tag {
  return {
    id: r.id,
    groupId: r.group_id,
    name: r.name,
    description: r.description,
    kind: tagKindSchema.parse(r.kind),
    definition: r.definition ?? null,
    timeDependent: r.time_dependent,
    refreshedAt: r.refreshed_at?.toISOString() ?? null,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

function groupView(g: repo.GroupRow, tags: repo.TagRow[]): TagGroup {
  return { id: g.id, name: g.name, description: g.description, createdAt: g.created_at.toISOString(), tags: tags.map(tagView) };
}

/** Rule tag definitions may refer to manual tags only (and to stages); returns whether they are time-dependent. */
async function checkRuleDefinition(db: Db, tenantId: string, definition: SegmentDefinition): Promise<boolean> {
  const facts = await checkReferences(db, tenantId, definition.condition, { allowStages: true, allowRuleTags: false, path: 'definition.condition' });
  return facts.timeDependent;
}

// --- Tag groups ---------------------------------------------------------------------------------

/** Idempotent by name: an existing group of that name is answered as it is (`created: false`). */
export async function createTagGroup(deps: TagsDeps, tenantId: string, input: TagGroupCreate, actor: string): Promise<{ group: TagGroup; created: boolean }> {
  return deps.db.transaction().execute(async (trx) => {
    const inserted = await repo.insertGroup(trx, tenantId, { id: randomUUID(), name: input.name, description: input.description ?? null, at: deps.clock.now() });
    if (!inserted) {
      const existing = await repo.findGroupByName(trx, tenantId, input.name);
      if (!existing) throw new AppError('conflict', `tag group "${input.name}" was deleted while this request ran; try again`);
      return { group: groupView(existing, await repo.listTags(trx, tenantId, existing.id)), created: false };
    }
    await insertAudit(trx, { tenantId, actor, action: 'tag_group.create', targetType: 'tag_group', targetId: inserted.id, details: { name: input.name } });
    return { group: groupView(inserted, []), created: true };
  });
}

export async function listTagGroups(db: Db, tenantId: string): Promise<TagGroup[]> {
  const groups = await repo.listGroups(db, tenantId);
  const byGroup = new Map<string, repo.TagRow[]>(groups.map((g) => [g.id, []]));
  for (const t of await repo.listTags(db, tenantId)) byGroup.get(t.group_id)?.push(t);
  return groups.map((g) => groupView(g, byGroup.get(g.id) ?? []));
}

/** Only an empty group can go: 409 while it holds tags. */
export async function deleteTagGroup(deps: TagsDeps, tenantId: string, id: string, actor: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const group = await repo.findGroup(trx, tenantId, id, 'update');
    if (!group) throw new AppError('not_found', `no tag group ${id}`);
    const n = await repo.countGroupTags(trx, tenantId, id);
    if (n > 0) throw new AppError('conflict', `tag group "${group.name}" still holds ${n} tag${n === 1 ? '' : 's'}; delete them first`, { tags: n });
    await repo.deleteGroup(trx, tenantId, id);
    await insertAudit(trx, { tenantId, actor, action: 'tag_group.delete', targetType: 'tag_group', targetId: id, details: { name: group.name } });
  });
}

// --- Tags ---------------------------------------------------------------------------------------

/**
 * Creates a tag; a rule tag is evaluated over the whole tenant in the same transaction. Idempotent by
 * (group, name): the same kind and definition answer the existing tag (`created: false`), another 409.
 */
export async function createTag(deps: TagsDeps, tenantId: string, input: TagCreate, actor: string): Promise<{ tag: Tag; created: boolean }> {
  const definition = input.kind === 'rule' ? (input.definition ?? null) : null;
  const timeDependent = definition ? await checkRuleDefinition(deps.db, tenantId, definition) : false;
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    // A share lock: a concurrent delete of the group waits, then sees the new tag (409, not an FK error).
    if (!(await repo.findGroup(trx, tenantId, input.groupId, 'share'))) {
      throw new AppError('invalid_request', `groupId: no tag group ${input.groupId} in this tenant`, { issues: [{ path: 'groupId', message: `no tag group ${input.groupId}` }] });
    }
    const id = randomUUID();
    const row = { id, groupId: input.groupId, name: input.name, description: input.description ?? null, kind: input.kind, definition, timeDependent, at: now };
    const inserted = await repo.insertTag(trx, tenantId, row);
    if (!inserted) {
      const existing = await repo.findTagByName(trx, tenantId, input.groupId, input.name);
      if (existing && existing.kind === input.kind && canonicalJson(existing.definition ?? null) === canonicalJson(definition)) return { tag: tagView(existing), created: false };
      throw new AppError('conflict', `the group already has a tag named "${input.name}" of another kind or definition; change it with PUT /api/v1/tags/${existing?.id ?? ''}`, {
        id: existing?.id,
      });
    }
    // Nothing can read a tag that did not exist: no profile needs marking.
    if (definition) await materializeRuleTag(trx, await evaluationContext(trx, tenantId, now, 'set'), id, definition, false);
    await insertAudit(trx, { tenantId, actor, action: 'tag.create', targetType: 'tag', targetId: id, details: { name: input.name, kind: input.kind, groupId: input.groupId } });
    await tagChanged(trx, { kind: 'definition', tenantId, groupId: input.groupId, tagId: id, actor, at: now });
    return { tag: tagView(inserted), created: true };
  });
}

export async function listTags(db: Db, tenantId: string, groupId?: string): Promise<Tag[]> {
  return (await repo.listTags(db, tenantId, groupId)).map(tagView);
}

export async function getTag(db: Db, tenantId: string, id: string): Promise<TagDetail> {
  const row = await repo.findTag(db, tenantId, id);
  if (!row) throw new AppError('not_found', `no tag ${id}`);
  return { ...tagView(row), memberCount: await repo.memberCount(db, tenantId, id) };
}

/** Changes name, description or (rule tags) definition; a new definition is applied to every profile at once. */
export async function updateTag(deps: TagsDeps, tenantId: string, id: string, input: TagUpdate, actor: string): Promise<TagDetail> {
  const timeDependent = input.definition ? await checkRuleDefinition(deps.db, tenantId, input.definition) : null;
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const row = await repo.findTag(trx, tenantId, id, 'update');
    if (!row) throw new AppError('not_found', `no tag ${id}`);
    if (input.definition && row.kind !== 'rule') {
      throw new AppError('invalid_request', `definition: "${row.name}" is a manual tag and has no definition`, { issues: [{ path: 'definition', message: 'a manual tag has no definition' }] });
    }
    const name = input.name ?? row.name;
    if (name !== row.name) {
      // The group lock serialises renames and creations within the group: a clash is a 409, never a unique-violation 500.
      await repo.findGroup(trx, tenantId, row.group_id, 'update');
      if (await repo.findTagByName(trx, tenantId, row.group_id, name)) throw new AppError('conflict', `the group already has a tag named "${name}"`, { name });
    }
    const changed = input.definition !== undefined && canonicalJson(input.definition) !== canonicalJson(row.definition);
    const definition = row.kind === 'rule' ? (input.definition ?? storedDefinition(row.definition, `rule tag ${id}`)) : null;
    // Segments and stages may read the tag: the profiles it moved on are marked for their refresh.
    // Evaluated before the row is written, so that the row read back carries its new refreshed_at.
    if (changed && definition) await materializeRuleTag(trx, await evaluationContext(trx, tenantId, now, 'set'), id, definition, true);
    const updated = await repo.updateTag(trx, tenantId, id, {
      name,
      description: input.description === undefined ? row.description : input.description,
      definition,
      timeDependent: timeDependent ?? row.time_dependent,
      at: now,
    });
    await insertAudit(trx, { tenantId, actor, action: 'tag.update', targetType: 'tag', targetId: id, details: { definitionChanged: changed } });
    if (name !== row.name) await tagChanged(trx, { kind: 'definition', tenantId, groupId: row.group_id, tagId: id, actor, at: now });
    return { ...tagView(updated), memberCount: await repo.memberCount(trx, tenantId, id) };
  });
}

/** 409 while a segment, a stage model or a rule tag refers to the tag; else the tag, its memberships and history go. */
export async function deleteTag(deps: TagsDeps, tenantId: string, id: string, actor: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const row = await repo.findTag(trx, tenantId, id, 'update');
    if (!row) throw new AppError('not_found', `no tag ${id}`);
    const refs = await repo.tagReferences(trx, tenantId, id);
    const users = [
      ...refs.segments.map((s) => `segment "${s.name}"`),
      ...refs.stageModels.map((m) => `stage model "${m.key}"`),
      ...refs.tags.map((t) => `rule tag "${t.name}"`),
    ];
    if (users.length > 0) throw new AppError('conflict', `tag "${row.name}" is used by ${users.join(', ')}; change those first`, refs);
    await repo.deleteTag(trx, tenantId, id);
    await insertAudit(trx, { tenantId, actor, action: 'tag.delete', targetType: 'tag', targetId: id, details: { name: row.name, kind: row.kind } });
    await tagChanged(trx, { kind: 'definition', tenantId, groupId: row.group_id, tagId: id, actor, at: deps.clock.now() });
  });
}
