import type { Clock } from '../../platform/clock.js';
import type { WecomClientOptions } from './client-core.js';
import { createWecomClient, type WecomClient } from './client.js';
import type { WecomCredentials } from './connectors.js';

/** The WeCom client of a connector, on the deps' clock (token expiry, rate limits). */
export function connectorClient(
  deps: { clock: Clock; client?: Partial<Pick<WecomClientOptions, 'fetch' | 'sleep' | 'limits' | 'backoffMs'>> | undefined },
  creds: Pick<WecomCredentials, 'corpId' | 'secret' | 'apiBaseUrl'>,
): WecomClient {
  return createWecomClient({ corpId: creds.corpId, secret: creds.secret, apiBaseUrl: creds.apiBaseUrl, now: () => deps.clock.now().getTime(), ...deps.client });
}
