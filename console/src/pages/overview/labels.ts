import type { CSSProperties } from 'react';
import type { Locale, Translate } from '../../i18n';
import { localName } from '../../i18n/common';
import { isOverviewKey, type OverviewKey } from './messages';

/** A stage's name in the current language, from the stage model. */
export function stageName(locale: Locale, stage: { name: string; nameZh: string | null }): string {
  return localName(locale, stage.name, stage.nameZh) ?? stage.name;
}

/** Secondary text dark enough for a 4.5:1 contrast on white and on the page background. */
export const MUTED_COLOR = 'rgba(0, 0, 0, 0.65)';
export const MUTED: CSSProperties = { color: MUTED_COLOR };

export const FIVE_A = 'five_a';
/** Stage colours in model order, shared by the 5A bars and the Sankey so a stage looks the same in both. */
export const STAGE_PALETTE = ['#5470c6', '#91cc75', '#fac858', '#ee6666', '#73c0de', '#3ba272', '#fc8452', '#9a60b4', '#ea7ccc'];
export const NONE_COLOR = '#bfbfbf';
export const AARRR = 'aarrr';

/** "A1 了解": the 5A keys are how operations teams name the stages, so they stay in the label. */
export function fiveALabel(locale: Locale, stage: { key: string; name: string; nameZh: string | null }): string {
  return `${stage.key} ${stageName(locale, stage)}`;
}

/** A lead source's name; an unknown source shows its code. */
export function sourceName(t: Translate<OverviewKey>, source: string): string {
  const key = `source.${source}`;
  return isOverviewKey(key) ? t(key) : source;
}

/** A number from an ECharts callback value, which it types loosely. */
export function asNumber(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

/** Text safe inside an ECharts rich-text label, whose markup uses braces and bars. */
export function richSafe(text: string): string {
  return text.replace(/[{}|]/g, ' ');
}
