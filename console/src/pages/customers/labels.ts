import type { ProfileStage } from '@contracts/stages';
import type { Locale } from '../../i18n';
import { localName } from '../../i18n/common';

/** A stage's name in the current language (the model may only have one of them). */
export function stageLabel(s: Pick<ProfileStage, 'stage' | 'stageName' | 'stageNameZh'>, locale: Locale): string {
  return localName(locale, s.stageName, s.stageNameZh) ?? s.stage ?? '';
}

/** A trait as text when it is a string or number (traits are free-form JSON). */
export function traitText(traits: Record<string, unknown>, key: string): string | null {
  const value = traits[key];
  if (typeof value === 'string' && value.trim() !== '') return value;
  if (typeof value === 'number') return String(value);
  return null;
}

/** A short, readable rendering of a JSON value for a table cell. */
function shortValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** `key: value` pairs of a properties object, for one line of the timeline. */
export function propertySummary(properties: unknown, max = 4): string {
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) return '';
  return Object.entries(properties)
    .slice(0, max)
    .map(([k, v]) => `${k}: ${shortValue(v)}`)
    .join(' · ');
}
