import { LEAD_STATUSES, type LeadStatus } from '@contracts/funnel';
import type { LeadListQuery } from './api';
import { startOfDayIso } from '../../format';

/** The lead list's filters as the page keeps them in its address (days as YYYY-MM-DD). */
export interface LeadFilters {
  status: LeadStatus[];
  source?: string;
  dealerCode?: string;
  consultantId?: string;
  from?: string;
  to?: string;
}

function isLeadStatus(value: string): value is LeadStatus {
  return (LEAD_STATUSES as readonly string[]).includes(value);
}

const text = (params: URLSearchParams, name: string) => params.get(name) || undefined;

export function readFilters(params: URLSearchParams): LeadFilters {
  return {
    status: (params.get('status') ?? '').split(',').filter(isLeadStatus),
    source: text(params, 'source'),
    dealerCode: text(params, 'dealerCode'),
    consultantId: text(params, 'consultantId'),
    from: text(params, 'from'),
    to: text(params, 'to'),
  };
}

/** The filters written into the address, other parameters (the view) kept. */
export function writeFilters(params: URLSearchParams, filters: LeadFilters): URLSearchParams {
  const next = new URLSearchParams(params);
  const set = (name: string, value: string | undefined) => (value ? next.set(name, value) : next.delete(name));
  set('status', filters.status.join(','));
  set('source', filters.source);
  set('dealerCode', filters.dealerCode);
  set('consultantId', filters.consultantId);
  set('from', filters.from);
  set('to', filters.to);
  return next;
}

/** The list endpoint's query for the filters: days are whole days in the tenant's time zone. */
export function toListQuery(filters: LeadFilters, timeZone: string): LeadListQuery {
  return {
    status: filters.status.length ? filters.status.join(',') : undefined,
    source: filters.source,
    dealerCode: filters.dealerCode,
    consultantId: filters.consultantId,
    from: startOfDayIso(filters.from, timeZone),
    to: startOfDayIso(filters.to, timeZone, 1),
  };
}
