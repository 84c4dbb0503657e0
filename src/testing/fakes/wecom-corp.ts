import { randomBytes } from 'node:crypto';
import { FakeWecomError, INVALID_PARAMETER, optBody, optNumber, optString, page, reqString, strings, type Body } from './wecom-body.js';

/**
 * The fake WeCom's corp-level state: corp tag groups and tags (企业客户标签), contact ways (联系我)
 * and customer group chats (客户群), answering as WeCom documents those calls.
 */

/** WeCom's ids look like `et…` (tags) and `wr…` (chats); the fake's are random in the same shape. */
export const fakeId = (prefix: string) => `${prefix}${randomBytes(9).toString('base64url')}`;
const seconds = (ms: number) => Math.floor(ms / 1000);

export const INVALID_TAG_ID = 40068;
export const INVALID_TAG_NAME = 40071;

export interface FakeTag {
  id: string;
  name: string;
  create_time: number;
  order: number;
}

export interface FakeTagGroup {
  group_id: string;
  group_name: string;
  create_time: number;
  order: number;
  tag: FakeTag[];
}

export class FakeCorpTags {
  readonly groups: FakeTagGroup[] = [];
  constructor(private readonly now: () => number) {}

  /** The tag and its group, or undefined. */
  find(tagId: string): { group: FakeTagGroup; tag: FakeTag } | undefined {
    for (const group of this.groups) {
      const tag = group.tag.find((t) => t.id === tagId);
      if (tag) return { group, tag };
    }
    return undefined;
  }

  /** Seeds a group with tags (fake-side; WeCom's admin console does this). */
  addGroup(groupName: string, tagNames: string[]): FakeTagGroup {
    const answer = this.add({ group_name: groupName, tag: tagNames.map((name) => ({ name })) });
    return answer.tag_group;
  }

  list(body: Body) {
    const tagIds = strings(body, 'tag_id');
    const groupIds = strings(body, 'group_id');
    if (tagIds.length > 0) {
      const groups = this.groups.map((g) => ({ ...g, tag: g.tag.filter((t) => tagIds.includes(t.id)) })).filter((g) => g.tag.length > 0);
      return { tag_group: groups };
    }
    return { tag_group: groupIds.length > 0 ? this.groups.filter((g) => groupIds.includes(g.group_id)) : this.groups };
  }

  add(body: Body) {
    const groupId = optString(body, 'group_id');
    const groupName = optString(body, 'group_name');
    const raw = body.tag;
    if (!Array.isArray(raw) || raw.length === 0) throw new FakeWecomError(INVALID_PARAMETER, 'tag missing');
    let group = groupId ? this.groups.find((g) => g.group_id === groupId) : this.groups.find((g) => g.group_name === groupName);
    if (groupId && !group) throw new FakeWecomError(INVALID_TAG_ID, 'invalid tag id');
    if (!group) {
      if (!groupName) throw new FakeWecomError(INVALID_PARAMETER, 'group_name missing');
      group = { group_id: fakeId('et'), group_name: groupName, create_time: seconds(this.now()), order: optNumber(body, 'order') ?? 0, tag: [] };
      this.groups.push(group);
    }
    const added: FakeTag[] = [];
    for (const entry of raw) {
      const name = entry && typeof entry === 'object' && 'name' in entry && typeof entry.name === 'string' ? entry.name : '';
      if (!name || group.tag.some((t) => t.name === name) || added.some((t) => t.name === name)) throw new FakeWecomError(INVALID_TAG_NAME, `invalid tag name: ${name}`);
      const order = entry && typeof entry === 'object' && 'order' in entry && typeof entry.order === 'number' ? entry.order : 0;
      added.push({ id: fakeId('et'), name, create_time: seconds(this.now()), order });
    }
    group.tag.push(...added);
    return { tag_group: { ...group, tag: added } };
  }

  edit(body: Body) {
    const id = reqString(body, 'id');
    const name = optString(body, 'name');
    const order = optNumber(body, 'order');
    const group = this.groups.find((g) => g.group_id === id);
    const target = group ?? this.find(id)?.tag;
    if (!target) throw new FakeWecomError(INVALID_TAG_ID, 'invalid tag id');
    if (group && name !== undefined) group.group_name = name;
    if (!group && name !== undefined && 'name' in target) target.name = name;
    if (order !== undefined) target.order = order;
    return {};
  }

  /** Deletes tags and groups; a group whose last tag goes is deleted with it, as in WeCom. */
  del(body: Body) {
    const tagIds = strings(body, 'tag_id');
    const groupIds = strings(body, 'group_id');
    if (tagIds.length === 0 && groupIds.length === 0) throw new FakeWecomError(INVALID_PARAMETER, 'tag_id and group_id missing');
    for (const id of tagIds) if (!this.find(id)) throw new FakeWecomError(INVALID_TAG_ID, 'invalid tag id');
    for (const group of this.groups) group.tag = group.tag.filter((t) => !tagIds.includes(t.id));
    const keep = this.groups.filter((g) => !groupIds.includes(g.group_id) && g.tag.length > 0);
    this.groups.splice(0, this.groups.length, ...keep);
    return {};
  }
}

export interface FakeContactWay {
  config_id: string;
  qr_code?: string;
  type: number;
  scene: number;
  state?: string;
  user: string[];
  party: number[];
  remark?: string;
  skip_verify: boolean;
}

export class FakeContactWays {
  readonly ways = new Map<string, FakeContactWay>();
  constructor(private readonly qrBase: () => string) {}

  private static state(body: Body): string | undefined {
    const state = optString(body, 'state');
    if (state !== undefined && state.length > 30) throw new FakeWecomError(INVALID_PARAMETER, 'invalid state: at most 30 characters');
    return state;
  }

  add(body: Body) {
    const type = optNumber(body, 'type');
    const scene = optNumber(body, 'scene');
    if (type !== 1 && type !== 2) throw new FakeWecomError(INVALID_PARAMETER, 'invalid type');
    if (scene !== 1 && scene !== 2) throw new FakeWecomError(INVALID_PARAMETER, 'invalid scene');
    const user = strings(body, 'user');
    const party = Array.isArray(body.party) ? body.party.filter((p): p is number => typeof p === 'number') : [];
    if (user.length + party.length === 0 || (type === 1 && user.length + party.length > 1)) throw new FakeWecomError(INVALID_PARAMETER, 'invalid user or party');
    const configId = randomBytes(16).toString('hex');
    const way: FakeContactWay = {
      config_id: configId,
      type,
      scene,
      state: FakeContactWays.state(body),
      user,
      party,
      remark: optString(body, 'remark'),
      skip_verify: body.skip_verify !== false,
      ...(scene === 2 ? { qr_code: `${this.qrBase()}/fake-qr/${configId}.png` } : {}),
    };
    this.ways.set(configId, way);
    return { config_id: configId, ...(way.qr_code ? { qr_code: way.qr_code } : {}) };
  }

  private get(body: Body): FakeContactWay {
    const way = this.ways.get(reqString(body, 'config_id'));
    if (!way) throw new FakeWecomError(INVALID_PARAMETER, 'invalid config_id');
    return way;
  }

  update(body: Body) {
    const way = this.get(body);
    const state = FakeContactWays.state(body);
    if (state !== undefined) way.state = state;
    if (body.user !== undefined) way.user = strings(body, 'user');
    const remark = optString(body, 'remark');
    if (remark !== undefined) way.remark = remark;
    if (typeof body.skip_verify === 'boolean') way.skip_verify = body.skip_verify;
    return {};
  }

  del(body: Body) {
    this.ways.delete(this.get(body).config_id);
    return {};
  }
}

export interface FakeGroupMember {
  userid: string;
  type: 1 | 2;
  join_time: number;
  join_scene: number;
  unionid?: string;
  invitor?: { userid: string };
  group_nickname?: string;
  name?: string;
}

export interface FakeGroupChat {
  chat_id: string;
  name: string;
  owner: string;
  create_time: number;
  notice?: string;
  /** 0 normal, 1 resigned owner waiting for transfer, 2 transfer in progress, 3 transfer done. */
  status: number;
  member_list: FakeGroupMember[];
  admin_list: { userid: string }[];
}

export class FakeGroupChats {
  readonly chats: FakeGroupChat[] = [];

  list(body: Body) {
    const limit = optNumber(body, 'limit');
    if (limit === undefined || limit < 1 || limit > 1000) throw new FakeWecomError(INVALID_PARAMETER, 'invalid limit');
    const status = optNumber(body, 'status_filter') ?? 0;
    const owners = strings(optBody(body, 'owner_filter') ?? {}, 'userid_list');
    const matching = this.chats.filter((c) => (status === 0 ? c.status === 0 : c.status === status) && (owners.length === 0 || owners.includes(c.owner)));
    const { items, next_cursor } = page(matching, optString(body, 'cursor'), limit);
    return { group_chat_list: items.map((c) => ({ chat_id: c.chat_id, status: c.status })), ...(next_cursor ? { next_cursor } : {}) };
  }

  get(body: Body) {
    const chat = this.chats.find((c) => c.chat_id === reqString(body, 'chat_id'));
    if (!chat) throw new FakeWecomError(INVALID_PARAMETER, 'invalid chat_id');
    const { status: _status, ...groupChat } = chat;
    const needName = body.need_name === 1;
    return { group_chat: { ...groupChat, member_list: groupChat.member_list.map(({ name, ...m }) => (needName && name ? { ...m, name } : m)) } };
  }
}
