import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema } from '../../contracts/common.js';
import { consoleSessionSchema, loginSchema } from '../../contracts/org.js';
import * as tenancy from '../../modules/tenancy/index.js';
import { cookieSession } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { CSRF_HEADER, SESSION_COOKIE, clearSessionCookies, setSessionCookies } from '../session-cookie.js';

/**
 * The web console's sign-in and sign-out: the same login as POST /api/v1/auth/login, but the session
 * token goes into an HttpOnly cookie (never into the page's scripts) with a CSRF token beside it.
 */
export async function sessionRoutes(app: FastifyInstance, deps: AppDeps) {
  const t = { db: deps.store.db, clock: deps.clock };
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/auth/session',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary:
          `Console sign-in: a staff login (${tenancy.SESSION_HOURS} h, the same lock-out as /auth/login) whose session token is set as the HttpOnly cookie ${SESSION_COOKIE}, ` +
          `with the CSRF token in the answer and the siyu_csrf cookie (send it as ${CSRF_HEADER} on every request but GET, HEAD and OPTIONS)`,
        body: loginSchema,
        response: { 200: consoleSessionSchema, 400: errorBodySchema, 401: errorBodySchema, 423: errorBodySchema },
        security: [],
      },
    },
    async (request, reply) => {
      const session = await tenancy.login(t, request.body);
      const csrfToken = setSessionCookies(request, reply, session, deps.clock.now());
      void reply.header('cache-control', 'no-store');
      return { staff: session.staff, expiresAt: session.expiresAt, csrfToken };
    },
  );

  r.delete(
    '/api/v1/auth/session',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: `Console sign-out: ends the session of the ${SESSION_COOKIE} cookie and clears both cookies (idempotent; with a live session it needs the ${CSRF_HEADER} header)`,
        response: { 204: z.null(), 403: errorBodySchema },
        security: [],
      },
    },
    async (request, reply) => {
      // A live session needs its CSRF token here too: another site must not be able to sign a person out.
      const session = await cookieSession(t.db, request, deps.clock.now());
      if (session) await tenancy.logout(t, session.principal, session.token);
      clearSessionCookies(request, reply);
      return reply.code(204).send(null);
    },
  );
}
