import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../src/platform/db/index.js';
import { testApp } from '../src/testing/app.js';
import { freshTenant, openTestStore, testEngines } from '../src/testing/engines.js';
import { fuzzApi } from '../src/testing/fuzz/run.js';
import { startFakeWecom, type FakeWecom } from '../src/testing/fakes/wecom.js';
import { buildWorld, FUZZ_EXTERNAL_USERID, FUZZ_WECOM } from '../src/testing/fuzz/world.js';

/** The same requests on every run: a failure found once is found again. */
const SEED = 20261207;

describe.each(testEngines)('the API under fuzzing on %s', (engine) => {
  let store: Store;
  let app: FastifyInstance;
  let fake: FakeWecom;
  beforeAll(async () => {
    // The WeCom calls the fuzzer's requests make (channel codes, transfers, health checks) get answers.
    fake = await startFakeWecom({ corpId: FUZZ_WECOM.corpId, secrets: [FUZZ_WECOM.secret] });
    fake.addExternalContact({ external_userid: FUZZ_EXTERNAL_USERID, name: '模糊客户', follow_user: [{ userid: 'wa1' }, { userid: 'wa2' }] });
    store = await openTestStore(engine);
    // With a secret key, as a real deployment: the lead-platform connector stores its token.
    app = await testApp(store, undefined, { secretKey: randomBytes(32) });
  });
  afterAll(async () => {
    await app.close();
    await store.close();
    await fake.close();
  });

  it('answers every operation of /openapi.json, valid or mutated, without a 5xx and with every 4xx in the error shape', async () => {
    const world = await buildWorld(app, await freshTenant(store), { wecomApiBaseUrl: fake.url });
    const started = Date.now();
    const report = await fuzzApi(app, world, SEED);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const statuses = Object.entries(report.statuses).map(([s, n]) => `${s}×${n}`).join(' ');
    console.log(`fuzz on ${engine}: ${report.operations} operations, ${report.requests} requests in ${seconds} s (seed ${SEED}); statuses ${statuses}`);
    console.log(`operations no valid request of which succeeded (${report.neverSucceeded.length}):\n  ${report.neverSucceeded.join('\n  ')}`);
    expect(report.failures.slice(0, 30).join('\n\n')).toBe('');
    expect(report.failures).toHaveLength(0);
    expect(report.operations).toBeGreaterThan(100);
    // Valid requests must keep reaching the handlers (a 2xx), not only the validators.
    expect(report.neverSucceeded.length).toBeLessThanOrEqual(report.operations * 0.25);
  }, 600_000);
});
