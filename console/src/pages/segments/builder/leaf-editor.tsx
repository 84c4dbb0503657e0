import { Select } from 'antd';
import { useT } from '../../../i18n';
import { ConsentEditor, FirstTouchEditor, OaFollowerEditor, WecomFriendEditor } from './channel-editors';
import { CONDITION_KINDS, defaultCondition, useDisabled, type ConditionKind } from './defaults';
import { EventEditor, LastEventEditor } from './event-editor';
import { builderMessages } from './messages';
import { StageEditor, TagEditor, TraitEditor } from './profile-editors';
import type { Condition } from './types';
import { VehicleEditor } from './vehicle-editor';

/** The kinds a single row can switch between; groups and negation have their own buttons. */
const LEAF_KINDS = CONDITION_KINDS.filter((k): k is Exclude<ConditionKind, 'and' | 'or' | 'not'> => k !== 'and' && k !== 'or' && k !== 'not');

export function KindSelect({ value, onChange }: { value: ConditionKind; onChange: (v: Condition) => void }) {
  const t = useT(builderMessages);
  const disabled = useDisabled();
  return (
    <Select
      aria-label={t('conditionType')}
      data-testid="condition-kind"
      showSearch
      optionFilterProp="label"
      value={value}
      onChange={(kind: ConditionKind) => onChange(defaultCondition(kind))}
      options={LEAF_KINDS.map((k) => ({ value: k, label: t(`kind.${k}`) }))}
      style={{ width: 170 }}
      popupMatchSelectWidth={false}
      disabled={disabled}
    />
  );
}

/** The fields of one non-group condition. */
export function LeafFields({ value, onChange }: { value: Condition; onChange: (v: Condition) => void }) {
  switch (value.type) {
    case 'trait':
      return <TraitEditor value={value} onChange={onChange} />;
    case 'event':
      return <EventEditor value={value} onChange={onChange} />;
    case 'last_event':
      return <LastEventEditor value={value} onChange={onChange} />;
    case 'tag':
      return <TagEditor value={value} onChange={onChange} />;
    case 'stage':
      return <StageEditor value={value} onChange={onChange} />;
    case 'vehicle':
      return <VehicleEditor value={value} onChange={onChange} />;
    case 'wecom_friend':
      return <WecomFriendEditor value={value} onChange={onChange} />;
    case 'oa_follower':
      return <OaFollowerEditor value={value} onChange={onChange} />;
    case 'consent':
      return <ConsentEditor value={value} onChange={onChange} />;
    case 'first_touch':
      return <FirstTouchEditor value={value} onChange={onChange} />;
    case 'and':
    case 'or':
    case 'not':
      return null;
  }
}
