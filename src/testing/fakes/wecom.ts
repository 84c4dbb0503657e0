import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { toBuffer } from 'qrcode';
import { FakeWecomError, INVALID_PARAMETER, isBody, type Body } from './wecom-body.js';
import { FakeContacts, type FakeContact, type FakeContactSeed } from './wecom-contacts.js';
import { FakeContactWays, FakeCorpTags, FakeGroupChats, fakeId, type FakeGroupChat, type FakeTagGroup } from './wecom-corp.js';
import { FakeOAuth, type FakeVisitor } from './wecom-oauth.js';

/**
 * A local stand-in for WeCom's server API (qyapi.weixin.qq.com) following its documented contracts.
 * Every answer is HTTP 200 with JSON, errors as a non-zero errcode, as WeCom's; unknown paths answer
 * 404 (WeCom's would not exist either).
 *
 * - 获取access_token: `GET /cgi-bin/gettoken?corpid=…&corpsecret=…` → `{ errcode: 0, errmsg: "ok",
 *   access_token, expires_in: 7200 }`, or 41002 without corpid, 41004 without corpsecret, 40013 for an
 *   unknown corp id, 40001 for a secret the corp does not have.
 * - Every other call needs `?access_token=`: 41001 without it, 40014 for a token the fake never handed
 *   out or invalidated (`invalidateTokens`), 42001 for an expired one (its lifetime, or `expireTokens`).
 * - `failNext(errcode, n)` answers the next n calls (not gettoken) with that errcode, e.g. 45009.
 * - 客户联系: externalcontact/get, batch/get_by_user, add/update/del_contact_way, send_welcome_msg
 *   (single use within 20 s, else 41051), get/add/edit/del_corp_tag, mark_tag, add_msg_template,
 *   get_groupmsg_send_result, transfer_customer / transfer_result and their resigned/ twins,
 *   groupchat/list and groupchat/get; and `GET /cgi-bin/ticket/get?type=agent_config`.
 * - A contact way's `qr_code` address answers a PNG (`GET /fake-qr/<config_id>.png`), as WeCom's
 *   image host does; the fake's code encodes `fake-wecom-contact-way:<config_id>`.
 * - The web sign-in (wecom-oauth.ts): the authorize page `GET /connect/oauth2/authorize` (302 back to
 *   redirect_uri with a code for whoever `signIn` names) and `GET /cgi-bin/auth/getuserinfo`.
 * State is in memory; tests seed it through the fake-side methods (addExternalContact, …).
 */

export const FAKE_WECOM_ERRCODES = {
  invalidSecret: 40001,
  invalidCorpId: 40013,
  invalidToken: 40014,
  missingToken: 41001,
  missingCorpId: 41002,
  missingSecret: 41004,
  expiredToken: 42001,
  untrustedIp: 60020,
} as const;

export interface FakeWecomRequest {
  path: string;
  query: Record<string, string>;
  /** The JSON body of a POST. */
  body?: unknown;
}

/** How long a token lives, in seconds (WeCom documents 7200). */
export const FAKE_TOKEN_SECONDS = 7200;

type Handler = (body: Body, query: Record<string, string>) => Body;

export type FakeWecom = Awaited<ReturnType<typeof startFakeWecom>>;

function send(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * A fake WeCom that knows one corp and the secrets of its apps. `now` (ms) drives token expiry and
 * welcome codes' 20 s window; `tokenSeconds` is the tokens' lifetime.
 */
export async function startFakeWecom(options: { corpId: string; secrets: string[]; now?: () => number; tokenSeconds?: number }) {
  const now = options.now ?? Date.now;
  const tokenSeconds = options.tokenSeconds ?? FAKE_TOKEN_SECONDS;
  const secrets = new Set(options.secrets);
  const requests: FakeWecomRequest[] = [];
  const tokens: string[] = [];
  /** token → when it expires (ms), or 'invalid'. */
  const tokenState = new Map<string, number | 'invalid'>();
  let refusingIp = false;
  let failing: { errcode: number; remaining: number } | null = null;
  let url = '';

  const tags = new FakeCorpTags(now);
  const contacts = new FakeContacts(now, tags);
  const ways = new FakeContactWays(() => url);
  const chats = new FakeGroupChats();
  const ticket = { value: randomBytes(24).toString('base64url') };
  const oauth = new FakeOAuth(now, options.corpId);

  const routes: Record<string, Handler> = {
    'GET /cgi-bin/externalcontact/get': (_b, q) => contacts.get(q),
    'POST /cgi-bin/externalcontact/batch/get_by_user': (b) => contacts.batchGetByUser(b),
    'POST /cgi-bin/externalcontact/add_contact_way': (b) => ways.add(b),
    'POST /cgi-bin/externalcontact/update_contact_way': (b) => ways.update(b),
    'POST /cgi-bin/externalcontact/del_contact_way': (b) => ways.del(b),
    'POST /cgi-bin/externalcontact/send_welcome_msg': (b) => contacts.sendWelcomeMsg(b),
    'POST /cgi-bin/externalcontact/get_corp_tag_list': (b) => tags.list(b),
    'POST /cgi-bin/externalcontact/add_corp_tag': (b) => tags.add(b),
    'POST /cgi-bin/externalcontact/edit_corp_tag': (b) => tags.edit(b),
    'POST /cgi-bin/externalcontact/del_corp_tag': (b) => tags.del(b),
    'POST /cgi-bin/externalcontact/mark_tag': (b) => contacts.markTag(b),
    'POST /cgi-bin/externalcontact/add_msg_template': (b) => contacts.addMsgTemplate(b),
    'POST /cgi-bin/externalcontact/get_groupmsg_send_result': (b) => contacts.groupmsgSendResult(b),
    'POST /cgi-bin/externalcontact/transfer_customer': (b) => contacts.transferCustomer(b, false),
    'POST /cgi-bin/externalcontact/transfer_result': (b) => contacts.transferResult(b, false),
    'POST /cgi-bin/externalcontact/resigned/transfer_customer': (b) => contacts.transferCustomer(b, true),
    'POST /cgi-bin/externalcontact/resigned/transfer_result': (b) => contacts.transferResult(b, true),
    'POST /cgi-bin/externalcontact/groupchat/list': (b) => chats.list(b),
    'POST /cgi-bin/externalcontact/groupchat/get': (b) => chats.get(b),
    'GET /cgi-bin/auth/getuserinfo': (_b, q) => oauth.getUserInfo(q),
    'GET /cgi-bin/ticket/get': (_b, q) => {
      if (q.type !== 'agent_config') throw new FakeWecomError(INVALID_PARAMETER, 'invalid type');
      return { ticket: ticket.value, expires_in: 7200 };
    },
  };

  const gettoken = (query: URLSearchParams): Body => {
    const corpId = query.get('corpid');
    const secret = query.get('corpsecret');
    if (!corpId) throw new FakeWecomError(FAKE_WECOM_ERRCODES.missingCorpId, 'corpid missing');
    if (!secret) throw new FakeWecomError(FAKE_WECOM_ERRCODES.missingSecret, 'secret missing');
    if (corpId !== options.corpId) throw new FakeWecomError(FAKE_WECOM_ERRCODES.invalidCorpId, 'invalid corpid');
    if (!secrets.has(secret)) throw new FakeWecomError(FAKE_WECOM_ERRCODES.invalidSecret, 'invalid credential');
    const token = randomBytes(48).toString('base64url');
    tokens.push(token);
    tokenState.set(token, now() + tokenSeconds * 1000);
    return { access_token: token, expires_in: tokenSeconds };
  };

  const checkToken = (token: string | null) => {
    if (!token) throw new FakeWecomError(FAKE_WECOM_ERRCODES.missingToken, 'access_token missing');
    const state = tokenState.get(token);
    if (state === undefined || state === 'invalid') throw new FakeWecomError(FAKE_WECOM_ERRCODES.invalidToken, 'invalid access_token');
    if (state <= now()) throw new FakeWecomError(FAKE_WECOM_ERRCODES.expiredToken, 'access_token expired');
  };

  const answer = (method: string, path: string, query: URLSearchParams, body: unknown): Body | null => {
    if (refusingIp) throw new FakeWecomError(FAKE_WECOM_ERRCODES.untrustedIp, 'not allow to access from your ip');
    if (method === 'GET' && path === '/cgi-bin/gettoken') return gettoken(query);
    const route = routes[`${method} ${path}`];
    if (!route) return null;
    checkToken(query.get('access_token'));
    if (failing && failing.remaining > 0) {
      failing.remaining -= 1;
      throw new FakeWecomError(failing.errcode, 'api freq out of limit');
    }
    if (!isBody(body)) throw new FakeWecomError(40016, 'invalid json: Warning: wrong json format.');
    return route(body, Object.fromEntries(query));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const parsed = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const body = method === 'POST' ? await readJson(req) : {};
    requests.push({ path: parsed.pathname, query: Object.fromEntries(parsed.searchParams), ...(method === 'POST' ? { body } : {}) });
    if (method === 'GET' && parsed.pathname === '/connect/oauth2/authorize') {
      const page = oauth.authorize(parsed.searchParams);
      if ('location' in page) res.writeHead(302, { location: page.location }).end();
      else res.writeHead(400, { 'content-type': 'text/plain; charset=UTF-8' }).end(page.error);
      return;
    }
    const qr = method === 'GET' ? /^\/fake-qr\/([0-9a-f]+)\.png$/.exec(parsed.pathname) : null;
    if (qr?.[1]) {
      if (!ways.ways.has(qr[1])) res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      else res.writeHead(200, { 'content-type': 'image/png' }).end(await toBuffer(`fake-wecom-contact-way:${qr[1]}`, { width: 258, margin: 1 }));
      return;
    }
    const hint = randomBytes(8).toString('hex');
    try {
      const result = answer(method, parsed.pathname, parsed.searchParams, body);
      if (result === null) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('Not Found');
        return;
      }
      send(res, { errcode: 0, errmsg: 'ok', ...result });
    } catch (err) {
      if (!(err instanceof FakeWecomError)) throw err;
      send(res, { errcode: err.errcode, errmsg: `${err.errmsg}, hint: [${hint}], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e=${err.errcode}` });
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('fake WeCom failed');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the fake WeCom did not get a TCP port');
  url = `http://127.0.0.1:${address.port}`;

  return {
    /** The apiBaseUrl to configure (`http://127.0.0.1:<port>`). */
    url,
    /** Every request received, in order. */
    requests,
    /** Access tokens handed out, newest last. */
    tokens,
    /** The state behind the calls, for seeding and for assertions. */
    state: { contacts, tags, contactWays: ways.ways, groupChats: chats.chats },
    /** The app's current jsapi_ticket. */
    jsapiTicket: () => ticket.value,
    /**
     * Answer every call with 60020 (the caller's IP is not in the app's 企业可信IP) while `on`, as
     * WeCom does for a corp created since late 2022 whose app lists no trusted IP.
     */
    refuseIp(on: boolean) {
      refusingIp = on;
    },
    /** Every token handed out so far expires now: their next use answers 42001. */
    expireTokens() {
      for (const [token, state] of tokenState) if (state !== 'invalid') tokenState.set(token, now());
    },
    /** Every token handed out so far becomes invalid: their next use answers 40014. */
    invalidateTokens() {
      for (const token of tokenState.keys()) tokenState.set(token, 'invalid');
    },
    /** The next `count` calls with a valid token (not gettoken) answer `errcode` (e.g. 45009, -1). */
    failNext(errcode: number, count: number) {
      failing = { errcode, remaining: count };
    },
    /**
     * Who is using WeCom when the authorize page opens: a member (`{ userid }`), someone outside the
     * corp (`{ openid }`), or nobody (null: the page refuses).
     */
    signIn(visitor: FakeVisitor | null) {
      oauth.visitor = visitor;
    },
    /** A sign-in code for a member or an outsider, as the authorize page hands out: once, within 5 minutes. */
    issueOAuthCode: (visitor: FakeVisitor): string => oauth.issueCode(visitor),
    /** Adds a trusted domain (可信域名, host[:port]) of the app: redirect_uri must then be on one of them. */
    trustDomain(host: string) {
      oauth.trustedDomains.add(host);
    },
    /** Seeds a customer and the members who have added them (as after an add_external_contact). */
    addExternalContact: (seed: FakeContactSeed): FakeContact => contacts.add(seed),
    /** Seeds a corp tag group with tags (as an admin does in WeCom's console). */
    addTagGroup: (groupName: string, tagNames: string[]): FakeTagGroup => tags.addGroup(groupName, tagNames),
    /** A welcome code for the member's add event of the customer, valid once for 20 s. */
    issueWelcomeCode: (userid: string, externalUserid: string) => contacts.issueWelcomeCode(userid, externalUserid),
    /** The member sends their part of a mass message (send status 0 → 1). */
    confirmMsgTemplate: (msgid: string, userid: string) => contacts.confirmMsgTemplate(msgid, userid),
    /** Waiting transfers end: refused by the customers listed, taken over otherwise. */
    settleTransfers: (refused?: string[]) => contacts.settleTransfers(refused),
    /** Seeds a customer group chat. */
    addGroupChat(chat: Omit<FakeGroupChat, 'chat_id' | 'status' | 'admin_list'> & Partial<Pick<FakeGroupChat, 'chat_id' | 'status' | 'admin_list'>>): FakeGroupChat {
      const full: FakeGroupChat = { ...chat, chat_id: chat.chat_id ?? fakeId('wr'), status: chat.status ?? 0, admin_list: chat.admin_list ?? [] };
      chats.chats.push(full);
      return full;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
