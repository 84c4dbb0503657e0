import { createContext, useCallback, useContext, type ReactNode } from 'react';

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/**
 * A page's strings: Chinese first, and an English text for every Chinese key (the type makes a
 * missing translation a compile error). `{name}` placeholders are filled from `vars`.
 */
export type Messages<K extends string> = { 'zh-CN': Record<K, string>; en: Record<K, string> };

export function defineMessages<K extends string>(messages: Messages<K>): Messages<K> {
  return messages;
}

const LocaleContext = createContext<Locale>('zh-CN');

export function LocaleProvider({ locale, children }: { locale: Locale; children: ReactNode }) {
  return <LocaleContext.Provider value={locale}>{children}</LocaleContext.Provider>;
}

export function useLocale(): Locale {
  return useContext(LocaleContext);
}

export type Translate<K extends string> = (key: K, vars?: Record<string, string | number>) => string;

export function fill(text: string, vars?: Record<string, string | number>): string {
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** `t(key, vars)` over one message set in the current locale. */
export function useT<K extends string>(messages: Messages<K>): Translate<K> {
  const locale = useLocale();
  return useCallback((key: K, vars?: Record<string, string | number>) => fill(messages[locale][key], vars), [locale, messages]);
}

export function isLocale(value: unknown): value is Locale {
  return value === 'zh-CN' || value === 'en';
}
