import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TenantCreated } from '../contracts/tenancy.js';
import { ManualClock } from '../platform/clock.js';
import type { Store } from '../platform/db/index.js';
import { json, testApp } from '../testing/app.js';
import { freshTenant, openTestStore, testEngines } from '../testing/engines.js';
import { adminRequest } from '../testing/identity.js';
import { TEST_PASSWORD, asStaff, login } from '../testing/org.js';
import { DEFAULT_CONSOLE_DIR, contentSecurityPolicy } from './console.js';
import { csrfMatches, csrfTokenFor } from './session-cookie.js';

/**
 * The web console's side of the server: cookie sign-in with a CSRF token, and the built console
 * files (hashed assets, the SPA fallback with its Content-Security-Policy).
 */

type ErrorBody = { error: { code: string; message: string; details: unknown } };
type Me = { kind: string; role: string; locale: string; tenant: { id: string; name: string; timeZone: string }; staff: { id: string } | null };

const INDEX_HTML = '<!doctype html><html><head><script type="module" src="/assets/index-4f3a2b1c.js"></script></head><body><div id="root"></div></body></html>';
const ASSET_JS = 'console.log("siyu console");\n';
const BASE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

const errorOf = (res: LightMyRequestResponse) => (json(res) as ErrorBody).error;

/** The Set-Cookie lines of an answer, by cookie name. */
function setCookies(res: LightMyRequestResponse): Map<string, string> {
  const raw = res.headers['set-cookie'];
  const lines = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return new Map(lines.map((line) => [line.slice(0, line.indexOf('=')), line]));
}

/** A fake console build: what `vite build` writes (index.html, hashed assets, a public file). */
async function fakeBuild(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'siyu-console-'));
  await mkdir(join(dir, 'assets'));
  await writeFile(join(dir, 'index.html'), INDEX_HTML);
  await writeFile(join(dir, 'assets', 'index-4f3a2b1c.js'), ASSET_JS);
  await writeFile(join(dir, 'favicon.ico'), Buffer.from([0, 0, 1, 0]));
  return dir;
}

describe('the console session cookie and its CSRF token', () => {
  it('derives a CSRF token per session that does not reveal the session token, and compares it exactly', () => {
    const a = csrfTokenFor('st_session-a');
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).toBe(csrfTokenFor('st_session-a'));
    expect(a).not.toBe(csrfTokenFor('st_session-b'));
    expect(a).not.toContain('session');
    expect(csrfMatches('st_session-a', a)).toBe(true);
    expect(csrfMatches('st_session-a', csrfTokenFor('st_session-b'))).toBe(false);
    expect(csrfMatches('st_session-a', a.slice(1))).toBe(false);
    expect(csrfMatches('st_session-a', undefined)).toBe(false);
    expect(csrfMatches('st_session-a', [a, a])).toBe(false);
  });

  it('finds the console build at the package root by default', () => {
    expect(resolve(DEFAULT_CONSOLE_DIR)).toBe(resolve('console/dist'));
  });
});

describe.each(testEngines)('console sign-in and hosting on %s', (engine) => {
  const clock = new ManualClock(new Date('2026-12-01T02:00:00Z'));
  let store: Store;
  let app: FastifyInstance;
  let unbuilt: FastifyInstance;
  let built: string;
  let empty: string;
  let tenant: TenantCreated;
  /** A staff member with the admin role (they may create org units) and one with hq_ops. */
  let admin: { id: string; username: string };
  let ops: { id: string; username: string };

  beforeAll(async () => {
    built = await fakeBuild();
    empty = await mkdtemp(join(tmpdir(), 'siyu-console-empty-'));
    store = await openTestStore(engine);
    app = await testApp(store, clock, { consoleDir: built });
    unbuilt = await testApp(store, clock, { consoleDir: empty });
  });
  afterAll(async () => {
    await app.close();
    await unbuilt.close();
    await store.close();
    await rm(built, { recursive: true, force: true });
    await rm(empty, { recursive: true, force: true });
  });
  beforeEach(async () => {
    tenant = await freshTenant(store, clock);
    const suffix = tenant.tenantId.slice(0, 8);
    const call = async (url: string, body: unknown) => {
      const res = await adminRequest(app, tenant, 'POST', url, body);
      if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
      return json(res) as { id: string; username: string };
    };
    await call('/api/v1/org-units', { code: `HQ-${suffix}`, name: '总部', type: 'hq' });
    admin = await call('/api/v1/staff', { username: `cadmin-${suffix}`, password: TEST_PASSWORD, name: '控制台管理员', role: 'admin', orgUnitCode: `HQ-${suffix}` });
    ops = await call('/api/v1/staff', { username: `cops-${suffix}`, password: TEST_PASSWORD, name: '总部运营', role: 'hq_ops', orgUnitCode: `HQ-${suffix}` });
  });

  /** Signs in through the console route: the session cookie's value and the CSRF token. */
  async function signIn(username: string): Promise<{ session: string; csrf: string }> {
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/session', payload: { username, password: TEST_PASSWORD } });
    expect(res.statusCode, res.body).toBe(200);
    const session = res.cookies.find((c) => c.name === 'siyu_session')?.value;
    const csrf = (json(res) as { csrfToken: string }).csrfToken;
    if (!session) throw new Error('no session cookie');
    return { session, csrf };
  }

  const withCookie = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, session: string, options: { csrf?: string; payload?: unknown; authorization?: string } = {}) =>
    app.inject({
      method,
      url,
      cookies: { siyu_session: session },
      headers: {
        ...(options.csrf === undefined ? {} : { 'x-csrf-token': options.csrf }),
        ...(options.authorization === undefined ? {} : { authorization: options.authorization }),
        ...(options.payload === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(options.payload === undefined ? {} : { payload: JSON.stringify(options.payload) }),
    });

  it('signs in with a cookie: HttpOnly session, readable CSRF cookie, no token in the body, the same audit as login', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/session', payload: { username: admin.username.toUpperCase(), password: TEST_PASSWORD } });
    expect(res.statusCode, res.body).toBe(200);
    const body = json(res) as { staff: { id: string }; expiresAt: string; csrfToken: string };
    expect(Object.keys(body).sort()).toEqual(['csrfToken', 'expiresAt', 'staff']);
    expect(body.staff.id).toBe(admin.id);
    expect(body.expiresAt).toBe('2026-12-01T14:00:00.000Z');
    expect(res.body).not.toMatch(/st_/);
    expect(res.headers['cache-control']).toBe('no-store');

    const cookies = setCookies(res);
    expect([...cookies.keys()].sort()).toEqual(['siyu_csrf', 'siyu_session']);
    const session = cookies.get('siyu_session') ?? '';
    expect(session).toMatch(/^siyu_session=st_[^;]+; Max-Age=43200; Path=\/; HttpOnly; SameSite=Strict$/);
    const csrf = cookies.get('siyu_csrf') ?? '';
    expect(csrf).toBe(`siyu_csrf=${body.csrfToken}; Max-Age=43200; Path=/; SameSite=Strict`);
    // Plain HTTP here: no Secure attribute (it is added when the request came over HTTPS).
    expect(`${session}${csrf}`).not.toMatch(/Secure/);
    const token = res.cookies.find((c) => c.name === 'siyu_session')?.value ?? '';
    expect(body.csrfToken).toBe(csrfTokenFor(token));

    const audit = json(await adminRequest(app, tenant, 'GET', '/api/v1/audit-log?action=auth.login')) as { data: Array<{ targetId: string }> };
    expect(audit.data.map((a) => a.targetId)).toEqual([admin.id]);
  });

  it('marks the cookies Secure when a trusted proxy says the page came over HTTPS, and only then', async () => {
    const secureFlags = (res: { headers: Record<string, unknown> }) => {
      const raw = res.headers['set-cookie'];
      const list = Array.isArray(raw) ? raw.map(String) : [String(raw)];
      return list.map((c) => /; Secure/.test(c));
    };
    const signInVia = (target: FastifyInstance, proto: string) =>
      target.inject({ method: 'POST', url: '/api/v1/auth/session', headers: { 'x-forwarded-proto': proto }, payload: { username: admin.username, password: TEST_PASSWORD } });
    const proxied = await testApp(store, clock, { consoleDir: built, trustProxy: true });
    try {
      expect(secureFlags(await signInVia(proxied, 'https'))).toEqual([true, true]);
      expect(secureFlags(await signInVia(proxied, 'http'))).toEqual([false, false]);
    } finally {
      await proxied.close();
    }
    // Without SIYU_TRUST_PROXY a client's own header counts for nothing.
    expect(secureFlags(await signInVia(app, 'https'))).toEqual([false, false]);
  });

  it('refuses a wrong password like login and locks the account after five', async () => {
    const attempt = (password: string) => app.inject({ method: 'POST', url: '/api/v1/auth/session', payload: { username: ops.username, password } });
    for (let i = 0; i < 4; i += 1) {
      const wrong = await attempt('Wrong-passw0rd');
      expect([wrong.statusCode, errorOf(wrong).code]).toEqual([401, 'unauthorized']);
      expect(wrong.headers['set-cookie']).toBeUndefined();
    }
    expect((await attempt('Wrong-passw0rd')).statusCode).toBe(423);
    const locked = await attempt(TEST_PASSWORD);
    expect([locked.statusCode, errorOf(locked).code]).toEqual([423, 'account_locked']);
    expect(locked.headers['set-cookie']).toBeUndefined();
    expect((await app.inject({ method: 'POST', url: '/api/v1/auth/session', payload: { username: ops.username } })).statusCode).toBe(400);
  });

  it('reads with the cookie alone; a change needs the CSRF header, and without it nothing changes', async () => {
    const { session, csrf } = await signIn(admin.username);
    const me = await withCookie('GET', '/api/v1/auth/me', session);
    expect(me.statusCode, me.body).toBe(200);
    expect(json(me)).toMatchObject({ kind: 'staff', role: 'admin', staff: { id: admin.id } });

    const unit = { code: 'CK1', name: '华北大区', type: 'region', parentCode: `HQ-${tenant.tenantId.slice(0, 8)}` };
    const bare = await withCookie('POST', '/api/v1/org-units', session, { payload: unit });
    expect([bare.statusCode, errorOf(bare).code]).toEqual([403, 'csrf_failed']);
    expect(errorOf(bare).message).toContain('reload the page and sign in again');
    const other = await signIn(ops.username);
    for (const wrong of [other.csrf, '', 'x'.repeat(43), `${csrf}x`]) {
      const res = await withCookie('POST', '/api/v1/org-units', session, { payload: unit, csrf: wrong });
      expect([res.statusCode, errorOf(res).code], wrong).toEqual([403, 'csrf_failed']);
    }
    const patch = await withCookie('PATCH', '/api/v1/auth/me', session, { payload: { locale: 'en' } });
    expect([patch.statusCode, errorOf(patch).code]).toEqual([403, 'csrf_failed']);
    expect((await adminRequest(app, tenant, 'GET', '/api/v1/org-units/CK1')).statusCode).toBe(404);
    expect((json(await withCookie('GET', '/api/v1/auth/me', session)) as Me).locale).toBe('zh-CN');

    const made = await withCookie('POST', '/api/v1/org-units', session, { payload: unit, csrf });
    expect(made.statusCode, made.body).toBe(201);
    expect((await adminRequest(app, tenant, 'GET', '/api/v1/org-units/CK1')).statusCode).toBe(200);
    const audit = json(await adminRequest(app, tenant, 'GET', '/api/v1/audit-log?action=org_unit.create')) as { data: Array<{ actor: string; targetId: string }> };
    expect(audit.data[0]).toMatchObject({ actor: `staff:${admin.id}` });
  });

  it('takes Bearer tokens as before, without a CSRF token; the Authorization header wins over a cookie', async () => {
    const token = await login(app, admin.username);
    const parent = `HQ-${tenant.tenantId.slice(0, 8)}`;
    const res = await asStaff(app, token, 'POST', '/api/v1/org-units', { code: 'BR1', name: '华南大区', type: 'region', parentCode: parent });
    expect(res.statusCode, res.body).toBe(201);
    // A dead cookie beside a valid Bearer token: the token decides, and needs no CSRF header.
    const both = await withCookie('POST', '/api/v1/org-units', 'st_not-a-session', { authorization: `Bearer ${token}`, payload: { code: 'BR2', name: '西南大区', type: 'region', parentCode: parent } });
    expect(both.statusCode, both.body).toBe(201);
    // A live cookie beside a bad Bearer token: still the token (refused), not the cookie.
    const { session } = await signIn(admin.username);
    const bad = await withCookie('GET', '/api/v1/auth/me', session, { authorization: 'Bearer st_forged' });
    expect(bad.statusCode).toBe(401);
    const garbage = await withCookie('GET', '/api/v1/auth/me', 'not-a-token');
    expect([garbage.statusCode, errorOf(garbage).code]).toEqual([401, 'unauthorized']);
    expect(errorOf(garbage).message).toContain('sign in again');
  });

  it('signs out: the session ends on the server, both cookies are cleared, and it stays idempotent', async () => {
    const { session, csrf } = await signIn(admin.username);
    const refused = await withCookie('DELETE', '/api/v1/auth/session', session);
    expect([refused.statusCode, errorOf(refused).code]).toEqual([403, 'csrf_failed']);
    expect((await withCookie('GET', '/api/v1/auth/me', session)).statusCode).toBe(200);

    const out = await withCookie('DELETE', '/api/v1/auth/session', session, { csrf });
    expect(out.statusCode, out.body).toBe(204);
    const cleared = setCookies(out);
    expect(cleared.get('siyu_session')).toMatch(/^siyu_session=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict$/);
    expect(cleared.get('siyu_csrf')).toMatch(/^siyu_csrf=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; SameSite=Strict$/);
    const after = await withCookie('GET', '/api/v1/auth/me', session);
    expect([after.statusCode, errorOf(after).code]).toEqual([401, 'unauthorized']);

    // Again with the dead cookie, and with none at all: still 204, cookies cleared.
    const again = await withCookie('DELETE', '/api/v1/auth/session', session);
    expect(again.statusCode).toBe(204);
    expect([...setCookies(again).keys()].sort()).toEqual(['siyu_csrf', 'siyu_session']);
    const none = await app.inject({ method: 'DELETE', url: '/api/v1/auth/session' });
    expect(none.statusCode).toBe(204);
    expect([...setCookies(none).keys()].sort()).toEqual(['siyu_csrf', 'siyu_session']);

    // POST /auth/logout with the cookie (and its CSRF token) ends the cookie's session too.
    const second = await signIn(admin.username);
    expect((await withCookie('POST', '/api/v1/auth/logout', second.session)).statusCode).toBe(403);
    expect((await withCookie('POST', '/api/v1/auth/logout', second.session, { csrf: second.csrf })).statusCode).toBe(204);
    expect((await withCookie('GET', '/api/v1/auth/me', second.session)).statusCode).toBe(401);
  });

  it('the cookie expires with its session', async () => {
    const { session } = await signIn(ops.username);
    clock.advance(12 * 3_600_000 - 1000);
    expect((await withCookie('GET', '/api/v1/auth/me', session)).statusCode).toBe(200);
    clock.advance(1000);
    expect((await withCookie('GET', '/api/v1/auth/me', session)).statusCode).toBe(401);
  });

  it('me names the tenant, its time zone and the console language; PATCH me keeps the language a staff member chooses', async () => {
    const adminMe = json(await adminRequest(app, tenant, 'GET', '/api/v1/auth/me')) as Me;
    expect(adminMe).toMatchObject({ kind: 'admin_token', locale: 'zh-CN', tenant: { id: tenant.tenantId, timeZone: 'Asia/Shanghai' } });
    expect(adminMe.tenant.name).toMatch(/^test-/);

    const { session, csrf } = await signIn(ops.username);
    const changed = await withCookie('PATCH', '/api/v1/auth/me', session, { csrf, payload: { locale: 'en' } });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(json(changed)).toMatchObject({ kind: 'staff', role: 'hq_ops', locale: 'en', tenant: { id: tenant.tenantId } });
    // Stored with the person: another session (a Bearer one) reads it.
    const token = await login(app, ops.username);
    expect((json(await asStaff(app, token, 'GET', '/api/v1/auth/me')) as Me).locale).toBe('en');
    const back = await asStaff(app, token, 'PATCH', '/api/v1/auth/me', { locale: 'zh-CN' });
    expect((json(back) as Me).locale).toBe('zh-CN');

    for (const body of [{ locale: 'fr' }, { locale: 'en', theme: 'dark' }, {}]) {
      const res = await asStaff(app, token, 'PATCH', '/api/v1/auth/me', body);
      expect([res.statusCode, errorOf(res).code], JSON.stringify(body)).toEqual([400, 'invalid_request']);
    }
    const byToken = await asStaff(app, tenant.adminToken, 'PATCH', '/api/v1/auth/me', { locale: 'en' });
    expect([byToken.statusCode, errorOf(byToken).code]).toEqual([403, 'forbidden']);
    expect(errorOf(byToken).message).toContain('sign in as a staff member');
  });

  it('serves hashed assets for a year, other top-level files for an hour', async () => {
    const asset = await app.inject({ method: 'GET', url: '/assets/index-4f3a2b1c.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.body).toBe(ASSET_JS);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['x-content-type-options']).toBe('nosniff');
    const head = await app.inject({ method: 'HEAD', url: '/assets/index-4f3a2b1c.js' });
    expect(head.statusCode).toBe(200);

    const missing = await app.inject({ method: 'GET', url: '/assets/index-00000000.js' });
    expect([missing.statusCode, errorOf(missing).code]).toEqual([404, 'not_found']);
    for (const url of ['/assets/..%2Findex.html', '/assets/..%2F..%2Fetc%2Fpasswd', '/assets/.hidden', '/assets/', '/assets/a//b.js']) {
      const escape = await app.inject({ method: 'GET', url });
      expect([escape.statusCode, errorOf(escape).code], url).toEqual([404, 'not_found']);
    }
    const post = await app.inject({ method: 'POST', url: '/assets/index-4f3a2b1c.js', payload: {} });
    expect([post.statusCode, errorOf(post).code]).toEqual([405, 'method_not_allowed']);

    const icon = await app.inject({ method: 'GET', url: '/favicon.ico' });
    expect(icon.statusCode).toBe(200);
    expect(icon.headers['cache-control']).toBe('public, max-age=3600');
    expect(icon.headers['content-type']).toBe('image/x-icon');
  });

  it('answers console pages with index.html under a strict CSP; the APIs keep their JSON errors', async () => {
    for (const url of ['/', '/customers/abc', '/customers/abc?tab=timeline', '/index.html', '/leads']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toBe(INDEX_HTML);
      expect(res.headers['content-type'], url).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control'], url).toBe('no-cache');
      expect(res.headers['content-security-policy'], url).toBe(BASE_CSP);
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.headers['referrer-policy'], url).toBe('same-origin');
    }
    const head = await app.inject({ method: 'HEAD', url: '/customers/abc' });
    expect([head.statusCode, head.headers['content-type']]).toEqual([200, 'text/html; charset=utf-8']);

    for (const url of ['/sidebar', '/sidebar/customer?entry=single_chat_tools']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self' https://res.wx.qq.com https://open.work.weixin.qq.com;");
      expect(csp).toContain("connect-src 'self' https://res.wx.qq.com https://open.work.weixin.qq.com;");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-eval');
    }
    expect(contentSecurityPolicy('/sidebarx')).toBe(BASE_CSP);

    const api = await adminRequest(app, tenant, 'GET', '/api/v1/nope');
    expect([api.statusCode, errorOf(api).code]).toEqual([404, 'not_found']);
    expect((await app.inject({ method: 'GET', url: '/api/v1/nope' })).headers['content-type']).toMatch(/^application\/json/);
    for (const url of ['/api', '/api/v2/x', '/v1/nope', '/docs/nope', '/assets']) {
      const res = await app.inject({ method: 'GET', url });
      expect([res.statusCode, errorOf(res).code], url).toEqual([404, 'not_found']);
    }
    const leads = await app.inject({ method: 'PATCH', url: '/api/v1/leads' });
    expect([leads.statusCode, errorOf(leads).code]).toEqual([405, 'method_not_allowed']);
    const postPage = await app.inject({ method: 'POST', url: '/customers/abc', payload: {} });
    expect([postPage.statusCode, errorOf(postPage).code]).toEqual([404, 'not_found']);
    expect((await app.inject({ method: 'GET', url: '/openapi.json' })).headers['content-type']).toMatch(/^application\/json/);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).headers['content-type']).toMatch(/^application\/json/);
  });

  it('keeps the console out of the API document', async () => {
    const doc = json(await app.inject({ method: 'GET', url: '/openapi.json' })) as { paths: Record<string, Record<string, { security?: unknown[] }>> };
    expect(Object.keys(doc.paths).filter((p) => !p.startsWith('/api/') && !p.startsWith('/v1/') && !p.startsWith('/connectors/') && p !== '/healthz')).toEqual([]);
    expect(Object.keys(doc.paths['/api/v1/auth/session'] ?? {}).sort()).toEqual(['delete', 'post']);
    expect(doc.paths['/api/v1/auth/me']?.['get']?.security).toEqual([{ adminBearer: [] }, { consoleSession: [] }]);
  });

  it('says how to build the console when it is not built', async () => {
    for (const url of ['/', '/customers/abc']) {
      const res = await unbuilt.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toMatch(/^application\/json/);
      expect(errorOf(res), url).toEqual({ code: 'console_not_built', message: 'the console is not built: run npm run build', details: null });
    }
    const asset = await unbuilt.inject({ method: 'GET', url: '/assets/index-4f3a2b1c.js' });
    expect([asset.statusCode, errorOf(asset).code]).toEqual([404, 'not_found']);
    expect((await unbuilt.inject({ method: 'GET', url: '/healthz' })).statusCode).toBeLessThan(500);
  });
});
