import dayjs from 'dayjs';
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { orgUnitCode } from '@contracts/org';
import { useMe } from '../../auth/session';
import { isoDay } from '../../format';

/** The overview's filters; kept in the address so a view can be bookmarked and shared. */
export interface OverviewFilterValue {
  /** First day of the period (YYYY-MM-DD, tenant time zone), inclusive. */
  start: string;
  /** Last day of the period, inclusive. */
  end: string;
  region: string | null;
  dealer: string | null;
}

export type Granularity = 'week' | 'month';

export const DEFAULT_PERIOD_DAYS = 90;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function addDays(day: string, n: number): string {
  return dayjs(day).add(n, 'day').format('YYYY-MM-DD');
}

/** Today in the tenant's time zone. */
export function useToday(): string {
  const me = useMe();
  return isoDay(new Date(), me.tenant.timeZone);
}

function dayParam(value: string | null): string | null {
  return value !== null && DAY.test(value) && dayjs(value).isValid() ? value : null;
}

function codeParam(value: string | null): string | null {
  if (value === null) return null;
  const parsed = orgUnitCode.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** The filters from the address, with the last 90 days as the default period. */
export function useOverviewFilters(): [OverviewFilterValue, (next: OverviewFilterValue) => void] {
  const [params, setParams] = useSearchParams();
  const today = useToday();
  const value = useMemo<OverviewFilterValue>(() => {
    let start = dayParam(params.get('from'));
    let end = dayParam(params.get('to'));
    if (start === null || end === null || start > end) {
      end = today;
      start = addDays(today, -(DEFAULT_PERIOD_DAYS - 1));
    }
    return { start, end, region: codeParam(params.get('region')), dealer: codeParam(params.get('dealer')) };
  }, [params, today]);
  const set = useCallback(
    (next: OverviewFilterValue) => {
      const out = new URLSearchParams();
      out.set('from', next.start);
      out.set('to', next.end);
      if (next.region) out.set('region', next.region);
      if (next.dealer) out.set('dealer', next.dealer);
      setParams(out, { replace: true });
    },
    [setParams],
  );
  return [value, set];
}

/** The API parameters the filters translate to; each widget picks those its endpoint supports. */
export interface PeriodParams {
  /** Period start (a date: the start of that day in the tenant time zone). */
  from: string;
  /** Exclusive end: the day after the last day. */
  toExclusive: string;
  /** Exclusive end for the analytics endpoints; undefined ("now") when the period runs to today. */
  analyticsTo: string | undefined;
  /** The org unit for the KPIs: the dealer, else the region, else none (the caller's whole scope). */
  orgUnitCode: string | undefined;
}

export function periodParams(f: OverviewFilterValue, today: string): PeriodParams {
  const toExclusive = addDays(f.end, 1);
  return {
    from: f.start,
    toExclusive,
    analyticsTo: f.end >= today ? undefined : toExclusive,
    orgUnitCode: f.dealer ?? f.region ?? undefined,
  };
}

/** Calendar buckets for the trend: weeks for up to half a year, months beyond. */
export function defaultGranularity(f: OverviewFilterValue): Granularity {
  return dayjs(f.end).diff(dayjs(f.start), 'day') > 186 ? 'month' : 'week';
}
