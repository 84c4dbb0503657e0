import { z } from 'zod';
import { tagKindSchema } from '../../contracts/tags.js';
import { TAG_SYNC_RUN_STATES, wecomTagSyncCountsSchema, type WecomTagSync, type WecomTagSyncCounts } from '../../contracts/wecom-tags.js';
import type { Db } from '../../platform/db/index.js';
import * as repo from './tag-sync.repo.js';

/** A connector's tag sync as the API shows it: the synced groups and their mapping, the corp's groups, the last full run. */

const storedError = z.object({ code: z.string(), message: z.string() });
const storedLastError = storedError.extend({ at: z.string() });
const runState = z.enum(TAG_SYNC_RUN_STATES);

/** A stored run result read back (null when it does not read as one). */
export function wecomCountsOf(stored: unknown): WecomTagSyncCounts | null {
  const parsed = wecomTagSyncCountsSchema.safeParse(stored);
  return parsed.success ? parsed.data : null;
}

const isoOrNull = (d: Date | null) => d?.toISOString() ?? null;

export async function tagSyncView(db: Db, tenantId: string, connectorId: string): Promise<WecomTagSync> {
  const sync = await repo.findSync(db, tenantId, connectorId);
  const groups = await repo.selectedGroups(db, tenantId, connectorId);
  const mirror = (await repo.mirrorRows(db, tenantId, connectorId)).filter((r) => r.deletedAt === null);
  const bySiyu = new Map(mirror.flatMap((r) => (r.siyuId ? [[r.siyuId, r]] : [])));
  const lastError = storedLastError.safeParse(sync?.lastError);
  const runError = storedError.safeParse(sync?.runError);
  return {
    connectorId,
    tagGroups: groups.map((g) => ({
      id: g.id,
      name: g.name,
      wecomGroupId: bySiyu.get(g.id)?.wecomId ?? null,
      wecomGroupName: bySiyu.get(g.id)?.name ?? null,
      tags: g.tags.map((t) => ({ id: t.id, name: t.name, kind: tagKindSchema.parse(t.kind), wecomTagId: bySiyu.get(t.id)?.wecomId ?? null })),
    })),
    wecomGroups: mirror
      .filter((r) => r.kind === 'group')
      .map((r) => ({ wecomGroupId: r.wecomId, name: r.name, tagCount: mirror.filter((t) => t.wecomGroupId === r.wecomId).length, tagGroupId: r.siyuId })),
    pendingCustomers: await repo.countDirty(db, tenantId, connectorId),
    run: {
      state: runState.catch('idle').parse(sync?.runState ?? 'idle'),
      requestedAt: isoOrNull(sync?.fullRequestedAt ?? null),
      requestedBy: sync?.fullRequestedBy ?? null,
      startedAt: isoOrNull(sync?.runStartedAt ?? null),
      finishedAt: isoOrNull(sync?.runFinishedAt ?? null),
      result: wecomCountsOf(sync?.runResult),
      error: runError.success ? runError.data : null,
    },
    lastError: lastError.success ? lastError.data : null,
    lastSyncedAt: isoOrNull(sync?.lastSyncedAt ?? null),
  };
}
