import { randomBytes } from 'node:crypto';
import { encrypt, signature } from '../modules/wecom/index.js';
import type { FakeWecom } from '../testing/fakes/wecom.js';
import { dealerState, HQ_STATE, type PlannedFriendship } from './journeys.js';
import type { PlannedDealer, PlannedNetwork } from './network.js';
import type { Api } from './http.js';
import { idOf } from './http.js';
import type { DemoTenant } from './setup.js';
import { inParallel } from './setup.js';

/**
 * WeCom as a car brand runs it: the corp connected to Siyu, a channel code (渠道活码) per dealer and
 * one for HQ's articles, and the consultants' friendships arriving as WeCom's callbacks, encrypted and
 * signed as WeCom does, at the callback URL. The corp is the in-process fake WeCom.
 */

export interface DemoCorp {
  corpId: string;
  secret: string;
  token: string;
  aesKey: string;
}

export function demoCorp(): DemoCorp {
  return {
    corpId: `ww${randomBytes(8).toString('hex')}`,
    secret: randomBytes(32).toString('base64url'),
    token: randomBytes(12).toString('hex'),
    aesKey: randomBytes(32).toString('base64').slice(0, 43),
  };
}

export async function connectCorp(api: Api, t: DemoTenant, network: PlannedNetwork, corp: DemoCorp, fake: FakeWecom): Promise<string> {
  const connectorId = idOf(
    await api.admin('POST', '/api/v1/connectors/wecom', { corpId: corp.corpId, agentId: '1000002', secret: corp.secret, token: corp.token, encodingAESKey: corp.aesKey, apiBaseUrl: fake.url }),
    'connecting the WeCom corp',
  );
  const idsOf = (d: PlannedDealer) => d.consultants.map((c) => t.staffIds.get(c)!);
  for (const d of network.dealers) {
    await api.admin('POST', '/api/v1/wecom/channel-codes', {
      connectorId,
      state: dealerState(d.code),
      name: `${d.name} 展厅活码`,
      source: 'showroom',
      dealerCode: d.code,
      consultantIds: idsOf(d),
      backupIds: [t.staffIds.get(d.manager)!],
      welcome: { text: '您好 {name}，我是岚山汽车的{consultant}，很高兴为您服务！{series} 的配置和优惠随时问我。' },
    });
  }
  await api.admin('POST', '/api/v1/wecom/channel-codes', {
    connectorId,
    state: HQ_STATE,
    name: '公众号文章 官方顾问',
    source: 'wechat_oa',
    campaign: '官方顾问',
    consultantIds: network.dealers.slice(0, 8).flatMap((d) => idsOf(d).slice(0, 2)),
    welcome: { text: '您好，我是岚山汽车官方顾问{consultant}，购车、试驾、用车问题都可以找我。' },
  });
  return connectorId;
}

const cdata = (v: string) => `<![CDATA[${v}]]>`;

function eventXml(fields: Record<string, string | undefined>): string {
  return `<xml>${Object.entries(fields)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `<${k}>${/^\d+$/.test(v) ? v : cdata(v)}</${k}>`)
    .join('')}</xml>`;
}

/** The external_userid WeCom gives the person in this corp (stable per person). */
const externalId = (f: PlannedFriendship) => `wmLS${f.person.n.toString(36).padStart(10, '0')}`;

/** Seeds the fake corp with the customers (so `externalcontact/get` knows them), then posts the callbacks. */
export async function sendFriendships(
  api: Api,
  connectorId: string,
  corp: DemoCorp,
  fake: FakeWecom,
  friendships: readonly PlannedFriendship[],
  phase: 'added' | 'removed',
  onProgress: (done: number, total: number) => void,
): Promise<number> {
  if (phase === 'added') {
    const byPerson = new Map<PlannedFriendship['person'], PlannedFriendship[]>();
    for (const f of friendships) byPerson.set(f.person, [...(byPerson.get(f.person) ?? []), f]);
    for (const [person, list] of byPerson) {
      fake.state.contacts.add({
        external_userid: externalId(list[0]!),
        name: person.name,
        gender: person.gender,
        ...(person.unionid ? { unionid: person.unionid } : {}),
        follow_user: list.map((f) => ({
          userid: f.consultant.wecomUserId!,
          remark: person.name,
          remark_mobiles: [person.phone],
          createtime: Math.floor(f.at.getTime() / 1000),
          add_way: 1,
          state: f.state,
        })),
      });
    }
  }
  const events = phase === 'added' ? [...friendships].sort((a, b) => a.at.getTime() - b.at.getTime()) : friendships.filter((f) => f.removed).sort((a, b) => a.removed!.at.getTime() - b.removed!.at.getTime());
  let done = 0;
  await inParallel(events, 4, async (f) => {
    const removed = phase === 'removed' ? f.removed! : null;
    const xml = eventXml({
      ToUserName: corp.corpId,
      FromUserName: 'sys',
      CreateTime: String(Math.floor((removed ? removed.at : f.at).getTime() / 1000)),
      MsgType: 'event',
      Event: 'change_external_contact',
      ChangeType: removed ? (removed.by === 'customer' ? 'del_follow_user' : 'del_external_contact') : 'add_external_contact',
      UserID: f.consultant.wecomUserId!,
      ExternalUserID: externalId(f),
      State: removed ? undefined : f.state,
      Source: removed && removed.by === 'staff' ? 'DELETE_BY_USER' : undefined,
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = randomBytes(6).toString('hex');
    const encrypted = encrypt(corp.aesKey, xml, corp.corpId);
    const query = new URLSearchParams({ msg_signature: signature(corp.token, timestamp, nonce, encrypted), timestamp, nonce });
    const res = await api.raw({
      method: 'POST',
      url: `/connectors/wecom/${connectorId}/callback?${query.toString()}`,
      headers: { 'content-type': 'text/xml' },
      payload: `<xml><ToUserName>${cdata(corp.corpId)}</ToUserName><Encrypt>${cdata(encrypted)}</Encrypt><AgentID>${cdata('1000002')}</AgentID></xml>`,
    });
    if (res.status !== 200) throw new Error(`the WeCom callback answered ${res.status}: ${res.body.slice(0, 300)}`);
    onProgress(++done, events.length);
  });
  return events.length;
}
