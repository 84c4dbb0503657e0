import { describe, expect, it } from 'vitest';
import { ManualClock } from '../platform/clock.js';
import { json, useAppFixture } from '../testing/app.js';
import { testEngines } from '../testing/engines.js';
import { adminRequest, resolveQueued, sendBatch } from '../testing/identity.js';
import { TEST_PASSWORD, asStaff, login, seedNetwork } from '../testing/org.js';

type Unit = { id: string; code: string; parentCode: string | null; path: string[] };
type ErrorBody = { error: { code: string; message: string; details: Record<string, unknown> | null } };

describe.each(testEngines)('org units, staff and login (%s)', (engine) => {
  const clock = new ManualClock(new Date('2026-11-22T02:00:00Z'));
  const fx = useAppFixture(engine, { clock });
  const admin = (method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown) => adminRequest(fx.app, fx.tenant, method, url, body);

  it('builds the tree HQ → region → dealer group → dealer → team, idempotently, and refuses a wrong shape', async () => {
    const hq = await admin('POST', '/api/v1/org-units', { code: 'HQ', name: '总部', type: 'hq' });
    expect(hq.statusCode, hq.body).toBe(201);
    expect((await admin('POST', '/api/v1/org-units', { code: 'HQ2', name: '另一个总部', type: 'hq' })).statusCode).toBe(409);
    await admin('POST', '/api/v1/org-units', { code: 'EAST', name: '华东', type: 'region', parentCode: 'HQ' });
    await admin('POST', '/api/v1/org-units', { code: 'G1', name: '集团一', type: 'dealer_group', parentCode: 'EAST' });
    await admin('POST', '/api/v1/org-units', { code: 'G2', name: '集团二', type: 'dealer_group', parentCode: 'EAST' });
    const dealerBody = { code: 'SH001', name: '上海店', type: 'dealer', parentCode: 'G1', city: '上海', province: '上海', latitude: 31.23, longitude: 121.47, capacity: 40, series: ['X5'] };
    const dealer = await admin('POST', '/api/v1/org-units', dealerBody);
    expect(dealer.statusCode).toBe(201);
    const again = await admin('POST', '/api/v1/org-units', dealerBody);
    expect(again.statusCode).toBe(200);
    expect((json(again) as Unit).id).toBe((json(dealer) as Unit).id);
    const changed = await admin('POST', '/api/v1/org-units', { ...dealerBody, capacity: 41 });
    expect(changed.statusCode).toBe(409);
    expect((await admin('POST', '/api/v1/org-units', { code: 'T1', name: '一组', type: 'team', parentCode: 'SH001' })).statusCode).toBe(201);

    const wrong = await admin('POST', '/api/v1/org-units', { code: 'R9', name: 'x', type: 'region', parentCode: 'SH001' });
    expect(wrong.statusCode).toBe(400);
    expect((json(wrong) as ErrorBody).error.details).toEqual({ field: 'parentCode', parentType: 'dealer' });
    expect((await admin('POST', '/api/v1/org-units', { code: 'D9', name: 'x', type: 'dealer' })).statusCode).toBe(400);
    expect((await admin('POST', '/api/v1/org-units', { code: 'D9', name: 'x', type: 'dealer', parentCode: 'NOPE' })).statusCode).toBe(400);
    expect((await admin('POST', '/api/v1/org-units', { code: 'bad code', name: 'x', type: 'dealer', parentCode: 'G1' })).statusCode).toBe(400);

    // Moving a dealer moves its team; a unit never moves under itself.
    const moved = await admin('PUT', '/api/v1/org-units/SH001', { parentCode: 'G2', capacity: 60 });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(json(moved)).toMatchObject({ parentCode: 'G2', path: ['HQ', 'EAST', 'G2', 'SH001'], capacity: 60, series: ['X5'], latitude: 31.23 });
    const team = json(await admin('GET', '/api/v1/org-units/T1')) as Unit;
    expect(team.path).toEqual(['HQ', 'EAST', 'G2', 'SH001', 'T1']);
    expect((await admin('PUT', '/api/v1/org-units/EAST', { parentCode: 'HQ' })).statusCode).toBe(200);
    expect((await admin('PUT', '/api/v1/org-units/G2', { parentCode: 'SH001' })).statusCode).toBe(400);
    const list = json(await admin('GET', '/api/v1/org-units')) as { data: Unit[] };
    expect(list.data.map((u) => u.code)).toEqual(['HQ', 'EAST', 'G1', 'G2', 'SH001', 'T1']);
    const audit = json(await admin('GET', '/api/v1/audit-log?action=org_unit.')) as { data: Array<{ action: string }> };
    expect(audit.data.map((a) => a.action).sort()).toEqual([...Array(6).fill('org_unit.create'), 'org_unit.move'].sort());
  });

  it('scopes units and staff to dealer-side staff, and lets a dealer manager staff only their own units', async () => {
    const net = await seedNetwork(fx.app, fx.tenant);
    const managerA = net.staff.managerA.token;
    const units = json(await asStaff(fx.app, managerA, 'GET', '/api/v1/org-units')) as { data: Unit[] };
    expect(units.data.map((u) => u.code)).toEqual(['SH001', 'SH001-T1']);
    expect((await asStaff(fx.app, managerA, 'GET', '/api/v1/org-units/HZ001')).statusCode).toBe(404);
    expect((await asStaff(fx.app, managerA, 'POST', '/api/v1/org-units', { code: 'X1', name: 'x', type: 'team', parentCode: 'SH001' })).statusCode).toBe(403);
    expect((await asStaff(fx.app, net.staff.hqOps.token, 'POST', '/api/v1/org-units', { code: 'X1', name: 'x', type: 'team', parentCode: 'SH001' })).statusCode).toBe(201);

    const staffA = json(await asStaff(fx.app, managerA, 'GET', '/api/v1/staff')) as { data: Array<{ username: string }> };
    expect(staffA.data.map((s) => s.username.split('-')[0]).sort()).toEqual(['advisora', 'consultanta1', 'consultanta2', 'managera']);
    expect((await asStaff(fx.app, managerA, 'GET', `/api/v1/staff/${net.staff.consultantB1.id}`)).statusCode).toBe(404);
    expect((await asStaff(fx.app, managerA, 'PUT', `/api/v1/staff/${net.staff.consultantB1.id}`, { maxOpenLeads: 3 })).statusCode).toBe(404);

    const hire = { username: `newbie-${fx.tenant.tenantId.slice(0, 8)}`, password: 'Another1pass', name: '新人', role: 'consultant', orgUnitCode: 'SH001-T1' };
    // Binding a WeCom id widens a scope: admins only.
    expect((await asStaff(fx.app, managerA, 'POST', '/api/v1/staff', { ...hire, wecomUserId: 'wb1x' })).statusCode).toBe(403);
    expect((await asStaff(fx.app, managerA, 'PUT', `/api/v1/staff/${net.staff.consultantA1.id}`, { wecomUserId: 'wb1x' })).statusCode).toBe(403);
    expect((await asStaff(fx.app, managerA, 'POST', '/api/v1/staff', hire)).statusCode).toBe(201);
    expect((await asStaff(fx.app, managerA, 'POST', '/api/v1/staff', { ...hire, username: `x-${hire.username}`, orgUnitCode: 'HZ001-T1' })).statusCode).toBe(403);
    expect((await asStaff(fx.app, managerA, 'POST', '/api/v1/staff', { ...hire, username: `y-${hire.username}`, role: 'dealer_manager', orgUnitCode: 'SH001' })).statusCode).toBe(403);
    expect((await asStaff(fx.app, net.staff.analyst.token, 'POST', '/api/v1/staff', { ...hire, username: `z-${hire.username}` })).statusCode).toBe(403);
    expect((await asStaff(fx.app, net.staff.consultantA1.token, 'GET', '/api/v1/audit-log')).statusCode).toBe(403);

    // The analyst sees every staff member, names masked.
    const seen = json(await asStaff(fx.app, net.staff.analyst.token, 'GET', `/api/v1/staff/${net.staff.consultantB1.id}`)) as { name: string };
    expect(seen.name).toBe(`c${'*'.repeat(14)}`);
  });

  it('refuses bad staff records and never stores or shows the password', async () => {
    await seedNetwork(fx.app, fx.tenant);
    const base = { username: `zhang-${fx.tenant.tenantId.slice(0, 8)}`, password: 'Zhangsan2026', name: '张三', role: 'consultant', orgUnitCode: 'SH001-T1', wecomUserId: 'zs01' };
    const bad = [
      { ...base, role: 'consultant', orgUnitCode: 'EAST' },
      { ...base, role: 'admin', orgUnitCode: 'SH001' },
      { ...base, password: 'short1' },
      { ...base, password: 'onlyletterslong' },
      { ...base, orgUnitCode: 'NOPE' },
      { ...base, username: 'a b' },
      { ...base, role: 'owner' },
    ];
    for (const body of bad) expect((await admin('POST', '/api/v1/staff', body)).statusCode, JSON.stringify(body)).toBe(400);
    const created = await admin('POST', '/api/v1/staff', base);
    expect(created.statusCode, created.body).toBe(201);
    expect(created.body).not.toContain('Zhangsan2026');
    expect((await admin('POST', '/api/v1/staff', base)).statusCode).toBe(200);
    // A replay never compares passwords (that would be an oracle): it answers the person and changes nothing.
    expect((await admin('POST', '/api/v1/staff', { ...base, password: 'Different2026' })).statusCode).toBe(200);
    expect(await login(fx.app, base.username, 'Zhangsan2026')).toMatch(/^st_/);
    expect((await admin('POST', '/api/v1/staff', { ...base, username: `li-${base.username}` })).statusCode).toBe(409);
    const row = await fx.store.db.selectFrom('staff').select('password_hash').where('tenant_id', '=', fx.tenant.tenantId).where('username', '=', base.username).executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(row.password_hash).not.toContain('Zhangsan2026');
  });

  it('logs in, locks after five wrong passwords for 15 minutes, and audits every attempt', async () => {
    const net = await seedNetwork(fx.app, fx.tenant);
    const user = net.staff.consultantA1.username;
    const attempt = (password: string, username = user) => fx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });

    // A NUL in the user name is bad input (400), not a database error.
    expect((await attempt('whatever1234', 'bad\u0000name')).statusCode).toBe(400);
    const unknown = await attempt('whatever1234', 'nobody-here');
    const wrong = await attempt('Wrong0password');
    expect([unknown.statusCode, wrong.statusCode]).toEqual([401, 401]);
    expect((json(unknown) as ErrorBody).error.message).toBe((json(wrong) as ErrorBody).error.message);
    for (let i = 2; i <= 4; i++) expect((await attempt('Wrong0password')).statusCode).toBe(401);
    const fifth = await attempt('Wrong0password');
    expect(fifth.statusCode).toBe(423);
    const lockedUntil = new Date(clock.now().getTime() + 15 * 60_000).toISOString();
    expect((json(fifth) as ErrorBody).error.details).toEqual({ lockedUntil });
    expect((await attempt(TEST_PASSWORD)).statusCode).toBe(423);
    clock.advance(14 * 60_000);
    expect((await attempt(TEST_PASSWORD)).statusCode).toBe(423);
    clock.advance(60_000);
    const ok = await attempt(TEST_PASSWORD);
    expect(ok.statusCode, ok.body).toBe(200);
    // The count starts again after a success.
    expect((await attempt('Wrong0password')).statusCode).toBe(401);

    const audit = json(await admin('GET', `/api/v1/audit-log?action=auth.&actor=staff:${net.staff.consultantA1.id}`)) as { data: Array<{ action: string; details: { reason?: string } }> };
    expect(audit.data.map((a) => `${a.action}${a.details.reason ? `:${a.details.reason}` : ''}`)).toEqual([
      'auth.login_failed:wrong_password',
      'auth.login',
      'auth.login_refused:locked',
      'auth.login_refused:locked',
      ...Array(5).fill('auth.login_failed:wrong_password'),
      'auth.login', // seedNetwork's
    ]);
    // An admin's reset unlocks at once.
    for (let i = 0; i < 5; i++) await attempt('Wrong0password');
    expect((await attempt(TEST_PASSWORD)).statusCode).toBe(423);
    expect((await admin('POST', `/api/v1/staff/${net.staff.consultantA1.id}/password`, { password: 'Brand2new2026' })).statusCode).toBe(200);
    expect((await attempt('Brand2new2026')).statusCode).toBe(200);
  });

  it('ends sessions on logout, expiry, deactivation and permission changes (audited with before and after)', async () => {
    const net = await seedNetwork(fx.app, fx.tenant);
    const a1 = net.staff.consultantA1;
    const me = (token: string) => asStaff(fx.app, token, 'GET', '/api/v1/auth/me');
    expect(json(await me(a1.token))).toMatchObject({ kind: 'staff', role: 'consultant', scope: { kind: 'own', orgUnitCodes: ['SH001', 'SH001-T1'] }, maskPii: false });
    expect(json(await me(net.staff.analyst.token))).toMatchObject({ role: 'analyst', scope: { kind: 'all', orgUnitCodes: [] }, maskPii: true });
    expect(json(await me(fx.tenant.adminToken))).toMatchObject({ kind: 'admin_token', role: 'admin', staff: null, scope: { kind: 'all' } });

    expect((await asStaff(fx.app, a1.token, 'POST', '/api/v1/auth/logout')).statusCode).toBe(204);
    expect((await me(a1.token)).statusCode).toBe(401);

    const second = await login(fx.app, a1.username);
    clock.advance(12 * 3_600_000 - 1000);
    expect((await me(second)).statusCode).toBe(200);
    clock.advance(1000);
    expect((await me(second)).statusCode).toBe(401);

    const third = await login(fx.app, a1.username);
    const promoted = await admin('PUT', `/api/v1/staff/${a1.id}`, { role: 'dealer_manager', orgUnitCode: 'SH001' });
    expect(promoted.statusCode, promoted.body).toBe(200);
    expect((await me(third)).statusCode).toBe(401);
    const fourth = await login(fx.app, a1.username);
    expect(json(await me(fourth))).toMatchObject({ role: 'dealer_manager', scope: { kind: 'units', orgUnitCodes: ['SH001', 'SH001-T1'] } });
    const change = json(await admin('GET', '/api/v1/audit-log?action=staff.permission_change')) as { data: Array<{ targetId: string; details: unknown }> };
    expect(change.data).toEqual([
      expect.objectContaining({
        targetId: a1.id,
        details: {
          changed: ['role', 'orgUnitCode'],
          before: { role: 'consultant', orgUnitCode: 'SH001-T1', active: true, wecomUserId: 'wa1' },
          after: { role: 'dealer_manager', orgUnitCode: 'SH001', active: true, wecomUserId: 'wa1' },
          sessionsEnded: 1,
        },
      }),
    ]);
    // A consultant cannot sit at a dealer group; a manager can.
    expect((await admin('PUT', `/api/v1/staff/${a1.id}`, { role: 'consultant', orgUnitCode: 'GRP1' })).statusCode).toBe(400);

    expect((await admin('PUT', `/api/v1/staff/${a1.id}`, { active: false })).statusCode).toBe(200);
    expect((await me(fourth)).statusCode).toBe(401);
    const refused = await fx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: a1.username, password: TEST_PASSWORD } });
    expect(refused.statusCode).toBe(401);
  });

  it('shows staff their own notifications only', async () => {
    const net = await seedNetwork(fx.app, fx.tenant);
    const rows = [net.staff.managerA.id, net.staff.managerA.id, net.staff.managerB.id].map((staffId, i) => ({
      tenant_id: fx.tenant.tenantId,
      id: `00000000-0000-4000-8000-00000000000${i}`,
      staff_id: staffId,
      kind: 'lead.sla_expired',
      payload: JSON.stringify({ n: i }),
      dedupe_key: `k${i}`,
      created_at: new Date(Date.UTC(2026, 10, 22, 0, i)),
    }));
    await fx.store.db.insertInto('notifications').values(rows).execute();
    const mine = json(await asStaff(fx.app, net.staff.managerA.token, 'GET', '/api/v1/notifications')) as { data: Array<{ id: string; payload: unknown; readAt: string | null }> };
    expect(mine.data.map((n) => n.payload)).toEqual([{ n: 1 }, { n: 0 }]);
    expect((await asStaff(fx.app, net.staff.managerA.token, 'POST', `/api/v1/notifications/${rows[2]!.id}/read`)).statusCode).toBe(404);
    const read = await asStaff(fx.app, net.staff.managerA.token, 'POST', `/api/v1/notifications/${rows[0]!.id}/read`);
    expect(json(read)).toMatchObject({ readAt: clock.now().toISOString() });
    const unread = json(await asStaff(fx.app, net.staff.managerA.token, 'GET', '/api/v1/notifications?unread=true')) as { data: unknown[] };
    expect(unread.data).toHaveLength(1);
    expect((await admin('GET', '/api/v1/notifications')).statusCode).toBe(403);
  });

  it('writes merges to the audit log', async () => {
    const res = await sendBatch(fx.app, fx.tenant, [
      { type: 'identify', userId: 'u-1', traits: { name: '王五' } },
      { type: 'identify', anonymousId: 'a-1', traits: { phone: '13412341234' } },
      { type: 'identify', userId: 'u-1', anonymousId: 'a-1' },
    ]);
    expect(res.statusCode, res.body).toBe(200);
    await resolveQueued(fx.store, fx.tenant.tenantId);
    const audit = json(await admin('GET', '/api/v1/audit-log?action=profile.merge')) as { data: Array<{ actor: string; targetType: string; details: { profilesBefore: string[] } }> };
    expect(audit.data).toHaveLength(1);
    expect(audit.data[0]).toMatchObject({ actor: 'system:identity', targetType: 'profile' });
    expect(audit.data[0]?.details.profilesBefore).toHaveLength(2);
  });
});
