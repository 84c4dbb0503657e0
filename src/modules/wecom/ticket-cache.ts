import { refreshMarginMs, tokenCacheKey } from './token-cache.js';

/**
 * The apps' jsapi_tickets for `wx.agentConfig`, cached per process for their `expires_in` and shared
 * by every caller of the same app. WeCom limits how often a ticket may be fetched (per hour at most
 * 400 a corp and 100 an app) and asks servers to cache it: callers of one app while its ticket is
 * fresh get the cached one, and concurrent callers of a stale one wait for the same single fetch.
 */
interface CachedTicket {
  ticket: string;
  /** When to fetch a new one (ms since the epoch), ahead of WeCom's expiry. */
  refreshAt: number;
}

export interface FetchedTicket {
  ticket: string;
  expiresInSeconds: number;
  /** When WeCom answered (ms since the epoch): the lifetime counts from here. */
  fetchedAt: number;
}

const tickets = new Map<string, CachedTicket>();
const inFlight = new Map<string, Promise<CachedTicket>>();

/**
 * The cache key of one app: WeCom's host, the corp, the app's AgentId and the app secret (as its
 * SHA-256 only). The secret is part of it so that a connector naming another tenant's corp and app
 * without its secret can never be handed that app's ticket.
 */
export function ticketCacheKey(apiBaseUrl: string, corpId: string, agentId: string, secret: string): string {
  return `${tokenCacheKey(apiBaseUrl, corpId, secret)}|${agentId}`;
}

/** The cached ticket for `key` while it is fresh (at `now`, ms), otherwise the result of one shared `fetchTicket`. */
export async function cachedTicket(key: string, now: number, fetchTicket: () => Promise<FetchedTicket>): Promise<string> {
  const cached = tickets.get(key);
  if (cached && cached.refreshAt > now) return cached.ticket;
  let pending = inFlight.get(key);
  if (!pending) {
    pending = fetchTicket()
      .then(({ ticket, expiresInSeconds, fetchedAt }) => {
        const entry = { ticket, refreshAt: fetchedAt + expiresInSeconds * 1000 - refreshMarginMs(expiresInSeconds) };
        tickets.set(key, entry);
        return entry;
      })
      .finally(() => inFlight.delete(key));
    inFlight.set(key, pending);
  }
  return (await pending).ticket;
}

/** Forgets every cached ticket (tests). */
export function clearWecomTicketCache(): void {
  tickets.clear();
}
