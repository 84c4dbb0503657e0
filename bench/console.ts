/**
 * `npm run bench -- console`: the console as a newcomer meets it. `siyu serve` (compiled) starts on an
 * empty PGlite store and writes the demo brand (BENCH_CONSOLE_PEOPLE, 2000); Debian's Chromium then
 * signs in as the HQ admin and measures, over BENCH_CONSOLE_RUNS (5) navigations each:
 * - the JavaScript the overview loads (raw and gzip -9 of the same files), against the 350 KB budget;
 * - navigation → every overview chart drawn (ECharts "finished"), cold (new browser profile) and warm;
 * - navigation → a customer 360 page rendered with its data, cold and warm.
 * BENCH_CONSOLE_DATA reuses a data folder that already holds a demo (its password in BENCH_CONSOLE_PASSWORD).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { envInt } from './lib/env.js';
import { freePort, repoRoot, siyuEnv, startCli } from './lib/processes.js';
import { pgliteTarget } from './lib/targets.js';
import { launchChromium, until } from '../test/support/browser.js';

const log = (line: string) => process.stderr.write(`${line}\n`);

interface Timing {
  coldMs: number[];
  warmMs: number[];
}

function stats(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { median: Math.round(at(0.5)), p90: Math.round(at(0.9)), min: Math.round(sorted[0] ?? NaN), max: Math.round(sorted.at(-1) ?? NaN) };
}

async function signIn(page: Page, username: string, password: string): Promise<void> {
  const res = await page.request.post('/api/v1/auth/session', { data: { username, password } });
  if (!res.ok()) throw new Error(`sign-in answered ${res.status()}: ${await res.text()}`);
}

/** Navigation → the page's own "ready" condition, in ms. */
async function timeTo(page: Page, path: string, ready: string): Promise<number> {
  const started = Date.now();
  await page.goto(path, { waitUntil: 'commit' });
  await until(page, ready);
  return Date.now() - started;
}

const CHARTS_DRAWN = `(() => { const c = document.querySelectorAll('[data-echarts]'); return c.length > 0 && !document.querySelector('.ant-skeleton') && [...c].every((e) => e.getAttribute('data-chart-drawn') === 'true'); })()`;
const PROFILE_READY = `(() => { const p = document.querySelector('[data-testid="customer-360"]'); return !!p && !document.querySelector('.ant-skeleton') && p.textContent.length > 0; })()`;

async function measure(browser: Browser, baseURL: string, who: { username: string; password: string }, path: string, ready: string, runs: number): Promise<Timing> {
  const timing: Timing = { coldMs: [], warmMs: [] };
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, who.username, who.password);
    timing.coldMs.push(await timeTo(page, path, ready));
    await page.goto('/login', { waitUntil: 'load' });
    timing.warmMs.push(await timeTo(page, path, ready));
    await context.close();
  }
  return timing;
}

/** The JavaScript files a page loads, sized raw and gzipped from the built files. */
async function scriptsOf(browser: Browser, baseURL: string, who: { username: string; password: string }, path: string) {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await signIn(page, who.username, who.password);
  const urls = new Set<string>();
  page.on('response', (r) => {
    if (r.request().resourceType() === 'script') urls.add(new URL(r.url()).pathname);
  });
  await page.goto(path);
  await until(page, CHARTS_DRAWN);
  await context.close();
  const files = [...urls].map((p) => {
    const bytes = readFileSync(join(repoRoot, 'console/dist', p));
    return { path: p, rawKb: +(bytes.length / 1024).toFixed(1), gzipKb: +(gzipSync(bytes, { level: 9 }).length / 1024).toFixed(1) };
  });
  files.sort((a, b) => b.gzipKb - a.gzipKb);
  return { files, rawKb: +files.reduce((s, f) => s + f.rawKb, 0).toFixed(1), gzipKb: +files.reduce((s, f) => s + f.gzipKb, 0).toFixed(1) };
}

export async function run(): Promise<void> {
  const people = envInt('BENCH_CONSOLE_PEOPLE', 2000, 100);
  const runs = envInt('BENCH_CONSOLE_RUNS', 5, 1);
  const reuse = process.env['BENCH_CONSOLE_DATA'];
  const target = reuse ? null : pgliteTarget('console', process.env['BENCH_KEEP_DATA'] === '1');
  const port = await freePort();
  const started = performance.now();
  const server = startCli(['serve'], siyuEnv({ SIYU_DATA_DIR: reuse ?? target?.env['SIYU_DATA_DIR'] ?? '', SIYU_PORT: String(port), SIYU_DEMO: reuse ? 'off' : 'on', SIYU_DEMO_PEOPLE: String(people), SIYU_LOG_LEVEL: 'warn' }));
  const stdout: string[] = [];
  server.child.stdout?.on('data', (d: string) => stdout.push(d));
  try {
    log(reuse ? `serving ${reuse}` : `siyu serve on an empty store: writing a ${people}-person demo first`);
    while (!stdout.join('').includes('Siyu is listening')) {
      if (server.child.exitCode !== null) throw new Error(`siyu serve exited:\n${server.output()}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const password = reuse ? (process.env['BENCH_CONSOLE_PASSWORD'] ?? '') : /\bls\.admin\s+(\S+)/.exec(stdout.join(''))?.[1];
    if (!password) throw new Error('no admin password in the banner');
    log(`ready after ${((performance.now() - started) / 1000).toFixed(0)} s`);
    const baseURL = `http://127.0.0.1:${port}`;
    const admin = { username: 'ls.admin', password };
    const browser = await launchChromium();
    try {
      const bundle = await scriptsOf(browser, baseURL, admin, '/');
      log(`overview JavaScript: ${bundle.gzipKb} KB gzipped (${bundle.rawKb} KB raw) in ${bundle.files.length} files`);
      const lookup = await browser.newContext({ baseURL });
      const lookupPage = await lookup.newPage();
      await signIn(lookupPage, admin.username, admin.password);
      const search = await lookupPage.request.get('/api/v1/profiles?q=18941056117&limit=1');
      const profileId = /"id":"([0-9a-f-]{36})"/.exec(await search.text())?.[1];
      await lookup.close();
      if (!profileId) throw new Error('the demo person 罗志强 was not found');
      const overview = await measure(browser, baseURL, admin, '/', CHARTS_DRAWN, runs);
      log(`overview charts drawn: cold ${JSON.stringify(stats(overview.coldMs))} warm ${JSON.stringify(stats(overview.warmMs))}`);
      const profile = await measure(browser, baseURL, admin, `/customers/${profileId}`, PROFILE_READY, runs);
      log(`360 page: cold ${JSON.stringify(stats(profile.coldMs))} warm ${JSON.stringify(stats(profile.warmMs))}`);
      const result = { people, runs, bundle, overview: { ...overview, cold: stats(overview.coldMs), warm: stats(overview.warmMs) }, profile: { ...profile, cold: stats(profile.coldMs), warm: stats(profile.warmMs) } };
      mkdirSync(join(repoRoot, 'bench/out'), { recursive: true });
      writeFileSync(join(repoRoot, 'bench/out/console.json'), `${JSON.stringify(result, null, 2)}\n`);
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } finally {
      await browser.close();
    }
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
    await target?.release();
  }
}
