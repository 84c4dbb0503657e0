import type { Db } from '../../platform/db/index.js';
import type { ExternalChatEvent } from './callback-xml.js';
import type { WecomGroupChat } from './client-schemas.js';
import * as repo from './groups.repo.js';

/** 客户群变更 events applied to the group mirror. */

export interface ChatItem {
  callbackId: string;
  event: ExternalChatEvent;
  /** groupchat/get's answer, fetched before the transaction; null after a dismissal or when WeCom no longer knows the group. */
  group: WecomGroupChat | null;
}

/** Events whose processing reads the group from WeCom first (everything but a dismissal). */
export const needsGroupDetails = (e: ExternalChatEvent) => e.ChangeType !== 'dismiss';

export async function applyChatEvent(trx: Db, ids: { tenantId: string; connectorId: string }, item: ChatItem, now: Date): Promise<void> {
  const e = item.event;
  const at = new Date(Number(e.CreateTime) * 1000);
  if (e.ChangeType === 'dismiss') return repo.dismissGroup(trx, ids.tenantId, ids.connectorId, e.ChatId, at, now);
  if (item.group) return repo.saveGroup(trx, ids.tenantId, ids.connectorId, item.group, e.CurMemVer ?? null, at, now);
  if (e.UpdateDetail === 'del_member') await repo.membersLeft(trx, ids.tenantId, ids.connectorId, e.ChatId, e.MemChangeList ?? [], at);
}
