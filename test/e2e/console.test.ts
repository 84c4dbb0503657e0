import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { allowedTransitionsSchema, followUpSchema } from '../../src/contracts/funnel.js';
import { leadPageSchema, leadSchema, type Lead } from '../../src/contracts/leads.js';
import { staffSchema } from '../../src/contracts/org.js';
import { segmentSchema } from '../../src/contracts/segments.js';
import { tagSchema } from '../../src/contracts/tags.js';
import { wecomChannelCodeListSchema, wecomChannelCodeSchema } from '../../src/contracts/wecom-codes.js';
import { profilesPageSchema } from '../../src/contracts/profiles.js';
import { createDemo, type DemoResult } from '../../src/demo/index.js';
import { systemClock } from '../../src/platform/clock.js';
import type { Store } from '../../src/platform/db/index.js';
import { testApp } from '../../src/testing/app.js';
import { openTestStore } from '../../src/testing/engines.js';
import { startFakeWecom, type FakeWecom } from '../../src/testing/fakes/wecom.js';
import { browserRequired, describeViolations, hasChromium, launchChromium, screenshot, seriousA11yViolations, setLocale, settled, signedIn, until } from '../support/browser.js';
import { consolePages, watchPage } from '../support/console-pages.js';

/**
 * The console in Debian's Chromium against a demo store, as its users would use it: HQ opens every
 * page (with an accessibility pass and screenshots in both languages at two widths), finds a person
 * and opens the 360; a consultant moves a lead and logs a follow-up; a dealer manager approves a
 * defeat and sees no trace of another dealer's lead; the sidebar at 360 px.
 */

const CONSOLE_INDEX = new URL('../../console/dist/index.html', import.meta.url);
const PEOPLE = 300;
const secretKey = randomBytes(32);
/** A second corp, alive for the whole run (the demo's fake WeCom closes when the demo is written). */
const LIVE_CORP = { corpId: 'wwconsolee2e000001', secret: 'console-e2e-appSecret_0123456789abcdefghij', token: 'ConsoleTok3n', aesKey: 'mWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };

describe.skipIf(!hasChromium && !browserRequired)('the console in Chromium', () => {
  let store: Store;
  let app: FastifyInstance;
  let demo: DemoResult;
  let browser: Browser;
  let baseUrl: string;
  let liveWecom: FakeWecom;

  const signIn = (role: DemoResult['staff'][number]['role']) => {
    const who = demo.staff.find((s) => s.role === role);
    if (!who) throw new Error(`the demo has no ${role} sign-in`);
    return who;
  };

  async function adminGet(url: string): Promise<unknown> {
    const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${demo.adminToken}` } });
    if (res.statusCode !== 200) throw new Error(`GET ${url} answered ${res.statusCode}: ${res.body}`);
    return JSON.parse(res.body) as unknown;
  }

  async function apiAs(token: string, method: 'GET' | 'POST', url: string, payload?: unknown): Promise<unknown> {
    const json = payload === undefined ? {} : { payload: JSON.stringify(payload) };
    const res = await app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, ...json });
    if (res.statusCode >= 300) throw new Error(`${method} ${url} answered ${res.statusCode}: ${res.body}`);
    return res.statusCode === 204 ? null : (JSON.parse(res.body) as unknown);
  }

  /** All demo staff share one password; the admin's sign-in carries it. */
  const demoPassword = () => signIn('admin').password;

  /** A staff member's session token through the API's login. */
  async function tokenOf(username: string): Promise<string> {
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: demoPassword() } });
    if (res.statusCode !== 200) throw new Error(`login ${username} answered ${res.statusCode}: ${res.body}`);
    return z.object({ token: z.string() }).parse(JSON.parse(res.body)).token;
  }

  async function usernameOf(staffId: string): Promise<string> {
    return staffSchema.parse(await adminGet(`/api/v1/staff/${staffId}`)).username;
  }

  async function leads(query: string): Promise<Lead[]> {
    return leadPageSchema.parse(await adminGet(`/api/v1/leads?limit=200&${query}`)).data;
  }

  beforeAll(async () => {
    if (!existsSync(CONSOLE_INDEX)) throw new Error('the console is not built: run npm run build (npm ci does it)');
    store = await openTestStore('pglite');
    app = await testApp(store, systemClock, { secretKey });
    demo = await createDemo({ store, app, clock: systemClock, secretKey }, { people: PEOPLE });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (!address || typeof address === 'string') throw new Error('the app is not listening on a port');
    baseUrl = `http://127.0.0.1:${(address satisfies AddressInfo).port}`;
    browser = await launchChromium();
    liveWecom = await startFakeWecom({ corpId: LIVE_CORP.corpId, secrets: [LIVE_CORP.secret] });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await liveWecom?.close();
    await app?.close();
    await store?.close();
  });

  it('serves the console with a strict Content-Security-Policy, and every page of HQ works under it', async () => {
    const res = await fetch(`${baseUrl}/customers`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);

    const admin = signIn('admin');
    // A detail page of each kind, on demo records that must exist (a missing one fails, never skips).
    const profile = profilesPageSchema.parse(await adminGet('/api/v1/profiles?q=6117&limit=5')).data[0];
    const lead = (await leads('status=contacted'))[0];
    const segment = z.object({ data: z.array(segmentSchema) }).parse(await adminGet('/api/v1/segments')).data[0];
    const demoCode = wecomChannelCodeListSchema.parse(await adminGet('/api/v1/wecom/channel-codes')).data[0];
    if (!profile || !lead || !segment || !demoCode) throw new Error('the demo lacks a person with phone ending 6117, a contacted lead, a segment or a channel code');
    // The demo's codes were made on a fake WeCom that is gone; a code made now on a live one has a QR image to show.
    const { corpId, secret, token, aesKey } = LIVE_CORP;
    const connectorBody = { corpId, agentId: '1000002', secret, token, encodingAESKey: aesKey, apiBaseUrl: liveWecom.url };
    const connector = z.object({ id: z.string() }).parse(await apiAs(demo.adminToken, 'POST', '/api/v1/connectors/wecom', connectorBody));
    const { dealerCode, consultantIds, source } = demoCode;
    const code = wecomChannelCodeSchema.parse(
      await apiAs(demo.adminToken, 'POST', '/api/v1/wecom/channel-codes', { connectorId: connector.id, name: '展厅活码（联调）', source, consultantIds, ...(dealerCode ? { dealerCode } : {}) }),
    );
    const pages = consolePages({ profileId: profile.id, leadId: lead.id, segmentId: segment.id, channelCodeId: code.id });
    const failures: string[] = [];
    for (const width of [1280, 1920]) {
      const { context, page } = await signedIn(browser, baseUrl, admin.username, admin.password, { width, height: 900 });
      for (const locale of ['zh-CN', 'en'] as const) {
        await setLocale(page, locale);
        for (const p of pages) {
          const watch = watchPage(page);
          await page.goto(p.path);
          await settled(page);
          await page.locator(`[data-testid="${p.testId}"]`).first().waitFor({ timeout: 10_000 }).catch(() => failures.push(`${p.path}: no [data-testid=${p.testId}]`));
          if (await page.locator('.ant-result-error, .ant-result-403, .ant-result-404, .ant-result-500').count()) failures.push(`${p.path} (${locale}): shows an error state`);
          if (p.name === 'wecom-code') {
            const drawn = "(document.querySelector('[data-testid=wecom-code-qr]')?.naturalWidth ?? 0) > 0";
            await until(page, drawn, 10_000).catch(() => failures.push(`${p.path} (${locale}): the QR image from WeCom is not drawn`));
          }
          failures.push(...watch.problems().map((m) => `${p.path} (${locale}): ${m}`));
          watch.stop();
          const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
          if (typeof overflow === 'number' && overflow > 0) failures.push(`${p.path} (${locale}, ${width} px): ${overflow} px of horizontal overflow`);
          if (width === 1280 && locale === 'zh-CN') {
            const violations = await seriousA11yViolations(page);
            if (violations.length) failures.push(`${p.path}: accessibility\n${describeViolations(violations)}`);
          }
          await screenshot(page, `${p.name}.${locale}.${width}`);
        }
      }
      await context.close();
    }
    expect(failures).toEqual([]);
  }, 900_000);

  it('finds a person by phone suffix and opens the 360', async () => {
    const admin = signIn('admin');
    const { context, page } = await signedIn(browser, baseUrl, admin.username, admin.password);
    await page.goto('/customers');
    await page.getByTestId('customer-search-input').fill('6117');
    await page.getByTestId('customer-search-input').press('Enter');
    const row = page.getByTestId('customer-results').getByText('罗志强').first();
    await row.waitFor();
    await row.click();
    await page.getByTestId('customer-360').waitFor();
    await settled(page);
    await expect(page.getByTestId('customer-360').textContent()).resolves.toContain('罗志强');
    expect(new URL(page.url()).pathname).toMatch(/^\/customers\/[0-9a-f-]{36}$/);
    await context.close();
  }, 120_000);

  it('builds a segment with an event and a tag condition: the live count is the API preview’s, and it saves', async () => {
    const admin = signIn('admin');
    const tags = z.object({ data: z.array(tagSchema) }).parse(await adminGet('/api/v1/tags')).data;
    const tag = tags.find((t) => t.name === '高意向');
    if (!tag) throw new Error('the demo has no tag 高意向');
    const condition = {
      type: 'and',
      conditions: [
        { type: 'event', event: 'Test Drive Completed', count: { op: 'at_least', value: 1 }, window: { lastDays: 90 } },
        { type: 'tag', tag: tag.id, has: true },
      ],
    };
    const preview = z.object({ count: z.number() }).parse(await apiAs(demo.adminToken, 'POST', '/api/v1/segments/preview', { definition: { condition } })).count;

    const { context, page } = await signedIn(browser, baseUrl, admin.username, admin.password);
    await page.goto('/segments/new');
    await page.getByTestId('segment-builder').waitFor();
    await page.getByTestId('segment-name').fill('近 90 天试驾的高意向客户');
    /** Picks the option showing `text` in the antd Select with test id `testId` inside `row`. */
    const choose = async (row: Locator, testId: string, text: string) => {
      const select = row.getByTestId(testId);
      await select.locator('.ant-select-selector').click();
      await select.locator('input').first().pressSequentially(text);
      await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: text }).first().click();
    };
    try {
      // An event condition: 完成试驾 at least once in the last 90 days.
      await page.getByTestId('segment-add-condition').click();
      const first = page.getByTestId('condition-row').nth(0);
      await choose(first, 'condition-event', '完成试驾');
      // antd puts the test id on the number input itself.
      await first.locator('input[data-testid="condition-window-days"], [data-testid="condition-window-days"] input').first().fill('90');
      // A tag condition: has 高意向.
      await page.getByTestId('segment-add-condition').click();
      const second = page.getByTestId('condition-row').nth(1);
      await choose(second, 'condition-kind', '标签');
      await choose(second, 'condition-tag', '高意向');
    } catch (e) {
      await screenshot(page, 'segment-builder-failure');
      throw e;
    }

    const live = page.getByTestId('segment-live-count');
    await expect.poll(async () => ((await live.count()) ? await live.textContent() : null), { timeout: 30_000 }).toBe(String(preview));
    await page.getByTestId('segment-save').click();
    await page.waitForURL(/\/segments\/[0-9a-f-]{36}$/);
    const id = new URL(page.url()).pathname.split('/').pop() ?? '';
    await context.close();

    const saved = segmentSchema.parse(await adminGet(`/api/v1/segments/${id}`));
    expect(saved.name).toBe('近 90 天试驾的高意向客户');
    expect(saved.definition).toMatchObject({ condition });
  }, 180_000);

  it('a consultant moves a lead through two statuses and logs a follow-up', async () => {
    const lead = (await leads('status=assigned')).find((l) => l.consultantId);
    if (!lead?.consultantId) throw new Error('the demo has no assigned lead with a consultant');
    const username = await usernameOf(lead.consultantId);
    const { context, page } = await signedIn(browser, baseUrl, username, demoPassword());
    await page.goto(`/leads/${lead.id}`);
    await page.getByTestId('lead-page').waitFor();
    for (const to of ['contacted', 'invited'] as const) {
      await page.getByTestId(`lead-transition-${to}`).click();
      await page.locator('.ant-popconfirm .ant-btn-primary').click();
      await page.locator(`[data-testid="lead-status"][data-status="${to}"]`).waitFor();
    }
    const form = page.getByTestId('lead-followup-form');
    await form.locator('.ant-select').first().click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').first().click();
    await form.locator('textarea').fill('电话沟通，周六到店看星岚');
    await page.getByTestId('lead-followup-submit').click();
    await page.getByTestId('lead-followups').getByText('电话沟通，周六到店看星岚').waitFor();
    await context.close();

    expect(leadSchema.parse(await adminGet(`/api/v1/leads/${lead.id}`)).status).toBe('invited');
    const followUps = z.object({ data: z.array(followUpSchema) }).parse(await adminGet(`/api/v1/leads/${lead.id}/follow-ups`)).data;
    expect(followUps.map((f) => f.note)).toContain('电话沟通，周六到店看星岚');
  }, 120_000);

  it('a dealer manager approves a consultant’s defeat request', async () => {
    const manager = signIn('dealer_manager');
    const open = (await leads(`dealerCode=${manager.orgUnitCode}&status=assigned,contacted,invited,visited`)).find((l) => l.consultantId);
    if (!open?.consultantId) throw new Error(`the demo has no open lead with a consultant at ${manager.orgUnitCode}`);
    const consultant = await tokenOf(await usernameOf(open.consultantId));
    await apiAs(consultant, 'POST', `/api/v1/leads/${open.id}/defeat-requests`, { reasonCode: 'bought_competitor', remark: '已在竞品店下订' });
    const { context, page } = await signedIn(browser, baseUrl, manager.username, manager.password);
    await page.goto('/leads/approvals');
    await page.getByTestId(`approval-approve-${open.id}`).click();
    await page.locator('.ant-modal-footer .ant-btn-primary').click();
    await page.locator('.ant-modal').waitFor({ state: 'hidden' });
    await context.close();
    const after = leadSchema.parse(await adminGet(`/api/v1/leads/${open.id}`));
    expect([after.status, after.defeatReason]).toEqual(['defeated', 'bought_competitor']);
    expect(allowedTransitionsSchema.parse(await adminGet(`/api/v1/leads/${open.id}/allowed-transitions`)).defeatable).toBe(false);
  }, 120_000);

  it('the sidebar fits a WeCom chat toolbar 360 px wide', async () => {
    // A live WeCom friendship of a consultant: the customer in the chat beside the sidebar.
    const found = await sql<{ external_userid: string; connector_id: string; staff_id: string | null }>`
      SELECT external_userid, connector_id, staff_id FROM wecom_friendships
      WHERE tenant_id = ${demo.tenantId} AND removed_at IS NULL AND staff_id IS NOT NULL LIMIT 1`.execute(store.db);
    const friendship = found.rows[0];
    if (!friendship?.staff_id) throw new Error('no friendship with a consultant');
    const username = await usernameOf(friendship.staff_id);
    const { context, page } = await signedIn(browser, baseUrl, username, demoPassword(), { width: 360, height: 780 });
    const watch = watchPage(page);
    await page.goto(`/sidebar?externalUserId=${encodeURIComponent(friendship.external_userid)}&connectorId=${friendship.connector_id}`);
    await page.getByTestId('sidebar-customer').waitFor();
    await settled(page);
    for (const id of ['sidebar-stage', 'sidebar-tags', 'sidebar-events']) await page.getByTestId(id).waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    const violations = await seriousA11yViolations(page);
    expect(describeViolations(violations)).toBe('');
    expect(watch.problems()).toEqual([]);
    for (const locale of ['zh-CN', 'en'] as const) {
      await setLocale(page, locale);
      await page.reload();
      await page.getByTestId('sidebar-customer').waitFor();
      await settled(page);
      await screenshot(page, `sidebar.${locale}.360`);
    }
    await context.close();
  }, 120_000);

  it('a dealer manager gets no trace of another dealer’s lead by URL, search or list', async () => {
    const manager = signIn('dealer_manager');
    // A lead of another dealer whose name no lead of the manager's dealer shares.
    const own = new Set((await leads(`dealerCode=${manager.orgUnitCode}`)).map((l) => l.name));
    const other = (await leads('')).find((l) => l.dealerCode && l.dealerCode !== manager.orgUnitCode && l.name && !own.has(l.name) && l.phone?.startsWith('+86'));
    if (!other?.name || !other.phone) throw new Error('the demo has no lead of another dealer with a name and phone');
    const { context, page } = await signedIn(browser, baseUrl, manager.username, manager.password);
    const body = async (): Promise<string> => (await page.locator('body').textContent()) ?? '';

    await page.goto(`/leads/${other.id}`);
    await settled(page);
    expect(await page.locator('.ant-result-404, .ant-result-403').count()).toBe(1);
    expect(await body()).not.toContain(other.name);
    expect(await body()).not.toContain(other.phone.slice(-4));

    await page.goto(`/customers?q=${encodeURIComponent(other.phone)}`);
    await settled(page);
    expect(await body()).not.toContain(other.name);

    await page.goto('/leads');
    await settled(page);
    await page.getByTestId('leads-table').waitFor();
    // Rows carry their lead's id as the row key: the manager's own leads are listed, the other dealer's is not.
    expect(await page.locator('[data-testid="leads-table"] tr[data-row-key]').count()).toBeGreaterThan(0);
    expect(await page.locator(`[data-row-key="${other.id}"]`).count()).toBe(0);
    expect(await body()).not.toContain(other.name);
    await context.close();
  }, 120_000);
});
