import { randomBytes } from 'node:crypto';
import type { WecomChannelCode, WecomChannelCodeCreate, WecomChannelCodeUpdate } from '../../contracts/wecom-codes.js';
import { wecomWelcomeSchema } from '../../contracts/wecom-codes.js';
import { AppError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { insertAudit, MANAGER_ROLES, type Principal } from '../tenancy/index.js';
import * as repo from './channel-codes.repo.js';
import { connectorClient } from './connector-client.js';
import { decryptCredentials, type WecomDeps } from './connectors.js';
import { findConnector } from './connectors.repo.js';

/**
 * Channel codes (渠道活码): a 「联系我」 QR code per campaign, dealer or consultant rota whose state
 * attributes each new friend, or a 获客链接 whose customer_channel does the same. HQ operators manage
 * every code; a dealer manager the codes of their dealer, with their own consultants.
 */

export const notFound = (id: string) => new AppError('not_found', `no channel code ${id} that you may see; GET /api/v1/wecom/channel-codes lists them`);

function requireManager(principal: Principal): void {
  if (!MANAGER_ROLES.includes(principal.role)) throw new AppError('forbidden', 'channel codes are managed by HQ operators and dealer managers');
}

/** A state nobody chose: `sy` and 12 base32 characters. */
function generatedState(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return `sy${[...randomBytes(12)].map((b) => alphabet[b % 32]).join('')}`;
}

function linkWithState(linkUrl: string, state: string): string {
  const url = new URL(linkUrl);
  url.searchParams.set('customer_channel', state);
  return url.toString();
}

/** The WeCom user ids the code hands adds to: its active consultants, else its active backups. */
export function activeUserIds(code: Pick<repo.CodeRow, 'consultantIds' | 'backupIds'>, staff: ReadonlyMap<string, repo.CodeStaff>): string[] {
  const usable = (ids: readonly string[]) => ids.flatMap((id) => {
    const s = staff.get(id);
    return s?.active && s.wecomUserId ? [s.wecomUserId] : [];
  });
  const primary = usable(code.consultantIds);
  return primary.length > 0 ? primary : usable(code.backupIds);
}

function view(row: repo.CodeRow, staff: ReadonlyMap<string, repo.CodeStaff>): WecomChannelCode {
  const welcome = row.welcome === null ? null : wecomWelcomeSchema.safeParse(row.welcome);
  return {
    id: row.id,
    connectorId: row.connectorId,
    kind: row.kind,
    name: row.name,
    state: row.state,
    configId: row.configId,
    qrCode: row.qrCode,
    url: row.kind === 'link' && row.linkUrl ? linkWithState(row.linkUrl, row.state) : null,
    source: row.source,
    campaign: row.campaign,
    series: row.series,
    dealerCode: row.dealerCode,
    consultantIds: row.consultantIds,
    backupIds: row.backupIds,
    activeUserIds: activeUserIds(row, staff),
    skipVerify: row.skipVerify,
    welcome: welcome?.success ? welcome.data : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

interface CheckedPeople {
  dealerId: string | null;
  staff: Map<string, repo.CodeStaff>;
  users: string[];
}

/** The dealer and the rota, checked: staff of the tenant (within a dealer manager's units) with a WeCom user id. */
async function checkPeople(deps: WecomDeps, principal: Principal, input: Pick<WecomChannelCodeUpdate, 'dealerCode' | 'consultantIds' | 'backupIds'>): Promise<CheckedPeople> {
  const db = deps.store.db;
  const tenantId = principal.tenantId;
  let dealerId: string | null = null;
  if (input.dealerCode !== undefined) {
    const dealer = await repo.dealerByCode(db, tenantId, input.dealerCode);
    const inScope = dealer !== null && (principal.scope.kind === 'all' || principal.scope.unitIds.includes(dealer.id));
    if (!inScope) throw new AppError('not_found', `dealerCode: no active dealer "${input.dealerCode}" that you manage`, { field: 'dealerCode' });
    dealerId = dealer.id;
  } else if (principal.scope.kind !== 'all') {
    throw new AppError('invalid_request', 'dealerCode is required: a dealer manager\'s codes belong to their dealer', { field: 'dealerCode' });
  }
  const ids = [...input.consultantIds, ...input.backupIds];
  const staff = await repo.staffByIds(db, tenantId, ids);
  const issues = ids.flatMap((id) => {
    const s = staff.get(id);
    const field = input.consultantIds.includes(id) ? 'consultantIds' : 'backupIds';
    if (!s || (principal.scope.kind !== 'all' && !principal.scope.unitIds.includes(s.unitId))) return [{ field, id, message: `no staff member ${id} that you manage` }];
    if (!s.wecomUserId) return [{ field, id, message: `staff member ${id} has no WeCom user id: set wecomUserId on the staff member first` }];
    return [];
  });
  if (issues.length > 0) throw new AppError('invalid_request', `${issues[0]!.field}: ${issues[0]!.message}`, { issues });
  const users = activeUserIds({ consultantIds: input.consultantIds, backupIds: input.backupIds }, staff);
  if (users.length === 0) throw new AppError('invalid_request', 'none of the consultants or backups is active: the code would hand its adds to nobody', { field: 'consultantIds' });
  return { dealerId, staff, users };
}

async function connectorOf(deps: WecomDeps, tenantId: string, connectorId: string) {
  const row = await findConnector(deps.store.db, tenantId, connectorId);
  if (!row) throw new AppError('not_found', `connectorId: no WeCom connector ${connectorId} in this tenant`, { field: 'connectorId' });
  return row;
}

/** What a create and an update both set, as stored. */
function settingsOf(input: WecomChannelCodeUpdate, dealerId: string | null) {
  return {
    source: input.source,
    campaign: input.campaign ?? null,
    series: input.series ?? null,
    dealerId,
    consultantIds: input.consultantIds,
    backupIds: input.backupIds,
    skipVerify: input.skipVerify,
    welcome: input.welcome ?? null,
  };
}

/** WeCom's remark of a contact way: at most 30 characters. */
const remarkOf = (name: string) => [...name].slice(0, 30).join('');

export async function createChannelCode(deps: WecomDeps, principal: Principal, input: WecomChannelCodeCreate): Promise<WecomChannelCode> {
  requireManager(principal);
  const tenantId = principal.tenantId;
  const connector = await connectorOf(deps, tenantId, input.connectorId);
  const people = await checkPeople(deps, principal, input);
  const state = input.state ?? generatedState();
  const taken = async () => {
    const existing = await repo.codeIdByState(deps.store.db, tenantId, input.connectorId, state);
    return existing === null ? null : new AppError('conflict', `state "${state}" is taken by channel code ${existing} on this connector: choose another`, { field: 'state', codeId: existing });
  };
  const before = await taken();
  if (before) throw before;
  const id = newId();
  let configId: string | null = null;
  let qrCode: string | null = null;
  const client = input.kind === 'contact_way' ? connectorClient(deps, decryptCredentials(deps, connector)) : null;
  if (client) {
    const way = await client.addContactWay({
      type: people.users.length > 1 ? 2 : 1,
      scene: 2,
      state,
      user: people.users,
      skip_verify: input.skipVerify,
      remark: remarkOf(input.name),
    });
    configId = way.config_id;
    qrCode = way.qr_code ?? null;
  }
  const row: repo.NewCode = {
    tenantId,
    id,
    connectorId: input.connectorId,
    kind: input.kind,
    name: input.name,
    state,
    configId,
    qrCode,
    linkUrl: input.linkUrl ?? null,
    ...settingsOf(input, people.dealerId),
  };
  const inserted = await deps.store.db.transaction().execute(async (trx) => {
    if (!(await repo.insertCode(trx, row, deps.clock.now()))) return false;
    await insertAudit(trx, { tenantId, actor: principal.actor, action: 'wecom_channel_code.create', targetType: 'wecom_channel_code', targetId: id, details: { state, configId } });
    return true;
  });
  if (!inserted) {
    // Another request took the state meanwhile: the contact way made for this one goes again.
    if (client && configId) await client.delContactWay(configId).catch(() => undefined);
    throw (await taken()) ?? new AppError('conflict', `state "${state}" was taken meanwhile: send the request again`);
  }
  const stored = await repo.findCode(deps.store.db, principal, id);
  if (!stored) throw notFound(id);
  return view(stored, people.staff);
}

export async function getChannelCode(deps: WecomDeps, principal: Principal, id: string): Promise<WecomChannelCode> {
  const row = await repo.findCode(deps.store.db, principal, id);
  if (!row) throw notFound(id);
  return view(row, await repo.staffByIds(deps.store.db, principal.tenantId, [...row.consultantIds, ...row.backupIds]));
}

export async function listChannelCodes(deps: WecomDeps, principal: Principal, connectorId?: string): Promise<WecomChannelCode[]> {
  const rows = await repo.listCodes(deps.store.db, principal, connectorId);
  const staff = await repo.staffByIds(deps.store.db, principal.tenantId, rows.flatMap((r) => [...r.consultantIds, ...r.backupIds]));
  return rows.map((r) => view(r, staff));
}

/** Replaces the code's settings; a contact way's members, remark and verification follow on WeCom first. */
export async function updateChannelCode(deps: WecomDeps, principal: Principal, id: string, input: WecomChannelCodeUpdate): Promise<WecomChannelCode> {
  requireManager(principal);
  const tenantId = principal.tenantId;
  const existing = await repo.findCode(deps.store.db, principal, id);
  if (!existing) throw notFound(id);
  const people = await checkPeople(deps, principal, input);
  if (existing.kind === 'contact_way' && existing.configId) {
    const connector = await connectorOf(deps, tenantId, existing.connectorId);
    await connectorClient(deps, decryptCredentials(deps, connector)).updateContactWay({
      config_id: existing.configId,
      user: people.users,
      skip_verify: input.skipVerify,
      remark: remarkOf(input.name),
    });
  }
  await deps.store.db.transaction().execute(async (trx) => {
    await repo.updateCode(
      trx,
      { tenantId, id, name: input.name, ...settingsOf(input, people.dealerId) },
      deps.clock.now(),
    );
    await insertAudit(trx, { tenantId, actor: principal.actor, action: 'wecom_channel_code.update', targetType: 'wecom_channel_code', targetId: id, details: { users: people.users } });
  });
  return getChannelCode(deps, principal, id);
}

/** Deletes the contact way on WeCom, then the code; friendships it brought keep its id for their history. */
export async function deleteChannelCode(deps: WecomDeps, principal: Principal, id: string): Promise<void> {
  requireManager(principal);
  const tenantId = principal.tenantId;
  const existing = await repo.findCode(deps.store.db, principal, id);
  if (!existing) throw notFound(id);
  if (existing.kind === 'contact_way' && existing.configId) {
    const connector = await connectorOf(deps, tenantId, existing.connectorId);
    await connectorClient(deps, decryptCredentials(deps, connector)).delContactWay(existing.configId);
  }
  await deps.store.db.transaction().execute(async (trx) => {
    await repo.deleteCode(trx, tenantId, id);
    await insertAudit(trx, { tenantId, actor: principal.actor, action: 'wecom_channel_code.delete', targetType: 'wecom_channel_code', targetId: id, details: { state: existing.state } });
  });
}
