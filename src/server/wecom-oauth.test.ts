import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearWecomTokenCache, resetWecomRateLimits, wecomAuthorizeBaseUrl, wecomAuthorizeUrl } from '../modules/wecom/index.js';
import { ManualClock } from '../platform/clock.js';
import { json, useAppFixture } from '../testing/app.js';
import { testEngines } from '../testing/engines.js';
import { FAKE_OAUTH_CODE_SECONDS } from '../testing/fakes/wecom-oauth.js';
import { startFakeWecom, type FakeWecom } from '../testing/fakes/wecom.js';
import { adminRequest } from '../testing/identity.js';
import { TEST_PASSWORD } from '../testing/org.js';
import { WECOM_SIGN_IN_COOKIE } from './routes/wecom-sign-in.js';

/**
 * Signing in to the consultant sidebar from inside WeCom (网页授权登录): the start's redirect to
 * WeCom's authorize page, the fake WeCom's authorize page sending the browser back with a code, the
 * callback's session cookie; and every refusal, none of which leaves a session behind.
 */

const NOW = new Date('2026-03-10T02:00:00Z');
const CORP_ID = 'ww0123456789abcdef';
const SECRET = 'Sx9-appSecret_0123456789abcdefghijABCDEFGHIJ';
const CONNECTOR = { corpId: CORP_ID, agentId: '1000002', secret: SECRET, token: 'Tk8sYQwq3Lm', encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };
/** Where app.inject's requests arrive (Host: localhost:80): the host WeCom sends the browser back to. */
const SIYU_HOST = 'localhost';
const CALLBACK_URL = `http://${SIYU_HOST}/api/v1/auth/wecom/callback`;

type Body = Record<string, unknown>;
const rec = (v: unknown): Body => (typeof v === 'object' && v !== null && !Array.isArray(v) ? { ...v } : {});
const errorOf = (res: LightMyRequestResponse) => rec(rec(json(res)).error);
const cookie = (res: LightMyRequestResponse, name: string) => res.cookies.find((c) => c.name === name);

/** The path and query of an absolute URL of this server, as app.inject takes it. */
const local = (url: string) => {
  const u = new URL(url);
  expect(u.host).toBe(SIYU_HOST);
  return `${u.pathname}${u.search}`;
};

describe('the authorize URL (pure)', () => {
  it("is WeCom's documented URL, its parameters in order, on open.weixin.qq.com for WeCom's API host", () => {
    expect(wecomAuthorizeBaseUrl('https://qyapi.weixin.qq.com')).toBe('https://open.weixin.qq.com');
    expect(wecomAuthorizeBaseUrl('https://qyapi.weixin.qq.com/')).toBe('https://open.weixin.qq.com');
    expect(wecomAuthorizeBaseUrl('http://127.0.0.1:4567')).toBe('http://127.0.0.1:4567');
    expect(wecomAuthorizeUrl({ baseUrl: 'https://open.weixin.qq.com', corpId: CORP_ID, agentId: '1000002', redirectUri: 'https://siyu.example.com/api/v1/auth/wecom/callback', state: 'ab12' })).toBe(
      'https://open.weixin.qq.com/connect/oauth2/authorize?appid=ww0123456789abcdef&redirect_uri=https%3A%2F%2Fsiyu.example.com%2Fapi%2Fv1%2Fauth%2Fwecom%2Fcallback' +
        '&response_type=code&scope=snsapi_base&state=ab12&agentid=1000002#wechat_redirect',
    );
  });
});

describe.each(testEngines)('signing in to the sidebar from inside WeCom on %s', (engine) => {
  const clock = new ManualClock(NOW);
  const fx = useAppFixture(engine, { clock, secretKey: randomBytes(32) });
  let fake: FakeWecom;
  let connectorId: string;
  /** Consultant 王一 (WeCom user wa1) and 王二 (wa2), of one dealer. */
  let staff: { a1: string; a2: string };

  beforeEach(async () => {
    clock.set(NOW);
    clearWecomTokenCache();
    resetWecomRateLimits();
    fake = await startFakeWecom({ corpId: CORP_ID, secrets: [SECRET], now: () => clock.now().getTime() });
    fake.trustDomain(SIYU_HOST);
    const suffix = fx.tenant.tenantId.slice(0, 8);
    const call = async (url: string, body: unknown) => {
      const res = await adminRequest(fx.app, fx.tenant, 'POST', url, body);
      expect(res.statusCode, res.body).toBeLessThan(300);
      return rec(json(res));
    };
    await call('/api/v1/org-units', { code: `HQ-${suffix}`, name: '总部', type: 'hq' });
    await call('/api/v1/org-units', { code: 'SH001', name: '上海浦东4S店', type: 'dealer', parentCode: `HQ-${suffix}` });
    const consultant = (name: string, wecomUserId: string) =>
      call('/api/v1/staff', { username: `${wecomUserId}-${suffix}`, password: TEST_PASSWORD, name, role: 'consultant', orgUnitCode: 'SH001', wecomUserId });
    staff = { a1: String((await consultant('王一', 'wa1')).id), a2: String((await consultant('王二', 'wa2')).id) };
    connectorId = String((await call('/api/v1/connectors/wecom', { ...CONNECTOR, apiBaseUrl: fake.url })).id);
  });
  afterEach(() => fake.close());

  const start = (query: Record<string, string>) => fx.app.inject({ method: 'GET', url: `/api/v1/auth/wecom/start?${new URLSearchParams(query).toString()}` });

  /** The start as the browser does it: the authorize URL and the sign-in cookie's value. */
  async function started(next?: string): Promise<{ authorizeUrl: string; flow: string; state: string }> {
    const res = await start({ connectorId, ...(next === undefined ? {} : { next }) });
    expect(res.statusCode, res.body).toBe(302);
    const authorizeUrl = String(res.headers.location);
    const flow = cookie(res, WECOM_SIGN_IN_COOKIE)?.value;
    if (!flow) throw new Error('no sign-in cookie');
    return { authorizeUrl, flow, state: new URL(authorizeUrl).searchParams.get('state') ?? '' };
  }

  /** The fake WeCom's authorize page, as WeCom's browser opens it: the URL it sends the browser on to. */
  async function authorize(url: string): Promise<string> {
    const res = await fetch(url, { redirect: 'manual' });
    const location = res.headers.get('location');
    if (res.status !== 302 || !location) throw new Error(`the authorize page answered ${res.status}: ${await res.text()}`);
    return location;
  }

  const callback = (url: string, flow?: string) => fx.app.inject({ method: 'GET', url, ...(flow === undefined ? {} : { cookies: { [WECOM_SIGN_IN_COOKIE]: flow } }) });
  const callbackWith = (code: string, state: string, flow?: string) => callback(`/api/v1/auth/wecom/callback?${new URLSearchParams({ code, state }).toString()}`, flow);

  /** A refusal: its status and code, no session cookie, and the sign-in cookie dropped. */
  function expectRefused(res: LightMyRequestResponse, status: number, code: string): Body {
    expect(res.statusCode, res.body).toBe(status);
    const error = errorOf(res);
    expect(error.code).toBe(code);
    expect(cookie(res, 'siyu_session')).toBeUndefined();
    expect(cookie(res, 'siyu_csrf')).toBeUndefined();
    expect(cookie(res, WECOM_SIGN_IN_COOKIE)).toMatchObject({ value: '', maxAge: 0 });
    return error;
  }

  const me = (session: string) => fx.app.inject({ method: 'GET', url: '/api/v1/auth/me', cookies: { siyu_session: session } });

  it('start → WeCom → callback signs the consultant in with the console session cookie and opens the sidebar', async () => {
    const res = await start({ connectorId });
    expect(res.statusCode, res.body).toBe(302);
    const location = String(res.headers.location);
    const prefix = `${fake.url}/connect/oauth2/authorize?appid=${CORP_ID}&redirect_uri=${encodeURIComponent(CALLBACK_URL)}&response_type=code&scope=snsapi_base&state=`;
    expect(location.startsWith(prefix), location).toBe(true);
    expect(location.slice(prefix.length)).toMatch(/^[0-9a-f]{64}&agentid=1000002#wechat_redirect$/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(cookie(res, WECOM_SIGN_IN_COOKIE)).toMatchObject({ path: '/api/v1/auth/wecom', httpOnly: true, sameSite: 'Lax', maxAge: 600 });
    expect(cookie(res, 'siyu_session')).toBeUndefined();

    fake.signIn({ userid: 'wa1' });
    const back = await authorize(location);
    expect(back.startsWith(`${CALLBACK_URL}?code=`)).toBe(true);
    const signedIn = await callback(local(back), cookie(res, WECOM_SIGN_IN_COOKIE)?.value);
    expect(signedIn.statusCode, signedIn.body).toBe(302);
    expect(signedIn.headers.location).toBe('/sidebar');
    const session = cookie(signedIn, 'siyu_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/', maxAge: 12 * 3600 });
    expect(session?.value).toMatch(/^st_/);
    expect(cookie(signedIn, 'siyu_csrf')).toMatchObject({ sameSite: 'Strict', maxAge: 12 * 3600 });
    expect(cookie(signedIn, WECOM_SIGN_IN_COOKIE)).toMatchObject({ value: '', maxAge: 0, path: '/api/v1/auth/wecom' });
    // WeCom was asked who the code belongs to, with the app's access token.
    const asked = fake.requests.find((r) => r.path === '/cgi-bin/auth/getuserinfo');
    expect(asked?.query).toEqual({ code: new URL(back).searchParams.get('code'), access_token: fake.tokens.at(-1) });

    const who = await me(session?.value ?? '');
    expect(who.statusCode, who.body).toBe(200);
    expect(rec(json(who))).toMatchObject({ kind: 'staff', role: 'consultant', staff: { id: staff.a1, wecomUserId: 'wa1', name: '王一' } });
    // The same audit as a password login, saying how.
    const audit = rec(json(await adminRequest(fx.app, fx.tenant, 'GET', '/api/v1/audit-log?action=auth.login')));
    const entries = Array.isArray(audit.data) ? audit.data.map(rec) : [];
    expect(entries.find((e) => e.targetId === staff.a1)?.details).toMatchObject({ method: 'wecom', wecomUserId: 'wa1', connectorId, corpId: CORP_ID, sessionId: expect.any(String) });
    const row = rec(json(await adminRequest(fx.app, fx.tenant, 'GET', `/api/v1/staff/${staff.a1}`)));
    expect(row.lastLoginAt).toBe(NOW.toISOString());
  });

  it('opens the page named by next, and keeps its query', async () => {
    fake.signIn({ userid: 'wa2' });
    const flow = await started('/sidebar?tab=leads&x=%2F');
    const res = await callback(local(await authorize(flow.authorizeUrl)), flow.flow);
    expect(res.statusCode, res.body).toBe(302);
    expect(res.headers.location).toBe('/sidebar?tab=leads&x=%2F');
    expect(rec(rec(json(await me(cookie(res, 'siyu_session')?.value ?? ''))).staff).id).toBe(staff.a2);
  });

  it('refuses a next that is not a path of this site, and sets no cookie', async () => {
    for (const next of ['//evil.example.com/x', 'https://evil.example.com/', '/\\evil.example.com', 'sidebar', '/side bar', 'javascript:alert(1)', `/${'a'.repeat(1000)}`]) {
      const res = await start({ connectorId, next });
      expect(res.statusCode, `${next}: ${res.body}`).toBe(400);
      expect(errorOf(res).code).toBe('invalid_request');
      expect(res.cookies).toEqual([]);
    }
  });

  it('answers 404 for a connector that does not exist, and 400 for a connectorId that is no UUID', async () => {
    const unknown = await start({ connectorId: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.statusCode, unknown.body).toBe(404);
    expect(String(errorOf(unknown).message)).toContain('connectorId');
    expect((await start({ connectorId: 'not-a-uuid' })).statusCode).toBe(400);
    expect((await fx.app.inject({ method: 'GET', url: '/api/v1/auth/wecom/start' })).statusCode).toBe(400);
  });

  it('refuses a changed state, a missing sign-in cookie, another sign-in’s cookie and an expired sign-in, before asking WeCom', async () => {
    fake.signIn({ userid: 'wa1' });
    const flow = await started();
    const back = new URL(await authorize(flow.authorizeUrl));
    const code = back.searchParams.get('code') ?? '';
    const flipped = `${flow.state.slice(0, -1)}${flow.state.endsWith('0') ? '1' : '0'}`;

    expect(String(expectRefused(await callbackWith(code, flipped, flow.flow), 400, 'sign_in_state_invalid').message)).toContain('not the one of the sign-in started in this browser');
    expect(String(expectRefused(await callbackWith(code, flow.state), 400, 'sign_in_state_invalid').message)).toContain('cookie is missing');
    const other = await started();
    expectRefused(await callbackWith(code, flow.state, other.flow), 400, 'sign_in_state_invalid');
    // A changed payload in the cookie no longer matches the state either.
    const [payload = '', nonce = ''] = flow.flow.split('.');
    const forged = Buffer.from(JSON.stringify({ ...rec(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))), n: '/elsewhere' })).toString('base64url');
    expectRefused(await callbackWith(code, flow.state, `${forged}.${nonce}`), 400, 'sign_in_state_invalid');
    expectRefused(await callbackWith(code, flow.state, 'garbage'), 400, 'sign_in_state_invalid');
    expect(fake.requests.filter((r) => r.path === '/cgi-bin/auth/getuserinfo')).toEqual([]);

    clock.advance(10 * 60_000 + 1);
    expect(String(expectRefused(await callbackWith(code, flow.state, flow.flow), 400, 'sign_in_state_invalid').message)).toContain('longer than 10 minutes');
    const missing = await fx.app.inject({ method: 'GET', url: `/api/v1/auth/wecom/callback?state=${flow.state}` });
    expect(missing.statusCode).toBe(400);
    expect(cookie(missing, 'siyu_session')).toBeUndefined();
  });

  it('refuses a code used once already and one older than 5 minutes (WeCom 40029)', async () => {
    fake.signIn({ userid: 'wa1' });
    const first = await started();
    const back = await authorize(first.authorizeUrl);
    expect((await callback(local(back), first.flow)).statusCode).toBe(302);
    const code = new URL(back).searchParams.get('code') ?? '';
    // The same code replayed within a new sign-in of this browser.
    const again = await started();
    const error = expectRefused(await callbackWith(code, again.state, again.flow), 400, 'sign_in_code_invalid');
    expect(String(error.message)).toContain('valid once and for 5 minutes');
    expect(rec(error.details)).toMatchObject({ wecomErrcode: 40029 });

    const late = await started();
    const lateBack = new URL(await authorize(late.authorizeUrl));
    clock.advance(FAKE_OAUTH_CODE_SECONDS * 1000);
    expectRefused(await callback(`${lateBack.pathname}${lateBack.search}`, late.flow), 400, 'sign_in_code_invalid');
  });

  it('refuses a WeCom member bound to no staff member, and audits the attempt', async () => {
    fake.signIn({ userid: 'zhangsan' });
    const flow = await started();
    const error = expectRefused(await callback(local(await authorize(flow.authorizeUrl)), flow.flow), 403, 'wecom_member_not_linked');
    expect(String(error.message)).toContain('WeCom member zhangsan is not linked to an active Siyu staff account');
    const audit = rec(json(await adminRequest(fx.app, fx.tenant, 'GET', '/api/v1/audit-log?action=auth.login_failed')));
    expect(Array.isArray(audit.data) ? audit.data.map(rec) : []).toEqual([
      expect.objectContaining({ actor: 'wecom:zhangsan', targetType: 'wecom_user', targetId: 'zhangsan', details: expect.objectContaining({ reason: 'not_linked', method: 'wecom', connectorId }) }),
    ]);
  });

  it('refuses someone who is not a member of the corp (WeCom answers an openid)', async () => {
    fake.signIn({ openid: 'oAbCdEf0123456789' });
    const flow = await started();
    const error = expectRefused(await callback(local(await authorize(flow.authorizeUrl)), flow.flow), 403, 'wecom_not_member');
    expect(String(error.message)).toContain(`not a member of corp ${CORP_ID}`);
  });

  it('refuses a deactivated staff member', async () => {
    const off = await adminRequest(fx.app, fx.tenant, 'PUT', `/api/v1/staff/${staff.a1}`, { active: false });
    expect(off.statusCode, off.body).toBe(200);
    fake.signIn({ userid: 'wa1' });
    const flow = await started();
    expectRefused(await callback(local(await authorize(flow.authorizeUrl)), flow.flow), 403, 'wecom_member_not_linked');
    const audit = rec(json(await adminRequest(fx.app, fx.tenant, 'GET', '/api/v1/audit-log?action=auth.login_failed')));
    expect(Array.isArray(audit.data) ? audit.data.map(rec) : []).toEqual([expect.objectContaining({ targetType: 'staff', targetId: staff.a1, details: expect.objectContaining({ reason: 'inactive' }) })]);
  });

  it('signs in a consultant whose password is locked after wrong guesses, and leaves the lock in place', async () => {
    const username = `wa1-${fx.tenant.tenantId.slice(0, 8)}`;
    for (let i = 0; i < 5; i++) await fx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: 'wrong-password-1' } });
    const locked = await fx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: TEST_PASSWORD } });
    expect(locked.statusCode).toBe(423);
    fake.signIn({ userid: 'wa1' });
    const flow = await started();
    const res = await callback(local(await authorize(flow.authorizeUrl)), flow.flow);
    expect(res.statusCode, res.body).toBe(302);
    expect((await fx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: TEST_PASSWORD } })).statusCode).toBe(423);
  });
});

describe("the fake WeCom's web sign-in", () => {
  const clock = new ManualClock(NOW);
  let fake: FakeWecom;
  beforeEach(async () => {
    clock.set(NOW);
    fake = await startFakeWecom({ corpId: CORP_ID, secrets: [SECRET], now: () => clock.now().getTime() });
  });
  afterEach(() => fake.close());

  const get = async (path: string) => rec(await (await fetch(`${fake.url}${path}`)).json());
  const token = async () => String((await get(`/cgi-bin/gettoken?corpid=${CORP_ID}&corpsecret=${SECRET}`)).access_token);

  it('names the member or the outsider of a code once, within 5 minutes, as documented', async () => {
    const t = await token();
    const member = fake.issueOAuthCode({ userid: 'wa1' });
    expect(await get(`/cgi-bin/auth/getuserinfo?access_token=${t}&code=${member}`)).toEqual({ errcode: 0, errmsg: 'ok', userid: 'wa1' });
    expect(await get(`/cgi-bin/auth/getuserinfo?access_token=${t}&code=${member}`)).toMatchObject({ errcode: 40029 });
    const outsider = fake.issueOAuthCode({ openid: 'oAbC' });
    expect(await get(`/cgi-bin/auth/getuserinfo?access_token=${t}&code=${outsider}`)).toEqual({ errcode: 0, errmsg: 'ok', openid: 'oAbC' });
    const late = fake.issueOAuthCode({ userid: 'wa1' });
    clock.advance(FAKE_OAUTH_CODE_SECONDS * 1000);
    expect(await get(`/cgi-bin/auth/getuserinfo?access_token=${await token()}&code=${late}`)).toMatchObject({ errcode: 40029 });
    expect(await get(`/cgi-bin/auth/getuserinfo?access_token=${t}`)).toMatchObject({ errcode: 41008 });
    expect(await get(`/cgi-bin/auth/getuserinfo?code=x`)).toMatchObject({ errcode: 41001 });
  });

  it('sends the browser back with a code and the state, and refuses what WeCom refuses', async () => {
    const page = (params: Record<string, string>) => fetch(`${fake.url}/connect/oauth2/authorize?${new URLSearchParams(params).toString()}#wechat_redirect`, { redirect: 'manual' });
    const valid = { appid: CORP_ID, redirect_uri: 'https://siyu.example.com/cb?x=1', response_type: 'code', scope: 'snsapi_base', state: 'abc123', agentid: '1000002' };
    expect((await page(valid)).status).toBe(400);
    fake.signIn({ userid: 'wa1' });
    const res = await page(valid);
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location') ?? '');
    expect(`${back.origin}${back.pathname}`).toBe('https://siyu.example.com/cb');
    expect(back.searchParams.get('x')).toBe('1');
    expect(back.searchParams.get('state')).toBe('abc123');
    const t = await token();
    expect(await get(`/cgi-bin/auth/getuserinfo?access_token=${t}&code=${back.searchParams.get('code') ?? ''}`)).toMatchObject({ userid: 'wa1' });
    for (const wrong of [{ appid: 'wwffffffffffffffff' }, { redirect_uri: 'not a url' }, { scope: 'snsapi_userinfo' }, { response_type: 'token' }, { state: 'a-b' }]) {
      expect((await page({ ...valid, ...wrong })).status, JSON.stringify(wrong)).toBe(400);
    }
    fake.trustDomain('siyu.example.com');
    expect((await page(valid)).status).toBe(302);
    expect((await page({ ...valid, redirect_uri: 'https://evil.example.com/cb' })).status).toBe(400);
  });
});
