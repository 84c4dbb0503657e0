import type { Logger } from '../../platform/logger.js';
import type { WecomClientOptions } from './client-core.js';
import type { WecomDeps } from './connectors.js';

/** What the WeCom module's jobs need: the store and clock, the key of the stored secrets, a logger. */
export interface ProcessDeps extends WecomDeps {
  logger?: Logger | undefined;
  /** Test seams of the WeCom client (fetch, sleep, limits). */
  client?: Partial<Pick<WecomClientOptions, 'fetch' | 'sleep' | 'limits' | 'backoffMs'>>;
}
