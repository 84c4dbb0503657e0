import type { Clock } from '../platform/clock.js';
import type { Store } from '../platform/db/index.js';

/** What the HTTP layer needs from the outside world; wired by the CLI and by tests. */
export interface AppDeps {
  store: Store;
  clock: Clock;
  /** SIYU_SECRET_KEY (config.secretKey): encrypts stored lead-platform tokens; without it none are stored. */
  secretKey?: Buffer | undefined;
}
