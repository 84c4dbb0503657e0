import type { Page, Request, Response } from 'playwright-core';

export interface ConsolePage {
  /** A file-name-safe name for screenshots. */
  name: string;
  path: string;
  /** An element every rendering of the page has. */
  testId: string;
}

/** Ids of demo records that the detail pages show. */
export interface DetailIds {
  profileId: string;
  leadId: string;
  segmentId: string;
  channelCodeId: string;
}

/** Every page of the console an HQ admin reaches, the detail pages on demo records. */
export function consolePages(ids: DetailIds): ConsolePage[] {
  return [
    { name: 'overview', path: '/', testId: 'overview-page' },
    { name: 'customers', path: '/customers', testId: 'customer-search-input' },
    { name: 'customer-360', path: `/customers/${ids.profileId}`, testId: 'customer-360' },
    { name: 'segments', path: '/segments', testId: 'segment-list' },
    { name: 'segment-new', path: '/segments/new', testId: 'segment-builder' },
    { name: 'segment', path: `/segments/${ids.segmentId}`, testId: 'segment-builder' },
    { name: 'tags', path: '/tags', testId: 'tag-list' },
    { name: 'leads', path: '/leads', testId: 'leads-table' },
    { name: 'lead', path: `/leads/${ids.leadId}`, testId: 'lead-page' },
    { name: 'lead-approvals', path: '/leads/approvals', testId: 'approvals-table' },
    { name: 'lead-pool', path: '/leads/pool', testId: 'pool-table' },
    { name: 'lead-leaderboard', path: '/leads/leaderboard', testId: 'leaderboard-page' },
    { name: 'lead-import', path: '/leads/import', testId: 'import-page' },
    { name: 'wecom-codes', path: '/wecom/codes', testId: 'wecom-codes-table' },
    { name: 'wecom-code', path: `/wecom/codes/${ids.channelCodeId}`, testId: 'wecom-code-qr' },
    { name: 'wecom-welcome', path: '/wecom/welcome', testId: 'wecom-welcome-table' },
    { name: 'wecom-mass', path: '/wecom/mass', testId: 'wecom-mass-table' },
    { name: 'wecom-transfers', path: '/wecom/transfers', testId: 'wecom-transfers-table' },
    { name: 'wecom-churn', path: '/wecom/churn', testId: 'wecom-churn-table' },
    { name: 'settings-sources', path: '/settings/sources', testId: 'settings-sources-table' },
    { name: 'settings-connectors', path: '/settings/connectors', testId: 'settings-connectors' },
    { name: 'settings-identity', path: '/settings/identity', testId: 'settings-identity' },
    { name: 'settings-stages', path: '/settings/stages', testId: 'settings-stages' },
    { name: 'settings-stage-model', path: '/settings/stages/five_a', testId: 'settings-stages' },
    { name: 'settings-org', path: '/settings/org', testId: 'settings-org-tree' },
    { name: 'settings-staff', path: '/settings/staff', testId: 'settings-staff-table' },
    { name: 'settings-audit', path: '/settings/audit', testId: 'settings-audit-table' },
  ];
}

/**
 * What went wrong on a page while it was watched: uncaught errors, console errors and answers of
 * 500 or more.
 */
export function watchPage(page: Page): { problems: () => string[]; stop: () => void } {
  const problems: string[] = [];
  const onError = (e: Error) => problems.push(`page error: ${e.message}`);
  const onConsole = (m: { type: () => string; text: () => string }) => {
    // A failed fetch logs "Failed to load resource"; answers are judged by their status below.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console error: ${m.text().slice(0, 300)}`);
  };
  const onResponse = (r: Response) => {
    if (r.status() >= 500) problems.push(`${r.status()} from ${r.request().method()} ${r.url()}`);
  };
  const onFailed = (r: Request) => {
    const failure = r.failure()?.errorText ?? '';
    if (!failure.includes('ERR_ABORTED')) problems.push(`request failed: ${r.method()} ${r.url()} ${failure}`);
  };
  page.on('pageerror', onError);
  page.on('console', onConsole);
  page.on('response', onResponse);
  page.on('requestfailed', onFailed);
  return {
    problems: () => [...problems],
    stop: () => {
      page.off('pageerror', onError);
      page.off('console', onConsole);
      page.off('response', onResponse);
      page.off('requestfailed', onFailed);
    },
  };
}
