import { randomBytes } from 'node:crypto';
import { FakeWecomError, type Body } from './wecom-body.js';

/**
 * WeCom's web sign-in for self-built apps (网页授权登录, developer.work.weixin.qq.com/document/path/91022
 * and /91023) as the fake plays it:
 * - `GET /connect/oauth2/authorize?appid=CORPID&redirect_uri=…&response_type=code&scope=snsapi_base&state=…&agentid=…`
 *   is the page WeCom's browser opens: it sends the browser on (302) to redirect_uri with `code` and
 *   `state`, for whoever `signIn` says is using WeCom. Refusals are WeCom's error pages (400, text).
 * - `GET /cgi-bin/auth/getuserinfo?access_token=…&code=…` names the code's person: `{ userid }` for a
 *   member, `{ openid }` for anyone else; each code is valid once, for 5 minutes (40029 after that, or
 *   for a code never handed out; 41008 without one).
 */

/** How long a code lives, in seconds (WeCom documents 5 minutes). */
export const FAKE_OAUTH_CODE_SECONDS = 300;
/** WeCom's 不合法的oauth_code and 缺少oauth code. */
export const INVALID_OAUTH_CODE = 40029;
export const MISSING_OAUTH_CODE = 41008;

/** Who a code names: a member of the corp, or someone else (a WeChat user, a member of another corp). */
export type FakeVisitor = { userid: string } | { openid: string };

/** The scopes of a self-built app's web sign-in. */
const SCOPES = new Set(['snsapi_base', 'snsapi_privateinfo']);
/** WeCom's limit on state: letters and digits, at most 128 bytes. */
const STATE = /^[A-Za-z0-9]{0,128}$/;

export class FakeOAuth {
  private readonly codes = new Map<string, { visitor: FakeVisitor; expiresAt: number }>();
  /** Who the authorize page signs in: the person using WeCom, or nobody (the page refuses). */
  visitor: FakeVisitor | null = null;
  /** The app's trusted domains (可信域名, host[:port]); while empty, any redirect_uri host is taken. */
  readonly trustedDomains = new Set<string>();

  constructor(
    private readonly now: () => number,
    private readonly corpId: string,
  ) {}

  /** A new code for `visitor`, as WeCom appends to redirect_uri: valid once within 5 minutes. */
  issueCode(visitor: FakeVisitor): string {
    const code = randomBytes(24).toString('hex');
    this.codes.set(code, { visitor, expiresAt: this.now() + FAKE_OAUTH_CODE_SECONDS * 1000 });
    return code;
  }

  /** 获取访问用户身份: the code is used up whatever the answer. */
  getUserInfo(query: Record<string, string>): Body {
    const code = query['code'];
    if (!code) throw new FakeWecomError(MISSING_OAUTH_CODE, 'missing oauth code');
    const entry = this.codes.get(code);
    this.codes.delete(code);
    if (!entry || entry.expiresAt <= this.now()) throw new FakeWecomError(INVALID_OAUTH_CODE, 'invalid code');
    return 'userid' in entry.visitor ? { userid: entry.visitor.userid } : { openid: entry.visitor.openid };
  }

  /** The authorize page: where to send the browser on, or the error page's text. */
  authorize(params: URLSearchParams): { location: string } | { error: string } {
    if (params.get('appid') !== this.corpId) return { error: 'errcode=40013 invalid corpid (appid)' };
    const redirectUri = params.get('redirect_uri');
    let target: URL;
    try {
      target = new URL(redirectUri ?? '');
    } catch {
      return { error: 'errcode=40058 redirect_uri 参数错误' };
    }
    if (!/^https?:$/.test(target.protocol)) return { error: 'errcode=40058 redirect_uri 参数错误' };
    if (this.trustedDomains.size > 0 && !this.trustedDomains.has(target.host)) return { error: 'errcode=50001 redirect_uri 未登记可信域名 (redirect_uri not in the app\'s trusted domain)' };
    if (params.get('response_type') !== 'code') return { error: 'errcode=40058 response_type 参数错误' };
    if (!SCOPES.has(params.get('scope') ?? '')) return { error: 'errcode=40058 scope 参数错误' };
    const state = params.get('state') ?? '';
    if (!STATE.test(state)) return { error: 'errcode=40058 state 参数错误' };
    if (!this.visitor) return { error: 'nobody is signed in to the fake WeCom (call signIn first)' };
    target.searchParams.set('code', this.issueCode(this.visitor));
    target.searchParams.set('state', state);
    return { location: target.toString() };
  }
}
