import type { FastifyRequest } from 'fastify';
import {
  ADMIN_ROLES,
  authenticateAdminToken,
  authenticateWriteKey,
  sessionPrincipal,
  type Principal,
  type Role,
  type WriteKeyPrincipal,
} from '../modules/tenancy/index.js';
import type { Db } from '../platform/db/index.js';
import { AppError } from '../platform/errors.js';
import { CSRF_HEADER, csrfMatches, needsCsrf, sessionCookieOf } from './session-cookie.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A management route that needs no token (login). */
    public?: boolean;
    /** The route inflates Content-Encoding gzip/deflate bodies itself (the tracking API). */
    decodesBody?: boolean;
  }
  interface FastifyRequest {
    principal?: Principal;
    /** How the management request authenticated, and with which token (logout ends that session). */
    credential?: { via: 'bearer' | 'cookie'; token: string };
    ingestSource?: WriteKeyPrincipal;
  }
}

/** Segment clients send the write key as the Basic user name with an empty password. */
export function basicUser(header: string | undefined): string | null {
  const m = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header ?? '');
  if (!m?.[1]) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const user = decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : decoded;
  return user || null;
}

export function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1] ?? null;
}

function bodyWriteKey(body: unknown): string | null {
  if (typeof body === 'object' && body !== null && 'writeKey' in body && typeof body.writeKey === 'string') {
    return body.writeKey || null;
  }
  return null;
}

/**
 * Adds the tenant to every later log line of the request. pino's setBindings, not a child logger:
 * reply.log, which writes "request completed", is the same object as request.log.
 */
function bindLog(request: FastifyRequest, bindings: Record<string, string>): void {
  const log: unknown = request.log;
  if (typeof log === 'object' && log !== null && 'setBindings' in log && typeof log.setBindings === 'function') {
    log.setBindings(bindings);
  }
}

export async function authenticateIngest(db: Db, request: FastifyRequest): Promise<WriteKeyPrincipal> {
  const header = request.headers.authorization;
  const key = header ? basicUser(header) : bodyWriteKey(request.body);
  if (!key) {
    throw new AppError(
      'unauthorized',
      header
        ? 'the Authorization header is not HTTP Basic with the write key as user name'
        : 'no write key: send it as the HTTP Basic user name (empty password) or as "writeKey" in the body',
    );
  }
  const principal = await authenticateWriteKey(db, key);
  if (!principal) {
    throw new AppError('unauthorized', 'the write key is not valid or has been revoked; copy the current key from the source settings');
  }
  request.ingestSource = principal;
  bindLog(request, { tenantId: principal.tenantId, sourceId: principal.sourceId });
  return principal;
}

const NO_TOKEN = 'send an admin token or a staff session token (POST /api/v1/auth/login) as "Authorization: Bearer <token>"';

/**
 * A Bearer token: an admin token (`at_…`, the tenant's admin) or a staff session token (`st_…`, from
 * login: the staff member's role and org unit).
 */
export async function authenticateBearer(db: Db, request: FastifyRequest, now: Date): Promise<Principal> {
  const token = bearerToken(request.headers.authorization);
  if (!token) throw new AppError('unauthorized', NO_TOKEN);
  const principal = token.startsWith('st_') ? await sessionPrincipal(db, token, now) : await authenticateAdminToken(db, token);
  if (!principal) {
    throw new AppError('unauthorized', token.startsWith('st_') ? 'the session has expired or was ended; log in again' : 'the admin token is not valid or has been revoked');
  }
  return adopt(request, principal, { via: 'bearer', token });
}

function adopt(request: FastifyRequest, principal: Principal, credential: NonNullable<FastifyRequest['credential']>): Principal {
  request.principal = principal;
  request.credential = credential;
  bindLog(request, principal.staffId ? { tenantId: principal.tenantId, staffId: principal.staffId } : { tenantId: principal.tenantId });
  return principal;
}

/**
 * The live console session of the request's cookie (POST /api/v1/auth/session), or null when there is
 * no cookie or its session has ended. A request with it that may change something must carry the
 * session's CSRF token in X-CSRF-Token (403 csrf_failed otherwise): the browser sends the cookie
 * whoever made the page, only Siyu's own page can read the token.
 */
export async function cookieSession(db: Db, request: FastifyRequest, now: Date): Promise<{ principal: Principal; token: string } | null> {
  const token = sessionCookieOf(request);
  const principal = token?.startsWith('st_') ? await sessionPrincipal(db, token, now) : null;
  if (!token || !principal) return null;
  if (needsCsrf(request.method) && !csrfMatches(token, request.headers[CSRF_HEADER])) {
    throw new AppError('csrf_failed', 'the request did not carry this session\'s security token (X-CSRF-Token header), so it was refused: reload the page and sign in again');
  }
  return { principal, token };
}

/**
 * Every management route but the public ones: the Authorization header when there is one (Bearer
 * requests never need a CSRF token), else the console's session cookie.
 */
export async function authenticateManagement(db: Db, request: FastifyRequest, now: Date): Promise<Principal> {
  if (request.headers.authorization || !sessionCookieOf(request)) return authenticateBearer(db, request, now);
  const session = await cookieSession(db, request, now);
  if (!session) throw new AppError('unauthorized', 'the console session has expired or was ended; sign in again');
  return adopt(request, session.principal, { via: 'cookie', token: session.token });
}

/** The caller, whatever their role; with `roles`, refused (403) unless their role is one of them. */
export function requirePrincipal(request: FastifyRequest, roles?: readonly Role[]): Principal {
  const principal = request.principal;
  if (!principal) throw new AppError('unauthorized', NO_TOKEN);
  if (roles && !roles.includes(principal.role)) {
    throw new AppError('forbidden', `your role (${principal.role}) may not do this; it needs one of: ${roles.join(', ')}`, { role: principal.role, allowed: roles });
  }
  return principal;
}

/** Tenant configuration (credentials, identity rules, staff): admin tokens and staff with the admin role. */
export function requireAdmin(request: FastifyRequest): Principal {
  return requirePrincipal(request, ADMIN_ROLES);
}

export function requireIngestSource(request: FastifyRequest): WriteKeyPrincipal {
  if (!request.ingestSource) throw new AppError('unauthorized', 'no write key');
  return request.ingestSource;
}

/** OpenAPI security of every management route: an admin token or a staff session token, or the console's session cookie. */
export const adminSecurity: Array<Record<string, string[]>> = [{ adminBearer: [] }, { consoleSession: [] }];
