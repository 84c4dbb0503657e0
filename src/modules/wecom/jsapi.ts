import { createHash, randomBytes } from 'node:crypto';
import type { WecomJsapiSignature, WecomJsapiSignatureQuery } from '../../contracts/wecom-sidebar.js';
import type { Principal } from '../tenancy/index.js';
import { createWecomClient } from './client.js';
import { decryptCredentials, type WecomCredentials, type WecomDeps } from './connectors.js';
import { chooseWecomConnector, requireSidebarStaff } from './sidebar.js';
import { cachedTicket, ticketCacheKey } from './ticket-cache.js';

/**
 * The `wx.agentConfig` signature (企业微信 JS-SDK 使用权限签名算法) that lets a page of the
 * connector's app call the JS-SDK's chat APIs (getCurExternalContact, sendChatMessage …): hex SHA-1
 * of `jsapi_ticket=…&noncestr=…&timestamp=…&url=…`, fields in exactly that order, values as they are
 * (not URL-escaped), the URL without its #fragment. The ticket is the app's (ticket/get?type=agent_config).
 */

/** The page URL as WeCom signs it: everything before the first `#`. */
export function signedUrl(url: string): string {
  const hash = url.indexOf('#');
  return hash === -1 ? url : url.slice(0, hash);
}

/** The signature over a ticket, nonce, timestamp (seconds) and page URL (its #fragment dropped). */
export function jsapiSignature(input: { ticket: string; nonceStr: string; timestamp: number; url: string }): string {
  const text = `jsapi_ticket=${input.ticket}&noncestr=${input.nonceStr}&timestamp=${input.timestamp}&url=${signedUrl(input.url)}`;
  return createHash('sha1').update(text, 'utf8').digest('hex');
}

/** A random nonce of 24 hex digits: letters and digits only, as WeCom's examples use. */
export function jsapiNonce(): string {
  return randomBytes(12).toString('hex');
}

/**
 * The app's jsapi_ticket: cached per app for its expires_in (fetched again 5 minutes early), one
 * fetch shared by concurrent callers. `now` (ms) drives the cache, the access token and the client.
 */
export async function agentJsapiTicket(credentials: WecomCredentials, now: () => number): Promise<string> {
  const { corpId, agentId, secret, apiBaseUrl } = credentials;
  return cachedTicket(ticketCacheKey(apiBaseUrl, corpId, agentId, secret), now(), async () => {
    // The lifetime counts from before the request: WeCom issued the ticket no earlier than that.
    const asked = now();
    const answer = await createWecomClient({ corpId, secret, apiBaseUrl, now }).getAgentJsapiTicket();
    return { ticket: answer.ticket, expiresInSeconds: answer.expires_in, fetchedAt: asked };
  });
}

/**
 * What a sidebar page passes to `wx.agentConfig` for `query.url`, signed for the connector's app.
 * Staff only; the connector as `chooseWecomConnector` picks it. WeCom's refusals (a wrong secret,
 * an IP not trusted, no answer) come back as the API client's AppErrors.
 */
export async function agentConfigSignature(deps: WecomDeps, principal: Principal, query: WecomJsapiSignatureQuery): Promise<WecomJsapiSignature> {
  requireSidebarStaff(principal);
  const row = await chooseWecomConnector(deps.store.db, principal.tenantId, query.connectorId);
  const credentials = decryptCredentials(deps, row);
  const now = () => deps.clock.now().getTime();
  const ticket = await agentJsapiTicket(credentials, now);
  const timestamp = Math.floor(now() / 1000);
  const nonceStr = jsapiNonce();
  return { corpId: row.corpId, agentId: row.agentId, timestamp, nonceStr, signature: jsapiSignature({ ticket, nonceStr, timestamp, url: query.url }) };
}
