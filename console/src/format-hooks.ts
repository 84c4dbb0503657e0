import { useMemo } from 'react';
import { useMe } from './auth/session';
import { formatDate, formatDateTime, formatMoney, formatNumber, formatPercent } from './format';
import { useLocale } from './i18n';

/** Formatters in the current language and the tenant's time zone. */
export function useFormat() {
  const locale = useLocale();
  const me = useMe();
  const timeZone = me.tenant.timeZone;
  return useMemo(
    () => ({
      locale,
      timeZone,
      dateTime: (iso: string | null | undefined) => formatDateTime(iso, locale, timeZone),
      date: (iso: string | null | undefined) => formatDate(iso, locale, timeZone),
      money: (fen: number | null | undefined) => formatMoney(fen, locale),
      number: (n: number | null | undefined) => formatNumber(n, locale),
      percent: (rate: number | null | undefined) => formatPercent(rate, locale),
    }),
    [locale, timeZone],
  );
}
