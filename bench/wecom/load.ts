/**
 * Signed WeCom callbacks for the benchmark, and a poster that records each answer's latency. The
 * bodies are encrypted and signed with Siyu's own implementation (checked against Tencent's library
 * in the module's tests), so a benchmark needs no test dependency.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { encrypt, signature } from '../../src/modules/wecom/index.js';

export interface Keys {
  corpId: string;
  token: string;
  aesKey: string;
}

export interface SignedCallback {
  path: string;
  body: Buffer;
}

const cdata = (v: string) => `<![CDATA[${v}]]>`;

/** An add_external_contact callback for consultant `userId` and customer `externalUserId`, signed at `timestamp`. */
export function addCallback(keys: Keys, connectorId: string, userId: string, externalUserId: string, timestamp: number): SignedCallback {
  const xml =
    `<xml><ToUserName>${cdata(keys.corpId)}</ToUserName><FromUserName>${cdata('sys')}</FromUserName><CreateTime>${timestamp}</CreateTime>` +
    `<MsgType>${cdata('event')}</MsgType><Event>${cdata('change_external_contact')}</Event><ChangeType>${cdata('add_external_contact')}</ChangeType>` +
    `<UserID>${cdata(userId)}</UserID><ExternalUserID>${cdata(externalUserId)}</ExternalUserID></xml>`;
  const encrypted = encrypt(keys.aesKey, xml, keys.corpId);
  const nonce = randomBytes(6).toString('hex');
  const query = new URLSearchParams({ msg_signature: signature(keys.token, String(timestamp), nonce, encrypted), timestamp: String(timestamp), nonce });
  const body = Buffer.from(`<xml><ToUserName>${cdata(keys.corpId)}</ToUserName><Encrypt>${cdata(encrypted)}</Encrypt><AgentID>${cdata('1000002')}</AgentID></xml>`);
  return { path: `/connectors/wecom/${connectorId}/callback?${query.toString()}`, body };
}

function postOne(agent: http.Agent, base: URL, c: SignedCallback): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(c.path, base), { method: 'POST', agent, headers: { 'content-type': 'text/xml', 'content-length': c.body.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        if (res.statusCode === 200) resolve(performance.now() - started);
        else reject(new Error(`callback answered ${res.statusCode ?? '?'}: ${Buffer.concat(chunks).toString('utf8').slice(0, 500)}`));
      });
    });
    req.setTimeout(30_000, () => req.destroy(new Error('callback: no answer within 30 s')));
    req.on('error', reject);
    req.end(c.body);
  });
}

export interface PostResult {
  ms: number;
  latencies: Float64Array;
}

/** POSTs every callback, `concurrency` in flight over keep-alive connections (as WeCom's servers would hold them). */
export async function postCallbacks(base: string, callbacks: readonly SignedCallback[], concurrency: number): Promise<PostResult> {
  const url = new URL(base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies = new Float64Array(callbacks.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < callbacks.length; i = next++) latencies[i] = await postOne(agent, url, callbacks[i]!);
  };
  const started = performance.now();
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return { ms: performance.now() - started, latencies };
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
