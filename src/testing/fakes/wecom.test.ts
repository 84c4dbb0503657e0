import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_TOKEN_SECONDS, startFakeWecom, type FakeWecom } from './wecom.js';

describe('the fake WeCom server (gettoken)', () => {
  let fake: FakeWecom;
  beforeAll(async () => {
    fake = await startFakeWecom({ corpId: 'ww0123456789abcdef', secrets: ['app-secret'] });
  });
  afterAll(() => fake.close());
  const get = async (path: string) => {
    const res = await fetch(`${fake.url}${path}`);
    return { status: res.status, body: res.headers.get('content-type')?.startsWith('application/json') ? ((await res.json()) as Record<string, unknown>) : await res.text() };
  };

  it('hands out a token for the corp and a secret it knows, as documented', async () => {
    const res = await get('/cgi-bin/gettoken?corpid=ww0123456789abcdef&corpsecret=app-secret');
    expect(res).toEqual({ status: 200, body: { errcode: 0, errmsg: 'ok', access_token: fake.tokens.at(-1), expires_in: FAKE_TOKEN_SECONDS } });
  });

  it('answers errors as HTTP 200 with a non-zero errcode', async () => {
    for (const [path, errcode] of [
      ['/cgi-bin/gettoken?corpsecret=app-secret', 41002],
      ['/cgi-bin/gettoken?corpid=ww0123456789abcdef', 41004],
      ['/cgi-bin/gettoken?corpid=wwffffffffffffffff&corpsecret=app-secret', 40013],
      ['/cgi-bin/gettoken?corpid=ww0123456789abcdef&corpsecret=wrong', 40001],
    ] as const) {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ errcode, errmsg: expect.any(String) });
    }
    fake.refuseIp(true);
    expect((await get('/cgi-bin/gettoken?corpid=ww0123456789abcdef&corpsecret=app-secret')).body).toMatchObject({ errcode: 60020, errmsg: expect.stringContaining('from ip') });
    fake.refuseIp(false);
    expect((await get('/cgi-bin/user/get')).status).toBe(404);
    expect(fake.requests.at(-1)).toEqual({ path: '/cgi-bin/user/get', query: {} });
  });
});
