import { randomUUID } from 'node:crypto';
import {
  Analytics,
  FetchHTTPClient,
  type HTTPClient,
  type HTTPClientRequest,
  type HTTPResponse,
} from '@segment/analytics-node';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { TenantCreated } from '../src/contracts/tenancy.js';
import type { Store } from '../src/platform/db/index.js';
import { basicAuth, storedCounts, testApp } from '../src/testing/app.js';
import { freshTenant, openTestStore, testEngines } from '../src/testing/engines.js';
import { within } from './support/server-process.js';

/**
 * Siyu as Segment's own Node client sees it: the real `@segment/analytics-node` sends to a real
 * listening server. Every HTTP request the client makes is recorded, so the test can compare what
 * the client sent with what was stored, and replay it byte for byte as a client retry would.
 */

interface RecordedRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  status?: number;
}

/** The default fetch client, with a record of every request and its status. */
class RecordingHttpClient implements HTTPClient {
  readonly requests: RecordedRequest[] = [];
  private readonly inner = new FetchHTTPClient();

  async makeRequest(options: HTTPClientRequest): Promise<HTTPResponse> {
    const record: RecordedRequest = { url: options.url, headers: { ...options.headers }, body: options.body };
    this.requests.push(record);
    const response = await this.inner.makeRequest(options);
    record.status = response.status;
    return response;
  }
}

/** The part of analytics-node's request body the assertions rely on. */
const sentBodySchema = z.object({
  writeKey: z.string(),
  sentAt: z.iso.datetime(),
  batch: z.array(
    z.looseObject({
      type: z.string(),
      messageId: z.string(),
      timestamp: z.iso.datetime(),
      userId: z.string().optional(),
      anonymousId: z.string().optional(),
      context: z.looseObject({ library: z.object({ name: z.string(), version: z.string() }) }),
    }),
  ),
});
type SentBody = z.infer<typeof sentBodySchema>;
type SentMessage = SentBody['batch'][number];

const parseSent = (r: RecordedRequest): SentBody => sentBodySchema.parse(JSON.parse(r.body));

const propsWithIndex = z.looseObject({ i: z.number() });

function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`expected ${what}`);
  return value;
}

describe.each(testEngines)('@segment/analytics-node against a running server on %s', (engine) => {
  let store: Store;
  let app: FastifyInstance;
  let url: string;
  let tenant: TenantCreated;

  beforeAll(async () => {
    store = await openTestStore(engine);
    app = await testApp(store);
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });
  beforeEach(async () => {
    tenant = await freshTenant(store);
  });

  /** A client that sends only when told to (or every `flushAt` events), and never retries. */
  function client(recorder: RecordingHttpClient, flushAt = 20) {
    const errors: unknown[] = [];
    const analytics = new Analytics({
      writeKey: tenant.writeKey,
      host: url,
      path: '/v1/batch',
      flushAt,
      flushInterval: 60_000,
      maxRetries: 0,
      httpRequestTimeout: 20_000,
      httpClient: recorder,
    });
    analytics.on('error', (err) => errors.push(err));
    const callback = (err?: unknown) => {
      if (err) errors.push(err);
    };
    return { analytics, errors, callback };
  }

  const rows = () => store.db.selectFrom('events').selectAll().where('tenant_id', '=', tenant.tenantId).orderBy('id').execute();

  /** Replays a recorded request as the client sent it: same URL, headers and body. */
  async function replay(r: RecordedRequest) {
    const res = await fetch(r.url, { method: 'POST', headers: r.headers, body: r.body, signal: AbortSignal.timeout(20_000) });
    return { status: res.status, body: await res.text() };
  }

  it('stores identify, track and page exactly once with their fields, and a replayed batch stores nothing new', async () => {
    const recorder = new RecordingHttpClient();
    const { analytics, errors, callback } = client(recorder);
    const userId = `u-${randomUUID()}`;
    const anonymousId = `a-${randomUUID()}`;
    const trackMessageId = `siyu-test-${randomUUID()}`;
    const traits = { name: '王伟', phone: '+8613412345678', vip: true, vehicle: { series: 'X5', year: 2024 } };
    const trackProps = { series: 'X5', dealer: '北京朝阳4S', priceFen: 45_990_000, options: ['M Sport', '全景天窗'] };
    const pageProps = { url: 'https://brand.example/x5', title: 'X5 | 试驾预约' };

    const before = Date.now();
    analytics.identify({ userId, traits }, callback);
    analytics.track({ userId, anonymousId, event: 'Test Drive Booked', properties: trackProps, messageId: trackMessageId }, callback);
    analytics.page({ anonymousId, name: 'X5 Detail', category: 'Models', properties: pageProps }, callback);
    await within(analytics.closeAndFlush({ timeout: 20_000 }), 30_000, 'closeAndFlush');
    const after = Date.now();

    expect(errors).toEqual([]);
    expect(recorder.requests).toHaveLength(1);
    const request = must(recorder.requests[0], 'one request');
    expect(request.status).toBe(200);
    expect(request.url).toBe(`${url}/v1/batch`);
    expect(request.headers['Authorization']).toBe(basicAuth(tenant.writeKey));
    const sent = parseSent(request);
    expect(sent.batch.map((m) => m.type)).toEqual(['identify', 'track', 'page']);
    const sentIdentify = must(sent.batch[0], 'the identify sent');
    const sentTrack = must(sent.batch[1], 'the track sent');
    const sentPage = must(sent.batch[2], 'the page sent');
    expect(sentTrack.messageId).toBe(trackMessageId);

    const stored = await rows();
    expect(await storedCounts(store, tenant.tenantId)).toEqual({ events: 3, messageIds: 3 });
    const byMessageId = new Map(stored.map((r) => [r.message_id, r]));
    expect([...byMessageId.keys()].sort()).toEqual(sent.batch.map((m) => m.messageId).sort());
    const identify = must(byMessageId.get(sentIdentify.messageId), 'the identify stored');
    const track = must(byMessageId.get(trackMessageId), 'the track stored');
    const page = must(byMessageId.get(sentPage.messageId), 'the page stored');

    expect(identify).toMatchObject({ type: 'identify', user_id: userId, anonymous_id: null, event: null, traits, properties: null });
    expect(track).toMatchObject({ type: 'track', user_id: userId, anonymous_id: anonymousId, event: 'Test Drive Booked', properties: trackProps, traits: null });
    // analytics-node copies a page's category into its properties, as Segment's spec asks.
    expect(page).toMatchObject({
      type: 'page',
      user_id: null,
      anonymous_id: anonymousId,
      name: 'X5 Detail',
      category: 'Models',
      properties: { ...pageProps, category: 'Models' },
      traits: null,
    });

    const pairs: [typeof identify, SentMessage][] = [
      [identify, sentIdentify],
      [track, sentTrack],
      [page, sentPage],
    ];
    for (const [row, message] of pairs) {
      expect(row.source_id).toBe(tenant.sourceId);
      expect(row.context).toMatchObject({ library: { name: '@segment/analytics-node', version: analytics.VERSION } });
      // Times: received during the test; the client's time kept as originalTimestamp, its send time
      // as sentAt, and the event time corrected for clock skew (received - (sentAt - clientTime)).
      const receivedAt = row.received_at.getTime();
      expect(receivedAt).toBeGreaterThanOrEqual(before - 1_000);
      expect(receivedAt).toBeLessThanOrEqual(after + 1_000);
      expect(row.original_timestamp?.toISOString()).toBe(new Date(message.timestamp).toISOString());
      expect(row.sent_at?.toISOString()).toBe(new Date(sent.sentAt).toISOString());
      const skew = new Date(sent.sentAt).getTime() - new Date(message.timestamp).getTime();
      expect(row.timestamp.getTime()).toBe(receivedAt - skew);
      expect(Math.abs(row.timestamp.getTime() - Date.now())).toBeLessThan(5_000);
    }

    // A client retry of the same request (e.g. after a lost response) changes nothing.
    const again = await replay(request);
    expect(again).toEqual({ status: 200, body: JSON.stringify({ success: true }) });
    expect(await storedCounts(store, tenant.tenantId)).toEqual({ events: 3, messageIds: 3 });
    expect(await rows()).toEqual(stored);
  });

  it('delivers many events over several batches exactly once, and replaying every batch stores nothing new', async () => {
    const recorder = new RecordingHttpClient();
    // flushAt 100 with 230 events: batches of 100 (stored with COPY) and a remainder (multi-row INSERT).
    const { analytics, errors, callback } = client(recorder, 100);
    const total = 230;
    for (let i = 0; i < total; i++) {
      analytics.track({ anonymousId: `a-${i % 17}`, event: 'Viewed Model', properties: { i, model: i % 2 ? 'X3' : 'X5', note: 'quote " comma , 中文' } }, callback);
    }
    await within(analytics.closeAndFlush({ timeout: 30_000 }), 40_000, 'closeAndFlush');

    expect(errors).toEqual([]);
    expect(recorder.requests.length).toBeGreaterThanOrEqual(3);
    expect(recorder.requests.map((r) => r.status)).toEqual(recorder.requests.map(() => 200));
    const sentIds = recorder.requests.flatMap((r) => parseSent(r).batch.map((m) => m.messageId));
    expect(sentIds).toHaveLength(total);
    expect(new Set(sentIds).size).toBe(total);

    const stored = await rows();
    expect(await storedCounts(store, tenant.tenantId)).toEqual({ events: total, messageIds: total });
    expect(stored.map((r) => r.message_id).sort()).toEqual([...sentIds].sort());
    expect(stored.map((r) => propsWithIndex.parse(r.properties).i).sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(stored.find((r) => r.message_id === sentIds[7])?.properties).toEqual({ i: 7, model: 'X3', note: 'quote " comma , 中文' });

    // Replay every recorded request at once, as retries racing each other would.
    const replays = await Promise.all(recorder.requests.map(replay));
    expect(replays.map((r) => r.status)).toEqual(recorder.requests.map(() => 200));
    expect(await storedCounts(store, tenant.tenantId)).toEqual({ events: total, messageIds: total });
    expect(await rows()).toEqual(stored);
  });
});
