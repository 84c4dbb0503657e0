import { describe, expect, it } from 'vitest';
import type { DemoResult } from '../demo/index.js';
import { formatBanner } from './banner.js';

const url = 'http://127.0.0.1:3000';

const demo: DemoResult = {
  phases: [{ phase: 'staff', seconds: 1 }],
  tenantId: '11111111-2222-3333-4444-555555555555',
  writeKey: 'wk_demo',
  adminToken: 'at_demo',
  staff: [
    { role: 'admin', username: 'ls.admin', password: "Ls-it's9", orgUnitCode: 'LS-HQ', name: '苏洁' },
    { role: 'dealer_manager', username: 'ls.gz01.manager', password: "Ls-it's9", orgUnitCode: 'GZ01', name: '黄建国' },
    { role: 'consultant', username: 'ls.gz01.sc1', password: "Ls-it's9", orgUnitCode: 'GZ01', name: '范志强' },
  ],
  counts: {
    people: 20_000, staff: 369, dealers: 40, trackedEvents: 123_456, leads: 13_600, duplicateLeads: 900, funnelSteps: 50_000, orders: 1200, deliveries: 1100,
    pastDeliveries: 1800, wecomAdds: 8100, wecomRemovals: 1700, afterSales: 19_000, consents: 36_000, households: 300, tags: 12, segments: 6,
  },
};

describe('the serve banner', () => {
  it('after a demo: URLs, credentials, every sign-in, curl lines and the only-once warning', () => {
    const text = formatBanner(url, { kind: 'demo', demo, phoneDigits: '6117' });
    expect(text).toContain(`${url}/docs`);
    expect(text).toContain('20,000 people, 40 dealers');
    for (const value of [demo.tenantId, demo.writeKey, demo.adminToken]) expect(text).toContain(value);
    expect(text).toMatch(/ls\.admin +Ls-it's9 +LS-HQ +苏洁/);
    expect(text).toMatch(/dealer_manager +ls\.gz01\.manager/);
    expect(text).toMatch(/consultant +ls\.gz01\.sc1/);
    expect(text).toContain(`curl -H "Authorization: Bearer at_demo" '${url}/api/v1/profiles?q=6117'`);
    expect(text).toContain(`'${url}/api/v1/analytics/stages?model=five_a'`);
    // The password's quote is closed, escaped and reopened so the line pastes into a shell.
    expect(text).toContain(`-d '{"username":"ls.gz01.sc1","password":"Ls-it'\\''s9"}'`);
    expect(text).toContain('shown only this once');
    expect(text).toContain('"First five minutes"');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('lists profiles when no phone digits are known', () => {
    expect(formatBanner(url, { kind: 'demo', demo, phoneDigits: null })).toContain(`'${url}/api/v1/profiles?limit=5'`);
  });

  it('on a store with data: the URLs and that no demo was created', () => {
    const text = formatBanner(url, { kind: 'existing' });
    expect(text).toContain(`Siyu is listening on ${url}`);
    expect(text).toContain(`${url}/docs`);
    expect(text).toContain('already holds data');
    expect(text).not.toContain('Bearer');
  });

  it('on an empty store without demo: how to create a tenant', () => {
    expect(formatBanner(url, { kind: 'empty' })).toContain('siyu tenant create');
  });
});
