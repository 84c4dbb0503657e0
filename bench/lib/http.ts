/** A small load generator: pre-built bodies POSTed over keep-alive connections, N in flight. */
import http from 'node:http';

export interface PostOptions {
  /** The full Authorization header value. */
  authorization: string;
  concurrency: number;
  /** Per request. */
  timeoutMs: number;
}

function postOne(agent: http.Agent, url: URL, body: Buffer, opts: PostOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: opts.authorization },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode === 200 && text.includes('"success":true')) resolve();
          else reject(new Error(`POST ${url.pathname} answered ${res.statusCode ?? '?'}: ${text.slice(0, 800)}`));
        });
      },
    );
    req.setTimeout(opts.timeoutMs, () => req.destroy(new Error(`POST ${url.pathname}: no answer within ${opts.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** POSTs every body, `concurrency` at a time; fails on the first non-200 answer. Returns elapsed ms. */
export async function postAll(url: URL, bodies: readonly Buffer[], opts: PostOptions): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < bodies.length) {
      const body = bodies[next++];
      if (!body) break;
      try {
        await postOne(agent, url, body, opts);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const started = performance.now();
  try {
    await Promise.all(Array.from({ length: Math.max(1, opts.concurrency) }, worker));
  } finally {
    agent.destroy();
  }
  return performance.now() - started;
}

/** HTTP Basic as Segment clients send it: the write key as user name, empty password. */
export function basicAuth(writeKey: string): string {
  return `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
}
