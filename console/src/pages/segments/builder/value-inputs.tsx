import { DatePicker, Input, InputNumber, Select, Space } from 'antd';
import dayjs from 'dayjs';
import { useT } from '../../../i18n';
import { useDisabled } from './defaults';
import { builderMessages } from './messages';

export type Scalar = string | number | boolean;

const DATE_FORMAT = 'YYYY-MM-DD';
const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;

/** A date or date-time string of the DSL as a DatePicker value (null when empty or unreadable). */
export function toDay(value: string | undefined): dayjs.Dayjs | null {
  if (!value) return null;
  const d = dayjs(value);
  return d.isValid() ? d : null;
}

export function fromDay(d: dayjs.Dayjs | null): string {
  return d ? d.format(DATE_FORMAT) : '';
}

/** A calendar date as a DSL string ('' while none is picked, which the definition check reports). */
export function DateInput({ value, onChange, label, placeholder }: { value: string | undefined; onChange: (v: string) => void; label: string; placeholder?: string }) {
  const disabled = useDisabled();
  return <DatePicker aria-label={label} placeholder={placeholder ?? label} value={toDay(value)} onChange={(d) => onChange(fromDay(d))} disabled={disabled} />;
}

export function DaysInput({ value, onChange, label, suffix }: { value: number | undefined; onChange: (v: number) => void; label: string; suffix?: string }) {
  const disabled = useDisabled();
  return (
    <InputNumber
      aria-label={label}
      min={1}
      max={36500}
      precision={0}
      value={value}
      onChange={(v) => onChange(typeof v === 'number' ? v : 1)}
      suffix={suffix}
      style={{ width: 150 }}
      disabled={disabled}
    />
  );
}

type ScalarKind = 'text' | 'number' | 'boolean';
function scalarKind(v: Scalar): ScalarKind {
  return typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : 'text';
}

function convertScalar(v: Scalar, kind: ScalarKind): Scalar {
  if (kind === 'number') {
    const n = Number(v);
    return Number.isFinite(n) ? n : 0;
  }
  if (kind === 'boolean') return v === true || v === 'true';
  return String(v);
}

/** One string, number or boolean, with its type chosen explicitly (the DSL compares typed values). */
export function ScalarInput({ value, onChange }: { value: Scalar; onChange: (v: Scalar) => void }) {
  const t = useT(builderMessages);
  const disabled = useDisabled();
  const kind = scalarKind(value);
  return (
    <Space.Compact>
      <Select
        aria-label={t('valueKind')}
        value={kind}
        onChange={(k: ScalarKind) => onChange(convertScalar(value, k))}
        options={(['text', 'number', 'boolean'] as const).map((k) => ({ value: k, label: t(`valueKind.${k}`) }))}
        style={{ width: 90 }}
        disabled={disabled}
      />
      {kind === 'number' && typeof value === 'number' ? (
        <InputNumber aria-label={t('value')} value={value} onChange={(v) => onChange(typeof v === 'number' ? v : 0)} style={{ width: 160 }} disabled={disabled} />
      ) : kind === 'boolean' ? (
        <Select
          aria-label={t('value')}
          value={value === true ? 'true' : 'false'}
          onChange={(v: string) => onChange(v === 'true')}
          options={[
            { value: 'true', label: 'true' },
            { value: 'false', label: 'false' },
          ]}
          style={{ width: 100 }}
          disabled={disabled}
        />
      ) : (
        <Input aria-label={t('value')} value={String(value)} onChange={(e) => onChange(e.target.value)} style={{ width: 180 }} disabled={disabled} />
      )}
    </Space.Compact>
  );
}

/** Several values typed in (Enter after each); numbers stay numbers when every value is one. */
export function ScalarListInput({ value, onChange }: { value: Scalar[]; onChange: (v: Scalar[]) => void }) {
  const t = useT(builderMessages);
  const disabled = useDisabled();
  const asNumbers = value.length > 0 && value.every((v) => typeof v === 'number');
  return (
    <Space.Compact>
      <Select
        aria-label={t('valueKind')}
        value={asNumbers ? 'number' : 'text'}
        onChange={(k: 'text' | 'number') => onChange(value.map((v) => convertScalar(v, k)))}
        options={(['text', 'number'] as const).map((k) => ({ value: k, label: t(`valueKind.${k}`) }))}
        style={{ width: 90 }}
        disabled={disabled}
      />
      <Select
        aria-label={t('values')}
        mode="tags"
        value={value.map(String)}
        onChange={(vs: string[]) => onChange(asNumbers ? vs.map((v) => convertScalar(v, 'number')) : vs)}
        tokenSeparators={[',', '，']}
        open={false}
        style={{ minWidth: 240 }}
        placeholder={t('values')}
        disabled={disabled}
      />
    </Space.Compact>
  );
}

export type Orderable = number | string;

/** A number or a date (gt/lt/between compare either). */
export function OrderableInput({ value, onChange, label }: { value: Orderable; onChange: (v: Orderable) => void; label: string }) {
  const t = useT(builderMessages);
  const disabled = useDisabled();
  const kind = typeof value === 'number' ? 'number' : 'date';
  return (
    <Space.Compact>
      <Select
        aria-label={t('valueKind')}
        value={kind}
        onChange={(k: 'number' | 'date') => onChange(k === 'number' ? 0 : dayjs().format(DATE_FORMAT))}
        options={(['number', 'date'] as const).map((k) => ({ value: k, label: t(`valueKind.${k}`) }))}
        style={{ width: 90 }}
        disabled={disabled}
      />
      {typeof value === 'number' ? (
        <InputNumber aria-label={label} value={value} onChange={(v) => onChange(typeof v === 'number' ? v : 0)} style={{ width: 140 }} disabled={disabled} />
      ) : (
        <DatePicker aria-label={label} placeholder={label} value={toDay(value)} onChange={(d) => onChange(fromDay(d))} disabled={disabled} />
      )}
    </Space.Compact>
  );
}

/** Whether a string looks like a date of the DSL (a number compared as a date would not). */
export function isDateText(v: unknown): v is string {
  return typeof v === 'string' && ISO_DATE.test(v);
}
