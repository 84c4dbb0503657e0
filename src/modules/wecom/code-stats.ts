import type { WecomChurn, WecomCodeStats, WecomRetention } from '../../contracts/wecom-codes.js';
import { AppError } from '../../platform/errors.js';
import { maskName } from '../../platform/pii.js';
import { HQ_ROLES, MANAGER_ROLES, type Principal } from '../tenancy/index.js';
import { findCode } from './channel-codes.repo.js';
import { dayIn, tenantTimeZone } from '../segments/index.js';
import { churned, codeRetention, welcomeCounts, type RetentionGroup } from './code-stats.repo.js';
import type { WecomDeps } from './connectors.js';
import { findConnector } from './connectors.repo.js';

/**
 * A channel code's precipitation (沉淀) figures: adds per day, friendships still alive 7 and 30 days
 * after the add (of the adds old enough to tell), the share the customer deleted; split by the lead
 * source of people who came in as leads. And the churn list: customers who deleted their consultant.
 */

const DAY_MS = 86_400_000;
/** The longest period one stats request covers. */
export const MAX_STATS_DAYS = 366;

const STATS_ROLES = [...new Set([...HQ_ROLES, ...MANAGER_ROLES])];

function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

const rate = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000);

function retention(groups: readonly RetentionGroup[]): WecomRetention {
  const sum = (k: 'adds' | 'matured7' | 'alive7' | 'matured30' | 'alive30' | 'deletedByCustomer') => groups.reduce((s, g) => s + g[k], 0);
  const adds = sum('adds');
  const matured7 = sum('matured7');
  const matured30 = sum('matured30');
  const deletedByCustomer = sum('deletedByCustomer');
  return {
    adds,
    matured7,
    alive7: sum('alive7'),
    matured30,
    alive30: sum('alive30'),
    deletedByCustomer,
    deletedByCustomerRate: rate(deletedByCustomer, adds),
    alive7Rate: rate(sum('alive7'), matured7),
    alive30Rate: rate(sum('alive30'), matured30),
  };
}

export async function channelCodeStats(deps: WecomDeps, principal: Principal, id: string, query: { from?: string | undefined; to?: string | undefined }): Promise<WecomCodeStats> {
  if (!STATS_ROLES.includes(principal.role)) throw new AppError('forbidden', 'channel code figures are for HQ and dealer managers');
  const db = deps.store.db;
  const code = await findCode(db, principal, id);
  if (!code) throw new AppError('not_found', `no channel code ${id} that you may see; GET /api/v1/wecom/channel-codes lists them`);
  const connector = await findConnector(db, principal.tenantId, code.connectorId);
  if (!connector) throw new AppError('not_found', `the connector of channel code ${id} was removed`);
  const timeZone = await tenantTimeZone(db, principal.tenantId);
  const now = deps.clock.now();
  const to = query.to ?? dayIn(timeZone, now);
  const from = query.from ?? addDays(to, -29);
  const span = (Date.parse(to) - Date.parse(from)) / DAY_MS + 1;
  if (!(span >= 1)) throw new AppError('invalid_request', `from (${from}) must not be after to (${to})`, { field: 'from' });
  if (span > MAX_STATS_DAYS) throw new AppError('invalid_request', `at most ${MAX_STATS_DAYS} days at once; asked for ${span}`, { field: 'from' });
  const groups = await codeRetention(db, principal.tenantId, id, connector.corpId, timeZone, from, to, now);
  const byDay = new Map<string, RetentionGroup[]>();
  const bySource = new Map<string | null, RetentionGroup[]>();
  for (const g of groups) {
    byDay.set(g.day, [...(byDay.get(g.day) ?? []), g]);
    bySource.set(g.leadSource, [...(bySource.get(g.leadSource) ?? []), g]);
  }
  const days = Array.from({ length: span }, (_, i) => addDays(from, i));
  return {
    codeId: id,
    from,
    to,
    timeZone,
    totals: retention(groups),
    days: days.map((day) => ({ day, ...retention(byDay.get(day) ?? []) })),
    byLeadSource: [...bySource.entries()]
      .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)))
      .map(([leadSource, g]) => ({ leadSource, ...retention(g) })),
    welcome: await welcomeCounts(db, principal.tenantId, id),
  };
}

const CHURN_ROLES = ['admin', 'hq_ops', 'analyst', 'dealer_manager', 'consultant'];

export async function wecomChurn(deps: WecomDeps, principal: Principal, query: { from?: string | undefined; to?: string | undefined; limit: number }): Promise<WecomChurn> {
  if (!CHURN_ROLES.includes(principal.role)) throw new AppError('forbidden', 'the churn list is for HQ, dealer managers and consultants');
  const now = deps.clock.now();
  const to = query.to ? new Date(query.to) : now;
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - 30 * DAY_MS);
  if (from.getTime() > to.getTime()) throw new AppError('invalid_request', 'from must not be after to', { field: 'from' });
  const rows = await churned(deps.store.db, principal, from, to, query.limit);
  return {
    data: rows.map((r) => ({
      friendshipId: r.friendshipId,
      profileId: r.profileId,
      customerName: r.wechatName === null ? null : principal.maskPii ? maskName(r.wechatName) : r.wechatName,
      consultantId: r.consultantId,
      consultantName: r.consultantName === null ? null : principal.maskPii ? maskName(r.consultantName) : r.consultantName,
      wecomUserId: r.wecomUserId,
      dealerCode: r.dealerCode,
      channelCodeId: r.channelCodeId,
      addedAt: r.addedAt.toISOString(),
      removedAt: r.removedAt.toISOString(),
      daysAsFriend: Math.floor((r.removedAt.getTime() - r.addedAt.getTime()) / DAY_MS),
    })),
  };
}
