import { stringify } from 'csv-stringify/sync';
import type { Condition } from '../contracts/segments.js';
import { STANDARD_EVENTS as E } from '../contracts/vocabulary.js';
import { SERIES } from './brand.js';
import type { Api } from './http.js';
import { idOf, RawBody } from './http.js';
import type { PlannedConsent, PlannedHousehold, PlannedService } from './journeys.js';
import type { People } from './funnel.js';
import type { PlannedPerson } from './people.js';
import { inParallel } from './setup.js';

/** After the sale: the DMS's repair orders as CSV files, consents, households, tags and the segments operators keep. */

const KIND_LABEL: Record<PlannedService['kind'], string> = {
  first_maintenance: '首保',
  maintenance: '定保',
  repair: '维修',
  insurance_renewal: '续保',
  accessories: '精品',
  trade_in_appraisal: '置换评估',
};
const FILE_ROWS = 2_000;

/** Repair orders as a DMS exports them (Chinese headers, yuan), mapped to Siyu's fields on import. */
export async function importServices(api: Api, services: readonly PlannedService[], onProgress: (done: number, total: number) => void): Promise<number> {
  const sorted = [...services].sort((a, b) => a.at.getTime() - b.at.getTime());
  const query = new URLSearchParams({ 'map.externalId': '工单号', 'map.vin': 'VIN', 'map.dealerCode': '服务站代码', 'map.kind': '业务类型', 'map.amountYuan': '结算金额', 'map.at': '结算时间' });
  let done = 0;
  for (let i = 0; i < sorted.length; i += FILE_ROWS) {
    const rows = sorted.slice(i, i + FILE_ROWS).map((s) => [s.externalId, s.vin, s.dealerCode, KIND_LABEL[s.kind], (s.amountFen / 100).toFixed(2), s.at.toISOString()]);
    const csv = stringify([['工单号', 'VIN', '服务站代码', '业务类型', '结算金额', '结算时间'], ...rows]);
    await api.admin('POST', `/api/v1/after-sales/import?${query.toString()}`, new RawBody(csv, 'text/csv'));
    done += rows.length;
    onProgress(done, sorted.length);
  }
  return done;
}

export async function recordConsents(api: Api, people: People, consents: readonly PlannedConsent[], onProgress: (done: number, total: number) => void): Promise<number> {
  let done = 0;
  let recorded = 0;
  await inParallel(consents, 2, async (c) => {
    const id = await people.idOf(c.person);
    if (id) {
      await api.admin('POST', `/api/v1/profiles/${id}/consents`, { channel: c.channel, purpose: c.purpose, state: c.state, at: c.at.toISOString() });
      recorded++;
    }
    onProgress(++done, consents.length);
  });
  return recorded;
}

export async function linkHouseholds(api: Api, people: People, households: readonly PlannedHousehold[]): Promise<number> {
  let linked = 0;
  for (const h of households) {
    const [owner, spouse] = [await people.idOf(h.owner), await people.idOf(h.spouse)];
    if (!owner || !spouse) continue;
    await api.admin('POST', '/api/v1/households', { name: `${h.owner.name}家`, members: [{ profileId: owner, relation: 'self' }, { profileId: spouse, relation: 'spouse' }] });
    await api.admin('POST', `/api/v1/vehicles/${h.vin}/relations`, { profileId: spouse, role: 'driver', validFrom: h.at.toISOString(), source: 'dms' });
    linked++;
  }
  return linked;
}

const did = (event: string, more: Partial<Extract<Condition, { type: 'event' }>> = {}): Condition => ({ type: 'event', event, ...more });
const not = (condition: Condition): Condition => ({ type: 'not', condition });
const and = (...conditions: Condition[]): Condition => ({ type: 'and', conditions });
const or = (...conditions: Condition[]): Condition => ({ type: 'or', conditions });
const owner: Condition = { type: 'vehicle', roles: ['owner'], includePast: false };
const renewal = (lastDays: number) => did(E.serviceCompleted, { where: [{ property: 'serviceType', op: 'eq', value: 'insurance_renewal' }], window: { lastDays } });
const boughtBetween = (lastDays: number): Condition => ({ type: 'vehicle', roles: ['owner'], includePast: false, purchased: { op: 'within_last_days', days: lastDays } });

/** Tag groups, manual and rule tags, the operating models and the segments an operations team keeps. */
export async function configureOperations(api: Api): Promise<{ tags: number; segments: number; vipTagId: string }> {
  await api.admin('POST', '/api/v1/stage-models/presets/5a', {});
  await api.admin('POST', '/api/v1/stage-models/presets/aarrr', {});

  let tags = 0;
  const group = async (name: string, description: string) => idOf(await api.admin('POST', '/api/v1/tag-groups', { name, description }), `tag group ${name}`);
  const tag = async (groupId: string, name: string, description: string, definition?: Condition) => {
    tags++;
    return idOf(
      await api.admin('POST', '/api/v1/tags', { groupId, name, description, kind: definition ? 'rule' : 'manual', ...(definition ? { definition: { condition: definition } } : {}) }),
      `tag ${name}`,
    );
  };
  const intent = await group('意向车系', '最近一次留资或试驾的车系');
  for (const s of SERIES) await tag(intent, `意向-${s.name}`, `留资时选择了${s.name}（${s.kind}）`, did(E.leadCreated, { where: [{ property: 'series', op: 'eq', value: s.name }] }));
  const value = await group('客户价值', '运营和门店手工或按规则标记的客户价值');
  const vip = await tag(value, 'VIP车主', '门店推荐的高价值车主，享专属服务');
  await tag(value, '高意向', '30 天内试驾且尚未下订', and(did(E.testDriveCompleted, { window: { lastDays: 30 } }), not(did(E.orderPlaced))));
  await tag(value, '转介绍达人', '推荐过新客户的车主', did(E.referralMade));
  const life = await group('生命周期', '潜客、保客与流失预警');
  await tag(life, '保客', '当前车主', owner);
  await tag(life, '潜客', '留过资但尚未购车', and(did(E.leadCreated), not(owner), not(did(E.orderPlaced))));
  await tag(life, '企微已流失', '曾是企业微信好友，已删除顾问', and(did(E.wecomContactRemoved), not({ type: 'wecom_friend' })));

  const segments: { name: string; description: string; condition: Condition }[] = [
    { name: '30 天内试驾未下订', description: '近 30 天试驾过、还没有下订的潜客：门店重点跟进', condition: and(did(E.testDriveCompleted, { window: { lastDays: 30 } }), not(did(E.orderPlaced))) },
    {
      name: '保险 45 天内到期',
      description: '交车或上次续保已满 320 天、未满一年且尚未续保的车主：提醒续保',
      condition: and(or(and(boughtBetween(365), not(boughtBetween(320))), and(renewal(365), not(renewal(320)))), not(renewal(320))),
    },
    { name: '流失风险车主', description: '8 个月没有进站、也不是顾问企业微信好友的车主', condition: and(owner, not(did(E.serviceCompleted, { window: { lastDays: 240 } })), not({ type: 'wecom_friend' })) },
    { name: '星岚意向未到店', description: '90 天内留资选择星岚、还没有到店的潜客', condition: and(did(E.leadCreated, { window: { lastDays: 90 }, where: [{ property: 'series', op: 'eq', value: '星岚' }] }), not(did(E.storeVisited))) },
    { name: '公众号粉丝未留资', description: '关注了公众号、还没有留下手机号的人', condition: and({ type: 'oa_follower' }, { type: 'trait', trait: 'phone', op: 'not_exists' }) },
  ];
  for (const s of segments) await api.admin('POST', '/api/v1/segments', { name: s.name, description: s.description, definition: { condition: s.condition } });
  return { tags, segments: segments.length, vipTagId: vip };
}

/** The stores' VIP owners, tagged by hand. */
export async function tagVips(api: Api, people: People, tagId: string, vips: readonly PlannedPerson[]): Promise<void> {
  const ids: string[] = [];
  for (const p of vips) {
    const id = await people.idOf(p);
    if (id) ids.push(id);
  }
  for (let i = 0; i < ids.length; i += 1000) await api.admin('POST', `/api/v1/tags/${tagId}/apply`, { profileIds: ids.slice(i, i + 1000) });
}
