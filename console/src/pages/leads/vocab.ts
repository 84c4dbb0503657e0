import { useMemo } from 'react';
import { leadStatusSchema } from '@contracts/funnel';
import { useLeadStatusLabel } from '../../components/lead-status-tag';
import { useT } from '../../i18n';
import { messages } from './messages';

type VocabKey = keyof (typeof messages)['en'];

function isVocabKey(key: string): key is VocabKey {
  return Object.hasOwn(messages.en, key);
}

/**
 * Labels of the API's codes in the current language; a code the console has no label for (a new
 * lead source token, say) is shown as it is.
 */
export function useVocab() {
  const t = useT(messages);
  const leadStatus = useLeadStatusLabel();
  return useMemo(() => {
    const label = (prefix: string) => (value: string | null | undefined) => {
      if (value === null || value === undefined || value === '') return '—';
      const key = `${prefix}.${value}`;
      return isVocabKey(key) ? t(key) : value;
    };
    return {
      // Lead statuses are named once for the whole console.
      status: (value: string | null | undefined) => {
        const parsed = leadStatusSchema.safeParse(value);
        return parsed.success ? leadStatus(parsed.data) : (value ?? '—');
      },
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
  }, [t, leadStatus]);
}

export { LEAD_STATUS_COLORS as STATUS_COLORS } from '../../components/lead-status-tag';
