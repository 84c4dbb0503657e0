import { isAppError, type ErrorCode } from '../../platform/errors.js';
import { isRecord } from '../../platform/json.js';

/**
 * WeCom API `errcode`s in words a corp admin can act on. The codes and their meanings come from
 * WeCom's 全局错误码 page (developer.work.weixin.qq.com/document/path/90313); 41051 is what
 * 发送新客户欢迎语 answers for a welcome code already used or expired. The health check answers with
 * them; the API client reuses them for its errors. Codes not listed fall back to WeCom's own errmsg.
 */

const WRONG_CREDENTIALS =
  'WeCom does not accept this corp id and secret: check the CorpID under 我的企业 → 企业信息 and copy the Secret of this app again ' +
  '(应用管理 → the self-built app → Secret; it is sent to the app\'s administrators in WeCom), then update the connector';

export const WECOM_ERRCODE_MESSAGES: Readonly<Record<number, string>> = {
  0: 'WeCom accepted the corp id and secret: the connector can call WeCom',
  40001: WRONG_CREDENTIALS,
  40013: 'WeCom does not know this corp id: copy the CorpID (ww…) under 我的企业 → 企业信息 and update the connector',
  40091: WRONG_CREDENTIALS,
  41002: 'the corp id is missing: update the connector with the CorpID under 我的企业 → 企业信息',
  41004: 'the secret is missing: update the connector with the app\'s Secret (应用管理 → the self-built app → Secret)',
  40014: 'the access token is not valid: it is fetched again on the next call',
  42001: 'the access token expired: it is fetched again on the next call',
  60020:
    "WeCom refuses calls from this server's IP address: add this server's IP to 企业可信IP (应用管理 → the self-built app → 企业可信IP) " +
    'and check again; WeCom names the refused IP in its errmsg',
  48002: 'the app lacks this permission: in the WeCom admin console give the app the API permission (e.g. 客户联系 → 可调用接口的应用) and check again',
  45009: 'WeCom\'s rate limit for this corp or app is reached: wait a minute and try again',
  45033: 'too many calls to WeCom at the same time: wait a moment and try again',
  45011: 'WeCom answers that the API is called too often: wait a moment and try again',
  [-1]: 'WeCom is busy (系统繁忙): try again in a moment',
  40003: 'WeCom does not know this member UserID: check the consultant\'s WeCom account (通讯录) and the staff binding in Siyu',
  60111: 'WeCom does not know this member UserID: check the consultant\'s WeCom account (通讯录) and the staff binding in Siyu',
  40096: 'WeCom does not accept this external_userid: it belongs to another corp or app, or the customer is not a contact of this corp',
  40058: 'WeCom refused a parameter of this call as not valid: WeCom\'s errmsg names it',
  40068: 'WeCom does not know this tag id: pull the corp tags again (get_corp_tag_list); the tag may have been deleted in WeCom',
  60011: 'the app may not see this member or department: widen the app\'s visible range (应用管理 → the app → 可见范围)',
  84061: 'there is no friendship between this member and this customer (any more): the customer may have deleted the member',
  40029:
    'WeCom does not accept this sign-in code: a code is valid once and for 5 minutes, and only for the app that asked for it. ' +
    'Open the page in WeCom again to sign in anew',
  41051: 'the welcome code was already used or has expired (it is valid once, within 20 seconds of the add event): the welcome message was not sent',
};

/** The AppError code for a non-zero errcode: what a caller of Siyu's API should learn from it. */
export function wecomErrorCode(errcode: number): ErrorCode {
  switch (errcode) {
    // Busy, rate-limited or a token WeCom keeps refusing: try again later.
    case -1:
    case 45009:
    case 45011:
    case 45033:
    case 40014:
    case 42001:
      return 'unavailable';
    // The connector's credentials, the server's IP or the app's permissions and visible range.
    case 40001:
    case 40013:
    case 40091:
    case 41002:
    case 41004:
    case 48002:
    case 60011:
    case 60020:
      return 'forbidden';
    // The friendship or the member does not exist (any more).
    case 84061:
    case 60111:
      return 'not_found';
    // Already used: a second send is refused.
    case 41051:
      return 'conflict';
    // A web sign-in's code (不合法的oauth_code) used already, expired or of another app.
    case 40029:
      return 'sign_in_code_invalid';
    // WeCom's other codes are nearly all about the request's parameters.
    default:
      return 'invalid_request';
  }
}

/** The words for `errcode`, or WeCom's own `errmsg` with the code when there are none. */
export function wecomErrcodeMessage(errcode: number, errmsg?: string): string {
  const known = WECOM_ERRCODE_MESSAGES[errcode];
  if (known !== undefined) return errcode === 60020 && errmsg ? `${known} (WeCom: ${errmsg})` : known;
  return `WeCom answered errcode ${errcode}${errmsg ? `: ${errmsg}` : ''}; look the code up in WeCom's 全局错误码 list`;
}

/** The WeCom errcode an API client error carries (`details.wecomErrcode`), or null for any other error. */
export function wecomErrcodeOf(err: unknown): number | null {
  return isAppError(err) && isRecord(err.details) && typeof err.details['wecomErrcode'] === 'number' ? err.details['wecomErrcode'] : null;
}
