import type { WecomHealth } from '../../contracts/wecom.js';
import { wecomCredentials, type WecomDeps } from './connectors.js';
import { wecomErrcodeMessage } from './errcodes.js';

/** How long the health check waits for WeCom before it reports no answer. */
export const HEALTH_CHECK_TIMEOUT_MS = 5_000;

/** `errcode` of the check when WeCom could not be reached or answered something that is not its JSON. */
const UNREACHABLE = -1;

function errcodeOf(body: unknown): { errcode: number; errmsg: string } | null {
  if (typeof body !== 'object' || body === null || !('errcode' in body) || typeof body.errcode !== 'number') return null;
  return { errcode: body.errcode, errmsg: 'errmsg' in body && typeof body.errmsg === 'string' ? body.errmsg : '' };
}

/** Why a fetch failed, in words, without the URL (it carries the secret). */
function reasonOf(err: unknown, host: string, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return `no answer from ${host} within ${timeoutMs / 1000} s`;
  const cause: unknown = err instanceof Error ? err.cause : undefined;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string' ? cause.code : null;
  return `could not reach ${host}${code ? ` (${code})` : err instanceof Error ? ` (${err.message})` : ''}`;
}

/**
 * Checks a connector's corp id and secret the way every WeCom call starts: `GET
 * {apiBaseUrl}/cgi-bin/gettoken?corpid=…&corpsecret=…`. Answers WeCom's errcode in words; a network
 * failure is `ok: false` with the reason. The token it gets is not kept.
 */
export async function checkWecomConnector(deps: WecomDeps, tenantId: string, id: string, timeoutMs = HEALTH_CHECK_TIMEOUT_MS): Promise<WecomHealth> {
  const connector = await wecomCredentials(deps, tenantId, id);
  const url = new URL(`${connector.apiBaseUrl}/cgi-bin/gettoken`);
  url.searchParams.set('corpid', connector.corpId);
  url.searchParams.set('corpsecret', connector.secret);
  const unreachable = (reason: string): WecomHealth => ({
    ok: false,
    errcode: UNREACHABLE,
    message: `${reason}: check that this server can reach ${url.host} over the network (proxy, firewall, DNS) and check again`,
  });
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (err) {
    return unreachable(reasonOf(err, url.host, timeoutMs));
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    return unreachable(`${url.host} answered HTTP ${res.status} without WeCom's JSON`);
  }
  const answer = errcodeOf(body);
  if (!answer) return unreachable(`${url.host} answered HTTP ${res.status} without an errcode`);
  return { ok: answer.errcode === 0, errcode: answer.errcode, message: wecomErrcodeMessage(answer.errcode, answer.errmsg) };
}
