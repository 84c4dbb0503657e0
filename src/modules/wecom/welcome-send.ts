import { isAppError } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import type { WecomClient } from './client.js';
import type { WecomDeps } from './connectors.js';
import { finishWelcome } from './contacts.repo.js';
import { welcomeMessage, type PendingWelcome } from './welcome.js';
import { wecomErrcodeOf } from './errcodes.js';

/** WeCom's answer when a welcome code was used already or its 20 s ran out. */
export const WELCOME_CODE_SPENT = 41051;

/**
 * Sends each welcome message once (its row was written pending with the friendship, so a code is
 * never sent twice) and records the outcome: sent, expired (41051: used or past its 20 s; never
 * retried) or failed with WeCom's errcode in words.
 */
export async function sendWelcomes(
  deps: WecomDeps & { client: WecomClient; logger?: Logger | undefined },
  ids: { tenantId: string; connectorId: string },
  welcomes: readonly PendingWelcome[],
): Promise<void> {
  await Promise.all(
    welcomes.map(async (w) => {
      const key = { ...ids, welcomeCode: w.welcomeCode };
      try {
        await deps.client.sendWelcomeMsg(welcomeMessage(w.welcomeCode, w.welcome, { name: w.customerName, consultant: w.consultantName, series: w.series }));
        await finishWelcome(deps.store.db, key, { status: 'sent', errcode: 0, error: null, at: deps.clock.now() });
      } catch (err) {
        if (!isAppError(err)) throw err;
        const errcode = wecomErrcodeOf(err);
        const status = errcode === WELCOME_CODE_SPENT ? 'expired' : 'failed';
        deps.logger?.warn({ ...ids, errcode }, `WeCom welcome message ${status}: ${err.message}`);
        await finishWelcome(deps.store.db, key, { status, errcode, error: err.message, at: deps.clock.now() });
      }
    }),
  );
}
