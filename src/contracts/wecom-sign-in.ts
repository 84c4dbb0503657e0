import { z } from 'zod';
import { uuidString } from './common.js';

/**
 * Signing in to a page of the WeCom app (the consultant sidebar) from inside WeCom, without a
 * password: WeCom's web sign-in for self-built apps (网页授权登录, OAuth 2 with scope snsapi_base).
 * The page's URL configured in WeCom starts the flow; WeCom sends the browser back to the callback
 * with a single-use code that names the member.
 */

export const WECOM_SIGN_IN_START_PATH = '/api/v1/auth/wecom/start';
export const WECOM_SIGN_IN_CALLBACK_PATH = '/api/v1/auth/wecom/callback';
/** Where the browser goes after signing in when the start names no page. */
export const WECOM_SIGN_IN_DEFAULT_NEXT = '/sidebar';
/** The longest `next` accepted: a page of this site, not a place to carry data. */
export const WECOM_SIGN_IN_NEXT_MAX = 1000;

/**
 * A path of this site: starts with one `/` (`//host` and `/\host` are other sites to a browser),
 * visible ASCII only (no spaces, no control characters, no backslash); percent-encode anything else.
 */
export const SAME_SITE_PATH = /^\/(?![/\\])[\x21-\x5b\x5d-\x7e]*$/;

export function isSameSitePath(value: string): boolean {
  return value.length <= WECOM_SIGN_IN_NEXT_MAX && SAME_SITE_PATH.test(value);
}

export const wecomSignInStartQuerySchema = z.object({
  connectorId: uuidString.describe('The WeCom connector (corp and self-built app) whose members sign in'),
  next: z
    .string({ error: 'next must be a path of this site, e.g. /sidebar' })
    .max(WECOM_SIGN_IN_NEXT_MAX, `next must be at most ${WECOM_SIGN_IN_NEXT_MAX} characters`)
    .regex(SAME_SITE_PATH, 'next must be a path of this site starting with a single / (e.g. /sidebar), without spaces or backslashes; other sites are refused')
    .default(WECOM_SIGN_IN_DEFAULT_NEXT)
    .describe(`The page of this site to open once signed in (default ${WECOM_SIGN_IN_DEFAULT_NEXT})`),
});
export type WecomSignInStartQuery = z.infer<typeof wecomSignInStartQuerySchema>;

/** What WeCom appends to the callback URL (other parameters it may add are ignored). */
export const wecomSignInCallbackQuerySchema = z.object({
  code: z.string({ error: 'code is missing: open the page in WeCom again' }).min(1).max(512).describe("WeCom's single-use code (valid 5 minutes)"),
  state: z.string({ error: 'state is missing: open the page in WeCom again' }).min(1).max(128).describe('The state the start handed to WeCom, as WeCom returns it'),
});
export type WecomSignInCallbackQuery = z.infer<typeof wecomSignInCallbackQuerySchema>;
