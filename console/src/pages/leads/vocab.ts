import { useMemo } from 'react';
import type { LeadStatus } from '@contracts/funnel';
import { useT } from '../../i18n';
import { messages } from './messages';

type VocabKey = keyof (typeof messages)['en'];

function isVocabKey(key: string): key is VocabKey {
  return Object.hasOwn(messages.en, key);
}

/** antd tag colours of the lead statuses: cool for early steps, warm for orders, red for defeat. */
export const STATUS_COLORS: Record<LeadStatus, string> = {
  new: 'default',
  assigned: 'blue',
  contacted: 'cyan',
  invited: 'geekblue',
  visited: 'purple',
  test_drive: 'magenta',
  ordered: 'gold',
  invoiced: 'orange',
  delivered: 'green',
  defeated: 'red',
  invalid: 'default',
};

/**
 * Labels of the API's codes in the current language; a code the console has no label for (a new
 * lead source token, say) is shown as it is.
 */
export function useVocab() {
  const t = useT(messages);
  return useMemo(() => {
    const label = (prefix: string) => (value: string | null | undefined) => {
      if (value === null || value === undefined || value === '') return '—';
      const key = `${prefix}.${value}`;
      return isVocabKey(key) ? t(key) : value;
    };
    return {
      status: label('status'),
      source: label('source'),
      invalidReason: label('invalid'),
      defeatReason: label('defeat'),
      defeatState: label('defeatState'),
      kind: label('kind'),
      poolReason: label('pool'),
      dedup: label('dedup'),
      orderStatus: label('order'),
      /** A transition's reason: an invalid or defeat reason code, or how the move came about. */
      transitionReason: (value: string | null | undefined) => {
        for (const prefix of ['invalid', 'defeat', 'reason', 'pool']) {
          const key = `${prefix}.${value}`;
          if (isVocabKey(key)) return t(key);
        }
        return value ?? '—';
      },
    };
  }, [t]);
}
