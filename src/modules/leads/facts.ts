import type { BatchMessage } from '../../contracts/ingest.js';
import { STANDARD_EVENTS } from '../../contracts/vocabulary.js';
import { normalizeValue, type IdentityConfig } from '../identity/index.js';
import type { OwnMessage } from '../ingest/index.js';
import type { LeadFactRow } from './facts.repo.js';
import type { PreparedLead } from './prepared.js';
import type { LeadStatus } from './statuses.js';

/**
 * A lead's facts as Siyu's standard events (docs/funnel.md, "Business facts as events"). Each
 * messageId is derived from the fact, so a fact written again is stored once; each timestamp is the
 * fact's own time. Events after intake are addressed to the lead's person by profile (`profileId`)
 * and come from the tenant's own source.
 */

const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null));

/**
 * The lead at intake: an identify giving the person the name, place and (full) phone the lead
 * carries as traits (under the tenant's trait strategies), when it carries any, then the
 * `Lead Created` track. The track is always the last message. Both identify the person alike: a full
 * phone is the `phone` identifier; a hash a `phone_hash` externalId scoped by the source; a masked,
 * junk or blocked phone identifies nobody, so the lead's own anonymous id gives the person a
 * profile of their own. A masked phone is never a trait: it would hide a full one.
 */
export function leadCreatedMessages(p: PreparedLead, sourceId: string, config: IdentityConfig): OwnMessage[] {
  const l = p.input;
  const type = config.types.get(p.phone.kind === 'hash' ? 'phone_hash' : 'phone');
  const identifies = p.phone.kind !== 'masked' && type !== undefined && normalizeValue(type, p.phone.kind === 'full' ? p.phone.e164 : p.phone.hash, config).ok;
  const phone = p.phone.kind === 'full' ? p.phone.e164 : p.phone.kind === 'masked' ? p.phone.raw : undefined;
  const ids = identifies ? {} : { anonymousId: `lead:${p.id}` };
  const externalIds = p.phone.kind === 'hash' ? [{ type: 'phone_hash', id: p.phone.hash, collection: l.source }] : undefined;
  const timestamp = p.createdAt.toISOString();
  const messages: BatchMessage[] = [];
  const traits = defined({ name: l.name, city: l.city, province: l.province, phone: p.phone.kind === 'full' ? p.phone.e164 : undefined });
  if (Object.keys(traits).length > 0) {
    messages.push({ type: 'identify', messageId: `lead:${p.id}:identify`, timestamp, traits, ...ids, ...(externalIds ? { context: { externalIds } } : {}) });
  }
  messages.push({
    type: 'track',
    event: STANDARD_EVENTS.leadCreated,
    messageId: `lead:${p.id}`,
    ...ids,
    timestamp,
    context: { traits: defined({ phone, name: l.name, city: l.city, province: l.province }), ...(externalIds ? { externalIds } : {}) },
    properties: defined({
      leadId: p.id,
      source: l.source,
      externalId: p.externalId,
      channel: l.channel,
      campaign: l.campaign,
      series: l.series,
      model: l.model,
      city: l.city,
      province: l.province,
      dealerCode: p.dealerCode,
    }),
  });
  return messages.map((message) => ({ sourceId, message }));
}

/** What every later event of a lead says about it. */
function leadProperties(l: LeadFactRow): Record<string, unknown> {
  return defined({ leadId: l.id, source: l.source, series: l.series, model: l.model, dealerCode: l.dealer_code, dealerName: l.dealer_name, consultantId: l.consultant_id });
}

function fact(l: LeadFactRow, event: string, messageId: string, at: Date, properties: Record<string, unknown>): OwnMessage[] {
  if (l.profile_id === null) return [];
  return [{ profileId: l.profile_id, message: { type: 'track', event, messageId, timestamp: at.toISOString(), properties: { ...leadProperties(l), ...defined(properties) } } }];
}

/** How a lead came to its consultant. */
export type AssignedVia = 'routing' | 'claim' | 'manual_assign';

/** The lead went to a consultant (`l` as it is after the assignment): one event per assignment. */
export function leadAssignedMessages(l: LeadFactRow, at: Date, via: AssignedVia, previousConsultantId: string | null = null): OwnMessage[] {
  if (l.consultant_id === null) return [];
  return fact(l, STANDARD_EVENTS.leadAssigned, `lead:${l.id}:assigned:${at.getTime()}`, at, { via, previousConsultantId });
}

/**
 * The store visit and test drive a move to `to` records: each the first time its milestone is
 * filled, at the move's time. A test drive happens at the store, so a lead moved straight to
 * test_drive also records the visit the funnel implies (`implied: true`).
 */
export function milestoneMessages(l: LeadFactRow, before: { visited_at: Date | null; test_drive_at: Date | null }, to: LeadStatus, at: Date): OwnMessage[] {
  const messages: OwnMessage[] = [];
  if ((to === 'visited' || to === 'test_drive') && before.visited_at === null) {
    messages.push(...fact(l, STANDARD_EVENTS.storeVisited, `lead:${l.id}:status:visited`, at, { implied: to === 'test_drive' ? true : undefined }));
  }
  if (to === 'test_drive' && before.test_drive_at === null) {
    messages.push(...fact(l, STANDARD_EVENTS.testDriveCompleted, `lead:${l.id}:status:test_drive`, at, {}));
  }
  return messages;
}

/** An approved defeat request closed the lead: one event per request. */
export function leadDefeatedMessages(l: LeadFactRow, requestId: string, reason: string, at: Date): OwnMessage[] {
  return fact(l, STANDARD_EVENTS.leadDefeated, `lead:${l.id}:defeated:${requestId}`, at, { reason, requestId });
}
