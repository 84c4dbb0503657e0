import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The web console's session: the staff session token (`st_…`) in an HttpOnly cookie the page's
 * scripts cannot read, and a CSRF token derived from it in a cookie they can. A request the cookie
 * authenticates that changes something must repeat the CSRF token in a header: another site can make
 * the browser send the cookie, but it can neither read the CSRF cookie nor compute the token.
 */

export const SESSION_COOKIE = 'siyu_session';
export const CSRF_COOKIE = 'siyu_csrf';
/** Lower case, as Node presents request headers. */
export const CSRF_HEADER = 'x-csrf-token';

/** Methods that change nothing: cookie-authenticated requests with them need no CSRF header. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A fixed key: the secret input is the session token itself. HMAC is one-way, so the CSRF token
 * (readable by the page) tells nothing about the session token (which is not).
 */
const CSRF_KEY = createHash('sha256').update('siyu-csrf').digest();

export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', CSRF_KEY).update(sessionToken).digest('base64url');
}

/** Whether `given` (the request's header) is the CSRF token of `sessionToken`, compared in constant time. */
export function csrfMatches(sessionToken: string, given: string | string[] | undefined): boolean {
  if (typeof given !== 'string') return false;
  const expected = Buffer.from(csrfTokenFor(sessionToken));
  const actual = Buffer.from(given.trim());
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export function needsCsrf(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

/** The session cookie's value, when the request carries a non-empty one. */
export function sessionCookieOf(request: FastifyRequest): string | null {
  const value = request.cookies[SESSION_COOKIE];
  return value ? value : null;
}

/** Same-site only and whole-site; `Secure` whenever the page came over HTTPS (a plain-HTTP install on a LAN keeps working). */
function attributes(request: FastifyRequest, httpOnly: boolean): CookieSerializeOptions {
  return { path: '/', sameSite: 'strict', httpOnly, secure: request.protocol === 'https' };
}

/** Sets both cookies for a new session (a login's `token` and `expiresAt`), until it expires; returns the CSRF token. */
export function setSessionCookies(request: FastifyRequest, reply: FastifyReply, session: { token: string; expiresAt: string }, now: Date): string {
  const csrfToken = csrfTokenFor(session.token);
  const maxAge = Math.max(0, Math.round((Date.parse(session.expiresAt) - now.getTime()) / 1000));
  void reply.setCookie(SESSION_COOKIE, session.token, { ...attributes(request, true), maxAge });
  void reply.setCookie(CSRF_COOKIE, csrfToken, { ...attributes(request, false), maxAge });
  return csrfToken;
}

/** Tells the browser to drop both cookies (Max-Age=0). */
export function clearSessionCookies(request: FastifyRequest, reply: FastifyReply): void {
  void reply.clearCookie(SESSION_COOKIE, attributes(request, true));
  void reply.clearCookie(CSRF_COOKIE, attributes(request, false));
}
