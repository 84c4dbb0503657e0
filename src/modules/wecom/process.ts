import { isAppError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { isRecord } from '../../platform/json.js';
import type { Logger } from '../../platform/logger.js';
import { loadIdentityConfig, lockIdentityGraph } from '../identity/index.js';
import { ensureEventPartitions, ingestOwnMessages, type OwnMessage } from '../ingest/index.js';
import { resolutionHooks } from '../profiles/index.js';
import { callbackEventOf, type WecomCallbackEvent } from './callback-xml.js';
import { CALLBACKS_PRUNE_JOB, markProcessed, pendingCallbacks, PROCESSED_KEEP_DAYS, pruneProcessed, type CallbackOutcome } from './callbacks.repo.js';
import { scheduleJobOnce } from '../../platform/jobs/index.js';
import type { WecomClient } from './client.js';
import { connectorClient } from './connector-client.js';
import type { WecomExternalContact, WecomGroupChat } from './client-schemas.js';
import { decryptCredentials } from './connectors.js';
import type { ProcessDeps } from './job-deps.js';
import { findConnector } from './connectors.repo.js';
import { applyContactEvent, contactMessages, ENRICHED_TYPES, type ContactContext, type ContactItem } from './contacts.js';
import { codesByState, ensureWecomSource, staffByWecomIds } from './contacts.repo.js';
import { applyChatEvent, needsGroupDetails } from './groups.js';
import { noteCorpTagChange } from './tag-sync.js';
import { sendWelcomes } from './welcome-send.js';
import type { PendingWelcome } from './welcome.js';
import type { WecomXmlFields } from './xml-tree.js';
import { wecomErrcodeOf } from './errcodes.js';

/**
 * The `wecom.callbacks` job of a connector: its stored callbacks in arrival order, a batch at a time.
 * What WeCom must be asked (the customer's details, the group's members) is fetched first; then the
 * batch is applied in ONE transaction under the identity lock: the people resolved, the timeline
 * events, friendships, links and groups written, the callbacks marked processed. Welcome messages go
 * out after the commit, within WeCom's 20 s window. A failure WeCom may recover from (busy, rate
 * limited) fails the job, which retries with back-off; the callbacks stay pending in order.
 */


/** Callbacks applied per transaction. */
export const CALLBACK_BATCH = 200;
/** Processed callbacks deleted per run of the prune job once they are past PROCESSED_KEEP_DAYS. */
const PRUNE_BATCH = 5_000;
const DAY_MS = 86_400_000;

/**
 * The daily `wecom.callbacks.prune` job of a connector: callbacks processed more than
 * PROCESSED_KEEP_DAYS ago go, a batch per run; then again a day later while the connector exists.
 */
export async function pruneCallbacks(deps: ProcessDeps, tenantId: string, connectorId: string): Promise<Date | undefined> {
  if (!(await findConnector(deps.store.db, tenantId, connectorId))) return undefined;
  const now = deps.clock.now();
  const pruned = await pruneProcessed(deps.store.db, tenantId, connectorId, new Date(now.getTime() - PROCESSED_KEEP_DAYS * DAY_MS), PRUNE_BATCH);
  return pruned === PRUNE_BATCH ? now : new Date(now.getTime() + DAY_MS);
}
/** Concurrent calls to WeCom while enriching a batch (the rate limiter still paces them). */
const FETCH_CONCURRENCY = 8;

/** errcodes of a call about one customer or group that says it is gone: process without the details. */
const GONE_ERRCODES = new Set([84061, 40096, 60111, 49008, 40050]);

/** Whether to go on without WeCom's answer (it is gone, or the app may not read it) or to retry the job later. */
function permanent(err: unknown): boolean {
  if (!isAppError(err)) return false;
  const code = wecomErrcodeOf(err);
  return code !== null && (GONE_ERRCODES.has(code) || err.code !== 'unavailable');
}

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

interface Parsed {
  callbackId: string;
  event: WecomCallbackEvent | null;
  error: string | null;
}

function parseStored(id: string, fields: unknown): Parsed {
  if (!isXmlFields(fields)) return { callbackId: id, event: null, error: 'stored fields are not an XML object' };
  try {
    return { callbackId: id, event: callbackEventOf(fields), error: null };
  } catch (err) {
    return { callbackId: id, event: null, error: err instanceof Error ? err.message : String(err) };
  }
}

function isXmlFields(v: unknown): v is WecomXmlFields {
  if (!isRecord(v)) return false;
  return Object.values(v).every((x) => typeof x === 'string' || Array.isArray(x) || isRecord(x));
}

/** Processes up to CALLBACK_BATCH pending callbacks; `more` when some are left. */
export async function processCallbacks(deps: ProcessDeps, tenantId: string, connectorId: string): Promise<{ processed: number; more: boolean }> {
  const db = deps.store.db;
  const row = await findConnector(db, tenantId, connectorId);
  if (!row) return { processed: 0, more: false };
  const pending = await pendingCallbacks(db, tenantId, connectorId, CALLBACK_BATCH);
  if (pending.length === 0) return { processed: 0, more: false };
  const creds = decryptCredentials(deps, row);
  const client = connectorClient(deps, creds);
  const parsed = pending.map((p) => parseStored(p.id, p.fields));

  const contacts = await fetchContacts(client, parsed, deps.logger);
  const groups = await fetchGroups(client, parsed, deps.logger);
  const now = deps.clock.now();
  await ensureEventPartitions(deps.store, [now]);
  const config = await loadIdentityConfig(db, tenantId);

  const welcomes = await db.transaction().execute(async (trx) => {
    await lockIdentityGraph(trx, tenantId);
    const contactEvents = parsed.flatMap((p) => (p.event?.kind === 'change_external_contact' ? [p.event.fields] : []));
    const ctx: ContactContext = {
      tenantId,
      connectorId,
      corpId: creds.corpId,
      sourceId: await ensureWecomSource(trx, tenantId, creds.corpId, newId()),
      staff: await staffByWecomIds(trx, tenantId, contactEvents.map((e) => e.UserID)),
      codes: await codesByState(trx, tenantId, connectorId, contactEvents.flatMap((e) => (e.State ? [e.State] : []))),
      now,
    };
    const items: Array<{ parsed: Parsed; contact?: ContactItem; messages: number[] }> = [];
    const messages: OwnMessage[] = [];
    for (const p of parsed) {
      if (p.event?.kind !== 'change_external_contact') {
        items.push({ parsed: p, messages: [] });
        continue;
      }
      const contact: ContactItem = { callbackId: p.callbackId, event: p.event.fields, details: contacts.get(p.event.fields.ExternalUserID) ?? null };
      const own = contactMessages(contact, ctx);
      items.push({ parsed: p, contact, messages: own.map((_, i) => messages.length + i) });
      messages.push(...own);
    }
    const results = await ingestOwnMessages(trx, tenantId, config, messages, now, resolutionHooks);
    const toSend: PendingWelcome[] = [];
    const done: Array<{ id: string; outcome: CallbackOutcome; error: string | null }> = [];
    for (const item of items) {
      const p = item.parsed;
      if (p.event === null) {
        done.push({ id: p.callbackId, outcome: 'failed', error: p.error });
        continue;
      }
      let outcome: CallbackOutcome = 'applied';
      if (item.contact) {
        const profileId = item.messages.map((i) => results[i]?.profileId ?? null).find((id) => id !== null) ?? null;
        const welcome = await applyContactEvent(trx, ctx, item.contact, profileId);
        if (welcome) toSend.push(welcome);
        if (!KNOWN_CONTACT_CHANGES.has(item.contact.event.ChangeType)) outcome = 'ignored';
      } else if (p.event.kind === 'change_external_chat') {
        await applyChatEvent(trx, { tenantId, connectorId }, { callbackId: p.callbackId, event: p.event.fields, group: groups.get(p.event.fields.ChatId) ?? null }, now);
      } else if (p.event.kind === 'change_external_tag') {
        if (!(await noteCorpTagChange(trx, { tenantId, connectorId }, p.event.fields, now))) outcome = 'ignored';
      } else outcome = 'ignored';
      done.push({ id: p.callbackId, outcome, error: null });
    }
    await markProcessed(trx, tenantId, connectorId, done, now);
    await scheduleJobOnce(trx, { tenantId, kind: CALLBACKS_PRUNE_JOB, key: connectorId, runAt: new Date(now.getTime() + DAY_MS) });
    return toSend;
  });
  await sendWelcomes({ ...deps, client }, { tenantId, connectorId }, welcomes);
  return { processed: pending.length, more: pending.length === CALLBACK_BATCH };
}

const KNOWN_CONTACT_CHANGES = new Set(['add_external_contact', 'add_half_external_contact', 'edit_external_contact', 'del_external_contact', 'del_follow_user', 'transfer_fail']);

/** externalcontact/get for each customer an add or edit names (once per customer per batch). */
async function fetchContacts(client: WecomClient, parsed: readonly Parsed[], logger: Logger | undefined): Promise<Map<string, WecomExternalContact>> {
  const ids = [
    ...new Set(parsed.flatMap((p) => (p.event?.kind === 'change_external_contact' && ENRICHED_TYPES.has(p.event.fields.ChangeType) ? [p.event.fields.ExternalUserID] : []))),
  ];
  const answers = await mapLimited(ids, FETCH_CONCURRENCY, async (id) => {
    try {
      return await client.getExternalContact(id);
    } catch (err) {
      if (!permanent(err)) throw err;
      logger?.warn({ externalUserId: id, errcode: wecomErrcodeOf(err) }, `WeCom did not describe the customer; processing without the details: ${err instanceof Error ? err.message : ''}`);
      return null;
    }
  });
  return new Map(ids.flatMap((id, i) => (answers[i] ? [[id, answers[i]]] : [])));
}

/** groupchat/get for each group a create or update names (once per group per batch, after its last change). */
async function fetchGroups(client: WecomClient, parsed: readonly Parsed[], logger: Logger | undefined): Promise<Map<string, WecomGroupChat>> {
  const ids = [...new Set(parsed.flatMap((p) => (p.event?.kind === 'change_external_chat' && needsGroupDetails(p.event.fields) ? [p.event.fields.ChatId] : [])))];
  const answers = await mapLimited(ids, FETCH_CONCURRENCY, async (id) => {
    try {
      return (await client.groupchatGet(id)).group_chat;
    } catch (err) {
      if (!permanent(err)) throw err;
      logger?.warn({ chatId: id, errcode: wecomErrcodeOf(err) }, `WeCom did not describe the group: ${err instanceof Error ? err.message : ''}`);
      return null;
    }
  });
  return new Map(ids.flatMap((id, i) => (answers[i] ? [[id, answers[i]]] : [])));
}
