import { Flex, Input, Select, Space } from 'antd';
import { useState } from 'react';
import { CONSENT_CHANNELS, CONSENT_PURPOSES, CONSENT_STATES, type ConsentChannel, type ConsentPurpose, type ConsentState } from '@contracts/consents';
import { DOMAIN_CLASSES, SOURCE_KINDS } from '@contracts/tenancy';
import { common } from '../../../i18n/common';
import { useT } from '../../../i18n';
import { useSources, useWecomStaff } from './choices';
import { useDisabled } from './defaults';
import { builderMessages } from './messages';
import type { Condition } from './types';
import { OptionalDateTest } from './vehicle-editor';

type WecomFriendCondition = Extract<Condition, { type: 'wecom_friend' }>;
type OaFollowerCondition = Extract<Condition, { type: 'oa_follower' }>;
type ConsentCondition = Extract<Condition, { type: 'consent' }>;
type FirstTouchCondition = Extract<Condition, { type: 'first_touch' }>;
type SourceKind = (typeof SOURCE_KINDS)[number];
type DomainClass = (typeof DOMAIN_CLASSES)[number];

/** A WeCom friend of any consultant, or of one chosen from the staff with a WeCom account. */
export function WecomFriendEditor({ value, onChange }: { value: WecomFriendCondition; onChange: (v: Condition) => void }) {
  const t = useT(builderMessages);
  const disabled = useDisabled();
  const staff = useWecomStaff();
  const [search, setSearch] = useState('');
  const options = (staff.data ?? []).flatMap((s) => (s.wecomUserId ? [{ value: s.wecomUserId, label: `${s.name} (${s.wecomUserId})` }] : []));
  if (value.staffUserId && !options.some((o) => o.value === value.staffUserId)) options.push({ value: value.staffUserId, label: value.staffUserId });
  const typed = search.trim();
  if (typed && !options.some((o) => o.value === typed)) options.push({ value: typed, label: t('custom', { v: typed }) });
  return (
    <Select
      aria-label={t('staff')}
      showSearch
      allowClear
      placeholder={t('anyStaff')}
      value={value.staffUserId}
      onSearch={setSearch}
      onChange={(v: string | undefined) => {
        setSearch('');
        onChange({ type: 'wecom_friend', staffUserId: v || undefined });
      }}
      optionFilterProp="label"
      options={options}
      loading={staff.isPending}
      style={{ width: 280 }}
      popupMatchSelectWidth={false}
      disabled={disabled}
    />
  );
}

/** Follows the brand's Official Account (any, or one AppID). */
export function OaFollowerEditor({ value, onChange }: { value: OaFollowerCondition; onChange: (v: Condition) => void }) {
  const t = useT(builderMessages);
  const disabled = useDisabled();
  return (
    <Input
      aria-label={t('appId')}
      placeholder={t('anyAccount')}
      value={value.appId ?? ''}
      onChange={(e) => onChange({ type: 'oa_follower', appId: e.target.value.trim() || undefined })}
      style={{ width: 260 }}
      allowClear
      disabled={disabled}
    />
  );
}

/** The current consent state of a channel and purpose. */
export function ConsentEditor({ value, onChange }: { value: ConsentCondition; onChange: (v: Condition) => void }) {
  const t = useT(builderMessages);
  const disabled = useDisabled();
  return (
    <Space wrap>
      <Select
        aria-label={t('channel')}
        value={value.channel}
        onChange={(channel: ConsentChannel) => onChange({ ...value, channel })}
        options={CONSENT_CHANNELS.map((c) => ({ value: c, label: t(`channel.${c}`) }))}
        style={{ width: 170 }}
        popupMatchSelectWidth={false}
        disabled={disabled}
      />
      <Select
        aria-label={t('purpose')}
        value={value.purpose}
        onChange={(purpose: ConsentPurpose) => onChange({ ...value, purpose })}
        options={CONSENT_PURPOSES.map((p) => ({ value: p, label: t(`purpose.${p}`) }))}
        style={{ width: 110 }}
        disabled={disabled}
      />
      <Select
        aria-label={t('consentState')}
        value={value.state ?? 'granted'}
        onChange={(state: ConsentState) => onChange({ ...value, state })}
        options={CONSENT_STATES.map((s) => ({ value: s, label: t(`state.${s}`) }))}
        style={{ width: 110 }}
        disabled={disabled}
      />
    </Space>
  );
}

function nonEmpty<T>(list: T[]): T[] | undefined {
  return list.length > 0 ? list : undefined;
}

/** Where a person first came from: sources (admins), source kinds, domain classes, and when. */
export function FirstTouchEditor({ value, onChange }: { value: FirstTouchCondition; onChange: (v: Condition) => void }) {
  const t = useT(builderMessages);
  const tc = useT(common);
  const disabled = useDisabled();
  const sources = useSources();
  return (
    <Flex vertical gap={8}>
      <Space wrap>
        {sources.isSuccess || (value.sourceIds?.length ?? 0) > 0 ? (
          <Select
            aria-label={t('sources')}
            mode="multiple"
            placeholder={t('sources')}
            value={value.sourceIds ?? []}
            onChange={(ids: string[]) => onChange({ ...value, sourceIds: nonEmpty(ids) })}
            optionFilterProp="label"
            options={(sources.data?.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
            style={{ minWidth: 200 }}
            disabled={disabled}
          />
        ) : null}
        <Select
          aria-label={t('sourceKinds')}
          mode="multiple"
          placeholder={t('sourceKinds')}
          value={value.sourceKinds ?? []}
          onChange={(kinds: SourceKind[]) => onChange({ ...value, sourceKinds: nonEmpty(kinds) })}
          optionFilterProp="label"
          options={SOURCE_KINDS.map((k) => ({ value: k, label: t(`sourceKind.${k}`) }))}
          style={{ minWidth: 200 }}
          disabled={disabled}
        />
        <Select
          aria-label={t('domainClasses')}
          mode="multiple"
          placeholder={t('domainClasses')}
          value={value.domainClasses ?? []}
          onChange={(classes: DomainClass[]) => onChange({ ...value, domainClasses: nonEmpty(classes) })}
          optionFilterProp="label"
          options={DOMAIN_CLASSES.map((d) => ({ value: d, label: tc(`domain.${d}`) }))}
          style={{ minWidth: 200 }}
          disabled={disabled}
        />
      </Space>
      <OptionalDateTest label={t('firstTouchAt')} value={value.at} onChange={(at) => onChange({ ...value, at })} />
    </Flex>
  );
}
