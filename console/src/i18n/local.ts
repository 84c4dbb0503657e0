import { useSyncExternalStore } from 'react';
import { isLocale, type Locale } from './index';

const KEY = 'siyu.locale';
const listeners = new Set<() => void>();

function read(): Locale {
  try {
    const stored = localStorage.getItem(KEY);
    if (isLocale(stored)) return stored;
  } catch {
    // Storage can be unavailable (private mode); the default stands.
  }
  return 'zh-CN';
}

/** This browser's language before sign-in, and the last one a signed-in user chose. */
export function rememberLocale(locale: Locale): void {
  try {
    localStorage.setItem(KEY, locale);
  } catch {
    // Not remembered in this browser; the server keeps the signed-in user's choice.
  }
  for (const l of listeners) l();
}

export function useLocalLocale(): [Locale, (locale: Locale) => void] {
  const locale = useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    read,
  );
  return [locale, rememberLocale];
}
