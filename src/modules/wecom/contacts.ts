import type { BatchMessage } from '../../contracts/ingest.js';
import { STANDARD_EVENTS } from '../../contracts/vocabulary.js';
import { wecomWelcomeSchema } from '../../contracts/wecom-codes.js';
import type { Db } from '../../platform/db/index.js';
import { newId } from '../../platform/ids.js';
import { normalizePhone } from '../identity/index.js';
import type { OwnMessage } from '../ingest/index.js';
import type { ExternalContactEvent } from './callback-xml.js';
import type { WecomExternalContact } from './client-schemas.js';
import * as repo from './contacts.repo.js';
import type { PendingWelcome } from './welcome.js';
import { noteContactTags } from './tag-sync.js';
import { appliedByTransfers } from './transfers-callbacks.js';

/**
 * 客户变更 events applied to people: the person by external_userid (scoped to the corp), enriched with
 * what externalcontact/get says (unionid joins a WeCom friend with a mini-program or official-account
 * user); friendship episodes with who ended them; the timeline events segments and scopes read.
 */

export const ADD_TYPES = new Set(['add_external_contact', 'add_half_external_contact']);
/** Events whose processing reads the customer's details from WeCom first. */
export const ENRICHED_TYPES = new Set([...ADD_TYPES, 'edit_external_contact']);

export interface ContactItem {
  callbackId: string;
  event: ExternalContactEvent;
  /** externalcontact/get's answer, or null (not asked, or WeCom no longer knows the pair). */
  details: WecomExternalContact | null;
}

/** What the batch's contact events need, loaded once inside the transaction. */
export interface ContactContext {
  tenantId: string;
  connectorId: string;
  corpId: string;
  sourceId: string;
  staff: Map<string, repo.StaffRef>;
  codes: Map<string, repo.CodeRef>;
  now: Date;
}

export const eventTime = (e: ExternalContactEvent) => new Date(Number(e.CreateTime) * 1000);

function followOf(item: ContactItem) {
  return item.details?.follow_user.find((f) => f.userid === item.event.UserID) ?? null;
}

function followDetails(item: ContactItem): repo.FollowDetails {
  const f = followOf(item);
  return {
    remark: f?.remark || null,
    description: f?.description || null,
    remarkMobiles: f?.remark_mobiles ?? [],
    wecomTagIds: (f?.tags ?? []).flatMap((t) => (t.tag_id !== undefined && t.type === 1 ? [t.tag_id] : [])),
  };
}

/** The mainland mobiles among a consultant's remark mobiles, in E.164: they identify the person. */
function usablePhones(mobiles: readonly string[]): string[] {
  return mobiles.flatMap((m) => {
    const p = normalizePhone(m);
    return p.kind === 'phone' ? [p.e164] : [];
  });
}

const GENDER: Record<number, string> = { 1: 'male', 2: 'female' };

/**
 * The messages an event writes to the person's timeline, in order: an identify with what WeCom says
 * about the customer (unionid, WeChat name, gender, the consultant's remark mobiles), then the
 * standard event of an add or a removal. Every message carries the customer's external_userid.
 */
export function contactMessages(item: ContactItem, ctx: ContactContext): OwnMessage[] {
  const e = item.event;
  const timestamp = eventTime(e).toISOString();
  const externalIds: Array<{ type: string; id: string; collection: string }> = [{ type: 'wecom_external_userid', id: e.ExternalUserID, collection: ctx.corpId }];
  const base = `wecom:${ctx.connectorId}:${item.callbackId}`;
  const messages: BatchMessage[] = [];
  const contact = item.details?.external_contact;
  if (ENRICHED_TYPES.has(e.ChangeType)) {
    const phones = usablePhones(followDetails(item).remarkMobiles);
    const traits: Record<string, unknown> = {};
    if (contact?.unionid) traits['unionid'] = contact.unionid;
    if (contact?.name) traits['wechatName'] = contact.name;
    const gender = contact ? GENDER[contact.gender] : undefined;
    if (gender) traits['gender'] = gender;
    if (Object.keys(traits).length > 0 || phones.length > 0) {
      messages.push({
        type: 'identify',
        messageId: `${base}:identify`,
        timestamp,
        traits,
        context: { externalIds: [...externalIds, ...phones.map((p) => ({ type: 'phone', id: p, collection: '' }))] },
      });
    }
  }
  const staff = ctx.staff.get(e.UserID);
  if (ADD_TYPES.has(e.ChangeType)) {
    const state = e.State ?? followOf(item)?.state;
    const code = state ? ctx.codes.get(state) : undefined;
    messages.push({
      type: 'track',
      event: STANDARD_EVENTS.wecomContactAdded,
      messageId: base,
      timestamp,
      context: { externalIds },
      properties: defined({
        staffUserId: e.UserID,
        staffId: staff?.id,
        corpId: ctx.corpId,
        half: e.ChangeType === 'add_half_external_contact' ? true : undefined,
        addWay: followOf(item)?.add_way,
        state,
        channelCodeId: code?.id,
        source: code?.source,
        campaign: code?.campaign ?? undefined,
        series: code?.series ?? undefined,
        dealerCode: code?.dealerCode ?? staff?.dealerCode ?? undefined,
      }),
    });
  } else if (e.ChangeType === 'del_external_contact' || e.ChangeType === 'del_follow_user') {
    messages.push({
      type: 'track',
      event: STANDARD_EVENTS.wecomContactRemoved,
      messageId: base,
      timestamp,
      context: { externalIds },
      properties: defined({ staffUserId: e.UserID, staffId: staff?.id, corpId: ctx.corpId, removedBy: removedByOf(e), source: e.Source }),
    });
  }
  return messages.map((message) => ({ sourceId: ctx.sourceId, message }));
}

const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** del_follow_user: the customer deleted the consultant; del_external_contact: the consultant deleted the customer, or a transfer did. */
export function removedByOf(e: ExternalContactEvent): repo.RemovedBy {
  if (e.ChangeType === 'del_follow_user') return 'customer';
  return e.Source === 'DELETE_BY_TRANSFER' ? 'transfer' : 'staff';
}


/**
 * Applies the event's friendship change for the person it resolved to (null: no profile, e.g. a
 * replayed message): an add starts an episode (or refreshes a live one), links the person to the
 * consultant's dealer and credits the channel code; an edit updates the details; a removal ends the
 * live episode with who ended it. Returns a welcome message to send, if any.
 */
export async function applyContactEvent(trx: Db, ctx: ContactContext, item: ContactItem, profileId: string | null): Promise<PendingWelcome | null> {
  const e = item.event;
  const at = eventTime(e);
  const staff = ctx.staff.get(e.UserID) ?? null;
  const live = await repo.liveFriendship(trx, ctx.tenantId, ctx.connectorId, e.ExternalUserID, e.UserID);
  // transfer_fail, and a transfer's removal the result poller already wrote (transfers-callbacks.ts).
  if (await appliedByTransfers(trx, ctx, e, at, live !== null)) return null;
  if (ADD_TYPES.has(e.ChangeType)) {
    const details = followDetails(item);
    const state = e.State ?? followOf(item)?.state ?? null;
    const code = state ? (ctx.codes.get(state) ?? null) : null;
    let friendshipId = live?.id ?? null;
    if (live) {
      if (item.details) await repo.updateFollowDetails(trx, ctx.tenantId, live.id, details, ctx.now);
    } else {
      friendshipId = newId();
      await repo.insertFriendship(
        trx,
        {
          tenantId: ctx.tenantId,
          id: friendshipId,
          connectorId: ctx.connectorId,
          externalUserid: e.ExternalUserID,
          wecomUserId: e.UserID,
          staffId: staff?.id ?? null,
          channelCodeId: code?.id ?? null,
          addWay: followOf(item)?.add_way ?? null,
          state,
          addedAt: at,
          ...details,
        },
        ctx.now,
      );
    }
    if (profileId !== null) {
      const unit = staff?.dealerId ?? staff?.unitId ?? null;
      if (unit !== null) await repo.linkCustomer(trx, ctx.tenantId, profileId, unit, at);
      if (code?.dealerId && code.dealerId !== unit) await repo.linkCustomer(trx, ctx.tenantId, profileId, code.dealerId, at);
      if (code) await repo.creditOrigin(trx, ctx.tenantId, profileId, code.dealerId ?? staff?.dealerId ?? null, code.source, at);
    }
    if (!e.WelcomeCode || !code || code.welcome === null || friendshipId === null) return null;
    const welcome = wecomWelcomeSchema.safeParse(code.welcome);
    if (!welcome.success) return null;
    const fresh = await repo.insertWelcome(trx, {
      tenantId: ctx.tenantId,
      connectorId: ctx.connectorId,
      welcomeCode: e.WelcomeCode,
      friendshipId,
      channelCodeId: code.id,
      content: welcome.data,
      createdAt: ctx.now,
    });
    if (!fresh) return null;
    return { welcomeCode: e.WelcomeCode, welcome: welcome.data, customerName: item.details?.external_contact.name ?? null, consultantName: staff?.name ?? null, series: code.series };
  }
  if (e.ChangeType === 'edit_external_contact') {
    if (live && item.details) await repo.updateFollowDetails(trx, ctx.tenantId, live.id, followDetails(item), ctx.now);
    if (live && item.details) await noteContactTags(trx, ctx, live.id, e.ExternalUserID, at);
    return null;
  }
  if (e.ChangeType === 'del_external_contact' || e.ChangeType === 'del_follow_user') {
    const removedBy = removedByOf(e);
    if (live) await repo.endFriendship(trx, ctx.tenantId, live.id, at, removedBy, e.Source ?? null, ctx.now);
    else {
      // A friendship from before the connector: its end is still worth knowing (churn).
      await repo.insertFriendship(
        trx,
        {
          tenantId: ctx.tenantId,
          id: newId(),
          connectorId: ctx.connectorId,
          externalUserid: e.ExternalUserID,
          wecomUserId: e.UserID,
          staffId: staff?.id ?? null,
          channelCodeId: null,
          addWay: null,
          state: null,
          addedAt: at,
          removedAt: at,
          removedBy,
          removedSource: e.Source ?? null,
          remark: null,
          description: null,
          remarkMobiles: [],
          wecomTagIds: [],
        },
        ctx.now,
      );
    }
  }
  return null;
}
