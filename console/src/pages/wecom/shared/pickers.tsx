import { Input, Select } from 'antd';
import { useEffect, useMemo } from 'react';
import { useT } from '../../../i18n';
import { wecomShared } from './messages';
import { staffLabel, useConnectorOptions, useDealers, useStaff } from './refs';

interface ValueProps<T> {
  value?: T;
  onChange?: (value: T) => void;
  id?: string;
}

/** The connector: chosen from the list, or typed in when the caller may not list connectors. */
export function ConnectorSelect({ value, onChange, id }: ValueProps<string>) {
  const t = useT(wecomShared);
  const { options, pending } = useConnectorOptions();
  const only = options.length === 1 ? options[0]?.value : undefined;
  useEffect(() => {
    if (!value && only) onChange?.(only);
  }, [value, only, onChange]);
  if (!pending && options.length === 0) {
    return <Input id={id} value={value} onChange={(e) => onChange?.(e.target.value.trim())} placeholder={t('connectorManual')} aria-label={t('connector')} />;
  }
  return <Select id={id} value={value} onChange={onChange} loading={pending} options={options} placeholder={t('connectorPlaceholder')} aria-label={t('connector')} />;
}

/** Staff with a WeCom user id (the only ones WeCom can hand customers to), searchable by name or id. */
export function StaffSelect({ value, onChange, id, multiple = false, ariaLabel }: ValueProps<string[] | string> & { multiple?: boolean; ariaLabel: string }) {
  const t = useT(wecomShared);
  const staff = useStaff();
  const options = useMemo(
    () =>
      (staff.data?.data ?? [])
        .filter((s) => s.wecomUserId !== null && s.active)
        .map((s) => ({ value: s.id, label: `${staffLabel(s, s.id)} · ${s.orgUnitCode}` })),
    [staff.data],
  );
  return (
    <Select
      id={id}
      mode={multiple ? 'multiple' : undefined}
      value={value}
      onChange={onChange}
      loading={staff.isPending}
      options={options}
      showSearch
      optionFilterProp="label"
      allowClear
      placeholder={t('consultantsPlaceholder')}
      aria-label={ariaLabel}
      maxTagCount="responsive"
    />
  );
}

export function DealerSelect({ value, onChange, id }: ValueProps<string | undefined>) {
  const t = useT(wecomShared);
  const dealers = useDealers();
  const options = useMemo(() => (dealers.data ?? []).map((u) => ({ value: u.code, label: `${u.name} · ${u.code}` })), [dealers.data]);
  return (
    <Select
      id={id}
      value={value}
      onChange={onChange}
      loading={dealers.isPending}
      options={options}
      showSearch
      optionFilterProp="label"
      allowClear
      placeholder={t('dealerPlaceholder')}
      aria-label={t('dealer')}
    />
  );
}

/** The connector filter of a list page: every connector the caller may choose, or all when cleared. */
export function ConnectorFilter({ value, onChange }: { value: string | undefined; onChange: (value: string | undefined) => void }) {
  const t = useT(wecomShared);
  const { options } = useConnectorOptions();
  return (
    <Select
      allowClear
      style={{ width: 260 }}
      value={value}
      onChange={onChange}
      options={options}
      placeholder={t('connectorPlaceholder')}
      aria-label={t('connector')}
    />
  );
}
