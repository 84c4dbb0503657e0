import type { Locale } from './i18n';

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

function dateTimeFormat(locale: Locale, timeZone: string, withTime: boolean): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}|${withTime}`;
  let f = dateTimeFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale === 'zh-CN' ? 'zh-CN' : 'en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } : {}),
    });
    dateTimeFormats.set(key, f);
  }
  return f;
}

/** An instant as a date and time in the tenant's time zone (e.g. 2026/12/07 14:05). */
export function formatDateTime(iso: string | null | undefined, locale: Locale, timeZone: string): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTimeFormat(locale, timeZone, true).format(d);
}

/** An instant as a calendar date in the tenant's time zone; a plain YYYY-MM-DD stays as it is. */
export function formatDate(iso: string | null | undefined, locale: Locale, timeZone: string): string {
  if (!iso) return '—';
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTimeFormat(locale, timeZone, false).format(d);
}

/** The YYYY-MM-DD of an instant in a time zone. */
export function isoDay(date: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
  return parts;
}

const DAY_MS = 86_400_000;

/** The YYYY-MM-DD `days` before today in a time zone (0: today). */
export function isoDayBefore(days: number, timeZone: string, now = new Date()): string {
  return isoDay(new Date(now.getTime() - days * DAY_MS), timeZone);
}

/** A wall-clock time in some time zone: a calendar day, and a time of day (midnight when left out). */
export interface WallClock {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
  hour?: number;
  minute?: number;
}

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** How far a time zone's wall clock is ahead of UTC at an instant, in ms (Asia/Shanghai: 8 h). */
function zoneOffsetMs(at: number, timeZone: string): number {
  let format = offsetFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    offsetFormats.set(timeZone, format);
  }
  const parts = format.formatToParts(new Date(at));
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(at / 1000) * 1000;
}

/**
 * The instant (ISO-8601, UTC) of a wall-clock time in a time zone, whatever the browser's own zone
 * is: the people who pick a day or a time mean the tenant's calendar.
 */
export function zonedIso(parts: WallClock, timeZone: string): string {
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour ?? 0, parts.minute ?? 0);
  // A second pass at the found instant settles days on which the zone changes its offset.
  const first = wall - zoneOffsetMs(wall, timeZone);
  return new Date(wall - zoneOffsetMs(first, timeZone)).toISOString();
}

/** A YYYY-MM-DD day as a wall clock at midnight, or null when it is not such a day. */
export function parseDay(day: string | null | undefined): WallClock | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day ?? '');
  if (!m) return null;
  return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
}

/**
 * The instant (ISO-8601, UTC) a YYYY-MM-DD day starts in a time zone, `plusDays` later (1: the
 * day after, i.e. an inclusive last day as an exclusive bound); undefined for no day.
 */
export function startOfDayIso(day: string | null | undefined, timeZone: string, plusDays = 0): string | undefined {
  const w = parseDay(day);
  if (!w) return undefined;
  const shifted = new Date(Date.UTC(w.year, w.month - 1, w.day + plusDays));
  return zonedIso({ year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() }, timeZone);
}

const moneyFormats = new Map<Locale, Intl.NumberFormat>();

/** Money stored in fen, shown in yuan (¥12,345.00). */
export function formatMoney(fen: number | null | undefined, locale: Locale): string {
  if (fen === null || fen === undefined) return '—';
  let f = moneyFormats.get(locale);
  if (!f) {
    f = new Intl.NumberFormat(locale === 'zh-CN' ? 'zh-CN' : 'en-US', { style: 'currency', currency: 'CNY', minimumFractionDigits: 2 });
    moneyFormats.set(locale, f);
  }
  return f.format(fen / 100);
}

const numberFormats = new Map<string, Intl.NumberFormat>();

/** One NumberFormat per language and style, kept: chart labels and tooltips format many numbers. */
function numberFormat(locale: Locale, style: 'decimal' | 'percent'): Intl.NumberFormat {
  const key = `${locale}|${style}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale === 'zh-CN' ? 'zh-CN' : 'en-US', style === 'percent' ? { style, maximumFractionDigits: 1 } : undefined);
    numberFormats.set(key, f);
  }
  return f;
}

export function formatNumber(n: number | null | undefined, locale: Locale): string {
  if (n === null || n === undefined) return '—';
  return numberFormat(locale, 'decimal').format(n);
}

/** A rate in [0, 1] as a percentage with one decimal. */
export function formatPercent(rate: number | null | undefined, locale: Locale): string {
  if (rate === null || rate === undefined || Number.isNaN(rate)) return '—';
  return numberFormat(locale, 'percent').format(rate);
}
