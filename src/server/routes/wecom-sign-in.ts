import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema } from '../../contracts/common.js';
import {
  WECOM_SIGN_IN_CALLBACK_PATH,
  WECOM_SIGN_IN_DEFAULT_NEXT,
  WECOM_SIGN_IN_START_PATH,
  wecomSignInCallbackQuerySchema,
  wecomSignInStartQuerySchema,
} from '../../contracts/wecom-sign-in.js';
import { SESSION_HOURS } from '../../modules/tenancy/index.js';
import { WECOM_SIGN_IN_SECONDS, finishWecomSignIn, startWecomSignIn } from '../../modules/wecom/index.js';
import { AppError } from '../../platform/errors.js';
import type { AppDeps } from '../deps.js';
import { SESSION_COOKIE, setSessionCookies } from '../session-cookie.js';

/** The started sign-in (`payload.nonce`, see modules/wecom/sign-in.ts), kept by the browser until it comes back. */
export const WECOM_SIGN_IN_COOKIE = 'siyu_wecom_sign_in';
/** Sent to the start and the callback only. */
const COOKIE_PATH = '/api/v1/auth/wecom';

/**
 * HttpOnly, and SameSite=Lax rather than Strict: the callback is a top-level navigation coming back
 * from WeCom's domain, which a Strict cookie would not be sent with. `Secure` over HTTPS.
 */
function flowCookie(request: FastifyRequest): CookieSerializeOptions {
  return { path: COOKIE_PATH, sameSite: 'lax', httpOnly: true, secure: request.protocol === 'https' };
}

const tags = ['auth'];

/**
 * The callback on the scheme and host the browser reached this server at (the host must be the
 * app's 可信域名 in WeCom), normalised as a URL parser writes it (no default port).
 */
function callbackUrl(request: FastifyRequest): string {
  try {
    return new URL(WECOM_SIGN_IN_CALLBACK_PATH, `${request.protocol}://${request.host}`).toString();
  } catch {
    throw new AppError('invalid_request', 'the Host header is not a host name: open the page through the address of this server');
  }
}

/**
 * Signing in to the app's pages from inside WeCom (网页授权登录): public routes a browser navigates
 * through, answering redirects; refusals are JSON errors as everywhere else.
 */
export async function wecomSignInRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    WECOM_SIGN_IN_START_PATH,
    {
      config: { public: true },
      schema: {
        tags,
        summary:
          "Sign in from inside WeCom, without a password (the page URL to configure for the app in WeCom, e.g. its 聊天工具栏 page): redirects to WeCom's authorize page " +
          `(snsapi_base) for the connector's corp and app, which sends the browser back to ${WECOM_SIGN_IN_CALLBACK_PATH}. ` +
          `next is the page of this site to open once signed in (default ${WECOM_SIGN_IN_DEFAULT_NEXT}); the sign-in must come back within ${WECOM_SIGN_IN_SECONDS / 60} minutes`,
        querystring: wecomSignInStartQuerySchema,
        response: { 302: z.null(), 400: errorBodySchema, 404: errorBodySchema },
        responseHeaders: {
          302: {
            location: "WeCom's authorize URL (open.weixin.qq.com/connect/oauth2/authorize?…#wechat_redirect)",
            'set-cookie': `${WECOM_SIGN_IN_COOKIE}: the started sign-in, HttpOnly, SameSite=Lax, for ${WECOM_SIGN_IN_SECONDS} seconds`,
          },
        },
        security: [],
      },
    },
    async (request, reply) => {
      const started = await startWecomSignIn(deps, request.query, callbackUrl(request));
      void reply.setCookie(WECOM_SIGN_IN_COOKIE, started.flow, { ...flowCookie(request), maxAge: started.lifetimeSeconds });
      void reply.header('cache-control', 'no-store');
      return reply.redirect(started.authorizeUrl, 302);
    },
  );

  r.get(
    WECOM_SIGN_IN_CALLBACK_PATH,
    {
      config: { public: true },
      schema: {
        tags,
        summary:
          `Where WeCom sends the browser back with a code: checks the state against the sign-in started in this browser, asks WeCom whose code it is, and signs in ` +
          `the active staff member of the connector's tenant bound to that WeCom user id (a ${SESSION_HOURS} h session as the console's, cookie ${SESSION_COOKIE}), ` +
          'then redirects to next. 400 sign_in_state_invalid or sign_in_code_invalid, 403 wecom_not_member or wecom_member_not_linked; no session then',
        querystring: wecomSignInCallbackQuerySchema,
        response: { 302: z.null(), 400: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 503: errorBodySchema },
        responseHeaders: {
          302: {
            location: `The page to open (next of the start, default ${WECOM_SIGN_IN_DEFAULT_NEXT})`,
            'set-cookie': `${SESSION_COOKIE} and siyu_csrf: the new session, as POST /api/v1/auth/session sets them; ${WECOM_SIGN_IN_COOKIE} cleared`,
          },
        },
        security: [],
      },
    },
    async (request, reply) => {
      const flow = request.cookies[WECOM_SIGN_IN_COOKIE];
      // A started sign-in is used once, whatever the outcome: a refused one starts anew.
      void reply.clearCookie(WECOM_SIGN_IN_COOKIE, flowCookie(request));
      void reply.header('cache-control', 'no-store');
      const signedIn = await finishWecomSignIn(deps, flow, request.query);
      setSessionCookies(request, reply, signedIn, deps.clock.now());
      return reply.redirect(signedIn.next, 302);
    },
  );
}
