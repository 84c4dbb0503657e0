import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { StaffView } from '../../contracts/org.js';
import { WECOM_API_BASE_URL } from '../../contracts/wecom.js';
import { WECOM_SIGN_IN_DEFAULT_NEXT, isSameSitePath, type WecomSignInCallbackQuery, type WecomSignInStartQuery } from '../../contracts/wecom-sign-in.js';
import { AppError } from '../../platform/errors.js';
import { loginWithWecom } from '../tenancy/index.js';
import { connectorClient } from './connector-client.js';
import { decryptCredentials, type WecomDeps } from './connectors.js';
import * as repo from './connectors.repo.js';

/**
 * WeCom's web sign-in for self-built apps (网页授权登录, scope snsapi_base): the start sends the
 * browser to WeCom's authorize page, WeCom sends it back to the callback with a single-use code, and
 * the code names the member (auth/getuserinfo), who is signed in as the staff member bound to that
 * WeCom user id in the connector's tenant.
 *
 * Against login CSRF (someone else's code planted in this browser) the flow is bound to the browser
 * that started it, without server-side storage: the start keeps `payload.nonce` in a short-lived
 * cookie (payload: the connector, the page to open next, the expiry) and hands WeCom as `state` an
 * HMAC of the payload keyed by the nonce. Only that browser holds the nonce, so only it can present
 * a state that matches; WeCom allows at most 128 letters and digits as state, so it is hex.
 */

/** WeCom's authorize host; the API host `https://qyapi.weixin.qq.com` pairs with it. */
export const WECOM_OAUTH_BASE_URL = 'https://open.weixin.qq.com';
/** How long a started sign-in may take to come back (WeCom's codes live 5 minutes). */
export const WECOM_SIGN_IN_SECONDS = 600;

const flowSchema = z.object({ c: z.uuid(), n: z.string(), e: z.number().int() });

/**
 * Where the authorize page is for a connector's `apiBaseUrl`: WeCom's own for WeCom's API host,
 * otherwise the same base (a stand-in such as the test fake serves both; a gateway in front of
 * WeCom's API answers `/connect/oauth2/authorize` by redirecting to open.weixin.qq.com).
 */
export function wecomAuthorizeBaseUrl(apiBaseUrl: string): string {
  const base = apiBaseUrl.replace(/\/+$/, '');
  return new URL(base).origin === new URL(WECOM_API_BASE_URL).origin ? WECOM_OAUTH_BASE_URL : base;
}

/** The authorize URL, its parameters in the order WeCom's document gives them, ending in #wechat_redirect. */
export function wecomAuthorizeUrl(input: { baseUrl: string; corpId: string; agentId: string; redirectUri: string; state: string }): string {
  const q = (value: string) => encodeURIComponent(value);
  return (
    `${input.baseUrl}/connect/oauth2/authorize?appid=${q(input.corpId)}&redirect_uri=${q(input.redirectUri)}` +
    `&response_type=code&scope=snsapi_base&state=${q(input.state)}&agentid=${q(input.agentId)}#wechat_redirect`
  );
}

/** The state of a flow: hex HMAC-SHA256 of its payload under a key derived from its nonce. */
export function signInState(nonce: string, payload: string): string {
  const key = createHash('sha256').update(`siyu-wecom-sign-in:${nonce}`, 'utf8').digest();
  return createHmac('sha256', key).update(payload, 'utf8').digest('hex');
}

const invalidState = (why: string) =>
  new AppError('sign_in_state_invalid', `the WeCom sign-in could not be verified: ${why}; open the page in WeCom again to sign in`);

/** The connector and page of the flow in `cookie`, when `state` is its state and it has not expired. */
function verifiedFlow(cookie: string | undefined, state: string, now: number): { connectorId: string; next: string } {
  if (!cookie) throw invalidState(`it was not started in this browser, or it took longer than ${WECOM_SIGN_IN_SECONDS / 60} minutes (the sign-in cookie is missing)`);
  const [payload, nonce, ...rest] = cookie.split('.');
  if (!payload || !nonce || rest.length > 0) throw invalidState('the sign-in cookie is damaged');
  const expected = Buffer.from(signInState(nonce, payload));
  const given = Buffer.from(state);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw invalidState('the state WeCom sent back is not the one of the sign-in started in this browser');
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw invalidState('the sign-in cookie is damaged');
  }
  const flow = flowSchema.safeParse(decoded);
  if (!flow.success) throw invalidState('the sign-in cookie is damaged');
  if (flow.data.e <= now) throw invalidState(`it took longer than ${WECOM_SIGN_IN_SECONDS / 60} minutes`);
  return { connectorId: flow.data.c, next: isSameSitePath(flow.data.n) ? flow.data.n : WECOM_SIGN_IN_DEFAULT_NEXT };
}

const unknownConnector = (id: string) =>
  new AppError('not_found', `no WeCom connector ${id}: check connectorId in the page URL configured for the app in WeCom (it is the connector's id in Siyu)`, {
    field: 'connectorId',
  });

/**
 * Starts a sign-in: the authorize URL to send the browser to, and the flow to keep in the browser's
 * cookie for `lifetimeSeconds`. `callbackUrl` is the absolute URL of the callback on this server.
 */
export async function startWecomSignIn(
  deps: WecomDeps,
  query: WecomSignInStartQuery,
  callbackUrl: string,
): Promise<{ authorizeUrl: string; flow: string; lifetimeSeconds: number }> {
  const row = await repo.findConnectorById(deps.store.db, query.connectorId);
  if (!row) throw unknownConnector(query.connectorId);
  const expires = deps.clock.now().getTime() + WECOM_SIGN_IN_SECONDS * 1000;
  const nonce = randomBytes(32).toString('base64url');
  const payload = Buffer.from(JSON.stringify({ c: row.id, n: query.next, e: expires }), 'utf8').toString('base64url');
  const authorizeUrl = wecomAuthorizeUrl({
    baseUrl: wecomAuthorizeBaseUrl(row.apiBaseUrl),
    corpId: row.corpId,
    agentId: row.agentId,
    redirectUri: callbackUrl,
    state: signInState(nonce, payload),
  });
  return { authorizeUrl, flow: `${payload}.${nonce}`, lifetimeSeconds: WECOM_SIGN_IN_SECONDS };
}

/**
 * Finishes a sign-in: checks `query.state` against the browser's `flow`, asks WeCom who the code
 * belongs to, and opens a session for the staff member bound to that member. Refusals: 400
 * sign_in_state_invalid (no flow, another one, expired), 400 sign_in_code_invalid (WeCom's 40029: used,
 * expired or of another app), 403 wecom_not_member (not a member of the corp), 403
 * wecom_member_not_linked (no active staff member bound to the member).
 */
export async function finishWecomSignIn(
  deps: WecomDeps,
  flow: string | undefined,
  query: WecomSignInCallbackQuery,
): Promise<{ token: string; expiresAt: string; staff: StaffView; next: string }> {
  const { connectorId, next } = verifiedFlow(flow, query.state, deps.clock.now().getTime());
  const row = await repo.findConnectorById(deps.store.db, connectorId);
  if (!row) throw unknownConnector(connectorId);
  const member = await connectorClient(deps, decryptCredentials(deps, row)).getUserInfoByCode(query.code);
  if (member.userid === undefined) {
    throw new AppError(
      'wecom_not_member',
      `WeCom says whoever opened the page is not a member of corp ${row.corpId}: only the corp's members (the consultants in WeCom's address book) sign in here`,
      { corpId: row.corpId },
    );
  }
  const session = await loginWithWecom(
    { db: deps.store.db, clock: deps.clock },
    { tenantId: row.tenantId, wecomUserId: member.userid, details: { connectorId: row.id, corpId: row.corpId } },
  );
  return { ...session, next };
}
