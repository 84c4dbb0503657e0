import { wecomJsapiSignatureSchema } from '@contracts/wecom-sidebar';
import { api } from '../../api/client';

/**
 * The few parts of WeCom's JS-SDK (jweixin 1.2.0 + jwxwork 1.0.0, loaded at run time) that the
 * sidebar calls: `wx.agentConfig` to unlock the chat APIs, then `getCurExternalContact`.
 */
export interface WxResult {
  errMsg?: string;
  err_msg?: string;
}

export interface WxAgentConfigOptions {
  corpid: string;
  agentid: string;
  timestamp: number;
  nonceStr: string;
  signature: string;
  jsApiList: string[];
  success: (res: WxResult) => void;
  fail: (res: WxResult) => void;
}

export interface WxCurExternalContact extends WxResult {
  userId?: string;
}

export interface WecomJsSdk {
  agentConfig(options: WxAgentConfigOptions): void;
  invoke(api: 'getCurExternalContact', args: Record<string, never>, callback: (res: WxCurExternalContact) => void): void;
}

declare global {
  interface Window {
    wx?: WecomJsSdk;
  }
}

const SDK_SCRIPTS = ['https://res.wx.qq.com/open/js/jweixin-1.2.0.js', 'https://open.work.weixin.qq.com/wwopen/js/jwxwork-1.0.0.js'];
const SCRIPT_TIMEOUT_MS = 15_000;

/** Why the chat's customer could not be found; the page words each reason. */
export type WecomSdkFailure = 'script' | 'signature' | 'config' | 'contact' | 'no_contact';

export class WecomSdkError extends Error {
  constructor(
    readonly reason: WecomSdkFailure,
    message: string,
  ) {
    super(message);
    this.name = 'WecomSdkError';
  }
}

/** True inside the WeCom client (its user agent says wxwork). */
export function inWecom(): boolean {
  return /wxwork/i.test(navigator.userAgent);
}

const loading = new Map<string, Promise<void>>();

function loadScript(src: string): Promise<void> {
  const known = loading.get(src);
  if (known) return known;
  const promise = new Promise<void>((resolve, reject) => {
    const script = document.createElement('script');
    const timer = window.setTimeout(() => reject(new WecomSdkError('script', `${src}: timed out`)), SCRIPT_TIMEOUT_MS);
    script.src = src;
    script.async = false;
    script.onload = () => {
      window.clearTimeout(timer);
      resolve();
    };
    script.onerror = () => {
      window.clearTimeout(timer);
      script.remove();
      reject(new WecomSdkError('script', `${src}: failed to load`));
    };
    document.head.appendChild(script);
  });
  // A failed load may be tried again (retry button).
  promise.catch(() => loading.delete(src));
  loading.set(src, promise);
  return promise;
}

const messageOf = (res: WxResult) => res.errMsg ?? res.err_msg ?? '';

/** The page URL WeCom signs: location.href without its #fragment. */
function signedPageUrl(): string {
  return window.location.href.split('#')[0] ?? window.location.href;
}

/**
 * The external_userid of the customer in the current chat: loads the SDK, signs this page's URL
 * through the API, configures the app (agentConfig) and asks WeCom for the chat's contact.
 */
export async function currentExternalContact(connectorId: string | undefined): Promise<string> {
  for (const src of SDK_SCRIPTS) await loadScript(src);
  const wx = window.wx;
  if (!wx) throw new WecomSdkError('script', 'wx is not defined after loading the SDK');
  let signature;
  try {
    signature = await api.get('/api/v1/wecom/jsapi-signature', wecomJsapiSignatureSchema, { query: { url: signedPageUrl(), connectorId } });
  } catch (e) {
    throw new WecomSdkError('signature', e instanceof Error ? e.message : String(e));
  }
  await new Promise<void>((resolve, reject) => {
    wx.agentConfig({
      corpid: signature.corpId,
      agentid: signature.agentId,
      timestamp: signature.timestamp,
      nonceStr: signature.nonceStr,
      signature: signature.signature,
      jsApiList: ['getCurExternalContact'],
      success: () => resolve(),
      fail: (res) => reject(new WecomSdkError('config', messageOf(res))),
    });
  });
  return new Promise<string>((resolve, reject) => {
    wx.invoke('getCurExternalContact', {}, (res) => {
      const message = messageOf(res);
      if (!message.endsWith(':ok')) reject(new WecomSdkError('contact', message));
      else if (res.userId) resolve(res.userId);
      else reject(new WecomSdkError('no_contact', message));
    });
  });
}
