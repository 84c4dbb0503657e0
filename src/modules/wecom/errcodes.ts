/**
 * WeCom API `errcode`s (全局错误码) in words a corp admin can act on. The health check answers with
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
  [-1]: 'WeCom is busy (系统繁忙): try again in a moment',
};

/** The words for `errcode`, or WeCom's own `errmsg` with the code when there are none. */
export function wecomErrcodeMessage(errcode: number, errmsg?: string): string {
  const known = WECOM_ERRCODE_MESSAGES[errcode];
  if (known !== undefined) return errcode === 60020 && errmsg ? `${known} (WeCom: ${errmsg})` : known;
  return `WeCom answered errcode ${errcode}${errmsg ? `: ${errmsg}` : ''}; look the code up in WeCom's 全局错误码 list`;
}
