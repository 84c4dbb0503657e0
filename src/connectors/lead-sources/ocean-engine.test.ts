import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TenantCreated } from '../../contracts/tenancy.js';
import { ManualClock } from '../../platform/clock.js';
import type { Store } from '../../platform/db/index.js';
import { pendingJobs } from '../../platform/jobs/index.js';
import { json, testApp } from '../../testing/app.js';
import { freshTenant, openTestStore, testEngines } from '../../testing/engines.js';
import { startFakeOceanEngine, type DocumentedClue, type FakeOceanEngine } from '../../testing/fakes/ocean-engine.js';
import { adminRequest } from '../../testing/identity.js';
import { siyuWorker } from '../../worker/index.js';
import { OCEAN_ENGINE_POLL_JOB } from './ocean-engine.js';

const TOKEN = 'oe-access-token-1f2e3d';
const ADVERTISER = '1760000000000001';
/** 2026-03-01 10:30 China time. */
const START = new Date('2026-03-01T02:30:00Z');

const clue = (n: number, at: string, extra: Partial<DocumentedClue> = {}): DocumentedClue => ({
  clue_id: `73${String(n).padStart(17, '0')}`,
  advertiser_id: ADVERTISER,
  ad_id: '1770000000000001',
  ad_name: '汉EV-试驾',
  promotion_id: 7400000000000001,
  promotion_name: '汉EV-上海-春季试驾',
  clue_type: 0,
  clue_source: 1,
  create_time_detail: at,
  name: `客户${n}`,
  telephone: `1391000${String(n).padStart(4, '0')}`,
  province_name: '上海',
  city_name: '上海',
  remark_dict: { 意向车型: '汉' },
  ...extra,
});

describe.each(testEngines)('Ocean Engine clue poller on %s', (engine) => {
  const key = randomBytes(32);
  const clock = new ManualClock(START);
  const dir = mkdtempSync(join(tmpdir(), 'siyu-oe-'));
  let store: Store;
  let app: FastifyInstance;
  let fake: FakeOceanEngine;
  let tenant: TenantCreated;

  const open = async () => {
    store = await openTestStore(engine, engine === 'pglite' ? join(dir, 'data') : undefined);
    app = await testApp(store, clock, { secretKey: key });
  };
  const close = async () => {
    await app.close();
    await store.close();
  };
  beforeAll(open);
  afterAll(async () => {
    await close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    clock.set(START);
    tenant = await freshTenant(store);
    fake = await startFakeOceanEngine({ accessTokens: [TOKEN] });
  });
  afterEach(() => fake.close());

  const worker = () => siyuWorker({ db: store.db, store, clock, secretKey: key, onlyTenant: tenant.tenantId });
  const configure = async (extra: Record<string, unknown> = {}) => {
    const res = await adminRequest(app, tenant, 'PUT', '/api/v1/lead-connectors/ocean-engine', {
      baseUrl: fake.url,
      advertiserIds: [ADVERTISER],
      accessToken: TOKEN,
      pageSize: 2,
      pollIntervalSeconds: 300,
      remarkFields: { series: '意向车型' },
      ...extra,
    });
    expect(res.statusCode, res.body).toBe(200);
    return json(res);
  };
  const connector = async () => json(await adminRequest(app, tenant, 'GET', '/api/v1/lead-connectors/ocean-engine')) as Record<string, unknown>;
  const leads = () =>
    store.db
      .selectFrom('leads')
      .select(['id', 'source', 'external_id', 'channel', 'campaign', 'name', 'phone', 'city', 'province', 'series', 'created_at', 'dedup'])
      .where('tenant_id', '=', tenant.tenantId)
      .orderBy('external_id')
      .execute();

  it('reads every page of the window once and stores the leads, the cursor and the run', async () => {
    for (let i = 1; i <= 5; i++) fake.addClue(clue(i, `2026-03-01 10:1${i}:00`));
    // Outside the first window (now − 30 min): not read.
    fake.addClue(clue(9, '2026-03-01 09:55:00'));
    const configured = await configure();
    expect(configured).toMatchObject({ hasAccessToken: true, cursor: null, lastRunAt: null, nextRunAt: START.toISOString() });
    expect(JSON.stringify(configured)).not.toContain(TOKEN);
    const stored = await store.db.selectFrom('lead_connectors').select('secret_enc').where('tenant_id', '=', tenant.tenantId).executeTakeFirstOrThrow();
    expect(stored.secret_enc).not.toContain(TOKEN);

    await worker().drain();

    const clueRequests = fake.requests.filter((r) => r.path === '/open_api/2/tools/clue/get/');
    expect(clueRequests.map((r) => [r.query['page'], r.query['page_size'], r.query['start_time'], r.query['end_time'], r.accessToken])).toEqual([
      ['1', '2', '2026-03-01 10:00:00', '2026-03-01 10:30:00', TOKEN],
      ['2', '2', '2026-03-01 10:00:00', '2026-03-01 10:30:00', TOKEN],
      ['3', '2', '2026-03-01 10:00:00', '2026-03-01 10:30:00', TOKEN],
    ]);
    const rows = await leads();
    expect(rows).toHaveLength(5);
    expect(rows[0]).toMatchObject({
      source: 'douyin',
      external_id: '7300000000000000001',
      channel: 'ocean_engine',
      campaign: '汉EV-上海-春季试驾',
      name: '客户1',
      phone: '+8613910000001',
      city: '上海',
      province: '上海',
      series: '汉',
      created_at: new Date('2026-03-01T02:11:00Z'),
      dedup: 'new',
    });
    const raw = await store.db.selectFrom('leads').select('raw').where('tenant_id', '=', tenant.tenantId).where('external_id', '=', '7300000000000000001').executeTakeFirstOrThrow();
    expect(raw.raw).toMatchObject({ clue_id: '7300000000000000001', telephone: '13910000001', create_time_detail: '2026-03-01 10:11:00' });
    expect(await connector()).toMatchObject({
      cursor: '2026-03-01T02:15:00.000Z',
      lastRunAt: START.toISOString(),
      lastError: null,
      lastRun: { pages: 3, clues: 5, created: 5, existing: 0, completed: 0, waitingForPhone: 0, rejected: [] },
      nextRunAt: new Date(START.getTime() + 300_000).toISOString(),
    });
  });

  it('re-reads the look-back window: a late clue is taken in and late fields complete the stored lead', async () => {
    fake.addClue(clue(1, '2026-03-01 10:20:00'));
    fake.addClue(clue(2, '2026-03-01 10:25:00', { name: undefined, city_name: undefined, province_name: undefined }));
    fake.addClue(clue(3, '2026-03-01 10:26:00', { telephone: undefined }));
    await configure();
    await worker().drain();
    expect((await leads()).map((l) => [l.external_id, l.name, l.city])).toEqual([
      ['7300000000000000001', '客户1', '上海'],
      ['7300000000000000002', null, null],
    ]);
    // Clue 3 has no telephone yet: it holds the cursor back so that it is read again.
    expect(await connector()).toMatchObject({ cursor: '2026-03-01T02:26:00.000Z', lastRun: { clues: 3, created: 2, waitingForPhone: 1 } });

    // Ten minutes later the platform has filled in the fields, and a clue created before the cursor shows up.
    clock.advance(10 * 60_000);
    fake.updateClue('7300000000000000002', { name: '客户2', city_name: '杭州', province_name: '浙江' });
    fake.updateClue('7300000000000000003', { telephone: '13910000003' });
    fake.addClue(clue(4, '2026-03-01 10:22:00'));
    await adminRequest(app, tenant, 'POST', '/api/v1/lead-connectors/ocean-engine/poll');
    await worker().drain();

    expect((await leads()).map((l) => [l.external_id, l.name, l.city, l.province])).toEqual([
      ['7300000000000000001', '客户1', '上海', '上海'],
      ['7300000000000000002', '客户2', '杭州', '浙江'],
      ['7300000000000000003', '客户3', '上海', '上海'],
      ['7300000000000000004', '客户4', '上海', '上海'],
    ]);
    const last = fake.requests.at(-1)!;
    expect([last.query['start_time'], last.query['end_time']]).toEqual(['2026-03-01 09:56:00', '2026-03-01 10:40:00']);
    expect(await connector()).toMatchObject({ cursor: '2026-03-01T02:26:00.000Z', lastRun: { clues: 4, created: 2, existing: 2, completed: 1, waitingForPhone: 0 } });
    const completed = await store.db.selectFrom('leads').select('raw').where('tenant_id', '=', tenant.tenantId).where('external_id', '=', '7300000000000000002').executeTakeFirstOrThrow();
    expect(completed.raw).toMatchObject({ city_name: '杭州' });
  });

  it('is idempotent across restarts: a new app and worker on the same store create no duplicates', async () => {
    for (let i = 1; i <= 3; i++) fake.addClue(clue(i, `2026-03-01 10:2${i}:00`));
    await configure();
    await worker().drain();
    const before = await leads();
    expect(before).toHaveLength(3);

    // "Restart": close the app and the store, open both again on the same data.
    await close();
    await open();
    clock.advance(5 * 60_000);
    fake.addClue(clue(4, '2026-03-01 10:29:00'));
    await worker().drain();
    // The window overlaps the last one: clues 1-3 are read again and answered as stored.
    expect(await connector()).toMatchObject({ lastRun: { clues: 4, created: 1, existing: 3 }, lastError: null });
    const after = await leads();
    expect(after.map((l) => l.external_id)).toEqual(['7300000000000000001', '7300000000000000002', '7300000000000000003', '7300000000000000004']);
    expect(after.slice(0, 3).map((l) => l.id)).toEqual(before.map((l) => l.id));
  });

  it('records platform errors on the connector and retries with back-off instead of failing', async () => {
    fake.addClue(clue(1, '2026-03-01 10:20:00'));
    await configure();
    fake.failNext(40100, 'Too many requests.');
    await expect(worker().tick()).resolves.toBe(1);
    expect(await connector()).toMatchObject({ cursor: null, lastRunAt: START.toISOString(), lastError: 'Ocean Engine error 40100: Too many requests.' });
    const [job] = (await pendingJobs(store.db, tenant.tenantId)).filter((j) => j.kind === OCEAN_ENGINE_POLL_JOB);
    expect(job).toMatchObject({ attempts: 1, runAt: new Date(START.getTime() + 2000) });
    expect(await leads()).toHaveLength(0);

    // An expired token: the same, with the platform's code.
    clock.advance(2000);
    fake.expireToken(TOKEN);
    await worker().tick();
    expect((await connector())['lastError']).toBe('Ocean Engine error 40102: Access token has expired.');

    // A new token: the next poll succeeds and clears the error.
    const next = await startFakeOceanEngine({ accessTokens: ['oe-access-token-new'] });
    try {
      next.addClue(clue(1, '2026-03-01 10:20:00'));
      await configure({ baseUrl: next.url, accessToken: 'oe-access-token-new' });
      await worker().drain();
    } finally {
      await next.close();
    }
    expect(await connector()).toMatchObject({ lastError: null, cursor: '2026-03-01T02:20:00.000Z', lastRun: { created: 1 } });
    expect(await leads()).toHaveLength(1);
  });

  it('refuses to store a token without SIYU_SECRET_KEY, and the job records a key it cannot use', async () => {
    const plain = await testApp(store, clock);
    try {
      const res = await plain.inject({
        method: 'PUT',
        url: '/api/v1/lead-connectors/ocean-engine',
        headers: { authorization: `Bearer ${tenant.adminToken}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ baseUrl: fake.url, advertiserIds: [ADVERTISER], accessToken: TOKEN }),
      });
      expect(res.statusCode).toBe(503);
      expect(json(res)).toMatchObject({ error: { code: 'unavailable', message: expect.stringContaining('SIYU_SECRET_KEY') } });
      expect(await store.db.selectFrom('lead_connectors').select('kind').where('tenant_id', '=', tenant.tenantId).execute()).toEqual([]);
    } finally {
      await plain.close();
    }
    await configure();
    await siyuWorker({ db: store.db, store, clock, secretKey: randomBytes(32), onlyTenant: tenant.tenantId }).tick();
    expect((await connector())['lastError']).toContain('does not decrypt with this SIYU_SECRET_KEY');
  });
});
