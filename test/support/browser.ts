import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { z } from 'zod';

/** Debian's chromium (installed by .ci/run); tools that download their own browser do not work here. */
export const CHROMIUM_PATH = process.env['SIYU_TEST_CHROMIUM'] || '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM_PATH);
/** CI installs Chromium and sets this: there, a missing browser fails the tests instead of skipping them. */
export const browserRequired = process.env['SIYU_TEST_REQUIRE_BROWSER'] === '1';

/** Where the tests save screenshots (not committed). */
export const SCREENSHOT_DIR = path.resolve('test-output/console');

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}

export interface Viewport {
  width: number;
  height: number;
}

/** A fresh browser profile signed in as `username` through the console's sign-in page. */
export async function signedIn(browser: Browser, baseUrl: string, username: string, password: string, viewport: Viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, baseURL: baseUrl, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto('/login');
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  await page.locator('button[type=submit]').click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  // The language is remembered per user: start every browser in the default one, whatever an earlier test chose.
  await setLocale(page, 'zh-CN');
  return { context, page };
}

/** The console's language for the signed-in user, as its switch would set it. */
export async function setLocale(page: Page, locale: 'zh-CN' | 'en'): Promise<void> {
  const csrf = (await page.context().cookies()).find((c) => c.name === 'siyu_csrf')?.value ?? '';
  const res = await page.request.patch('/api/v1/auth/me', { data: { locale }, headers: { 'x-csrf-token': csrf } });
  if (!res.ok()) throw new Error(`PATCH /api/v1/auth/me answered ${res.status()}: ${await res.text()}`);
  await page.evaluate(`localStorage.setItem('siyu.locale', ${JSON.stringify(locale)})`);
}

/**
 * Polls a JavaScript expression through the DevTools protocol every 20 ms until it is true.
 * Playwright's waitForFunction evaluates its predicate with eval inside the page, which the
 * console's CSP (rightly) refuses.
 */
export async function until(page: Page, condition: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await page.evaluate(condition).catch(() => false)) !== true) {
    if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms: ${condition}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits until the page has no skeleton or spinning indicator and the network is quiet. */
export async function settled(page: Page, timeout = 15_000): Promise<void> {
  await page.waitForLoadState('networkidle', { timeout }).catch(() => undefined);
  await until(page, "!document.querySelector('.ant-skeleton, .ant-spin-spinning')", timeout);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

const axeResultsSchema = z.object({
  violations: z.array(
    z.object({
      id: z.string(),
      impact: z.string().nullable().optional(),
      help: z.string(),
      nodes: z.array(z.object({ target: z.array(z.unknown()), html: z.string() })),
    }),
  ),
});

export type AxeViolation = z.infer<typeof axeResultsSchema>['violations'][number];

let axeSource: string | undefined;

/**
 * axe-core run inside the page (evaluated through the DevTools protocol, which the page's CSP does
 * not govern); the serious and critical violations.
 */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  const raw: unknown = await page.evaluate("axe.run(document, { resultTypes: ['violations'] })");
  return axeResultsSchema.parse(raw).violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export function describeViolations(violations: AxeViolation[]): string {
  return violations.map((v) => `${v.impact} ${v.id}: ${v.help}\n${v.nodes.slice(0, 3).map((n) => `  ${n.html.slice(0, 160)}`).join('\n')}`).join('\n');
}
