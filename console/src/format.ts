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

export function formatNumber(n: number | null | undefined, locale: Locale): string {
  if (n === null || n === undefined) return '—';
  return new Intl.NumberFormat(locale === 'zh-CN' ? 'zh-CN' : 'en-US').format(n);
}

/** A rate in [0, 1] as a percentage with one decimal. */
export function formatPercent(rate: number | null | undefined, locale: Locale): string {
  if (rate === null || rate === undefined || Number.isNaN(rate)) return '—';
  return new Intl.NumberFormat(locale === 'zh-CN' ? 'zh-CN' : 'en-US', { style: 'percent', maximumFractionDigits: 1 }).format(rate);
}
