import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FAKE_TOKEN_SECONDS, startFakeWecom, type FakeWecom } from './wecom.js';

describe('the fake WeCom server (gettoken)', () => {
  let fake: FakeWecom;
  beforeAll(async () => {
    fake = await startFakeWecom({ corpId: 'ww0123456789abcdef', secrets: ['app-secret'] });
  });
  afterAll(() => fake.close());
  const get = async (path: string) => {
    const res = await fetch(`${fake.url}${path}`);
    return { status: res.status, body: res.headers.get('content-type')?.startsWith('application/json') ? z.record(z.string(), z.unknown()).parse(await res.json()) : await res.text() };
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

describe('the fake WeCom server (tokens, failures, calls)', () => {
  let fake: FakeWecom;
  let time = Date.parse('2026-03-01T08:00:00Z');
  beforeAll(async () => {
    fake = await startFakeWecom({ corpId: 'ww0123456789abcdef', secrets: ['app-secret'], now: () => time });
  });
  afterAll(() => fake.close());
  const token = async () => {
    const res = await fetch(`${fake.url}/cgi-bin/gettoken?corpid=ww0123456789abcdef&corpsecret=app-secret`);
    const body: unknown = await res.json();
    if (typeof body !== 'object' || body === null || !('access_token' in body) || typeof body.access_token !== 'string') throw new Error('no token');
    return body.access_token;
  };
  const tagList = async (accessToken: string) => {
    const res = await fetch(`${fake.url}/cgi-bin/externalcontact/get_corp_tag_list?access_token=${accessToken}`, { method: 'POST', body: '{}' });
    return { status: res.status, body: await res.json() };
  };

  it('answers 41001 without a token, 40014 for an unknown or invalidated one, 42001 for an expired one', async () => {
    expect((await tagList('')).body).toMatchObject({ errcode: 41001 });
    expect((await tagList('never-handed-out')).body).toMatchObject({ errcode: 40014 });
    const first = await token();
    expect(await tagList(first)).toEqual({ status: 200, body: { errcode: 0, errmsg: 'ok', tag_group: [] } });
    time += FAKE_TOKEN_SECONDS * 1000;
    expect((await tagList(first)).body).toMatchObject({ errcode: 42001 });
    const second = await token();
    fake.expireTokens();
    expect((await tagList(second)).body).toMatchObject({ errcode: 42001 });
    const third = await token();
    fake.invalidateTokens();
    expect((await tagList(third)).body).toMatchObject({ errcode: 40014 });
  });

  it('answers the next n calls with the errcode given to failNext, then normally', async () => {
    const accessToken = await token();
    fake.failNext(45009, 2);
    expect((await tagList(accessToken)).body).toMatchObject({ errcode: 45009 });
    expect((await tagList(accessToken)).body).toMatchObject({ errcode: 45009 });
    expect((await tagList(accessToken)).body).toMatchObject({ errcode: 0 });
    expect(fake.requests.at(-1)).toEqual({ path: '/cgi-bin/externalcontact/get_corp_tag_list', query: { access_token: accessToken }, body: {} });
  });
});
