import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import { ensureJob, requestJob } from '../../platform/jobs/index.js';

/**
 * SQL of the tag sync (migrations/0013_wecom_tag_sync.sql): a connector's sync row and chosen
 * groups, the mirror of the corp's tags, the last-synced state of people and friendships, and the
 * customers waiting to be reconciled.
 */

/** The job that syncs a connector's tags (key: the connector id). */
export const TAG_SYNC_JOB = 'wecom.tag_sync';

const iso = (d: Date) => d.toISOString();

/** Makes the sync job due at `at` at the latest: an admin asked for a run. */
export async function requestSyncJob(db: Db, tenantId: string, connectorId: string, at: Date): Promise<void> {
  await ensureJob(db, { tenantId, kind: TAG_SYNC_JOB, key: connectorId, runAt: at });
}

/**
 * News for the sync job (a tag changed here or in WeCom): a job that exists keeps its time, so a
 * job backing off from a busy or rate-limiting WeCom is not pulled forward by every change; a
 * running one runs again.
 */
export async function noteSyncNews(db: Db, tenantId: string, connectorId: string, at: Date): Promise<void> {
  await requestJob(db, { tenantId, kind: TAG_SYNC_JOB, key: connectorId, runAt: at });
}

// --- The sync row --------------------------------------------------------------------------------

export interface SyncRow {
  pullRequests: number;
  pullDone: number;
  pullRequestedAt: Date | null;
  fullRequests: number;
  fullStarted: number;
  fullRequestedAt: Date | null;
  fullRequestedBy: string | null;
  runState: string;
  runStartedAt: Date | null;
  runFinishedAt: Date | null;
  runResult: unknown;
  runError: unknown;
  lastError: unknown;
  lastSyncedAt: Date | null;
}

type SyncDbRow = {
  pull_requests: string | number;
  pull_done: string | number;
  pull_requested_at: Date | null;
  full_requests: string | number;
  full_started: string | number;
  full_requested_at: Date | null;
  full_requested_by: string | null;
  run_state: string;
  run_started_at: Date | null;
  run_finished_at: Date | null;
  run_result: unknown;
  run_error: unknown;
  last_error: unknown;
  last_synced_at: Date | null;
};

export async function findSync(db: Db, tenantId: string, connectorId: string): Promise<SyncRow | undefined> {
  const { rows } = await sql<SyncDbRow>`
    SELECT pull_requests, pull_done, pull_requested_at, full_requests, full_started, full_requested_at, full_requested_by,
      run_state, run_started_at, run_finished_at, run_result, run_error, last_error, last_synced_at
    FROM wecom_tag_syncs WHERE tenant_id = ${tenantId} AND connector_id = ${connectorId}`.execute(db);
  const r = rows[0];
  if (!r) return undefined;
  return {
    pullRequests: Number(r.pull_requests),
    pullDone: Number(r.pull_done),
    pullRequestedAt: r.pull_requested_at,
    fullRequests: Number(r.full_requests),
    fullStarted: Number(r.full_started),
    fullRequestedAt: r.full_requested_at,
    fullRequestedBy: r.full_requested_by,
    runState: r.run_state,
    runStartedAt: r.run_started_at,
    runFinishedAt: r.run_finished_at,
    runResult: r.run_result,
    runError: r.run_error,
    lastError: r.last_error,
    lastSyncedAt: r.last_synced_at,
  };
}

/** The connector's sync row, made on first use and locked for the rest of the transaction. */
export async function lockSync(trx: Db, tenantId: string, connectorId: string, now: Date): Promise<void> {
  await sql`
    INSERT INTO wecom_tag_syncs (tenant_id, connector_id, updated_at) VALUES (${tenantId}, ${connectorId}, ${iso(now)}::timestamptz)
    ON CONFLICT (tenant_id, connector_id) DO NOTHING`.execute(trx);
  await sql`SELECT 1 FROM wecom_tag_syncs WHERE tenant_id = ${tenantId} AND connector_id = ${connectorId} FOR UPDATE`.execute(trx);
}

/** Asks for a full run: queued, unless one is running (it then runs again when it ends). */
export async function requestFull(trx: Db, tenantId: string, connectorId: string, actor: string, now: Date): Promise<void> {
  await sql`
    UPDATE wecom_tag_syncs SET full_requests = full_requests + 1, full_requested_at = ${iso(now)}::timestamptz, full_requested_by = ${actor},
      run_state = CASE WHEN run_state = 'running' THEN 'running' ELSE 'queued' END, updated_at = ${iso(now)}::timestamptz
    WHERE tenant_id = ${tenantId} AND connector_id = ${connectorId}`.execute(trx);
}

/** Asks for WeCom's tag list to be read on the next run; `at` is when WeCom reported the change. */
export async function requestPull(trx: Db, tenantId: string, connectorId: string, at: Date, now: Date): Promise<void> {
  await sql`
    UPDATE wecom_tag_syncs SET pull_requests = pull_requests + 1,
      pull_requested_at = CASE WHEN pull_requests = pull_done OR pull_requested_at IS NULL THEN ${iso(at)}::timestamptz ELSE LEAST(pull_requested_at, ${iso(at)}::timestamptz) END,
      updated_at = ${iso(now)}::timestamptz
    WHERE tenant_id = ${tenantId} AND connector_id = ${connectorId}`.execute(trx);
}

/** The tag list was read for the requests counted up to `seen`. */
export async function pulled(db: Db, tenantId: string, connectorId: string, seen: number, now: Date): Promise<void> {
  await sql`
    UPDATE wecom_tag_syncs SET pull_done = GREATEST(pull_done, ${seen}),
      pull_requested_at = CASE WHEN pull_requests <= ${seen} THEN NULL ELSE pull_requested_at END, updated_at = ${iso(now)}::timestamptz
    WHERE tenant_id = ${tenantId} AND connector_id = ${connectorId}`.execute(db);
}

/** A full run starts: running, with empty counts. */
export async function startFull(db: Db, tenantId: string, connectorId: string, result: unknown, now: Date): Promise<void> {
  await sql`
    UPDATE wecom_tag_syncs SET run_state = 'running', run_started_at = ${iso(now)}::timestamptz, run_finished_at = NULL,
      run_result = ${JSON.stringify(result)}::jsonb, run_error = NULL, updated_at = ${iso(now)}::timestamptz
    WHERE tenant_id = ${tenantId} AND connector_id = ${connectorId}`.execute(db);
}

/** The running full run has read WeCom's list and queued every customer for the requests counted up to `request`. */
export async function fullQueued(db: Db, tenantId: string, connectorId: string, request: number, now: Date): Promise<void> {
  await sql`
    UPDATE wecom_tag_syncs SET full_started = GREATEST(full_started, ${request}), updated_at = ${iso(now)}::timestamptz
    WHERE tenant_id = ${tenantId} AND connector_id = ${connectorId}`.execute(db);
}

export async function saveRunResult(db: Db, tenantId: string, connectorId: string, result: unknown, now: Date): Promise<void> {
  await sql`
    UPDATE wecom_tag_syncs SET run_result = ${JSON.stringify(result)}::jsonb, updated_at = ${iso(now)}::timestamptz
    WHERE tenant_id = ${tenantId} AND connector_id = ${connectorId} AND run_state = 'running'`.execute(db);
}

/** Ends the running full run: succeeded with its result, or failed with its error. */
export async function finishFull(db: Db, tenantId: string, connectorId: string, outcome: { result: unknown } | { error: unknown }, now: Date): Promise<void> {
  const state = 'result' in outcome ? 'succeeded' : 'failed';
  const error = 'error' in outcome ? JSON.stringify(outcome.error) : null;
  await sql`
    UPDATE wecom_tag_syncs SET run_state = ${state}, run_finished_at = ${iso(now)}::timestamptz, run_error = ${error}::jsonb,
      run_result = CASE WHEN ${state} = 'succeeded' THEN ${'result' in outcome ? JSON.stringify(outcome.result) : null}::jsonb ELSE run_result END,
      updated_at = ${iso(now)}::timestamptz
    WHERE tenant_id = ${tenantId} AND connector_id = ${connectorId} AND run_state = 'running'`.execute(db);
}

/** The job went through (error null) or stopped on `error`. */
export async function recordJobOutcome(db: Db, tenantId: string, connectorId: string, error: { code: string; message: string } | null, now: Date): Promise<void> {
  const stored = error === null ? null : JSON.stringify({ ...error, at: iso(now) });
  await sql`
    UPDATE wecom_tag_syncs SET last_error = ${stored}::jsonb,
      last_synced_at = CASE WHEN ${stored}::jsonb IS NULL THEN ${iso(now)}::timestamptz ELSE last_synced_at END, updated_at = ${iso(now)}::timestamptz
    WHERE tenant_id = ${tenantId} AND connector_id = ${connectorId}`.execute(db);
}

// --- Chosen groups -------------------------------------------------------------------------------

export interface GroupRef {
  id: string;
  name: string;
}

/** The tenant's tag groups among `ids`. */
/**
 * The tenant's tag groups among `ids`, share-locked as a foreign key would: a group deleted
 * meanwhile waits for the caller's transaction instead of failing its insert.
 */
export async function tagGroupsByIds(db: Db, tenantId: string, ids: readonly string[]): Promise<GroupRef[]> {
  if (ids.length === 0) return [];
  const { rows } = await sql<GroupRef>`SELECT id, name FROM tag_groups WHERE tenant_id = ${tenantId} AND id = ANY(${ids}::uuid[]) FOR KEY SHARE`.execute(db);
  return rows;
}

/** Tags of `groupIds` whose names are longer than `max` characters. */
export async function longTagNames(db: Db, tenantId: string, groupIds: readonly string[], max: number): Promise<{ id: string; group_id: string; name: string }[]> {
  if (groupIds.length === 0) return [];
  const { rows } = await sql<{ id: string; group_id: string; name: string }>`
    SELECT id, group_id, name FROM tags WHERE tenant_id = ${tenantId} AND group_id = ANY(${groupIds}::uuid[]) AND char_length(name) > ${max} ORDER BY name`.execute(db);
  return rows;
}

export async function replaceSelection(trx: Db, tenantId: string, connectorId: string, groupIds: readonly string[], now: Date): Promise<void> {
  await sql`DELETE FROM wecom_tag_sync_groups WHERE tenant_id = ${tenantId} AND connector_id = ${connectorId} AND NOT (tag_group_id = ANY(${groupIds}::uuid[]))`.execute(trx);
  await sql`
    INSERT INTO wecom_tag_sync_groups (tenant_id, connector_id, tag_group_id, created_at)
    SELECT ${tenantId}::uuid, ${connectorId}::uuid, g, ${iso(now)}::timestamptz FROM unnest(${groupIds}::uuid[]) AS g
    ON CONFLICT DO NOTHING`.execute(trx);
}

export interface SiyuTag {
  id: string;
  groupId: string;
  name: string;
  kind: string;
  updatedAt: Date;
}

export interface SiyuGroup extends GroupRef {
  createdAt: Date;
  tags: SiyuTag[];
}

/** The groups the connector syncs with their tags, by name. */
export async function selectedGroups(db: Db, tenantId: string, connectorId: string): Promise<SiyuGroup[]> {
  const groups = await sql<{ id: string; name: string; created_at: Date }>`
    SELECT g.id, g.name, g.created_at FROM wecom_tag_sync_groups s JOIN tag_groups g ON g.tenant_id = s.tenant_id AND g.id = s.tag_group_id
    WHERE s.tenant_id = ${tenantId} AND s.connector_id = ${connectorId} ORDER BY g.name, g.id`.execute(db);
  const ids = groups.rows.map((g) => g.id);
  const tags =
    ids.length === 0
      ? []
      : (
          await sql<{ id: string; group_id: string; name: string; kind: string; updated_at: Date }>`
            SELECT id, group_id, name, kind, updated_at FROM tags WHERE tenant_id = ${tenantId} AND group_id = ANY(${ids}::uuid[]) ORDER BY name, id`.execute(db)
        ).rows;
  return groups.rows.map((g) => ({
    id: g.id,
    name: g.name,
    createdAt: g.created_at,
    tags: tags.filter((t) => t.group_id === g.id).map((t) => ({ id: t.id, groupId: t.group_id, name: t.name, kind: t.kind, updatedAt: t.updated_at })),
  }));
}

/** Which of `ids` are Siyu tag groups or tags that still exist. */
export async function existingSiyuIds(db: Db, tenantId: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await sql<{ id: string }>`
    SELECT id FROM tag_groups WHERE tenant_id = ${tenantId} AND id = ANY(${ids}::uuid[])
    UNION ALL SELECT id FROM tags WHERE tenant_id = ${tenantId} AND id = ANY(${ids}::uuid[])`.execute(db);
  return new Set(rows.map((r) => r.id));
}

/** Connectors that sync the group, or that map the group or tag (a deleted one leaves the selection but not the mirror). */
export async function connectorsFor(db: Db, tenantId: string, ref: { groupId: string; tagId: string }): Promise<string[]> {
  const { rows } = await sql<{ connector_id: string }>`
    SELECT connector_id FROM wecom_tag_sync_groups WHERE tenant_id = ${tenantId} AND tag_group_id = ${ref.groupId}
    UNION SELECT connector_id FROM wecom_corp_tags WHERE tenant_id = ${tenantId} AND siyu_id = ANY(${[ref.groupId, ref.tagId]}::uuid[])`.execute(db);
  return rows.map((r) => r.connector_id);
}

/** Connectors that sync the group of tag `tagId`. */
export async function connectorsSyncingTag(db: Db, tenantId: string, tagId: string): Promise<string[]> {
  const { rows } = await sql<{ connector_id: string }>`
    SELECT s.connector_id FROM tags t JOIN wecom_tag_sync_groups s ON s.tenant_id = t.tenant_id AND s.tag_group_id = t.group_id
    WHERE t.tenant_id = ${tenantId} AND t.id = ${tagId}`.execute(db);
  return rows.map((r) => r.connector_id);
}

/** Whether the connector syncs any group. */
export async function syncsAny(db: Db, tenantId: string, connectorId: string): Promise<boolean> {
  const { rows } = await sql<{ one: number }>`
    SELECT 1 AS one FROM wecom_tag_sync_groups WHERE tenant_id = ${tenantId} AND connector_id = ${connectorId} LIMIT 1`.execute(db);
  return rows.length > 0;
}

// --- The mirror of the corp's tags ---------------------------------------------------------------

export interface MirrorRow {
  wecomId: string;
  kind: 'group' | 'tag';
  wecomGroupId: string | null;
  name: string;
  order: number;
  siyuId: string | null;
  syncedName: string | null;
  nameChangedAt: Date | null;
  deletedAt: Date | null;
}

export async function mirrorRows(db: Db, tenantId: string, connectorId: string): Promise<MirrorRow[]> {
  const { rows } = await sql<{
    wecom_id: string;
    kind: string;
    wecom_group_id: string | null;
    name: string;
    wecom_order: string | number;
    siyu_id: string | null;
    synced_name: string | null;
    name_changed_at: Date | null;
    deleted_at: Date | null;
  }>`
    SELECT wecom_id, kind, wecom_group_id, name, wecom_order, siyu_id, synced_name, name_changed_at, deleted_at
    FROM wecom_corp_tags WHERE tenant_id = ${tenantId} AND connector_id = ${connectorId} ORDER BY wecom_order DESC, wecom_id`.execute(db);
  return rows.map((r) => ({
    wecomId: r.wecom_id,
    kind: r.kind === 'group' ? 'group' : 'tag',
    wecomGroupId: r.wecom_group_id,
    name: r.name,
    order: Number(r.wecom_order),
    siyuId: r.siyu_id,
    syncedName: r.synced_name,
    nameChangedAt: r.name_changed_at,
    deletedAt: r.deleted_at,
  }));
}

/** Replaces the connector's mirror with `rows`. */
export async function replaceMirror(trx: Db, tenantId: string, connectorId: string, rows: readonly MirrorRow[], now: Date): Promise<void> {
  await sql`DELETE FROM wecom_corp_tags WHERE tenant_id = ${tenantId} AND connector_id = ${connectorId}`.execute(trx);
  if (rows.length === 0) return;
  const col = <T>(f: (r: MirrorRow) => T) => rows.map(f);
  await sql`
    INSERT INTO wecom_corp_tags (tenant_id, connector_id, wecom_id, kind, wecom_group_id, name, wecom_order, siyu_id, synced_name, name_changed_at, deleted_at, updated_at)
    SELECT ${tenantId}::uuid, ${connectorId}::uuid, r.wecom_id, r.kind, r.wecom_group_id, r.name, r.wecom_order, r.siyu_id, r.synced_name, r.name_changed_at, r.deleted_at,
      ${iso(now)}::timestamptz
    FROM unnest(${col((r) => r.wecomId)}::text[], ${col((r) => r.kind)}::text[], ${col((r) => r.wecomGroupId)}::text[], ${col((r) => r.name)}::text[],
      ${col((r) => r.order)}::bigint[], ${col((r) => r.siyuId)}::uuid[], ${col((r) => r.syncedName)}::text[],
      ${col((r) => r.nameChangedAt?.toISOString() ?? null)}::timestamptz[], ${col((r) => r.deletedAt?.toISOString() ?? null)}::timestamptz[])
      AS r(wecom_id, kind, wecom_group_id, name, wecom_order, siyu_id, synced_name, name_changed_at, deleted_at)`.execute(trx);
}

/** Last-synced memberships of tags that are no longer mapped go (the group left the sync). */
export async function dropUnmappedMembers(trx: Db, tenantId: string, connectorId: string): Promise<void> {
  await sql`
    DELETE FROM wecom_tag_sync_members m WHERE m.tenant_id = ${tenantId} AND m.connector_id = ${connectorId}
      AND NOT EXISTS (SELECT 1 FROM wecom_corp_tags c WHERE c.tenant_id = m.tenant_id AND c.connector_id = m.connector_id AND c.siyu_id = m.tag_id AND c.deleted_at IS NULL)`.execute(trx);
}

// --- Customers waiting to be reconciled ----------------------------------------------------------

const markDirty = (tenantId: string, connectorId: string, source: RawBuilder<unknown>, now: Date) => sql`
  INSERT INTO wecom_tag_sync_dirty (tenant_id, connector_id, external_userid, marked_at)
  SELECT DISTINCT ${tenantId}::uuid, ${connectorId}::uuid, d.external_userid, ${iso(now)}::timestamptz FROM (${source}) AS d(external_userid)
  ON CONFLICT (tenant_id, connector_id, external_userid) DO UPDATE SET version = wecom_tag_sync_dirty.version + 1, marked_at = excluded.marked_at`;

/** The connector's customers who are these people (their external_userids in its corp). */
const customersOf = (tenantId: string, connectorId: string, profiles: RawBuilder<unknown>) => sql`
  SELECT i.value FROM profile_identifiers i JOIN wecom_connectors c ON c.tenant_id = i.tenant_id AND c.id = ${connectorId}
  WHERE i.tenant_id = ${tenantId} AND i.type = 'wecom_external_userid' AND i.scope = c.corp_id AND i.profile_id IN (${profiles})`;

export async function markProfiles(trx: Db, tenantId: string, connectorId: string, profileIds: readonly string[], now: Date): Promise<void> {
  if (profileIds.length === 0) return;
  await markDirty(tenantId, connectorId, customersOf(tenantId, connectorId, sql`SELECT unnest(${profileIds}::uuid[])`), now).execute(trx);
}

/** Everyone who holds the tag or held it at the last sync. */
export async function markTagHolders(trx: Db, tenantId: string, connectorId: string, tagId: string, now: Date): Promise<void> {
  const holders = sql`
    SELECT profile_id FROM profile_tags WHERE tenant_id = ${tenantId} AND tag_id = ${tagId}
    UNION SELECT profile_id FROM wecom_tag_sync_members WHERE tenant_id = ${tenantId} AND tag_id = ${tagId} AND connector_id = ${connectorId}`;
  await markDirty(tenantId, connectorId, customersOf(tenantId, connectorId, holders), now).execute(trx);
}

/** Every customer with a live friendship in the connector (a full run). */
export async function markAllCustomers(db: Db, tenantId: string, connectorId: string, now: Date): Promise<void> {
  const all = sql`SELECT external_userid FROM wecom_friendships WHERE tenant_id = ${tenantId} AND connector_id = ${connectorId} AND removed_at IS NULL`;
  await markDirty(tenantId, connectorId, all, now).execute(db);
}

export async function markCustomer(db: Db, tenantId: string, connectorId: string, externalUserid: string, now: Date): Promise<void> {
  await markDirty(tenantId, connectorId, sql`SELECT ${externalUserid}::text`, now).execute(db);
}

export async function dirtyBatch(db: Db, tenantId: string, connectorId: string, limit: number): Promise<{ externalUserid: string; version: number }[]> {
  const { rows } = await sql<{ external_userid: string; version: string | number }>`
    SELECT external_userid, version FROM wecom_tag_sync_dirty WHERE tenant_id = ${tenantId} AND connector_id = ${connectorId}
    ORDER BY external_userid LIMIT ${limit}`.execute(db);
  return rows.map((r) => ({ externalUserid: r.external_userid, version: Number(r.version) }));
}

/** Clears the marks handled (a mark made again since, with a higher version, stays). */
export async function clearDirty(trx: Db, tenantId: string, connectorId: string, done: readonly { externalUserid: string; version: number }[]): Promise<void> {
  if (done.length === 0) return;
  await sql`
    DELETE FROM wecom_tag_sync_dirty d USING unnest(${done.map((d) => d.externalUserid)}::text[], ${done.map((d) => d.version)}::bigint[]) AS x(external_userid, version)
    WHERE d.tenant_id = ${tenantId} AND d.connector_id = ${connectorId} AND d.external_userid = x.external_userid AND d.version = x.version`.execute(trx);
}

export async function countDirty(db: Db, tenantId: string, connectorId: string): Promise<number> {
  const { rows } = await sql<{ n: string | number }>`
    SELECT count(*) AS n FROM wecom_tag_sync_dirty WHERE tenant_id = ${tenantId} AND connector_id = ${connectorId}`.execute(db);
  return Number(rows[0]?.n ?? 0);
}
