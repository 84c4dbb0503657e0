import { randomBytes } from 'node:crypto';
import { FakeWecomError, INVALID_PARAMETER, optNumber, optString, page, reqString, strings, type Body } from './wecom-body.js';
import { fakeId, INVALID_TAG_ID, type FakeCorpTags } from './wecom-corp.js';

/**
 * The fake WeCom's customers (客户联系): external contacts and the members who have them as friends,
 * welcome codes, corp tags marked on customers, mass messages and transfers, answering as WeCom
 * documents those calls.
 */

export const INVALID_EXTERNAL_USERID = 40096;
export const NOT_A_FRIEND = 84061;
export const WELCOME_CODE_USED = 41051;
export const UNKNOWN_USERID = 60111;
/** How long a welcome code can be used after the add event (WeCom documents 20 seconds). */
export const WELCOME_CODE_SECONDS = 20;

export interface FakeFollow {
  userid: string;
  remark: string;
  description: string;
  createtime: number;
  tags: Set<string>;
  remark_mobiles: string[];
  add_way: number;
  state?: string;
  oper_userid: string;
}

export interface FakeContact {
  external_userid: string;
  name: string;
  type: 1 | 2;
  gender: 0 | 1 | 2;
  unionid?: string;
  avatar?: string;
  corp_name?: string;
  follows: Map<string, FakeFollow>;
}

/** What a test seeds: the customer, and the members who have added them. */
export interface FakeContactSeed {
  external_userid?: string;
  name: string;
  type?: 1 | 2;
  gender?: 0 | 1 | 2;
  unionid?: string;
  avatar?: string;
  corp_name?: string;
  follow_user?: { userid: string; remark?: string; description?: string; createtime?: number; tags?: string[]; remark_mobiles?: string[]; add_way?: number; state?: string }[];
}

export interface FakeWelcome {
  welcome_code: string;
  userid: string;
  external_userid: string;
  issuedAt: number;
  sent?: Body;
}

export interface FakeMsgTemplate {
  msgid: string;
  body: Body;
  /** One row per member and customer: status 0 until the member sends it (`confirmMsgTemplate`). */
  send_list: { external_userid: string; userid: string; status: number; send_time?: number }[];
}

export interface FakeTransfer {
  handover_userid: string;
  takeover_userid: string;
  external_userid: string;
  resigned: boolean;
  /** 1 taken over, 2 waiting, 3 refused by the customer, 4 the taker's customer limit. */
  status: number;
  takeover_time?: number;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

export class FakeContacts {
  readonly contacts = new Map<string, FakeContact>();
  readonly members = new Set<string>();
  readonly welcomes = new Map<string, FakeWelcome>();
  readonly msgTemplates = new Map<string, FakeMsgTemplate>();
  readonly transfers: FakeTransfer[] = [];

  constructor(
    private readonly now: () => number,
    private readonly tags: FakeCorpTags,
  ) {}

  add(seed: FakeContactSeed): FakeContact {
    const contact: FakeContact = {
      external_userid: seed.external_userid ?? `wm${randomBytes(12).toString('base64url')}`,
      name: seed.name,
      type: seed.type ?? 1,
      gender: seed.gender ?? 0,
      unionid: seed.unionid,
      avatar: seed.avatar,
      corp_name: seed.corp_name,
      follows: new Map(),
    };
    this.contacts.set(contact.external_userid, contact);
    for (const f of seed.follow_user ?? []) {
      this.members.add(f.userid);
      contact.follows.set(f.userid, {
        userid: f.userid,
        remark: f.remark ?? '',
        description: f.description ?? '',
        createtime: f.createtime ?? seconds(this.now()),
        tags: new Set(f.tags ?? []),
        remark_mobiles: f.remark_mobiles ?? [],
        add_way: f.add_way ?? 1,
        state: f.state,
        oper_userid: f.userid,
      });
    }
    return contact;
  }

  /** A welcome code for the add event of `externalUserid` by `userid`, as the callback carries it. */
  issueWelcomeCode(userid: string, externalUserid: string): string {
    const code = randomBytes(24).toString('base64url');
    this.welcomes.set(code, { welcome_code: code, userid, external_userid: externalUserid, issuedAt: this.now() });
    return code;
  }

  private contact(externalUserid: string): FakeContact {
    const contact = this.contacts.get(externalUserid);
    if (!contact) throw new FakeWecomError(INVALID_EXTERNAL_USERID, 'invalid external userid');
    return contact;
  }

  private follow(contact: FakeContact, userid: string): FakeFollow {
    const follow = contact.follows.get(userid);
    if (!follow) throw new FakeWecomError(NOT_A_FRIEND, 'external contact relationship not exists');
    return follow;
  }

  private static view(c: FakeContact) {
    const { follows: _follows, ...contact } = c;
    return Object.fromEntries(Object.entries(contact).filter(([, v]) => v !== undefined));
  }

  private followView(f: FakeFollow) {
    const { tags, state, ...rest } = f;
    const tagViews = [...tags].map((id) => {
      const found = this.tags.find(id);
      return { group_name: found?.group.group_name ?? '', tag_name: found?.tag.name ?? '', tag_id: id, type: 1 };
    });
    return { ...rest, tags: tagViews, ...(state !== undefined ? { state } : {}) };
  }

  get(query: Record<string, string>) {
    const contact = this.contact(query.external_userid ?? '');
    if (contact.follows.size === 0) throw new FakeWecomError(NOT_A_FRIEND, 'external contact relationship not exists');
    return { external_contact: FakeContacts.view(contact), follow_user: [...contact.follows.values()].map((f) => this.followView(f)) };
  }

  batchGetByUser(body: Body) {
    const userids = strings(body, 'userid_list');
    const limit = optNumber(body, 'limit') ?? 50;
    if (userids.length === 0 || userids.length > 100 || limit < 1 || limit > 100) throw new FakeWecomError(INVALID_PARAMETER, 'invalid userid_list or limit');
    const rows = [...this.contacts.values()].flatMap((c) =>
      [...c.follows.values()].filter((f) => userids.includes(f.userid)).map((f) => ({ c, f })),
    );
    const { items, next_cursor } = page(rows, optString(body, 'cursor'), limit);
    return {
      external_contact_list: items.map(({ c, f }) => {
        const { tags, state, ...follow } = f;
        return { external_contact: FakeContacts.view(c), follow_info: { ...follow, tag_id: [...tags], ...(state !== undefined ? { state } : {}) } };
      }),
      next_cursor,
    };
  }

  /** Single use, within 20 s: a second send or a late one is 41051, as WeCom answers. */
  sendWelcomeMsg(body: Body) {
    const welcome = this.welcomes.get(reqString(body, 'welcome_code'));
    if (!body.text && !body.attachments) throw new FakeWecomError(INVALID_PARAMETER, 'text or attachments missing');
    if (!welcome || welcome.sent || this.now() - welcome.issuedAt > WELCOME_CODE_SECONDS * 1000) {
      throw new FakeWecomError(WELCOME_CODE_USED, 'welcome code is used or expired');
    }
    welcome.sent = body;
    return {};
  }

  markTag(body: Body) {
    const follow = this.follow(this.contact(reqString(body, 'external_userid')), reqString(body, 'userid'));
    const add = strings(body, 'add_tag');
    const remove = strings(body, 'remove_tag');
    if (add.length + remove.length === 0) throw new FakeWecomError(INVALID_PARAMETER, 'add_tag and remove_tag missing');
    for (const id of [...add, ...remove]) if (!this.tags.find(id)) throw new FakeWecomError(INVALID_TAG_ID, 'invalid tag id');
    for (const id of add) follow.tags.add(id);
    for (const id of remove) follow.tags.delete(id);
    return {};
  }

  /** Customers not friends of the sender (or of anyone) go to fail_list; the rest wait for the member. */
  addMsgTemplate(body: Body) {
    const sender = optString(body, 'sender');
    const targets = strings(body, 'external_userid');
    if (!body.text && !body.attachments) throw new FakeWecomError(INVALID_PARAMETER, 'text or attachments missing');
    if (!sender && targets.length === 0) throw new FakeWecomError(INVALID_PARAMETER, 'sender or external_userid missing');
    const fail_list: string[] = [];
    const send_list: FakeMsgTemplate['send_list'] = [];
    for (const id of targets) {
      const follows = [...(this.contacts.get(id)?.follows.values() ?? [])].filter((f) => !sender || f.userid === sender);
      if (follows.length === 0) fail_list.push(id);
      for (const f of follows) send_list.push({ external_userid: id, userid: f.userid, status: 0 });
    }
    const msgid = fakeId('msg');
    this.msgTemplates.set(msgid, { msgid, body, send_list });
    return { fail_list, msgid };
  }

  /** Fake-side: the member `userid` confirms sending `msgid` in WeCom. */
  confirmMsgTemplate(msgid: string, userid: string): void {
    for (const row of this.msgTemplates.get(msgid)?.send_list ?? []) {
      if (row.userid === userid && row.status === 0) Object.assign(row, { status: 1, send_time: seconds(this.now()) });
    }
  }

  groupmsgSendResult(body: Body) {
    const template = this.msgTemplates.get(reqString(body, 'msgid'));
    if (!template) throw new FakeWecomError(INVALID_PARAMETER, 'invalid msgid');
    const userid = reqString(body, 'userid');
    const rows = template.send_list.filter((r) => r.userid === userid);
    const { items, next_cursor } = page(rows, optString(body, 'cursor'), Math.min(optNumber(body, 'limit') ?? 500, 1000));
    return { send_list: items, ...(next_cursor ? { next_cursor } : {}) };
  }

  transferCustomer(body: Body, resigned: boolean) {
    const handover = reqString(body, 'handover_userid');
    const takeover = reqString(body, 'takeover_userid');
    if (!this.members.has(takeover)) throw new FakeWecomError(UNKNOWN_USERID, 'userid not found');
    const ids = strings(body, 'external_userid');
    if (ids.length === 0 || ids.length > 100) throw new FakeWecomError(INVALID_PARAMETER, 'invalid external_userid list');
    const customer = ids.map((id) => {
      if (!this.contacts.get(id)?.follows.has(handover)) return { external_userid: id, errcode: NOT_A_FRIEND };
      this.transfers.push({ handover_userid: handover, takeover_userid: takeover, external_userid: id, resigned, status: 2 });
      return { external_userid: id, errcode: 0 };
    });
    return { customer };
  }

  /**
   * Fake-side: the waiting transfers end, as WeCom does after 24 hours: the customers in `refused`
   * refuse (3); the others move to the taker with the same remark and tags (1).
   */
  settleTransfers(refused: string[] = []): void {
    for (const t of this.transfers.filter((x) => x.status === 2)) {
      if (refused.includes(t.external_userid)) {
        t.status = 3;
        continue;
      }
      const contact = this.contacts.get(t.external_userid);
      const from = contact?.follows.get(t.handover_userid);
      if (contact && from) {
        contact.follows.delete(t.handover_userid);
        contact.follows.set(t.takeover_userid, { ...from, userid: t.takeover_userid, oper_userid: t.takeover_userid, tags: new Set(from.tags) });
      }
      Object.assign(t, { status: 1, takeover_time: seconds(this.now()) });
    }
  }

  transferResult(body: Body, resigned: boolean) {
    const handover = reqString(body, 'handover_userid');
    const takeover = reqString(body, 'takeover_userid');
    const rows = this.transfers.filter((t) => t.resigned === resigned && t.handover_userid === handover && t.takeover_userid === takeover);
    const { items, next_cursor } = page(rows, optString(body, 'cursor'), 1000);
    return {
      customer: items.map((t) => ({ external_userid: t.external_userid, status: t.status, ...(t.takeover_time !== undefined ? { takeover_time: t.takeover_time } : {}) })),
      ...(next_cursor ? { next_cursor } : {}),
    };
  }
}
