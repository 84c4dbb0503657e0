import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { asStaff, type Network, type StaffName } from './org.js';

/**
 * Table-driven data-scope tests: one case per endpoint, the status every staff member of the seeded
 * network (src/testing/org.ts) must get, and optional checks of what they read. Denials run before
 * the calls that may change something, so a case's writes never decide another staff member's
 * answer; allowed calls run dealer staff first and HQ staff last (HQ sees whatever a write left).
 */

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A status, or 'ok' for any 2xx. */
export type Expected = number | 'ok';

export interface IsolationCase<W> {
  /** Shown in failures, e.g. 'GET profile of B's customer'. */
  name: string;
  method: Method;
  url: (w: W) => string;
  body?: (w: W, who: StaffName) => unknown;
  /** The answer per staff member; staff not named get `otherwise` (or are not called when it is absent). */
  expect: Partial<Record<StaffName, Expected>>;
  otherwise?: Expected;
  /**
   * Checks of a successful answer; return a description of what is wrong, or null. Runs for every
   * staff member whose call succeeded.
   */
  check?: (who: StaffName, body: unknown, w: W) => string | null;
}

export const ALL_STAFF: readonly StaffName[] = ['admin', 'hqOps', 'analyst', 'managerA', 'consultantA1', 'consultantA2', 'advisorA', 'managerB', 'consultantB1'];
/** The order allowed calls run in: dealer staff, then HQ. */
const ALLOWED_ORDER: readonly StaffName[] = [...ALL_STAFF].reverse();

/** `expect` for a case: `ok` for the staff listed, `denied` for every other staff member. */
export function only(allowed: readonly StaffName[], ok: Expected = 'ok', denied: Expected = 404): Partial<Record<StaffName, Expected>> {
  return Object.fromEntries(ALL_STAFF.map((s) => [s, allowed.includes(s) ? ok : denied]));
}

const succeeds = (expected: Expected) => expected === 'ok' || (expected >= 200 && expected < 300);
const matches = (expected: Expected, status: number) => (expected === 'ok' ? status >= 200 && status < 300 : status === expected);

function parse(res: LightMyRequestResponse): unknown {
  try {
    return JSON.parse(res.body);
  } catch {
    return res.body;
  }
}

/**
 * Runs every case for every staff member it names (denials first) and returns one line per
 * mismatch: assert `expect(await runIsolationCases(...)).toEqual([])` to see them all at once.
 */
export async function runIsolationCases<W>(app: FastifyInstance, network: Network, world: W, cases: readonly IsolationCase<W>[]): Promise<string[]> {
  const failures: string[] = [];
  for (const c of cases) {
    const calls = ALLOWED_ORDER.flatMap((who) => {
      const expected = c.expect[who] ?? c.otherwise;
      return expected === undefined ? [] : [{ who, expected }];
    });
    // Denials first: they must not depend on (or be masked by) what an allowed call changed.
    calls.sort((a, b) => Number(succeeds(a.expected)) - Number(succeeds(b.expected)));
    for (const { who, expected } of calls) {
      const url = c.url(world);
      const res = await asStaff(app, network.staff[who].token, c.method, url, c.body?.(world, who));
      if (!matches(expected, res.statusCode)) {
        failures.push(`${c.name} [${c.method} ${url}] as ${who}: expected ${expected}, got ${res.statusCode} ${res.body.slice(0, 300)}`);
        continue;
      }
      if (res.statusCode >= 200 && res.statusCode < 300 && c.check) {
        const problem = c.check(who, parse(res), world);
        if (problem !== null) failures.push(`${c.name} [${c.method} ${url}] as ${who}: ${problem}`);
      }
    }
  }
  return failures;
}

/** For checks: the sorted ids a list answer carries under `key` of each `data` item. */
export function idsOf(body: unknown, key = 'id'): string[] {
  if (typeof body !== 'object' || body === null || !('data' in body) || !Array.isArray(body.data)) return [];
  return body.data
    .map((item: unknown) => (typeof item === 'object' && item !== null ? Reflect.get(item, key) : undefined))
    .filter((v: unknown): v is string => typeof v === 'string')
    .sort();
}

/** JSON with object keys sorted: equal values, equal text. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** For checks: null when deeply equal (object key order aside), else a message showing both. */
export function same(what: string, actual: unknown, expected: unknown): string | null {
  return canonical(actual) === canonical(expected) ? null : `${what}: expected ${canonical(expected)}, got ${canonical(actual)}`;
}
