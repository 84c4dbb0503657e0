import { DatePicker } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useFormat } from '../../../format-hooks';
import { isoDayBefore } from '../../../format';

/** A range of calendar days (YYYY-MM-DD), both ends included. */
export interface DayRange {
  from: string;
  to: string;
}

/** The range a report starts with: the last 90 days up to today, in the tenant's time zone. */
export function useLast90Days() {
  const f = useFormat();
  return useState<DayRange>(() => ({ from: isoDayBefore(89, f.timeZone), to: isoDayBefore(0, f.timeZone) }));
}

/** A picker of both ends of a day range; it cannot be cleared. */
export function DayRangePicker({ value, onChange, ariaLabel }: { value: DayRange; onChange: (range: DayRange) => void; ariaLabel: string }) {
  return (
    <DatePicker.RangePicker
      allowClear={false}
      value={[dayjs(value.from), dayjs(value.to)]}
      onChange={(v) => {
        const [a, b] = v ?? [];
        if (a && b) onChange({ from: a.format('YYYY-MM-DD'), to: b.format('YYYY-MM-DD') });
      }}
      aria-label={ariaLabel}
    />
  );
}
