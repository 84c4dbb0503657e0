import { z } from 'zod';

/** How far One ID resolution is behind the tracking API, for one tenant. */
export const identityLagSchema = z
  .object({
    waitingEvents: z.number().int().describe('Events stored and acknowledged but not yet resolved to profiles'),
    waitingBatches: z.number().int().describe('Tracking requests those events came in'),
    oldestWaitingAt: z.string().meta({ format: 'date-time' }).nullable().describe('When the oldest waiting event was received'),
    oldestWaitingSeconds: z.number().nullable().describe('Its age now: the lag of a profile behind its events'),
    resolvedTotal: z.number().int().describe('Events resolved since the tenant began'),
    eventsPerSecond: z.number().describe('What the resolver gets through per second of work, over its recent batches'),
    lastResolvedAt: z.string().meta({ format: 'date-time' }).nullable(),
  })
  .meta({ id: 'IdentityLag' });

export const tenantStatusSchema = z
  .object({ identity: identityLagSchema })
  .meta({ id: 'TenantStatus', description: 'What background work of the tenant is waiting (admin)' });

export type IdentityLag = z.infer<typeof identityLagSchema>;
export type TenantStatus = z.infer<typeof tenantStatusSchema>;
