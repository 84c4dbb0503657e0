import { stringify } from 'csv-stringify/sync';
import type { Lead, LeadListQuery } from '../../contracts/leads.js';
import { insertAudit, type Principal } from '../tenancy/index.js';
import { listLeads, type LeadReadDeps } from './leads.js';

/**
 * Leads as CSV for spreadsheets and dealer systems: the caller's leads (their scope, PII masked for
 * analysts), in pages so memory stays flat. Every export is audited before the first row leaves:
 * who, which filters, the row cap.
 */
export const EXPORT_MAX_ROWS = 100_000;
const PAGE = 200;

const COLUMNS: Array<[string, (l: Lead) => string | number | null]> = [
  ['id', (l) => l.id],
  ['created_at', (l) => l.createdAt],
  ['source', (l) => l.source],
  ['channel', (l) => l.channel],
  ['campaign', (l) => l.campaign],
  ['name', (l) => l.name],
  ['phone', (l) => l.phone],
  ['city', (l) => l.city],
  ['series', (l) => l.series],
  ['model', (l) => l.model],
  ['dealer_code', (l) => l.dealerCode],
  ['consultant', (l) => l.consultantName],
  ['status', (l) => l.status],
  ['dedup', (l) => l.dedup],
  ['score', (l) => l.score],
  ['assigned_at', (l) => l.assignedAt],
  ['first_follow_up_at', (l) => l.firstFollowUpAt],
  ['visited_at', (l) => l.milestones.visitedAt],
  ['test_drive_at', (l) => l.milestones.testDriveAt],
  ['ordered_at', (l) => l.milestones.orderedAt],
  ['delivered_at', (l) => l.milestones.deliveredAt],
  ['invalid_reason', (l) => l.invalidReason],
  ['defeat_reason', (l) => l.defeatReason],
];

/** A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR) is prefixed with a quote (OWASP CSV injection). */
function cell(value: string | number | null): string | number {
  if (value === null) return '';
  if (typeof value === 'number') return value;
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export type LeadExportFilters = Omit<LeadListQuery, 'cursor' | 'limit'>;

/**
 * Starts an export: validates the filters by reading the first page (so that an error is an error
 * response, not a broken download), audits it, and returns the CSV text chunk by chunk.
 */
export async function exportLeadsCsv(deps: LeadReadDeps, principal: Principal, filters: LeadExportFilters): Promise<AsyncGenerator<string>> {
  const first = await listLeads(deps, principal, { ...filters, limit: PAGE });
  await insertAudit(deps.store.db, {
    tenantId: principal.tenantId,
    actor: principal.actor,
    action: 'leads.export',
    targetType: 'leads',
    targetId: 'csv',
    details: { filters, maskPii: principal.maskPii, maxRows: EXPORT_MAX_ROWS },
  });
  return (async function* chunks() {
    // A BOM so that Excel reads UTF-8 (Chinese names) correctly.
    yield `\uFEFF${stringify([COLUMNS.map(([name]) => name)])}`;
    let page = first;
    let rows = 0;
    for (;;) {
      const take = page.data.slice(0, EXPORT_MAX_ROWS - rows);
      if (take.length > 0) yield stringify(take.map((l) => COLUMNS.map(([, get]) => cell(get(l)))));
      rows += take.length;
      if (!page.nextCursor || rows >= EXPORT_MAX_ROWS) return;
      page = await listLeads(deps, principal, { ...filters, limit: PAGE, cursor: page.nextCursor });
    }
  })();
}
