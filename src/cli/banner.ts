import type { DemoResult } from '../demo/index.js';
import type { StoreStart } from './first-start.js';

/**
 * The block `siyu serve` prints to stdout once it listens: where the API is and, after the demo was
 * just written, the credentials to use it (shown this once: the store keeps only their hashes).
 * Plain text whatever the log format, so a person reading a terminal or a log file finds it.
 */
export function formatBanner(url: string, start: StoreStart): string {
  const lines = ['', `  Siyu is listening on ${url}`, `  Console:   ${url}/   (staff sign in with their user name and password)`, `  API docs:  ${url}/docs`, ''];
  if (start.kind === 'existing') lines.push('  The store already holds data: no demo was created.', '');
  if (start.kind === 'empty') lines.push('  The store holds no tenant yet: create one with `npx siyu tenant create --name "Your brand"` (README.md, "First events").', '');
  if (start.kind === 'demo') lines.push(...demoLines(url, start.demo, start.phoneDigits));
  return `${lines.join('\n')}\n`;
}

const number = (n: number) => n.toLocaleString('en-US');

function demoLines(url: string, demo: DemoResult, phoneDigits: string | null): string[] {
  const c = demo.counts;
  const bearer = `-H "Authorization: Bearer ${demo.adminToken}"`;
  const search = phoneDigits ? `?q=${phoneDigits}` : '?limit=5';
  const consultant = demo.staff.find((s) => s.role === 'consultant') ?? demo.staff[0];
  return [
    `  A demo brand was written into this empty store: ${number(c.people)} people, ${number(c.dealers)} dealers, ${number(c.staff)} staff,`,
    `  ${number(c.leads)} leads, ${number(c.trackedEvents)} tracked events, ${number(c.wecomAdds)} WeCom friendships.`,
    '',
    `    tenant       ${demo.tenantId}`,
    `    write key    ${demo.writeKey}   (POST /v1/track, /v1/batch: HTTP Basic auth, the key as user name)`,
    `    admin token  ${demo.adminToken}`,
    '',
    '  Staff sign-ins (the console, or POST /api/v1/auth/login):',
    ...table([['role', 'username', 'password', 'org unit', 'name'], ...demo.staff.map((s) => [s.role, s.username, s.password, s.orgUnitCode, s.name])]),
    '',
    '  Try:',
    `    curl ${bearer} '${url}/api/v1/profiles${search}'`,
    `    curl ${bearer} '${url}/api/v1/analytics/stages?model=five_a'`,
    ...(consultant
      ? [`    curl -H 'content-type: application/json' -d ${shellQuoted(JSON.stringify({ username: consultant.username, password: consultant.password }))} '${url}/api/v1/auth/login'`]
      : []),
    '',
    '  These credentials are shown only this once: the store keeps only their hashes. Copy them now.',
    '  What to look at next: README.md, "First five minutes".',
    '',
  ];
}

/** One shell word in single quotes. */
function shellQuoted(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** Left-aligned columns; the last column is not padded (names may be wider than their length). */
function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => `    ${r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')}`.trimEnd());
}
