import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OceanEngineError, fetchCluePage } from '../../connectors/lead-sources/index.js';
import { FAKE_CODES, startFakeOceanEngine, type DocumentedClue, type FakeOceanEngine } from './ocean-engine.js';

const clue = (n: number, at: string, extra: Partial<DocumentedClue> = {}): DocumentedClue => ({
  clue_id: `7300000000000000${String(n).padStart(3, '0')}`,
  advertiser_id: '1760000000000001',
  advertiser_name: '某品牌华东',
  ad_id: '1770000000000001',
  ad_name: '汉EV-试驾-上海',
  clue_type: 0,
  clue_source: 1,
  create_time_detail: at,
  name: `客户${n}`,
  telephone: `1380000${String(n).padStart(4, '0')}`,
  gender: 1,
  age: 30,
  province_name: '上海',
  city_name: '上海',
  remark_dict: { 意向车型: '汉' },
  form_remark: 'test-form',
  ...extra,
});

describe('the fake Ocean Engine clue API (tools/clue/get contract)', () => {
  let fake: FakeOceanEngine;
  beforeAll(async () => {
    fake = await startFakeOceanEngine({ accessTokens: ['good-token'] });
    for (let i = 1; i <= 5; i++) fake.addClue(clue(i, `2026-03-01 10:0${i}:00`));
    fake.addClue(clue(9, '2026-03-01 10:09:00', { advertiser_id: '1760000000000002' }));
  });
  afterAll(() => fake.close());

  const get = (query: string, token: string | null = 'good-token') =>
    fetch(`${fake.url}/open_api/2/tools/clue/get/?${query}`, { headers: token ? { 'Access-Token': token } : {} }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

  it('answers the documented envelope, field names and page_info, newest first', async () => {
    const res = await get('advertiser_ids=[1760000000000001]&start_time=2026-03-01 10:00:00&end_time=2026-03-01 10:04:00&page=1&page_size=2');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ code: 0, message: 'OK', request_id: expect.any(String) });
    const data = res.body['data'] as { list: DocumentedClue[]; page_info: unknown };
    expect(data.page_info).toEqual({ page: 1, page_size: 2, total_number: 4, total_page: 2 });
    expect(data.list.map((c) => c.clue_id)).toEqual(['7300000000000000004', '7300000000000000003']);
    expect(Object.keys(data.list[0]!).sort()).toEqual(
      [
        'clue_id', 'advertiser_id', 'advertiser_name', 'ad_id', 'ad_name', 'clue_type', 'clue_source', 'create_time', 'create_time_detail', 'date', 'name', 'telephone',
        'gender', 'age', 'province_name', 'city_name', 'remark_dict', 'form_remark',
      ].sort(),
    );
    expect(data.list[0]).toMatchObject({ create_time: '2026-03-01', create_time_detail: '2026-03-01 10:04:00', telephone: '13800000004' });
  });

  it('filters by advertiser (JSON array or comma list) and by whole days', async () => {
    const both = await get('advertiser_ids=1760000000000001,1760000000000002&start_time=2026-03-01&end_time=2026-03-01&page=1&page_size=100');
    expect((both.body['data'] as { page_info: { total_number: number } }).page_info.total_number).toBe(6);
    const other = await get('advertiser_ids=["1760000000000002"]&start_time=2026-03-01&end_time=2026-03-01');
    expect((other.body['data'] as { list: DocumentedClue[] }).list.map((c) => c.clue_id)).toEqual(['7300000000000000009']);
  });

  it('checks the Access-Token header and reports errors in the body with HTTP 200', async () => {
    const none = await get('advertiser_ids=[1]&start_time=2026-03-01&end_time=2026-03-01', null);
    expect(none).toMatchObject({ status: 200, body: { code: FAKE_CODES.tokenInvalid, data: {} } });
    const wrong = await get('advertiser_ids=[1]&start_time=2026-03-01&end_time=2026-03-01', 'stolen');
    expect(wrong.body['code']).toBe(40105);
    const bad = await get('start_time=2026-03-01&end_time=2026-03-01');
    expect(bad.body['code']).toBe(FAKE_CODES.invalidParam);
  });

  it('is what the client reads: pages, China time, errors as OceanEngineError', async () => {
    const page = await fetchCluePage({
      baseUrl: fake.url,
      accessToken: 'good-token',
      advertiserIds: ['1760000000000001'],
      from: new Date('2026-03-01T02:00:00Z'),
      to: new Date('2026-03-01T02:03:30Z'),
      page: 1,
      pageSize: 10,
    });
    expect(page.pageInfo).toEqual({ page: 1, page_size: 10, total_number: 3, total_page: 1 });
    expect(page.list.map((c) => c.clue_id)).toEqual(['7300000000000000003', '7300000000000000002', '7300000000000000001']);
    const last = fake.requests.at(-1)!;
    expect(last).toEqual({
      path: '/open_api/2/tools/clue/get/',
      accessToken: 'good-token',
      query: { advertiser_ids: '[1760000000000001]', start_time: '2026-03-01 10:00:00', end_time: '2026-03-01 10:03:30', page: '1', page_size: '10' },
    });
    fake.failNext(FAKE_CODES.tooManyRequests, 'Too many requests.');
    const err = await fetchCluePage({ baseUrl: fake.url, accessToken: 'good-token', advertiserIds: ['1'], from: new Date(0), to: new Date(), page: 1, pageSize: 10 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OceanEngineError);
    expect(err).toMatchObject({ code: 40100, message: 'Ocean Engine error 40100: Too many requests.' });
  });

  it('keeps clue ids wider than 2^53 exact when the platform sends them as numbers', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"code":0,"message":"OK","request_id":"r","data":{"list":[{"clue_id":7300000000000000123,"advertiser_id":1760000000000001}],"page_info":{"page":1,"page_size":10,"total_number":1,"total_page":1}}}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const page = await fetchCluePage({ baseUrl: `http://127.0.0.1:${port}`, accessToken: 't', advertiserIds: ['1'], from: new Date(0), to: new Date(), page: 1, pageSize: 10 });
      expect(page.list[0]).toMatchObject({ clue_id: '7300000000000000123', advertiser_id: '1760000000000001' });
    } finally {
      server.close();
    }
  });
});
