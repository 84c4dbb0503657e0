import { CloseOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Checkbox, Flex, InputNumber, Select, Space, Typography } from 'antd';
import dayjs from 'dayjs';
import type { ValueTest } from '@contracts/segments';
import { VEHICLE_ROLES } from '@contracts/vehicles';
import { useT } from '../../../i18n';
import { useDisabled } from './defaults';
import { builderMessages } from './messages';
import type { Condition } from './types';
import { DATE_OPS, ValueTestEditor } from './value-test-editor';

type VehicleCondition = Extract<Condition, { type: 'vehicle' }>;
type VehicleRole = (typeof VEHICLE_ROLES)[number];

/** A date comparison that may be left out (purchase date, first-touch time). */
export function OptionalDateTest({ label, value, onChange }: { label: string; value: ValueTest | undefined; onChange: (v: ValueTest | undefined) => void }) {
  const t = useT(builderMessages);
  const disabled = useDisabled();
  if (!value) {
    return (
      <div>
        <Button size="small" type="dashed" icon={<PlusOutlined />} onClick={() => onChange({ op: 'after', value: dayjs().subtract(1, 'year').format('YYYY-MM-DD') })} disabled={disabled}>
          {label}
        </Button>
      </div>
    );
  }
  return (
    <Space wrap align="start">
      <Typography.Text>{label}</Typography.Text>
      <ValueTestEditor value={value} onChange={onChange} ops={DATE_OPS} />
      <Button type="text" icon={<CloseOutlined />} aria-label={t('removeTest')} title={t('removeTest')} onClick={() => onChange(undefined)} disabled={disabled} />
    </Space>
  );
}

/** A list of free texts (series, models): undefined when empty, as the DSL wants at least one. */
function TextList({ label, placeholder, value, onChange }: { label: string; placeholder: string; value: string[] | undefined; onChange: (v: string[] | undefined) => void }) {
  const disabled = useDisabled();
  return (
    <Select
      aria-label={label}
      mode="tags"
      open={false}
      placeholder={placeholder}
      value={value ?? []}
      onChange={(vs: string[]) => onChange(vs.length > 0 ? vs : undefined)}
      tokenSeparators={[',', '，']}
      style={{ minWidth: 230 }}
      disabled={disabled}
    />
  );
}

function yearOrUndefined(v: number | string | null): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

/** Owns or bought a car of given series/models/years, in given roles, purchased when. */
export function VehicleEditor({ value, onChange }: { value: VehicleCondition; onChange: (v: Condition) => void }) {
  const t = useT(builderMessages);
  const disabled = useDisabled();
  const years = value.modelYear ?? {};
  const setYears = (next: { from?: number; to?: number }) => onChange({ ...value, modelYear: next.from === undefined && next.to === undefined ? undefined : next });
  return (
    <Flex vertical gap={8}>
      <Space wrap>
        <TextList label={t('series')} placeholder={t('seriesPlaceholder')} value={value.series} onChange={(series) => onChange({ ...value, series })} />
        <TextList label={t('model')} placeholder={t('modelPlaceholder')} value={value.model} onChange={(model) => onChange({ ...value, model })} />
        <InputNumber aria-label={t('modelYearFrom')} placeholder={t('modelYearFrom')} min={1950} max={2100} precision={0} value={years.from} onChange={(v) => setYears({ ...years, from: yearOrUndefined(v) })} style={{ width: 120 }} disabled={disabled} />
        <InputNumber aria-label={t('modelYearTo')} placeholder={t('modelYearTo')} min={1950} max={2100} precision={0} value={years.to} onChange={(v) => setYears({ ...years, to: yearOrUndefined(v) })} style={{ width: 120 }} disabled={disabled} />
        <Select
          aria-label={t('roles')}
          mode="multiple"
          placeholder={t('anyRole')}
          value={value.roles ?? []}
          onChange={(roles: VehicleRole[]) => onChange({ ...value, roles: roles.length > 0 ? roles : undefined })}
          options={VEHICLE_ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))}
          style={{ minWidth: 180 }}
          disabled={disabled}
        />
      </Space>
      <OptionalDateTest label={t('purchased')} value={value.purchased} onChange={(purchased) => onChange({ ...value, purchased })} />
      <Checkbox checked={value.includePast === true} onChange={(e) => onChange({ ...value, includePast: e.target.checked })} disabled={disabled}>
        {t('includePast')}
      </Checkbox>
    </Flex>
  );
}
