import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../platform/clock.js';
import { basicAuth, json, useAppFixture } from '../testing/app.js';
import { testEngines } from '../testing/engines.js';
import { adminRequest } from '../testing/identity.js';
import { asStaff, seedNetwork } from '../testing/org.js';

const NOW = new Date('2026-03-10T02:00:00Z');
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

describe.each(testEngines)('lead source adapters on %s', (engine) => {
  const clock = new ManualClock(NOW);
  const fx = useAppFixture(engine, { clock });
  const tenant = () => fx.tenant.tenantId;
  const leads = () =>
    fx.store.db
      .selectFrom('leads')
      .select(['id', 'source', 'external_id', 'channel', 'campaign', 'name', 'phone', 'phone_hash', 'city', 'series', 'model', 'dealer_code', 'dealer_id', 'profile_id', 'dedup', 'created_at'])
      .where('tenant_id', '=', tenant())
      .orderBy('created_at')
      .orderBy('external_id')
      .execute();
  const form = (payload: unknown, writeKey = fx.tenant.writeKey) =>
    fx.app.inject({ method: 'POST', url: '/v1/leads', payload: JSON.stringify(payload), headers: { 'content-type': 'application/json', authorization: basicAuth(writeKey) } });

  describe('website / mini-program forms (POST /v1/leads, write key)', () => {
    it('takes a submission in once, answering the lead without personal data', async () => {
      const body = { name: '张三', phone: '139 1000 0001', city: '上海', series: '汉', model: '汉EV 冠军版', submissionId: 's-1', formId: 'test-drive', utm: { source: 'baidu', campaign: 'spring' } };
      const first = await form(body);
      expect(first.statusCode, first.body).toBe(201);
      const answer = json(first) as Record<string, unknown>;
      // Only the id: the form must not tell whether the phone is a known customer.
      expect(Object.keys(answer)).toEqual(['id']);
      const again = await form(body);
      expect(again.statusCode).toBe(200);
      expect(json(again)).toEqual(answer);
      expect(await leads()).toEqual([
        expect.objectContaining({
          id: answer['id'],
          source: 'website',
          external_id: `${fx.tenant.sourceId}:s-1`,
          channel: 'test-drive',
          campaign: 'spring',
          name: '张三',
          phone: '+8613910000001',
          city: '上海',
          series: '汉',
          model: '汉EV 冠军版',
          created_at: NOW,
        }),
      ]);
    });

    it('derives the id without a submissionId: a retried submission is the same lead', async () => {
      const body = { phone: '13910000002', series: '唐' };
      const a = await form(body);
      const b = await form(body);
      expect([a.statusCode, b.statusCode]).toEqual([201, 200]);
      expect(json(b)).toEqual(json(a));
      const [lead] = await leads();
      expect(lead?.external_id).toMatch(new RegExp(`^${fx.tenant.sourceId}:h:[0-9a-f]{40}$`));
    });

    it('refuses a wrong key (401), a bad body (400) and a source that is not a form source (403), storing nothing', async () => {
      const good = { phone: '13910000003', submissionId: 'x' };
      const wrong = await form(good, 'wk_not-a-key');
      expect(wrong.statusCode).toBe(401);
      const none = await fx.app.inject({ method: 'POST', url: '/v1/leads', payload: JSON.stringify(good), headers: { 'content-type': 'application/json' } });
      expect(none.statusCode).toBe(401);
      expect(json(none)).toMatchObject({ error: { message: "send the source's write key as the HTTP Basic user name (empty password)" } });
      for (const [payload, message] of [
        [{ name: '张三' }, 'phone'],
        [{ phone: 'call me', submissionId: 'y' }, 'phone must be a phone number'],
        [{ phone: '12345', submissionId: 'y' }, 'not a mainland China mobile'],
        [{ phone: '13910000003', color: 'red' }, 'color'],
      ] as const) {
        const res = await form(payload);
        expect(res.statusCode, res.body).toBe(400);
        expect(JSON.stringify(json(res))).toContain(message);
      }
      const douyin = json(await adminRequest(fx.app, fx.tenant, 'POST', '/api/v1/sources', { name: '抖音', kind: 'douyin' })) as { writeKey: { key: string } };
      const res = await form(good, douyin.writeKey.key);
      expect(res.statusCode).toBe(403);
      expect(await leads()).toEqual([]);
    });
  });

  describe('Autohome-style feed (POST /api/v1/lead-feeds/autohome)', () => {
    it('maps the phone hash, dealer id and series id; the same person again is deduplicated by the intake', async () => {
      const net = await seedNetwork(fx.app, fx.tenant);
      const put = await adminRequest(fx.app, fx.tenant, 'PUT', '/api/v1/lead-connectors/autohome', { dealers: { '10086': 'SH001' }, series: { '4242': '汉' }, models: { '55001': '汉EV 冠军版' } });
      expect(put.statusCode, put.body).toBe(200);
      expect(json(put)).toMatchObject({ kind: 'autohome', dealers: { '10086': 'SH001' }, updatedAt: NOW.toISOString() });
      const hash = md5('13910000001');
      const clue = { clue_id: 'AH-1', mobile_md5: hash.toUpperCase(), dealer_id: 10086, series_id: 4242, spec_id: 55001, user_name: '张先生', city_name: '上海', create_time: '2026-03-10 09:00:00', clue_level: 'A' };
      const first = await asStaff(fx.app, net.staff.hqOps.token, 'POST', '/api/v1/lead-feeds/autohome', { clues: [clue] });
      expect(first.statusCode, first.body).toBe(200);
      expect(json(first)).toEqual({ results: [{ externalId: 'AH-1', id: expect.any(String), status: expect.any(String), dedup: 'new', created: true }], unmapped: { dealerIds: [], seriesIds: [], specIds: [] } });

      const second = await adminRequest(fx.app, fx.tenant, 'POST', '/api/v1/lead-feeds/autohome', {
        clues: [
          { ...clue, clue_id: 'AH-2', create_time: '2026-03-10 09:30:00' },
          { clue_id: 'AH-1', mobile_md5: hash, create_time: '2026-03-10 09:00:00' },
          { order_id: 'AH-O-3', phone_md5: md5('13910000009'), dealer_id: '99999', series_id: '1', create_time: '2026-03-10T01:45:00Z' },
        ],
      });
      expect(second.statusCode, second.body).toBe(200);
      const body = json(second) as { results: Array<{ externalId: string; dedup: string; created: boolean }>; unmapped: unknown };
      expect(body.results.map((r) => [r.externalId, r.created])).toEqual([
        ['AH-2', true],
        ['AH-1', false],
        ['AH-O-3', true],
      ]);
      expect(body.results[0]?.dedup).toBe('duplicate');
      expect(body.unmapped).toEqual({ dealerIds: ['99999'], seriesIds: ['1'], specIds: [] });
      const rows = await leads();
      expect(rows.map((l) => [l.external_id, l.source, l.phone, l.phone_hash, l.dealer_code, l.series, l.model, l.dedup])).toEqual([
        ['AH-1', 'autohome', null, hash, 'SH001', '汉', '汉EV 冠军版', 'new'],
        ['AH-2', 'autohome', null, hash, 'SH001', '汉', '汉EV 冠军版', 'duplicate'],
        ['AH-O-3', 'autohome', null, md5('13910000009'), null, null, null, 'new'],
      ]);
      expect(rows[0]).toMatchObject({ dealer_id: net.units.dealerA.id, name: '张先生', created_at: new Date('2026-03-10T01:00:00Z') });
      expect(rows[1]?.profile_id).toBe(rows[0]?.profile_id);
    });

    it('refuses a bad clue naming it (nothing stored) and callers outside HQ operations', async () => {
      const res = await adminRequest(fx.app, fx.tenant, 'POST', '/api/v1/lead-feeds/autohome', {
        clues: [
          { clue_id: 'AH-1', mobile_md5: md5('1'), create_time: '2026-03-10 09:00:00' },
          { clue_id: 'AH-2', create_time: '2026-03-10 09:00:00' },
        ],
      });
      expect(res.statusCode).toBe(400);
      expect(json(res)).toMatchObject({ error: { message: expect.stringContaining('clues[1].mobile_md5') } });
      const late = await adminRequest(fx.app, fx.tenant, 'POST', '/api/v1/lead-feeds/autohome', { clues: [{ clue_id: 'AH-3', mobile_md5: md5('1'), create_time: '2026-03-11 09:00:00' }] });
      expect(late.statusCode).toBe(400);
      expect(json(late)).toMatchObject({ error: { message: expect.stringContaining('clues[0] (create_time): createdAt 2026-03-11T01:00:00.000Z is in the future') } });
      const net = await seedNetwork(fx.app, fx.tenant);
      for (const who of [net.staff.analyst, net.staff.managerA]) {
        const denied = await asStaff(fx.app, who.token, 'POST', '/api/v1/lead-feeds/autohome', { clues: [{ clue_id: 'AH-1', mobile_md5: md5('1'), create_time: '2026-03-10 09:00:00' }] });
        expect(denied.statusCode).toBe(403);
      }
      expect(await leads()).toEqual([]);
    });
  });

  describe('CSV import (POST /api/v1/leads/import)', () => {
    const HEADER = '线索编号,客户姓名,手机号,城市,意向车系,经销商代码,创建时间';
    const mapping = { columns: { 线索编号: 'externalId', 客户姓名: 'name', 手机号: 'phone', 城市: 'city', 意向车系: 'series', 经销商代码: 'dealerCode', 创建时间: 'createdAt' } };
    const csv = (rows: string[]) => [HEADER, ...rows].join('\n');
    const importCsv = (token: string, text: string, m: unknown = mapping) =>
      fx.app.inject({
        method: 'POST',
        url: `/api/v1/leads/import?mapping=${encodeURIComponent(JSON.stringify(m))}`,
        payload: text,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv; charset=utf-8' },
      });

    it('imports every row and counts the outcomes; importing again changes nothing', async () => {
      const text = csv(['D001,张三,13910000001,上海,汉,,2026-03-01 10:00', 'D002,张三,13910000001,上海,唐,,2026-03-02 10:00', 'D003,张三,13910000001,上海,汉,,2026-03-03 10:00', 'D004,李四,13910000004,杭州,汉,,2026-03-04 10:00']);
      const res = await importCsv(fx.tenant.adminToken, text);
      expect(res.statusCode, res.body).toBe(200);
      expect(json(res)).toEqual({ rows: 4, created: 4, new: 2, merged: 1, duplicates: 1, existing: 0 });
      expect((await leads()).map((l) => [l.external_id, l.source, l.phone, l.series, l.dedup, l.created_at.toISOString()])).toEqual([
        ['D001', 'dms', '+8613910000001', '汉', 'new', '2026-03-01T02:00:00.000Z'],
        ['D002', 'dms', '+8613910000001', '唐', 'merged', '2026-03-02T02:00:00.000Z'],
        ['D003', 'dms', '+8613910000001', '汉', 'duplicate', '2026-03-03T02:00:00.000Z'],
        ['D004', 'dms', '+8613910000004', '汉', 'new', '2026-03-04T02:00:00.000Z'],
      ]);
      const again = await fx.app.inject({
        method: 'POST',
        url: '/api/v1/leads/import',
        payload: JSON.stringify({ mapping, csv: text }),
        headers: { authorization: `Bearer ${fx.tenant.adminToken}`, 'content-type': 'application/json' },
      });
      expect(again.statusCode, again.body).toBe(200);
      expect(json(again)).toEqual({ rows: 4, created: 0, new: 0, merged: 0, duplicates: 0, existing: 4 });
      expect(await leads()).toHaveLength(4);
    });

    it('stores nothing when one row is bad, naming rows, fields and columns', async () => {
      const res = await importCsv(fx.tenant.adminToken, csv(['D001,张三,13910000001,上海,汉,,2026-03-01 10:00', 'D002,李四,abc,上海,汉,,2026-03-01 10:00', 'D003,王五,13910000003,上海,汉,,不知道']));
      expect(res.statusCode).toBe(400);
      expect(json(res)).toMatchObject({
        error: {
          code: 'invalid_request',
          details: { count: 2, problems: [{ row: 3, field: 'phone', column: '手机号' }, { row: 4, field: 'createdAt', column: '创建时间' }] },
        },
      });
      const badMapping = await importCsv(fx.tenant.adminToken, csv(['D001,张三,13910000001,上海,汉,,2026-03-01 10:00']), { columns: { 线索编号: 'externalId' } });
      expect(badMapping.statusCode).toBe(400);
      expect(json(badMapping)).toMatchObject({ error: { message: expect.stringContaining('map a column to phone') } });
      const noMapping = await fx.app.inject({ method: 'POST', url: '/api/v1/leads/import', payload: 'a,b\n1,2', headers: { authorization: `Bearer ${fx.tenant.adminToken}`, 'content-type': 'text/csv' } });
      expect(noMapping.statusCode).toBe(400);
      expect(await leads()).toEqual([]);
    });

    it('lets dealer staff import for their own dealer only; analysts not at all', async () => {
      const net = await seedNetwork(fx.app, fx.tenant);
      const theirs = await importCsv(net.staff.managerA.token, csv(['D001,张三,13910000001,上海,汉,,2026-03-01 10:00', 'D002,李四,13910000002,上海,汉,SH001,2026-03-01 10:00']));
      expect(theirs.statusCode, theirs.body).toBe(200);
      expect((await leads()).map((l) => [l.external_id, l.dealer_code, l.dealer_id])).toEqual([
        ['D001', 'SH001', net.units.dealerA.id],
        ['D002', 'SH001', net.units.dealerA.id],
      ]);
      const other = await importCsv(net.staff.managerA.token, csv(['D003,王五,13910000003,杭州,汉,HZ001,2026-03-01 10:00']));
      expect(other.statusCode).toBe(400);
      expect(json(other)).toMatchObject({ error: { details: { problems: [{ row: 2, field: 'dealerCode', message: 'no dealer with code "HZ001"' }] } } });
      const analyst = await importCsv(net.staff.analyst.token, csv(['D004,赵六,13910000004,上海,汉,,2026-03-01 10:00']));
      expect(analyst.statusCode).toBe(403);
      expect(await leads()).toHaveLength(2);
    });

    it('takes large files in chunks of 500', async () => {
      const rows = Array.from({ length: 1001 }, (_, i) => `D${i},客户${i},1391${String(i).padStart(7, '0')},上海,汉,,2026-03-01 10:00`);
      const res = await importCsv(fx.tenant.adminToken, csv(rows));
      expect(res.statusCode, res.body).toBe(200);
      expect(json(res)).toEqual({ rows: 1001, created: 1001, new: 1001, merged: 0, duplicates: 0, existing: 0 });
    });
  });
});
