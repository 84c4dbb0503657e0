import { WECOM_TAG_NAME_MAX, type WecomTagSync, type WecomTagSyncUpdate } from '../../contracts/wecom-tags.js';
import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import { onTagChange, type TagChange } from '../tags/index.js';
import { insertAudit, type Principal } from '../tenancy/index.js';
import type { ExternalTagEvent } from './callback-xml.js';
import type { WecomDeps } from './connectors.js';
import { findConnector } from './connectors.repo.js';
import { syncActor } from './tag-sync-context.js';
import { flagStaleFollow } from './tag-sync-members.repo.js';
import { tagSyncView } from './tag-sync-view.js';
import * as repo from './tag-sync.repo.js';

/**
 * Tag sync between Siyu tag groups and a WeCom corp's customer tags: which groups a connector syncs,
 * its full runs and their status, and the news that starts its job: a change_external_tag callback,
 * a consultant's edit of a customer, a Siyu tag change (heard through the tags module). The job
 * itself is tag-sync-run.ts.
 */

const notFound = (id: string) => new AppError('not_found', `no WeCom connector ${id} in this tenant; GET /api/v1/connectors/wecom lists them`);

function invalid(path: string, message: string, extra: Record<string, unknown> = {}): AppError {
  return new AppError('invalid_request', `${path}: ${message}`, { issues: [{ path, message }], ...extra });
}

/** 404 for an unknown connector; `lock`: its row stays locked for the caller's transaction, which writes rows referring to it. */
async function requireConnector(db: Db, tenantId: string, connectorId: string, lock = false): Promise<void> {
  if (!(await findConnector(db, tenantId, connectorId, lock))) throw notFound(connectorId);
}

const length = (s: string) => [...s].length;

/**
 * Chooses the Siyu tag groups the connector syncs (replacing the choice) and queues a full run.
 * 404 for an unknown connector; 400, nothing written, for a group that is not the tenant's or whose
 * name, or one of whose tags' names, WeCom would refuse (more than 30 characters).
 */
export async function setTagSync(deps: WecomDeps, principal: Principal, connectorId: string, input: WecomTagSyncUpdate): Promise<WecomTagSync> {
  const { tenantId } = principal;
  const db = deps.store.db;
  const ids = [...new Set(input.tagGroupIds)];
  const now = deps.clock.now();
  await db.transaction().execute(async (trx) => {
    // Connector and groups locked: one deleted meanwhile waits for this choice instead of failing its inserts (a 500).
    await requireConnector(trx, tenantId, connectorId, true);
    const groups = new Map((await repo.tagGroupsByIds(trx, tenantId, ids)).map((g) => [g.id, g]));
    const at = (id: string) => `tagGroupIds[${input.tagGroupIds.indexOf(id)}]`;
    for (const id of ids) {
      const group = groups.get(id);
      if (!group) throw invalid(at(id), `no tag group ${id} in this tenant; GET /api/v1/tag-groups lists them`, { tagGroupId: id });
      if (length(group.name) > WECOM_TAG_NAME_MAX) {
        throw invalid(at(id), `the tag group "${group.name}" has a name of ${length(group.name)} characters; WeCom takes at most ${WECOM_TAG_NAME_MAX}: choose a group with a shorter name`, {
          tagGroupId: id,
        });
      }
    }
    const long = (await repo.longTagNames(trx, tenantId, ids, WECOM_TAG_NAME_MAX))[0];
    if (long) {
      throw invalid(
        at(long.group_id),
        `the tag "${long.name}" has a name of ${length(long.name)} characters; WeCom takes at most ${WECOM_TAG_NAME_MAX}: rename it first (PUT /api/v1/tags/${long.id})`,
        { tagGroupId: long.group_id, tagId: long.id },
      );
    }
    await repo.lockSync(trx, tenantId, connectorId, now);
    await repo.replaceSelection(trx, tenantId, connectorId, ids, now);
    await repo.requestFull(trx, tenantId, connectorId, principal.actor, now);
    await repo.requestSyncJob(trx, tenantId, connectorId, now);
    await insertAudit(trx, { tenantId, actor: principal.actor, action: 'wecom_tag_sync.update', targetType: 'wecom_connector', targetId: connectorId, details: { tagGroupIds: ids } });
  });
  return tagSyncView(db, tenantId, connectorId);
}

/** The connector's tag sync: its groups and their mapping, the corp's groups, the last full run (404 for an unknown connector). */
export async function getTagSync(deps: WecomDeps, tenantId: string, connectorId: string): Promise<WecomTagSync> {
  await requireConnector(deps.store.db, tenantId, connectorId);
  return tagSyncView(deps.store.db, tenantId, connectorId);
}

/**
 * Queues a full run (pull + push of every synced group and customer); while one runs, it runs again
 * when it ends. 404 for an unknown connector, 409 while the connector syncs no group.
 */
export async function requestTagSyncRun(deps: WecomDeps, principal: Principal, connectorId: string): Promise<WecomTagSync> {
  const { tenantId } = principal;
  const db = deps.store.db;
  const now = deps.clock.now();
  await db.transaction().execute(async (trx) => {
    await requireConnector(trx, tenantId, connectorId, true);
    if (!(await repo.syncsAny(trx, tenantId, connectorId))) {
      throw new AppError('conflict', `WeCom connector ${connectorId} syncs no tag group yet: choose the groups with PUT /api/v1/wecom/tag-sync/${connectorId} first`);
    }
    await repo.lockSync(trx, tenantId, connectorId, now);
    await repo.requestFull(trx, tenantId, connectorId, principal.actor, now);
    await repo.requestSyncJob(trx, tenantId, connectorId, now);
    await insertAudit(trx, { tenantId, actor: principal.actor, action: 'wecom_tag_sync.run', targetType: 'wecom_connector', targetId: connectorId });
  });
  return tagSyncView(db, tenantId, connectorId);
}

/**
 * A change_external_tag callback, in the callbacks job's transaction: the sync's next run reads
 * WeCom's tag list (the whole list, which also shows deletions). False when it concerns no sync: a
 * connector that syncs no group, or a strategy tag (规则组标签, not in get_corp_tag_list).
 */
export async function noteCorpTagChange(trx: Db, c: { tenantId: string; connectorId: string }, event: ExternalTagEvent, now: Date): Promise<boolean> {
  if (event.StrategyId || !(await repo.syncsAny(trx, c.tenantId, c.connectorId))) return false;
  await repo.requestPull(trx, c.tenantId, c.connectorId, new Date(Number(event.CreateTime) * 1000), now);
  await repo.noteSyncNews(trx, c.tenantId, c.connectorId, now);
  return true;
}

/**
 * A consultant's edit of a customer was applied (its corp tags stored on the friendship), in the
 * callbacks job's transaction: the customer waits for the sync's next run.
 */
export async function noteContactTags(trx: Db, c: { tenantId: string; connectorId: string; now: Date }, friendshipId: string, externalUserid: string, eventAt: Date): Promise<void> {
  if (!(await repo.syncsAny(trx, c.tenantId, c.connectorId))) return;
  await flagStaleFollow(trx, c.tenantId, friendshipId, eventAt);
  await repo.markCustomer(trx, c.tenantId, c.connectorId, externalUserid, c.now);
  await repo.noteSyncNews(trx, c.tenantId, c.connectorId, c.now);
}

/** A Siyu tag change of a synced group: its people wait for the sync's next run, which also pushes the definitions. */
async function onSiyuTagChange(trx: Db, change: TagChange): Promise<void> {
  const connectors =
    change.kind === 'members'
      ? await repo.connectorsSyncingTag(trx, change.tenantId, change.tagId)
      : await repo.connectorsFor(trx, change.tenantId, { groupId: change.groupId, tagId: change.tagId });
  for (const connectorId of connectors) {
    // What a connector's own sync changed came from its WeCom corp: nothing to push back there.
    if (change.actor === syncActor(connectorId)) continue;
    if (change.kind === 'members') {
      if (change.profileIds) await repo.markProfiles(trx, change.tenantId, connectorId, change.profileIds, change.at);
      else await repo.markTagHolders(trx, change.tenantId, connectorId, change.tagId, change.at);
    }
    await repo.noteSyncNews(trx, change.tenantId, connectorId, change.at);
  }
}

/** Makes this process hear Siyu's tag changes for the sync (the API server and the worker call it). */
export function enableWecomTagSync(): void {
  onTagChange(onSiyuTagChange);
}
