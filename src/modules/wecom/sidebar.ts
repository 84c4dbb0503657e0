import type { StoredEvent } from '../../contracts/events.js';
import type { SidebarEvent, SidebarLead, WecomSidebar, WecomSidebarQuery } from '../../contracts/wecom-sidebar.js';
import type { Clock } from '../../platform/clock.js';
import type { Db, Store } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import { isRecord } from '../../platform/json.js';
import { loadIdentityConfig, normalizePhone, requireIdentifier } from '../identity/index.js';
import { FUNNEL_STATUSES, getLead } from '../leads/index.js';
import { maskIdentifierValue, maskProfileSummary, profileEvents } from '../profiles/index.js';
import { profileStages } from '../stages/index.js';
import { tagsOfProfile } from '../tags/index.js';
import type { Principal } from '../tenancy/index.js';
import * as connectors from './connectors.repo.js';
import * as repo from './sidebar.repo.js';

/**
 * The consultant sidebar (聊天工具栏): from the external_userid of the chat the consultant has open,
 * the person behind it in One ID and what a consultant needs beside the chat: who they are, their
 * stages, the open lead and its next follow-up, recent events and tags. Everything is read through
 * the owning modules, in the caller's scope and masked as their role sees it.
 */

export interface WecomSidebarDeps {
  store: Store;
  clock: Clock;
}

/** How many recent events the sidebar shows. */
export const SIDEBAR_EVENTS = 20;
/** How many plain properties of each event it shows, and how long a text value may be. */
export const SIDEBAR_EVENT_PROPERTIES = 5;
const PROPERTY_TEXT_MAX = 200;
/** Events with a name worth showing: identify, group and alias events only change who someone is. */
const SHOWN_EVENT_TYPES = ['track', 'page', 'screen'] as const;
/** A lead still being worked towards delivery (the funnel before `delivered`, not defeated or invalid). */
export const SIDEBAR_LEAD_STATUSES: readonly string[] = FUNNEL_STATUSES.filter((s) => s !== 'delivered');

/**
 * The sidebar and the JS-SDK signature serve staff signed in to the console's session (the page runs
 * as the consultant); an admin token is no person chatting with a customer.
 */
export function requireSidebarStaff(principal: Principal): Principal {
  if (principal.kind !== 'staff' || principal.staffId === null) {
    throw new AppError('forbidden', 'the WeCom sidebar serves signed-in staff: log in as a staff member (POST /api/v1/auth/login) and send that session token');
  }
  return principal;
}

/**
 * The connector a staff request means: the one named, or the tenant's only one. Several connectors
 * and none named is a 400 listing them; none at all a 404 saying an admin has to connect WeCom.
 */
export async function chooseWecomConnector(db: Db, tenantId: string, connectorId: string | undefined): Promise<connectors.WecomConnectorRow> {
  if (connectorId !== undefined) {
    const row = await connectors.findConnector(db, tenantId, connectorId);
    if (row) return row;
  }
  const all = await connectors.listConnectors(db, tenantId);
  const choices = all.map((c) => ({ connectorId: c.id, corpId: c.corpId, agentId: c.agentId }));
  const listed = choices.map((c) => `${c.connectorId} (corp ${c.corpId}, agent ${c.agentId})`).join(', ');
  if (connectorId !== undefined) {
    throw new AppError('not_found', `no WeCom connector ${connectorId} in this tenant${all.length > 0 ? `; connectorId must be one of: ${listed}` : ''}`, {
      field: 'connectorId',
      choices,
    });
  }
  const [only] = all;
  if (all.length === 1 && only) return only;
  if (all.length === 0) {
    throw new AppError('not_found', 'this tenant has no WeCom connector yet: an admin connects the corp first (POST /api/v1/connectors/wecom)', { field: 'connectorId', choices });
  }
  throw new AppError('invalid_request', `this tenant has ${all.length} WeCom connectors: give connectorId, one of: ${listed}`, { field: 'connectorId', choices });
}

/** The phone to show: the latest phone identifier, else a phone trait (a platform's masked one as given). */
function phoneOf(identifier: string | null, traits: Record<string, unknown>, maskPii: boolean): string | null {
  if (identifier !== null) return maskPii ? maskIdentifierValue('phone', identifier) : identifier;
  const raw = traits['phone'] ?? traits['mobile'];
  if (typeof raw !== 'string') return null;
  const p = normalizePhone(raw);
  if (p.kind === 'phone') return maskPii ? maskIdentifierValue('phone', p.e164) : p.e164;
  return p.kind === 'masked' ? p.raw : null;
}

/** A few plain (text, number, true/false) properties, long texts cut short. */
function plainProperties(properties: unknown): SidebarEvent['properties'] {
  const out: SidebarEvent['properties'] = {};
  if (!isRecord(properties)) return out;
  for (const [name, value] of Object.entries(properties)) {
    if (Object.keys(out).length >= SIDEBAR_EVENT_PROPERTIES) break;
    if (typeof value === 'string') out[name] = value.length > PROPERTY_TEXT_MAX ? `${value.slice(0, PROPERTY_TEXT_MAX - 1)}…` : value;
    else if (typeof value === 'number' || typeof value === 'boolean') out[name] = value;
  }
  return out;
}

/** Newest first as the event log orders them: by timestamp, then by id (a bigint as text). */
function newestFirst(a: StoredEvent, b: StoredEvent): number {
  if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp ? 1 : -1;
  const [x, y] = [BigInt(a.id), BigInt(b.id)];
  return x === y ? 0 : x < y ? 1 : -1;
}

/** The last track, page and screen events of the person (masked for analysts, as the timeline is). */
async function recentEvents(db: Db, principal: Principal, profileId: string): Promise<SidebarEvent[]> {
  const pages = await Promise.all(SHOWN_EVENT_TYPES.map((type) => profileEvents(db, principal, profileId, { type, limit: SIDEBAR_EVENTS })));
  const events: SidebarEvent[] = [];
  for (const e of pages.flatMap((p) => p.data).sort(newestFirst).slice(0, SIDEBAR_EVENTS)) {
    if (e.type !== 'track' && e.type !== 'page' && e.type !== 'screen') continue;
    events.push({ id: e.id, type: e.type, name: e.type === 'track' ? e.event : e.name, at: e.timestamp, properties: plainProperties(e.properties) });
  }
  return events;
}

/** The open lead the caller may see, with its next follow-up (names masked for analysts by the leads module). */
async function openLead(deps: WecomSidebarDeps, principal: Principal, profileId: string): Promise<SidebarLead | null> {
  const id = await repo.openLeadId(deps.store.db, principal, profileId, SIDEBAR_LEAD_STATUSES);
  if (id === null) return null;
  const lead = await getLead(deps, principal, id);
  return {
    id: lead.id,
    status: lead.status,
    series: lead.series,
    model: lead.model,
    dealerId: lead.dealerId,
    dealerCode: lead.dealerCode,
    consultantId: lead.consultantId,
    consultantName: lead.consultantName,
    nextFollowUpAt: lead.nextFollowUpAt,
    slaDueAt: lead.slaDueAt,
  };
}

/** The same answer whether nobody holds the id or the holder is outside the caller's scope. */
function unknownContact(externalUserId: string, corpId: string): AppError {
  return new AppError(
    'not_found',
    `no customer you can see holds WeCom external_userid ${externalUserId} of corp ${corpId}: if they were added just now, try again in a moment; ` +
      'otherwise they are not among your customers (ask your manager to assign them to you)',
    { externalUserId, corpId },
  );
}

/** The sidebar summary of the chat's customer `externalUserId` for the signed-in staff member. */
export async function wecomSidebar(deps: WecomSidebarDeps, principal: Principal, query: WecomSidebarQuery): Promise<WecomSidebar> {
  requireSidebarStaff(principal);
  const db = deps.store.db;
  const { tenantId } = principal;
  const connector = await chooseWecomConnector(db, tenantId, query.connectorId);
  // Normalised as ingestion stores it (the tenant may have changed the type's normaliser).
  const config = await loadIdentityConfig(db, tenantId);
  const identifier = requireIdentifier(config, { type: repo.WECOM_EXTERNAL_USERID, value: query.externalUserId, scope: connector.corpId }, 'externalUserId');
  const row = await repo.findContactProfile(db, principal, identifier);
  if (!row) throw unknownContact(query.externalUserId, connector.corpId);
  const profileId = row.id;
  const traits = isRecord(row.traits) ? row.traits : {};
  const [phone, stages, lead, events, tags] = await Promise.all([
    repo.latestPhone(db, tenantId, profileId),
    profileStages(db, tenantId, profileId),
    openLead(deps, principal, profileId),
    recentEvents(db, principal, profileId),
    tagsOfProfile(db, tenantId, profileId),
  ]);
  const name = typeof traits['name'] === 'string' ? traits['name'] : null;
  const summary = { id: profileId, name, phone: phoneOf(phone, traits, principal.maskPii), lastSeen: row.last_seen.toISOString() };
  return {
    connectorId: connector.id,
    corpId: connector.corpId,
    externalUserId: query.externalUserId,
    person: principal.maskPii ? maskProfileSummary(summary) : summary,
    stages: stages.filter((s) => s.stage !== null),
    openLead: lead,
    recentEvents: events,
    tags,
  };
}
