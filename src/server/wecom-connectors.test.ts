import { randomBytes } from 'node:crypto';
import * as tencent from '@wecom/crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../platform/clock.js';
import { decryptSecret } from '../platform/secrets.js';
import { secretContext } from '../modules/wecom/index.js';
import { createLogger } from '../platform/logger.js';
import { json, testApp, useAppFixture } from '../testing/app.js';
import { freshTenant, testEngines } from '../testing/engines.js';
import { startFakeWecom, type FakeWecom } from '../testing/fakes/wecom.js';
import { adminRequest } from '../testing/identity.js';
import { asStaff, seedNetwork } from '../testing/org.js';

const NOW = new Date('2026-03-10T02:00:00Z');
const CORP_ID = 'ww0123456789abcdef';
const SECRET = 'Sx9-appSecret_0123456789abcdefghijABCDEFGHIJ';
const TOKEN = 'Tk8sYQwq3Lm';
const AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const CREATE = { corpId: CORP_ID, agentId: '1000002', secret: SECRET, token: TOKEN, encodingAESKey: AES_KEY };
const RESPONSE_KEYS = ['agentId', 'apiBaseUrl', 'callbackUrl', 'corpId', 'createdAt', 'id', 'updatedAt'];

/** What WeCom sends to verify a callback URL, made with Tencent's own library. */
function verificationQuery(echo: string, o: { token?: string; aesKey?: string; corpId?: string; timestamp?: number } = {}) {
  const timestamp = String(o.timestamp ?? Math.floor(NOW.getTime() / 1000));
  const nonce = randomBytes(6).toString('hex');
  const echostr = tencent.encrypt(o.aesKey ?? AES_KEY, echo, o.corpId ?? CORP_ID);
  return { msg_signature: tencent.getSignature(o.token ?? TOKEN, timestamp, nonce, echostr), timestamp, nonce, echostr };
}

const query = (q: Record<string, string>) => new URLSearchParams(q).toString();

describe.each(testEngines)('WeCom connectors on %s', (engine) => {
  const key = randomBytes(32);
  const clock = new ManualClock(NOW);
  const fx = useAppFixture(engine, { clock, secretKey: key });
  const tenant = () => fx.tenant.tenantId;
  const responses: LightMyRequestResponse[] = [];
  const admin = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) => {
    const res = await adminRequest(fx.app, fx.tenant, method, url, payload);
    responses.push(res);
    return res;
  };
  const create = async (body: Record<string, unknown> = CREATE) => {
    const res = await admin('POST', '/api/v1/connectors/wecom', body);
    expect(res.statusCode, res.body).toBe(201);
    return json(res) as { id: string; callbackUrl: string; corpId: string };
  };
  const rows = () => fx.store.db.selectFrom('wecom_connectors').selectAll().where('tenant_id', '=', tenant()).execute();
  const callback = (id: string, q: Record<string, string>) => fx.app.inject({ method: 'GET', url: `/connectors/wecom/${id}/callback?${query(q)}` });

  afterAll(() => {
    // No answer of any test here ever carried a secret.
    for (const res of responses) for (const s of [SECRET, TOKEN, AES_KEY]) expect(res.body).not.toContain(s);
  });

  describe('configuration (admins)', () => {
    it('creates, lists, reads, updates and deletes a connector, never answering or storing a secret in clear', async () => {
      const created = await create();
      expect(Object.keys(created).sort()).toEqual(RESPONSE_KEYS);
      expect(created).toMatchObject({ corpId: CORP_ID, agentId: '1000002', apiBaseUrl: 'https://qyapi.weixin.qq.com', createdAt: NOW.toISOString() });
      expect(created.callbackUrl).toMatch(new RegExp(`^http://localhost(:80)?/connectors/wecom/${created.id}/callback$`));

      const [row] = await rows();
      expect(row).toBeDefined();
      for (const [column, plain] of [['secret_enc', SECRET], ['token_enc', TOKEN], ['aes_key_enc', AES_KEY]] as const) {
        expect(row?.[column]).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
        expect(row?.[column]).not.toContain(plain);
      }
      // Each ciphertext is bound to its field: the token's does not pass for the secret's.
      expect(new Set([row?.secret_enc, row?.token_enc, row?.aes_key_enc]).size).toBe(3);
      const tenantId = tenant();
      expect(decryptSecret(key, row!.token_enc, secretContext(tenantId, created.id, 'token'))).toBe(TOKEN);
      expect(() => decryptSecret(key, row!.token_enc, secretContext(tenantId, created.id, 'secret'))).toThrow(/does not decrypt/);

      const list = await admin('GET', '/api/v1/connectors/wecom');
      expect(json(list)).toEqual({ data: [created] });
      expect(json(await admin('GET', `/api/v1/connectors/wecom/${created.id}`))).toEqual(created);

      clock.advance(60_000);
      const put = await admin('PUT', `/api/v1/connectors/wecom/${created.id}`, { corpId: CORP_ID, agentId: 1000003, token: 'NewToken42' });
      expect(put.statusCode, put.body).toBe(200);
      expect(json(put)).toEqual({ ...created, agentId: '1000003', updatedAt: new Date(NOW.getTime() + 60_000).toISOString() });
      const [after] = await rows();
      // Left out: kept as stored. Given: encrypted anew.
      expect(after?.secret_enc).toBe(row?.secret_enc);
      expect(after?.aes_key_enc).toBe(row?.aes_key_enc);
      expect(after?.token_enc).not.toBe(row?.token_enc);
      expect(after?.token_enc).not.toContain('NewToken42');

      const del = await admin('DELETE', `/api/v1/connectors/wecom/${created.id}`);
      expect(del.statusCode).toBe(204);
      expect((await admin('GET', `/api/v1/connectors/wecom/${created.id}`)).statusCode).toBe(404);
      expect((await admin('DELETE', `/api/v1/connectors/wecom/${created.id}`)).statusCode).toBe(404);
      expect(await rows()).toEqual([]);

      const audit = await fx.store.db.selectFrom('audit_log').select(['action', 'target_id', 'details']).where('tenant_id', '=', tenant()).where('target_type', '=', 'wecom_connector').orderBy('at').orderBy('action').execute();
      expect(audit.map((a) => [a.action, a.target_id])).toEqual([
        ['wecom_connector.create', created.id],
        ['wecom_connector.update', created.id],
        ['wecom_connector.delete', created.id],
      ]);
      expect(audit[1]?.details).toMatchObject({ tokenChanged: true, secretChanged: false, encodingAESKeyChanged: false });
      for (const s of [SECRET, TOKEN, AES_KEY, 'NewToken42']) expect(JSON.stringify(audit)).not.toContain(s);
    });

    it('refuses a second connector for the same corp (409) but takes another corp, and another tenant the same corp', async () => {
      const first = await create();
      const dup = await admin('POST', '/api/v1/connectors/wecom', { ...CREATE, agentId: '1000009' });
      expect(dup.statusCode).toBe(409);
      expect(json(dup)).toMatchObject({ error: { code: 'conflict', message: expect.stringContaining(`already has a WeCom connector for corp ${CORP_ID}`), details: { connectorId: first.id } } });
      const second = await create({ ...CREATE, corpId: 'ww00000000000000ff' });
      const moved = await admin('PUT', `/api/v1/connectors/wecom/${second.id}`, { corpId: CORP_ID, agentId: '1000002' });
      expect(moved.statusCode).toBe(409);
      expect((await rows()).length).toBe(2);

      // Claims of one corp at the same time: one wins, the others are 409s, never a 500.
      const third = await create({ ...CREATE, corpId: 'ww00000000000000fe' });
      const racing = await Promise.all([
        admin('POST', '/api/v1/connectors/wecom', { ...CREATE, corpId: 'ww00000000000000fd' }),
        admin('PUT', `/api/v1/connectors/wecom/${second.id}`, { corpId: 'ww00000000000000fd', agentId: '1000002' }),
        admin('PUT', `/api/v1/connectors/wecom/${third.id}`, { corpId: 'ww00000000000000fd', agentId: '1000002' }),
      ]);
      expect(racing.map((r) => r.statusCode).filter((s) => s < 300)).toHaveLength(1);
      expect(racing.map((r) => r.statusCode).filter((s) => s >= 300)).toEqual([409, 409]);
      expect((await rows()).filter((r) => r.corp_id === 'ww00000000000000fd')).toHaveLength(1);

      const other = await freshTenant(fx.store);
      const res = await adminRequest(fx.app, other, 'POST', '/api/v1/connectors/wecom', CREATE);
      expect(res.statusCode, res.body).toBe(201);
      // A tenant sees and changes only its own connectors.
      expect((await adminRequest(fx.app, other, 'GET', `/api/v1/connectors/wecom/${first.id}`)).statusCode).toBe(404);
      expect((await adminRequest(fx.app, other, 'DELETE', `/api/v1/connectors/wecom/${first.id}`)).statusCode).toBe(404);
    });

    it('refuses bad settings naming the field (400), storing nothing', async () => {
      for (const [patch, field] of [
        [{ corpId: 'ww 0123' }, 'corpId'],
        [{ agentId: 'app' }, 'agentId'],
        [{ token: 'ab' }, 'token'],
        [{ token: 'has space' }, 'token'],
        [{ encodingAESKey: AES_KEY.slice(1) }, 'encodingAESKey'],
        [{ encodingAESKey: `${AES_KEY.slice(1)}=` }, 'encodingAESKey'],
        [{ apiBaseUrl: 'ftp://qyapi.weixin.qq.com' }, 'apiBaseUrl'],
        [{ secret: undefined }, 'secret'],
      ] as const) {
        const res = await admin('POST', '/api/v1/connectors/wecom', { ...CREATE, ...patch });
        expect(res.statusCode, JSON.stringify(patch)).toBe(400);
        expect(res.body).toContain(field);
      }
      const created = await create();
      // The stored secret goes only to the host it was given for.
      const moved = await admin('PUT', `/api/v1/connectors/wecom/${created.id}`, { corpId: CORP_ID, agentId: '1000002', apiBaseUrl: 'http://127.0.0.1:9' });
      expect(moved.statusCode).toBe(400);
      expect(json(moved)).toMatchObject({ error: { message: 'apiBaseUrl points to another host: send the secret again with it' } });
      expect((await rows()).map((r) => r.api_base_url)).toEqual(['https://qyapi.weixin.qq.com']);
    });

    it('is for admins only: other roles get 403, and without SIYU_SECRET_KEY nothing is stored (503)', async () => {
      const net = await seedNetwork(fx.app, fx.tenant);
      const created = await create();
      for (const who of ['hqOps', 'analyst', 'managerA', 'consultantA1'] as const) {
        const token = net.staff[who].token;
        expect((await asStaff(fx.app, token, 'POST', '/api/v1/connectors/wecom', { ...CREATE, corpId: 'ww1111111111111111' })).statusCode).toBe(403);
        expect((await asStaff(fx.app, token, 'GET', '/api/v1/connectors/wecom')).statusCode).toBe(403);
        expect((await asStaff(fx.app, token, 'GET', `/api/v1/connectors/wecom/${created.id}`)).statusCode).toBe(403);
        expect((await asStaff(fx.app, token, 'PUT', `/api/v1/connectors/wecom/${created.id}`, { corpId: CORP_ID, agentId: '1' })).statusCode).toBe(403);
        expect((await asStaff(fx.app, token, 'POST', `/api/v1/connectors/wecom/${created.id}/check`)).statusCode).toBe(403);
        expect((await asStaff(fx.app, token, 'DELETE', `/api/v1/connectors/wecom/${created.id}`)).statusCode).toBe(403);
      }
      const staffAdmin = await asStaff(fx.app, net.staff.admin.token, 'GET', `/api/v1/connectors/wecom/${created.id}`);
      expect(staffAdmin.statusCode).toBe(200);

      const plain = await testApp(fx.store, clock);
      try {
        const res = await plain.inject({
          method: 'POST',
          url: '/api/v1/connectors/wecom',
          headers: { authorization: `Bearer ${fx.tenant.adminToken}`, 'content-type': 'application/json' },
          payload: JSON.stringify({ ...CREATE, corpId: 'ww2222222222222222' }),
        });
        expect(res.statusCode).toBe(503);
        expect(json(res)).toMatchObject({ error: { code: 'unavailable', message: expect.stringContaining('SIYU_SECRET_KEY') } });
      } finally {
        await plain.close();
      }
      expect((await rows()).map((r) => r.corp_id)).toEqual([CORP_ID]);
    });
  });

  describe('URL verification (GET /connectors/wecom/{id}/callback, signed by WeCom)', () => {
    it('answers exactly the decrypted echostr as text', async () => {
      const { id } = await create();
      for (const echo of ['1616140317555161061', '随机字符串 with spaces']) {
        const res = await callback(id, verificationQuery(echo));
        expect(res.statusCode, res.body).toBe(200);
        expect(res.headers['content-type']).toMatch(/^text\/plain/);
        expect(res.rawPayload.equals(Buffer.from(echo, 'utf8'))).toBe(true);
      }
    });

    it('refuses a tampered signature, another receive id, a stale timestamp and an unknown connector in the error shape', async () => {
      const { id } = await create();
      const good = verificationQuery('1616140317555161061');
      const cases: Array<[string, string, Record<string, string>, number, string]> = [
        ['tampered signature', id, { ...good, msg_signature: `${good.msg_signature.slice(0, -1)}${good.msg_signature.endsWith('0') ? '1' : '0'}` }, 401, 'bad_signature'],
        ['signed with another token', id, verificationQuery('x', { token: 'OtherToken1' }), 401, 'bad_signature'],
        ['encrypted for another corp', id, verificationQuery('x', { corpId: 'ww00000000000000ff' }), 400, 'wrong_receive_id'],
        ['stale timestamp', id, verificationQuery('x', { timestamp: Math.floor(NOW.getTime() / 1000) - 301 }), 401, 'stale_timestamp'],
        ['timestamp from the future', id, verificationQuery('x', { timestamp: Math.floor(NOW.getTime() / 1000) + 3600 }), 401, 'stale_timestamp'],
      ];
      for (const [what, connector, q, status, reason] of cases) {
        const res = await callback(connector, q);
        expect(res.statusCode, what).toBe(status);
        expect(json(res), what).toEqual({ error: { code: expect.any(String), message: expect.any(String), details: expect.objectContaining({ reason }) } });
      }
      const unknown = await callback('6f1c9a52-7f43-4c55-9d1e-0c8f4f8f0a11', good);
      expect(unknown.statusCode).toBe(404);
      expect(json(unknown)).toMatchObject({ error: { code: 'not_found', details: null } });
      const missing = await callback(id, { msg_signature: good.msg_signature, timestamp: good.timestamp, nonce: good.nonce });
      expect(missing.statusCode).toBe(400);
      expect(missing.body).toContain('echostr');
    });

    it('logs a refusal with its reason, and never the token or key', async () => {
      const { id } = await create();
      const lines: string[] = [];
      const logged = await testApp(fx.store, clock, { secretKey: key, logger: createLogger('info', { write: (line: string) => void lines.push(line) }) });
      try {
        const res = await logged.inject({ method: 'GET', url: `/connectors/wecom/${id}/callback?${query(verificationQuery('x', { token: 'OtherToken1' }))}` });
        expect(res.statusCode).toBe(401);
      } finally {
        await logged.close();
      }
      const refusal = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => String(l['msg']).startsWith('WeCom URL verification refused'));
      expect(refusal).toMatchObject({ level: 40, connectorId: id, code: 'unauthorized', reason: 'bad_signature' });
      for (const s of [TOKEN, AES_KEY, SECRET]) expect(lines.join('')).not.toContain(s);
    });
  });

  describe('health check (POST /api/v1/connectors/wecom/{id}/check) against the fake WeCom', () => {
    let fake: FakeWecom;
    beforeAll(async () => {
      fake = await startFakeWecom({ corpId: CORP_ID, secrets: [SECRET] });
    });
    afterAll(() => fake.close());
    const check = async (id: string) => {
      const res = await admin('POST', `/api/v1/connectors/wecom/${id}/check`);
      expect(res.statusCode, res.body).toBe(200);
      return json(res) as { ok: boolean; errcode: number; message: string };
    };

    it('reports ok, a wrong secret, an unknown corp, the untrusted IP and an unreachable host in words', async () => {
      const { id } = await create({ ...CREATE, apiBaseUrl: fake.url });
      expect(await check(id)).toEqual({ ok: true, errcode: 0, message: expect.stringContaining('accepted') });
      const last = fake.requests.at(-1);
      expect(last).toEqual({ path: '/cgi-bin/gettoken', query: { corpid: CORP_ID, corpsecret: SECRET } });

      fake.refuseIp(true);
      try {
        const refused = await check(id);
        expect(refused).toMatchObject({ ok: false, errcode: 60020 });
        expect(refused.message).toContain("add this server's IP to 企业可信IP");
      } finally {
        fake.refuseIp(false);
      }

      await admin('PUT', `/api/v1/connectors/wecom/${id}`, { corpId: CORP_ID, agentId: '1000002', apiBaseUrl: fake.url, secret: 'not-the-secret' });
      // apiBaseUrl left out: the stored one is kept (no reset to WeCom's, no "send the secret again").
      const kept = await admin('PUT', `/api/v1/connectors/wecom/${id}`, { corpId: CORP_ID, agentId: '1000002' });
      expect(kept.statusCode, kept.body).toBe(200);
      expect(json(kept)).toMatchObject({ apiBaseUrl: fake.url });
      const wrong = await check(id);
      expect(wrong).toMatchObject({ ok: false, errcode: 40001, message: expect.stringContaining('copy the Secret of this app again') });

      const other = await create({ ...CREATE, corpId: 'ww00000000000000ff', apiBaseUrl: fake.url });
      expect(await check(other.id)).toMatchObject({ ok: false, errcode: 40013 });

      const down = await create({ ...CREATE, corpId: 'ww00000000000000ee', apiBaseUrl: 'http://127.0.0.1:9' });
      const unreachable = await check(down.id);
      expect(unreachable).toMatchObject({ ok: false, errcode: -1, message: expect.stringContaining('could not reach 127.0.0.1:9') });

      expect((await admin('POST', '/api/v1/connectors/wecom/6f1c9a52-7f43-4c55-9d1e-0c8f4f8f0a11/check')).statusCode).toBe(404);
    });
  });
});
