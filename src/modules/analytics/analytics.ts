import { z } from 'zod';
import {
  POOL_DOMAIN_CLASSES,
  type FlowLink,
  type FlowNode,
  type Funnel,
  type FunnelGroup,
  type FunnelQuery,
  type FunnelStep,
  type PoolCounts,
  type ReachablePool,
  type StageDistribution,
  type StageDistributionQuery,
  type StageFlows,
  type StageFlowsQuery,
} from '../../contracts/analytics.js';
import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import {
  MAX_FUNNEL_GROUPS,
  findModel,
  modelKeys,
  currentStageCounts,
  flowCounts,
  funnelCounts,
  poolCounts,
  resolveInstants,
  stageCountsAt,
  type FunnelCount,
  type PoolRow,
  type StageCount,
} from './analytics.repo.js';

/** The analytics API's figures; every count comes from one aggregate query (analytics.repo.ts). */

const DEFAULT_FUNNEL_MODEL = 'aarrr';

interface StageInfo {
  key: string;
  name: string;
  nameZh: string | null;
}

interface Model {
  key: string;
  stages: StageInfo[];
}

/** Read leniently: a stage without a name is labelled by its key. */
const storedStages = z.array(z.looseObject({ key: z.string(), name: z.string().optional(), nameZh: z.string().nullish() }));

/** `key` given: that model, or 400; absent: `fallback` (null: the tenant's default model), or 404. */
async function resolveModel(db: Db, tenantId: string, key: string | undefined, fallback: string | null): Promise<Model> {
  const row = await findModel(db, tenantId, key ?? fallback);
  if (!row) {
    const known = await modelKeys(db, tenantId);
    const have = known.length > 0 ? ` (it has ${known.join(', ')})` : ' (it has none)';
    if (key !== undefined) throw new AppError('invalid_request', `querystring model: no stage model "${key}" in this tenant${have}`, { part: 'querystring', path: 'model', known });
    const missing = fallback === null ? 'this tenant has no default stage model' : `no stage model "${fallback}" in this tenant`;
    throw new AppError('not_found', `${missing}${have}; pass model=<key>`, { known });
  }
  const parsed = storedStages.safeParse(row.stages);
  const stages = parsed.success ? parsed.data.map((s) => ({ key: s.key, name: s.name ?? s.key, nameZh: s.nameZh ?? null })) : [];
  return { key: row.key, stages };
}

/** A resolved time, or 400 naming the field (a text that passed the query schema resolves). */
function required(at: Date | null | undefined, field: string): Date {
  if (!at) throw new AppError('invalid_request', `querystring ${field}: must be a date or an ISO-8601 date-time`, { part: 'querystring', path: field });
  return at;
}

/** [from, to) from the query, in one round trip; `to` defaults to now and must not be before `from`. */
async function range(db: Db, tenantId: string, fromText: string, toText: string | undefined, now: Date): Promise<{ from: Date; to: Date }> {
  const [fromAt, toAt] = await resolveInstants(db, tenantId, [fromText, toText ?? null]);
  const from = required(fromAt, 'from');
  const to = toText === undefined ? now : required(toAt, 'to');
  if (from.getTime() > to.getTime()) {
    throw new AppError('invalid_request', `querystring from (${from.toISOString()}) must not be after to (${to.toISOString()})`, {
      part: 'querystring',
      path: 'from',
      from: from.toISOString(),
      to: to.toISOString(),
    });
  }
  return { from, to };
}

/** a / b to 4 decimals; null when b is 0. */
function ratio(a: number, b: number): number | null {
  return b === 0 ? null : Math.round((a / b) * 10000) / 10000;
}

const keysOf = (model: Model) => model.stages.map((s) => s.key);

/** Profiles per stage of a model, now (current stages of live profiles) or at a past time. */
export async function stageDistribution(db: Db, tenantId: string, params: StageDistributionQuery): Promise<StageDistribution> {
  const model = await resolveModel(db, tenantId, params.model, null);
  const at = params.at === undefined ? null : required((await resolveInstants(db, tenantId, [params.at]))[0], 'at');
  const keys = keysOf(model);
  const rows: StageCount[] = keys.length === 0 ? [] : at === null ? await currentStageCounts(db, tenantId, model.key, keys) : await stageCountsAt(db, tenantId, model.key, keys, at);
  const counts = new Map(rows.map((r) => [r.stage, r.n]));
  const total = rows.reduce((sum, r) => sum + r.n, 0);
  return {
    model: model.key,
    at: at?.toISOString() ?? null,
    total,
    stages: model.stages.map((s) => {
      const count = counts.get(s.key) ?? 0;
      return { ...s, count, share: ratio(count, total) ?? 0 };
    }),
  };
}

function flowNode(model: Model, side: 'from' | 'to', stage: string | null): FlowNode {
  const info = model.stages.find((s) => s.key === stage);
  return { id: `${side}:${stage ?? 'none'}`, stage, side, name: info?.name ?? 'none', nameZh: info ? info.nameZh : '无' };
}

/** Each profile's stage at `from` against its stage at `to`, counted per pair: a Sankey's links. */
export async function stageFlows(db: Db, tenantId: string, params: StageFlowsQuery & { now: Date }): Promise<StageFlows> {
  const model = await resolveModel(db, tenantId, params.model, null);
  const { from, to } = await range(db, tenantId, params.from, params.to, params.now);
  const keys = keysOf(model);
  const rows = keys.length === 0 ? [] : await flowCounts(db, tenantId, model.key, keys, from, to);
  // Model order, "none" last, on both sides.
  const position = (stage: string | null) => (stage === null ? keys.length : keys.indexOf(stage));
  rows.sort((a, b) => position(a.from) - position(b.from) || position(a.to) - position(b.to));
  const links: FlowLink[] = rows.map((r) => ({ from: r.from, to: r.to, source: `from:${r.from ?? 'none'}`, target: `to:${r.to ?? 'none'}`, count: r.n }));
  const nodes: FlowNode[] = [];
  for (const side of ['from', 'to'] as const) {
    const used = new Set(rows.map((r) => r[side]));
    for (const stage of [...keys, null]) if (used.has(stage)) nodes.push(flowNode(model, side, stage));
  }
  return { model: model.key, from: from.toISOString(), to: to.toISOString(), total: rows.reduce((sum, r) => sum + r.n, 0), nodes, links };
}

/** Steps from counts per highest stage reached (`byTop[i]`: profiles whose highest stage is at position i, 0: none). */
function funnelSteps(model: Model, byTop: readonly number[], cohort: number): FunnelStep[] {
  const steps: FunnelStep[] = [];
  let reached = cohort - (byTop[0] ?? 0);
  let first = 0;
  let previous = 0;
  model.stages.forEach((s, i) => {
    if (i > 0) reached -= byTop[i] ?? 0;
    const count = reached;
    if (i === 0) first = count;
    steps.push({ ...s, count, ofCohort: ratio(count, cohort), fromPrevious: i === 0 ? null : ratio(count, previous), fromFirst: ratio(count, first) });
    previous = count;
  });
  return steps;
}

function tally(model: Model, rows: readonly FunnelCount[]): { cohort: number; steps: FunnelStep[] } {
  const byTop = new Array<number>(model.stages.length + 1).fill(0);
  for (const r of rows) byTop[r.top] = (byTop[r.top] ?? 0) + r.n;
  const cohort = byTop.reduce((sum, n) => sum + n, 0);
  return { cohort, steps: funnelSteps(model, byTop, cohort) };
}

/**
 * The model as a funnel over a cohort: live profiles whose first touch is in [from, to); a step counts
 * those who reached that stage or a later one before `to`. With splitBy, the same per first source or
 * per domain class of the first touch.
 */
export async function funnel(db: Db, tenantId: string, params: FunnelQuery & { now: Date }): Promise<Funnel> {
  const model = await resolveModel(db, tenantId, params.model, DEFAULT_FUNNEL_MODEL);
  const { from, to } = await range(db, tenantId, params.from, params.to, params.now);
  const keys = keysOf(model);
  const rows = await funnelCounts(db, tenantId, model.key, keys, from, to, params.splitBy ?? 'none');
  const byGroup = new Map<string | null, FunnelCount[]>();
  for (const r of rows) {
    const group = byGroup.get(r.group);
    if (group) group.push(r);
    else byGroup.set(r.group, [r]);
  }
  const truncated = byGroup.size > MAX_FUNNEL_GROUPS;
  // The totals are the sum of the groups, unless the list of groups was cut: then one more query.
  const overall = tally(model, truncated ? await funnelCounts(db, tenantId, model.key, keys, from, to, 'none') : rows);
  const result: Funnel = { model: model.key, from: from.toISOString(), to: to.toISOString(), splitBy: params.splitBy ?? null, ...overall };
  if (params.splitBy === undefined) return result;

  const groups: FunnelGroup[] = [];
  for (const [group, groupRows] of [...byGroup].slice(0, MAX_FUNNEL_GROUPS)) {
    const first = groupRows[0];
    const label =
      params.splitBy === 'source'
        ? { sourceId: group, sourceName: first?.sourceName ?? null, sourceKind: first?.sourceKind ?? null }
        : { domainClass: group ?? 'unknown' };
    groups.push({ ...label, ...tally(model, groupRows) });
  }
  return { ...result, groups, truncated };
}

const poolCountsOf = (r: PoolRow | undefined): PoolCounts => ({
  total: r?.total ?? 0,
  wecom_friend: r?.wecomFriend ?? 0,
  sms: r?.sms ?? 0,
  oa_follower: r?.oaFollower ?? 0,
  any: r?.any ?? 0,
});

/** Live profiles reachable now, per channel and by domain class of the first touch (one row per class). */
export async function reachablePool(db: Db, tenantId: string, params: { now: Date }): Promise<ReachablePool> {
  const rows = await poolCounts(db, tenantId);
  const byDomainClass = POOL_DOMAIN_CLASSES.map((domainClass) => ({ domainClass, ...poolCountsOf(rows.find((r) => r.domainClass === domainClass)) }));
  const all = poolCountsOf(undefined);
  for (const c of byDomainClass) {
    all.total += c.total;
    all.wecom_friend += c.wecom_friend;
    all.sms += c.sms;
    all.oa_follower += c.oa_follower;
    all.any += c.any;
  }
  return { at: params.now.toISOString(), ...all, byDomainClass };
}
