import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AppError } from '../../platform/errors.js';
import { startFakeWecom, type FakeWecom } from '../../testing/fakes/wecom.js';
import { clearWecomTokenCache, createWecomClient, resetWecomRateLimits, type WecomClientOptions } from './index.js';
import { appErrorOf } from '../../testing/errors.js';

const CORP_ID = 'ww0123456789abcdef';
const SECRET = 'app-secret-must-not-leak';
const START = Date.parse('2026-03-01T08:00:00Z');

describe('the WeCom API client against the fake WeCom', () => {
  let fake: FakeWecom;
  let time: number;
  let sleeps: number[];
  const now = () => time;
  /** A sleep that moves the shared fake time instead of waiting. */
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    time += ms;
  };
  const client = (extra: Partial<WecomClientOptions> = {}) => createWecomClient({ corpId: CORP_ID, secret: SECRET, apiBaseUrl: fake.url, now, sleep, ...extra });
  const gettokens = () => fake.requests.filter((r) => r.path === '/cgi-bin/gettoken').length;
  const calls = (path: string) => fake.requests.filter((r) => r.path === `/cgi-bin/${path}`);

  beforeEach(async () => {
    time = START;
    sleeps = [];
    clearWecomTokenCache();
    resetWecomRateLimits();
    fake = await startFakeWecom({ corpId: CORP_ID, secrets: [SECRET], now });
    fake.addExternalContact({
      external_userid: 'wmCustomer1',
      name: '李雷',
      type: 1,
      gender: 1,
      unionid: 'ozUnion1',
      follow_user: [{ userid: 'zhangsan', remark: '李先生', createtime: 1_700_000_000, state: 'c-spring-bj01', add_way: 1, remark_mobiles: ['13800138000'] }],
    });
  });
  afterEach(() => fake.close());

  describe('access token', () => {
    it('fetches one token for many calls, also for concurrent calls and for a second client of the same app', async () => {
      const wecom = client();
      await Promise.all([1, 2, 3, 4].map(() => wecom.getExternalContact('wmCustomer1')));
      await client().getExternalContact('wmCustomer1');
      expect(gettokens()).toBe(1);
      expect(calls('externalcontact/get').map((r) => r.query.access_token)).toEqual(Array(5).fill(fake.tokens[0]));
    });

    it('fetches a new token 5 minutes before expires_in ends, without a refused call', async () => {
      const wecom = client();
      await wecom.getExternalContact('wmCustomer1');
      time += (7200 - 301) * 1000;
      await wecom.getExternalContact('wmCustomer1');
      expect(gettokens()).toBe(1);
      time += 2000;
      await wecom.getExternalContact('wmCustomer1');
      expect(gettokens()).toBe(2);
      expect(calls('externalcontact/get').at(-1)?.query.access_token).toBe(fake.tokens[1]);
    });

    for (const [what, expire] of [
      ['expired (42001)', (f: FakeWecom) => f.expireTokens()],
      ['invalid (40014)', (f: FakeWecom) => f.invalidateTokens()],
    ] as const) {
      it(`drops an ${what} token, fetches one new token and retries the call once`, async () => {
        const wecom = client();
        await wecom.getExternalContact('wmCustomer1');
        expire(fake);
        const answer = await wecom.getExternalContact('wmCustomer1');
        expect(answer.external_contact.name).toBe('李雷');
        expect(fake.requests.map((r) => r.path)).toEqual([
          '/cgi-bin/gettoken',
          '/cgi-bin/externalcontact/get',
          '/cgi-bin/externalcontact/get',
          '/cgi-bin/gettoken',
          '/cgi-bin/externalcontact/get',
        ]);
        expect(fake.tokens).toHaveLength(2);
        expect(calls('externalcontact/get').map((r) => r.query.access_token)).toEqual([fake.tokens[0], fake.tokens[0], fake.tokens[1]]);
      });
    }

    it('does not retry a second token refusal in a row: one refresh, then the error', async () => {
      const wecom = client();
      fake.failNext(42001, 5);
      const err = await appErrorOf(wecom.getExternalContact('wmCustomer1'));
      expect(err.code).toBe('unavailable');
      expect(err.details).toMatchObject({ wecomErrcode: 42001, path: '/cgi-bin/externalcontact/get' });
      expect(calls('externalcontact/get')).toHaveLength(2);
      expect(gettokens()).toBe(2);
    });
  });

  describe('back-off and rate limits', () => {
    it('backs off 1 s, 2 s on 45009 and then succeeds', async () => {
      fake.failNext(45009, 2);
      const answer = await client().getExternalContact('wmCustomer1');
      expect(answer.external_contact.external_userid).toBe('wmCustomer1');
      expect(sleeps).toEqual([1000, 2000]);
      expect(calls('externalcontact/get')).toHaveLength(3);
    });

    it('gives up after 1 s, 2 s, 4 s with unavailable and words to wait; system busy (-1) alike', async () => {
      fake.failNext(45009, 10);
      const err = await appErrorOf(client().getExternalContact('wmCustomer1'));
      expect(err).toMatchObject({ code: 'unavailable', message: expect.stringContaining('rate limit') });
      expect(err.details).toMatchObject({ wecomErrcode: 45009 });
      expect(sleeps).toEqual([1000, 2000, 4000]);
      expect(calls('externalcontact/get')).toHaveLength(4);

      sleeps = [];
      fake.failNext(-1, 1);
      await client().getExternalContact('wmCustomer1');
      expect(sleeps).toEqual([1000]);
    });

    it('makes calls over the corp bucket wait (without failing), shared by the clients of one corp', async () => {
      const limits = { corp: { perMinute: 60, burst: 3 }, perApi: { perMinute: 6000, burst: 100 } };
      const a = client({ limits });
      const b = client({ limits });
      await a.accessToken(); // takes one of the three
      await a.getExternalContact('wmCustomer1');
      await b.getExternalContact('wmCustomer1');
      expect(sleeps).toEqual([]);
      await a.getExternalContact('wmCustomer1');
      await b.getExternalContact('wmCustomer1');
      expect(sleeps).toEqual([1000, 1000]);
      expect(calls('externalcontact/get')).toHaveLength(4);
    });

    it('limits each API on its own', async () => {
      const wecom = client({ limits: { perApi: { perMinute: 30, burst: 1 } } });
      await wecom.getExternalContact('wmCustomer1');
      await wecom.getCorpTagList();
      expect(sleeps).toEqual([]);
      await wecom.getExternalContact('wmCustomer1');
      expect(sleeps).toEqual([2000]);
    });

    it('queues concurrent callers in arrival order', async () => {
      const waits: number[] = [];
      const wecom = client({ limits: { corp: { perMinute: 60, burst: 1 } }, sleep: async (ms) => void waits.push(ms) });
      await wecom.accessToken();
      await Promise.all([1, 2, 3].map(() => wecom.getExternalContact('wmCustomer1')));
      expect(waits.sort((x, y) => x - y)).toEqual([1000, 2000, 3000]);
    });
  });

  describe('errors', () => {
    const leaks = (err: AppError) => {
      const text = `${err.message} ${JSON.stringify(err.details)}`;
      expect(text).not.toContain(SECRET);
      for (const token of fake.tokens) expect(text).not.toContain(token);
    };

    it('maps errcodes to AppError codes with words, errcode, errmsg and path, never the secret or token', async () => {
      const wecom = client();
      await wecom.accessToken();
      fake.refuseIp(true);
      const ip = await appErrorOf(wecom.getExternalContact('wmCustomer1'));
      expect(ip).toMatchObject({ code: 'forbidden', message: expect.stringContaining("add this server's IP to 企业可信IP") });
      expect(ip.details).toEqual({ wecomErrcode: 60020, wecomErrmsg: expect.stringContaining('from ip'), path: '/cgi-bin/externalcontact/get' });
      leaks(ip);
      fake.refuseIp(false);

      const unknown = await appErrorOf(wecom.getExternalContact('wmNobody'));
      expect(unknown).toMatchObject({ code: 'invalid_request', message: expect.stringContaining('external_userid') });
      expect(unknown.details).toMatchObject({ wecomErrcode: 40096 });
      leaks(unknown);

      const wrong = await appErrorOf(createWecomClient({ corpId: CORP_ID, secret: 'wrong-secret-xyz', apiBaseUrl: fake.url, now, sleep }).getCorpTagList());
      expect(wrong).toMatchObject({ code: 'forbidden', details: { wecomErrcode: 40001, path: '/cgi-bin/gettoken' } });
      expect(`${wrong.message} ${JSON.stringify(wrong.details)}`).not.toContain('wrong-secret-xyz');
    });

    it('reports an unreachable host or an answer without JSON as unavailable, naming only the host', async () => {
      const down = await appErrorOf(createWecomClient({ corpId: CORP_ID, secret: SECRET, apiBaseUrl: 'http://127.0.0.1:9', now, sleep }).getCorpTagList());
      expect(down).toMatchObject({ code: 'unavailable', message: expect.stringContaining('could not reach 127.0.0.1:9') });
      expect(`${down.message} ${JSON.stringify(down.details)}`).not.toContain(SECRET);

      const html = async () => new Response('<html>502 Bad Gateway</html>', { status: 502 });
      const proxy = await appErrorOf(createWecomClient({ corpId: CORP_ID, secret: SECRET, apiBaseUrl: 'https://qyapi.example.test', fetch: html, now, sleep }).getCorpTagList());
      expect(proxy).toMatchObject({ code: 'unavailable', message: expect.stringContaining("qyapi.example.test answered HTTP 502 without WeCom's JSON") });
      expect(`${proxy.message} ${JSON.stringify(proxy.details)}`).not.toContain(SECRET);
    });

    it('reports an answer without the documented fields as unavailable, naming the fields', async () => {
      const answers = [{ errcode: 0, errmsg: 'ok', access_token: 'tok', expires_in: 7200 }, { errcode: 0, errmsg: 'ok', external_contact: { name: 'x' } }];
      const scripted = async () => Response.json(answers.shift());
      const err = await appErrorOf(createWecomClient({ corpId: CORP_ID, secret: SECRET, apiBaseUrl: 'https://qyapi.example.test', fetch: scripted, now, sleep }).getExternalContact('wmX'));
      expect(err).toMatchObject({ code: 'unavailable', message: expect.stringContaining('/cgi-bin/externalcontact/get does not have the documented shape') });
      expect(err.details).toMatchObject({ issues: expect.arrayContaining([expect.objectContaining({ path: 'external_contact.external_userid' })]) });
    });
  });
});
