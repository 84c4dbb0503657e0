import { Button, DatePicker, Flex, Select } from 'antd';
import dayjs from 'dayjs';
import { LEAD_STATUSES } from '@contracts/funnel';
import { LEAD_SOURCES } from '@contracts/leads';
import { useMe } from '../../auth/session';
import { common } from '../../i18n/common';
import { useT } from '../../i18n';
import { useConsultants, useDealers } from './api';
import type { LeadFilters } from './list-filters';
import { listMessages } from './list-messages';
import { useVocab } from './vocab';

const DAY = 'YYYY-MM-DD';

/** Filters of the lead list; dealer and consultant only where the caller sees more than their own leads. */
export function LeadFilterBar({
  value,
  onChange,
  pool = false,
}: {
  value: LeadFilters;
  onChange: (next: LeadFilters) => void;
  /** The pool's filters: no status and no consultant (pool leads have none). */
  pool?: boolean;
}) {
  const t = useT(listMessages);
  const tc = useT(common);
  const v = useVocab();
  const me = useMe();
  const wide = me.scope.kind !== 'own';
  const dealers = useDealers(wide);
  const consultants = useConsultants(value.dealerCode, wide && !pool);
  const set = (patch: Partial<LeadFilters>) => onChange({ ...value, ...patch });

  return (
    <Flex wrap gap={8} align="center">
      {!pool && (
        <Select
          mode="multiple"
          allowClear
          maxTagCount="responsive"
          style={{ minWidth: 220, maxWidth: 360 }}
          aria-label={t('filterStatus')}
          placeholder={t('filterStatus')}
          value={value.status}
          onChange={(status) => set({ status })}
          options={LEAD_STATUSES.map((s) => ({ value: s, label: v.status(s) }))}
        />
      )}
      <Select
        allowClear
        showSearch
        optionFilterProp="label"
        style={{ width: 160 }}
        aria-label={t('filterSource')}
        placeholder={t('filterSource')}
        value={value.source}
        onChange={(source?: string) => set({ source })}
        options={LEAD_SOURCES.map((s) => ({ value: s, label: v.source(s) }))}
      />
      {wide && (
        <Select
          allowClear
          showSearch
          optionFilterProp="label"
          style={{ width: 200 }}
          aria-label={t('filterDealer')}
          placeholder={t('filterDealer')}
          loading={dealers.isPending}
          value={value.dealerCode}
          onChange={(dealerCode?: string) => set({ dealerCode, consultantId: undefined })}
          options={(dealers.data ?? []).map((d) => ({ value: d.code, label: `${d.name} (${d.code})` }))}
        />
      )}
      {wide && !pool && (
        <Select
          allowClear
          showSearch
          optionFilterProp="label"
          style={{ width: 180 }}
          aria-label={t('filterConsultant')}
          placeholder={t('filterConsultant')}
          loading={consultants.isPending}
          disabled={consultants.isError}
          value={value.consultantId}
          onChange={(consultantId?: string) => set({ consultantId })}
          options={(consultants.data?.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
        />
      )}
      <DatePicker.RangePicker
        allowEmpty={[true, true]}
        aria-label={t('filterCreated')}
        placeholder={[t('createdFrom'), t('createdTo')]}
        value={[value.from ? dayjs(value.from) : null, value.to ? dayjs(value.to) : null]}
        onChange={(range) => set({ from: range?.[0]?.format(DAY), to: range?.[1]?.format(DAY) })}
      />
      <Button onClick={() => onChange({ status: [] })}>{tc('reset')}</Button>
    </Flex>
  );
}
