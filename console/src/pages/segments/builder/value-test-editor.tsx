import { Select, Space } from 'antd';
import dayjs from 'dayjs';
import type { ValueTest } from '@contracts/segments';
import { useT } from '../../../i18n';
import { useDisabled } from './defaults';
import { builderMessages } from './messages';
import { DateInput, DaysInput, OrderableInput, ScalarInput, ScalarListInput, isDateText, type Scalar } from './value-inputs';

export type ValueOp = ValueTest['op'];

const VALUE_OPS = [
  'eq',
  'neq',
  'in',
  'not_in',
  'contains',
  'exists',
  'not_exists',
  'gt',
  'gte',
  'lt',
  'lte',
  'between',
  'within_last_days',
  'within_next_days',
  'before',
  'after',
] as const satisfies readonly ValueOp[];

/** The value a test holds now, to carry over when the operator changes. */
function firstValue(t: ValueTest): Scalar | undefined {
  switch (t.op) {
    case 'eq':
    case 'neq':
    case 'contains':
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
    case 'before':
    case 'after':
      return t.value;
    case 'in':
    case 'not_in':
      return t.values[0];
    case 'between':
      return t.from;
    default:
      return undefined;
  }
}

/** The test with another operator, keeping its value where the kinds allow. */
function withOp(t: ValueTest, op: ValueOp): ValueTest {
  const v = firstValue(t);
  const today = dayjs().format('YYYY-MM-DD');
  switch (op) {
    case 'eq':
    case 'neq':
      return { op, value: v ?? '' };
    case 'in':
    case 'not_in':
      return { op, values: t.op === 'in' || t.op === 'not_in' ? t.values : v !== undefined && v !== '' ? [v] : [] };
    case 'contains':
      return { op, value: v === undefined ? '' : String(v) };
    case 'exists':
    case 'not_exists':
      return { op };
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return { op, value: typeof v === 'number' || isDateText(v) ? v : 0 };
    case 'between':
      return typeof v === 'number' ? { op, from: v, to: v } : { op, from: isDateText(v) ? v : today, to: today };
    case 'within_last_days':
    case 'within_next_days':
      return { op, days: t.op === 'within_last_days' || t.op === 'within_next_days' ? t.days : 30 };
    case 'before':
    case 'after':
      return { op, value: isDateText(v) ? v : today };
  }
}

/** Just the comparison of a trait, a property filter or a purchase date, without its other fields. */
export function testOf(t: ValueTest): ValueTest {
  switch (t.op) {
    case 'eq':
    case 'neq':
      return { op: t.op, value: t.value };
    case 'in':
    case 'not_in':
      return { op: t.op, values: t.values };
    case 'contains':
      return { op: t.op, value: t.value };
    case 'exists':
    case 'not_exists':
      return { op: t.op };
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return { op: t.op, value: t.value };
    case 'between':
      return { op: t.op, from: t.from, to: t.to };
    case 'within_last_days':
    case 'within_next_days':
      return { op: t.op, days: t.days };
    case 'before':
    case 'after':
      return { op: t.op, value: t.value };
  }
}

function ValueFields({ value, onChange }: { value: ValueTest; onChange: (v: ValueTest) => void }) {
  const t = useT(builderMessages);
  switch (value.op) {
    case 'eq':
    case 'neq':
      return <ScalarInput value={value.value} onChange={(v) => onChange({ op: value.op, value: v })} />;
    case 'in':
    case 'not_in':
      return <ScalarListInput value={value.values} onChange={(vs) => onChange({ op: value.op, values: vs })} />;
    case 'contains':
      return <ScalarInput value={value.value} onChange={(v) => onChange({ op: 'contains', value: String(v) })} />;
    case 'exists':
    case 'not_exists':
      return null;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return <OrderableInput label={t('value')} value={value.value} onChange={(v) => onChange({ op: value.op, value: v })} />;
    case 'between':
      return (
        <Space wrap>
          <OrderableInput label={t('from')} value={value.from} onChange={(v) => onChange({ ...value, from: v, to: typeof v === typeof value.to ? value.to : v })} />
          <OrderableInput label={t('to')} value={value.to} onChange={(v) => onChange({ ...value, to: v })} />
        </Space>
      );
    case 'within_last_days':
    case 'within_next_days':
      return <DaysInput label={t('days')} suffix={t('daysSuffix')} value={value.days} onChange={(days) => onChange({ op: value.op, days })} />;
    case 'before':
    case 'after':
      return <DateInput label={t('date')} value={value.value} onChange={(v) => onChange({ op: value.op, value: v })} />;
  }
}

/** An operator and the value(s) it needs. */
export function ValueTestEditor({ value, onChange, ops = VALUE_OPS }: { value: ValueTest; onChange: (v: ValueTest) => void; ops?: readonly ValueOp[] }) {
  const t = useT(builderMessages);
  const disabled = useDisabled();
  return (
    <Space wrap align="start">
      <Select
        aria-label={t('operator')}
        value={value.op}
        onChange={(op: ValueOp) => onChange(withOp(value, op))}
        options={ops.map((op) => ({ value: op, label: t(`op.${op}`) }))}
        style={{ width: 150 }}
        popupMatchSelectWidth={false}
        disabled={disabled}
      />
      <ValueFields value={value} onChange={onChange} />
    </Space>
  );
}

/** Date-only operators, for purchase and first-touch times. */
export const DATE_OPS = ['within_last_days', 'before', 'after', 'between'] as const satisfies readonly ValueOp[];
