import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
      { host: '127.0.0.1', port: 0, store: { engine: 'pglite', dataDir }, logLevel: 'silent', shutdownGraceMs: 10_000, requestTimeoutMs: 300_000, worker: { enabled: true, pollMs: 1000 } },
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
