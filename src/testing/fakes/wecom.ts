import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * A local stand-in for WeCom's server API (qyapi.weixin.qq.com), following the documented contract
 * of 获取access_token: `GET /cgi-bin/gettoken?corpid=…&corpsecret=…` answers HTTP 200 with
 * `{ errcode: 0, errmsg: "ok", access_token, expires_in: 7200 }`, or with a non-zero errcode:
 * 41002 without corpid, 41004 without corpsecret, 40013 for an unknown corp id, 40001 for a secret
 * the corp does not have. Every answer is HTTP 200 with JSON, errors as a non-zero errcode, as WeCom's.
 * Only gettoken exists so far; other calls answer 404.
 */

export const FAKE_WECOM_ERRCODES = {
  invalidSecret: 40001,
  invalidCorpId: 40013,
  missingCorpId: 41002,
  missingSecret: 41004,
  untrustedIp: 60020,
} as const;

export interface FakeWecomRequest {
  path: string;
  query: Record<string, string>;
}

export interface FakeWecom {
  /** The apiBaseUrl to configure (`http://127.0.0.1:<port>`). */
  url: string;
  /** Every request received, in order. */
  requests: FakeWecomRequest[];
  /** Access tokens handed out, newest last. */
  tokens: string[];
  /**
   * Answer every call with 60020 (the caller's IP is not in the app's 企业可信IP) while `on`, as
   * WeCom does for a corp created since late 2022 whose app lists no trusted IP.
   */
  refuseIp(on: boolean): void;
  close(): Promise<void>;
}

/** How long a token lives, in seconds (WeCom documents 7200). */
export const FAKE_TOKEN_SECONDS = 7200;

function send(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(body));
}

/** A fake WeCom that knows one corp and the secrets of its apps. */
export async function startFakeWecom(options: { corpId: string; secrets: string[] }): Promise<FakeWecom> {
  const secrets = new Set(options.secrets);
  const requests: FakeWecomRequest[] = [];
  const tokens: string[] = [];
  let refusingIp = false;

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    requests.push({ path: url.pathname, query: Object.fromEntries(url.searchParams) });
    const hint = randomBytes(8).toString('hex');
    const fail = (errcode: number, errmsg: string) => send(res, { errcode, errmsg: `${errmsg}, hint: [${hint}], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e=${errcode}` });
    if (req.method !== 'GET' || url.pathname !== '/cgi-bin/gettoken') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('Not Found');
      return;
    }
    if (refusingIp) return fail(FAKE_WECOM_ERRCODES.untrustedIp, 'not allow to access from your ip');
    const corpId = url.searchParams.get('corpid');
    const secret = url.searchParams.get('corpsecret');
    if (!corpId) return fail(FAKE_WECOM_ERRCODES.missingCorpId, 'corpid missing');
    if (!secret) return fail(FAKE_WECOM_ERRCODES.missingSecret, 'secret missing');
    if (corpId !== options.corpId) return fail(FAKE_WECOM_ERRCODES.invalidCorpId, 'invalid corpid');
    if (!secrets.has(secret)) return fail(FAKE_WECOM_ERRCODES.invalidSecret, 'invalid credential');
    const token = randomBytes(48).toString('base64url');
    tokens.push(token);
    send(res, { errcode: 0, errmsg: 'ok', access_token: token, expires_in: FAKE_TOKEN_SECONDS });
  };

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the fake WeCom did not get a TCP port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    tokens,
    refuseIp(on) {
      refusingIp = on;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
