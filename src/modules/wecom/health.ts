import type { WecomHealth } from '../../contracts/wecom.js';
import { AppError } from '../../platform/errors.js';
import { fetchWecomAccessToken } from './client-core.js';
import { wecomCredentials, type WecomDeps } from './connectors.js';
import { wecomErrcodeMessage, wecomErrcodeOf } from './errcodes.js';

/** How long the health check waits for WeCom before it reports no answer. */
export const HEALTH_CHECK_TIMEOUT_MS = 5_000;

/** `errcode` of the check when WeCom could not be reached or answered something that is not its JSON. */
const UNREACHABLE = -1;

/**
 * Checks a connector's corp id and secret the way every WeCom call starts: `GET
 * {apiBaseUrl}/cgi-bin/gettoken?corpid=…&corpsecret=…`, through the API client's own token request
 * but never its cache. Answers WeCom's errcode in words; a network failure or an answer that is not
 * WeCom's JSON is `ok: false` with errcode -1 and the reason. The token it gets is not kept.
 */
export async function checkWecomConnector(deps: WecomDeps, tenantId: string, id: string, timeoutMs = HEALTH_CHECK_TIMEOUT_MS): Promise<WecomHealth> {
  const connector = await wecomCredentials(deps, tenantId, id);
  try {
    await fetchWecomAccessToken({ corpId: connector.corpId, secret: connector.secret, apiBaseUrl: connector.apiBaseUrl, timeoutMs });
    return { ok: true, errcode: 0, message: wecomErrcodeMessage(0) };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return { ok: false, errcode: wecomErrcodeOf(err) ?? UNREACHABLE, message: err.message };
  }
}
