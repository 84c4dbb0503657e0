import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { profilesPageSchema } from '../contracts/profiles.js';
import { loadConfig, type Config } from '../platform/config.js';
import type { Store } from '../platform/db/index.js';
import { createLogger } from '../platform/logger.js';
import { basicAuth, storedCounts } from '../testing/app.js';
import { freshTenant, openTestStore } from '../testing/engines.js';
import { serve } from './serve.js';

describe('graceful shutdown', () => {
  const dir = mkdtempSync(join(tmpdir(), 'siyu-serve-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finishes in-flight requests, then refuses new ones and closes the store', async () => {
    const dataDir = join(dir, 'data');
    const setup = await openTestStore('pglite', dataDir);
    const tenant = await freshTenant(setup);
    await setup.close();

    const server = await serve(
      { host: '127.0.0.1', port: 0, store: { engine: 'pglite', dataDir }, logLevel: 'silent', shutdownGraceMs: 10_000, requestTimeoutMs: 300_000, trustProxy: false, worker: { enabled: true, pollMs: 1000 } },
      createLogger('silent'),
    );
    // Without SIYU_SECRET_KEY the embedded store's key was generated into the data folder.
    expect(statSync(join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
    // Hold PGlite's only connection so the request below is in flight when shutdown starts.
    const held = await server.store.sql.session();
    const inFlight = fetch(`${server.url}/v1/track`, {
      method: 'POST',
      headers: { authorization: basicAuth(tenant.writeKey), 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'u', event: 'Late', messageId: 'in-flight' }),
    });
    await new Promise((r) => setTimeout(r, 200));
    const stopped = server.stop();
    await new Promise((r) => setTimeout(r, 200));
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow(); // no longer accepting
    held.release();
    const res = await inFlight;
    expect(res.status).toBe(200);
    await stopped;

    const reopened = await openTestStore('pglite', dataDir);
    expect(await storedCounts(reopened, tenant.tenantId)).toEqual({ events: 1, messageIds: 1 });
    await reopened.close();
  });
});

/** Runs the shell block of README.md's "First five minutes" against `url`, curl failing on any non-2xx answer. */
async function runReadme(url: string, token: string, password: string): Promise<string> {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## First five minutes'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README.md has no shell block under "First five minutes"');
  const script = block
    .replace(/^SIYU=.*$/m, `SIYU=${url}`)
    .replace(/^TOKEN=.*$/m, `TOKEN=${token}`)
    .replace(/^PASSWORD=.*$/m, `PASSWORD='${password}'`);
  const { stdout } = await promisify(execFile)('bash', ['-c', `set -euo pipefail\ncurl() { command curl --fail-with-body "$@"; }\n${script}`], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

describe('the first start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'siyu-first-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The configuration `npm start` would load from these variables, on a free port. */
  const configFor = (env: Record<string, string>): Config => ({ ...loadConfig(env), port: 0, logLevel: 'silent' });
  const tenantCount = async (store: Store) => (await store.db.selectFrom('tenants').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n;
  const progressSink = () => {
    const lines: string[] = [];
    return { lines, stream: { isTTY: false, write: (text: string) => lines.push(text) } };
  };

  const demoDir = join(dir, 'demo');

  it('writes the demo into a fresh embedded store before listening and prints its credentials', async () => {
    const progress = progressSink();
    const server = await serve(configFor({ SIYU_DATA_DIR: demoDir, SIYU_DEMO: 'on', SIYU_DEMO_PEOPLE: '200' }), createLogger('silent'), { progress: progress.stream });
    try {
      const demo = server.demo;
      expect(demo).not.toBeNull();
      if (!demo) return;
      expect(demo.staff.map((s) => s.role)).toEqual(expect.arrayContaining(['admin', 'dealer_manager', 'consultant']));
      expect(progress.lines.join('')).toContain('tracking events');

      const consultant = demo.staff.find((s) => s.role === 'consultant');
      expect(server.banner).toContain(demo.adminToken);
      expect(server.banner).toContain(consultant?.username);
      expect(server.banner).toContain(`${server.url}/docs`);

      // The search printed in the banner finds people with the printed admin token.
      const search = server.banner.match(/'(http:\/\/[^']+\/api\/v1\/profiles\?q=\d{4})'/)?.[1];
      expect(search).toBeDefined();
      const res = await fetch(search ?? '', { headers: { authorization: `Bearer ${demo.adminToken}` } });
      expect(res.status).toBe(200);
      expect(profilesPageSchema.parse(await res.json()).data.length).toBeGreaterThan(0);

      const login = await fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: consultant?.username, password: consultant?.password }),
      });
      expect(login.status).toBe(200);

      // The README's "First five minutes" works as written: every curl answers 2xx, with what it promises.
      const output = await runReadme(server.url, demo.adminToken, consultant?.password ?? '');
      expect(output).toContain('罗志强');
      expect(output).toContain('山岚 2.0T 四驱旗舰版');
      expect(output).toContain('30 天内试驾未下订');
      expect(output).toContain('"A4"');
      expect(output).toContain('"followUpRate"');
    } finally {
      await server.stop();
    }
  }, 300_000);

  it('starts at once on the same folder again: no second demo', async () => {
    const server = await serve(configFor({ SIYU_DATA_DIR: demoDir, SIYU_DEMO: 'on', SIYU_DEMO_PEOPLE: '200' }), createLogger('silent'), { progress: progressSink().stream });
    try {
      expect(server.demo).toBeNull();
      expect(Number(await tenantCount(server.store))).toBe(1);
      expect(server.banner).toContain('already holds data');
      expect(server.banner).not.toContain('Bearer');
    } finally {
      await server.stop();
    }
  });

  it('writes nothing with SIYU_DEMO=off', async () => {
    const server = await serve(configFor({ SIYU_DATA_DIR: join(dir, 'off'), SIYU_DEMO: 'off' }), createLogger('silent'), { progress: progressSink().stream });
    try {
      expect(server.demo).toBeNull();
      expect(Number(await tenantCount(server.store))).toBe(0);
      expect(server.banner).toContain('siyu tenant create');
    } finally {
      await server.stop();
    }
  });
});
