import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, DatePicker, Flex, Input, InputNumber, Select, Space, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import type { PropertyFilter } from '@contracts/segments';
import { useT } from '../../../i18n';
import { useDisabled } from './defaults';
import { useEventOptions } from './event-labels';
import { builderMessages } from './messages';
import type { Condition } from './types';
import { DateInput, fromDay, toDay } from './value-inputs';
import { ValueTestEditor, testOf } from './value-test-editor';

type EventCondition = Extract<Condition, { type: 'event' }>;
type LastEventCondition = Extract<Condition, { type: 'last_event' }>;
type Window = NonNullable<EventCondition['window']>;
type CountOp = NonNullable<EventCondition['count']>['op'];

/** An event name from the standard vocabulary, or any other typed in; empty means any event. */
function EventNameSelect({ value, onChange }: { value: string | undefined; onChange: (v: string | undefined) => void }) {
  const t = useT(builderMessages);
  const disabled = useDisabled();
  const standard = useEventOptions();
  const [search, setSearch] = useState('');
  const options = [...standard];
  if (value && !options.some((o) => o.value === value)) options.push({ value, label: value });
  const typed = search.trim();
  if (typed && !options.some((o) => o.value === typed)) options.push({ value: typed, label: t('custom', { v: typed }) });
  return (
    <Select
      aria-label={t('event')}
      data-testid="condition-event"
      showSearch
      allowClear
      placeholder={t('anyEvent')}
      value={value}
      onSearch={setSearch}
      onChange={(v: string | undefined) => {
        setSearch('');
        onChange(v || undefined);
      }}
      optionFilterProp="label"
      options={options}
      style={{ width: 260 }}
      popupMatchSelectWidth={false}
      disabled={disabled}
    />
  );
}

function PropertyFilters({ value, onChange }: { value: PropertyFilter[] | undefined; onChange: (v: PropertyFilter[] | undefined) => void }) {
  const t = useT(builderMessages);
  const disabled = useDisabled();
  const filters = value ?? [];
  const set = (i: number, f: PropertyFilter) => onChange(filters.map((old, j) => (j === i ? f : old)));
  return (
    <Flex vertical gap={8}>
      {filters.map((f, i) => (
        <Space key={i} wrap align="start">
          <Input
            aria-label={t('property')}
            placeholder={t('propertyPlaceholder')}
            value={f.property}
            onChange={(e) => set(i, { ...testOf(f), property: e.target.value })}
            style={{ width: 180 }}
            disabled={disabled}
          />
          <ValueTestEditor value={testOf(f)} onChange={(test) => set(i, { ...test, property: f.property })} />
          <Button
            type="text"
            icon={<DeleteOutlined />}
            aria-label={t('removeFilter')}
            title={t('removeFilter')}
            onClick={() => {
              const next = filters.filter((_, j) => j !== i);
              onChange(next.length > 0 ? next : undefined);
            }}
            disabled={disabled}
          />
        </Space>
      ))}
      <div>
        <Button size="small" type="dashed" icon={<PlusOutlined />} onClick={() => onChange([...filters, { property: '', op: 'exists' }])} disabled={disabled || filters.length >= 20}>
          {t('addFilter')}
        </Button>
      </div>
    </Flex>
  );
}

type WindowMode = 'all' | 'last' | 'range';
function windowMode(w: Window | undefined): WindowMode {
  if (!w) return 'all';
  return 'lastDays' in w ? 'last' : 'range';
}

function WindowEditor({ value, onChange }: { value: Window | undefined; onChange: (v: Window | undefined) => void }) {
  const t = useT(builderMessages);
  const disabled = useDisabled();
  const mode = windowMode(value);
  return (
    <Space wrap>
      <Select
        aria-label={t('window')}
        data-testid="condition-window"
        value={mode}
        onChange={(m: WindowMode) => onChange(m === 'all' ? undefined : m === 'last' ? { lastDays: 30 } : { from: dayjs().subtract(30, 'day').format('YYYY-MM-DD') })}
        options={(['all', 'last', 'range'] as const).map((m) => ({ value: m, label: t(`window.${m}`) }))}
        style={{ width: 150 }}
        disabled={disabled}
      />
      {value && 'lastDays' in value ? (
        <InputNumber
          aria-label={t('days')}
          data-testid="condition-window-days"
          min={1}
          max={36500}
          precision={0}
          value={value.lastDays}
          onChange={(v) => onChange({ lastDays: typeof v === 'number' ? v : 1 })}
          suffix={t('daysSuffix')}
          style={{ width: 150 }}
          disabled={disabled}
        />
      ) : null}
      {value && !('lastDays' in value) ? (
        <DatePicker.RangePicker
          aria-label={t('dateRange')}
          allowEmpty={[true, true]}
          value={[toDay(value.from), toDay(value.to)]}
          onChange={(range) => {
            const from = fromDay(range?.[0] ?? null) || undefined;
            const to = fromDay(range?.[1] ?? null) || undefined;
            onChange({ from, to });
          }}
          placeholder={[t('from'), t('to')]}
          disabled={disabled}
        />
      ) : null}
    </Space>
  );
}

/** "Did event X at least N times in the window, with these properties". */
export function EventEditor({ value, onChange }: { value: EventCondition; onChange: (v: Condition) => void }) {
  const t = useT(builderMessages);
  const disabled = useDisabled();
  const count = value.count ?? { op: 'at_least', value: 1 };
  return (
    <Flex vertical gap={8}>
      <Space wrap>
        <EventNameSelect value={value.event} onChange={(event) => onChange({ ...value, event })} />
        <Select
          aria-label={t('countOp')}
          value={count.op}
          onChange={(op: CountOp) => onChange({ ...value, count: { ...count, op } })}
          options={(['at_least', 'at_most', 'exactly'] as const).map((op) => ({ value: op, label: t(`count.${op}`) }))}
          style={{ width: 100 }}
          disabled={disabled}
        />
        <InputNumber
          aria-label={t('count')}
          data-testid="condition-count"
          min={0}
          max={100000}
          precision={0}
          value={count.value}
          onChange={(v) => onChange({ ...value, count: { ...count, value: typeof v === 'number' ? v : 0 } })}
          suffix={t('timesSuffix')}
          style={{ width: 130 }}
          disabled={disabled}
        />
        <WindowEditor value={value.window} onChange={(window) => onChange({ ...value, window })} />
      </Space>
      <PropertyFiltersBlock value={value.where} onChange={(where) => onChange({ ...value, where })} />
    </Flex>
  );
}

function PropertyFiltersBlock({ value, onChange }: { value: PropertyFilter[] | undefined; onChange: (v: PropertyFilter[] | undefined) => void }) {
  const t = useT(builderMessages);
  return (
    <Flex vertical gap={4}>
      {value && value.length > 0 ? <Typography.Text type="secondary">{t('propertyFilters')}</Typography.Text> : null}
      <PropertyFilters value={value} onChange={onChange} />
    </Flex>
  );
}

type LastRef = 'daysAgo' | 'at';

/** "The last X happened before/after N days ago (or a date)". */
export function LastEventEditor({ value, onChange }: { value: LastEventCondition; onChange: (v: Condition) => void }) {
  const t = useT(builderMessages);
  const disabled = useDisabled();
  const ref: LastRef = value.at !== undefined ? 'at' : 'daysAgo';
  return (
    <Flex vertical gap={8}>
      <Space wrap>
        <EventNameSelect value={value.event} onChange={(event) => onChange({ ...value, event })} />
        <Select
          aria-label={t('lastEventOp')}
          value={value.op}
          onChange={(op: 'before' | 'after') => onChange({ ...value, op })}
          options={(['before', 'after'] as const).map((op) => ({ value: op, label: t(`last.${op}`) }))}
          style={{ width: 100 }}
          disabled={disabled}
        />
        <Select
          aria-label={t('lastEventRef')}
          value={ref}
          onChange={(r: LastRef) => onChange(r === 'at' ? { ...value, daysAgo: undefined, at: dayjs().format('YYYY-MM-DD') } : { ...value, at: undefined, daysAgo: 30 })}
          options={(['daysAgo', 'at'] as const).map((r) => ({ value: r, label: t(`lastRef.${r}`) }))}
          style={{ width: 120 }}
          disabled={disabled}
        />
        {ref === 'daysAgo' ? (
          <InputNumber
            aria-label={t('daysAgo')}
            min={0}
            max={36500}
            precision={0}
            value={value.daysAgo}
            onChange={(v) => onChange({ ...value, daysAgo: typeof v === 'number' ? v : 0 })}
            suffix={t('daysAgo')}
            style={{ width: 150 }}
            disabled={disabled}
          />
        ) : (
          <DateInput label={t('date')} value={value.at} onChange={(at) => onChange({ ...value, at })} />
        )}
      </Space>
      <PropertyFiltersBlock value={value.where} onChange={(where) => onChange({ ...value, where })} />
    </Flex>
  );
}
