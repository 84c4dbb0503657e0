import { AutoComplete, Select, Space } from 'antd';
import { useT, useLocale } from '../../../i18n';
import { useStageModels, useTagGroups, useTraitNames } from './choices';
import { useDisabled } from './defaults';
import { builderMessages } from './messages';
import type { Condition } from './types';
import { DateInput } from './value-inputs';
import { ValueTestEditor, testOf } from './value-test-editor';

type TraitCondition = Extract<Condition, { type: 'trait' }>;
type TagCondition = Extract<Condition, { type: 'tag' }>;
type StageCondition = Extract<Condition, { type: 'stage' }>;

/** A trait compared with a value; the names seen on profiles are offered, others may be typed. */
export function TraitEditor({ value, onChange }: { value: TraitCondition; onChange: (v: Condition) => void }) {
  const t = useT(builderMessages);
  const disabled = useDisabled();
  const names = useTraitNames();
  return (
    <Space wrap align="start">
      <AutoComplete
        aria-label={t('trait')}
        placeholder={t('traitPlaceholder')}
        value={value.trait}
        onChange={(trait: string) => onChange({ ...testOf(value), type: 'trait', trait })}
        options={(names.data ?? []).map((n) => ({ value: n }))}
        filterOption={(input, option) => (option?.value ?? '').toLowerCase().includes(input.toLowerCase())}
        style={{ width: 200 }}
        disabled={disabled}
      />
      <ValueTestEditor value={testOf(value)} onChange={(test) => onChange({ ...test, type: 'trait', trait: value.trait })} />
    </Space>
  );
}

/** Has (or has not) a tag, chosen from the tenant's tag groups. */
export function TagEditor({ value, onChange }: { value: TagCondition; onChange: (v: Condition) => void }) {
  const t = useT(builderMessages);
  const disabled = useDisabled();
  const groups = useTagGroups();
  const options = (groups.data?.data ?? []).map((g) => ({
    label: g.name,
    title: g.name,
    options: g.tags.map((tag) => ({ value: tag.id, label: tag.name })),
  }));
  return (
    <Space wrap>
      <Select
        aria-label={t('tagHas')}
        value={value.has === false ? 'false' : 'true'}
        onChange={(v: string) => onChange({ ...value, has: v === 'true' })}
        options={(['true', 'false'] as const).map((v) => ({ value: v, label: t(`has.${v}`) }))}
        style={{ width: 110 }}
        disabled={disabled}
      />
      <Select
        aria-label={t('tag')}
        data-testid="condition-tag"
        showSearch
        placeholder={t('tag')}
        value={value.tag || undefined}
        onChange={(tag: string) => onChange({ ...value, tag })}
        optionFilterProp="label"
        options={options}
        loading={groups.isPending}
        status={groups.isError ? 'error' : undefined}
        style={{ width: 260 }}
        popupMatchSelectWidth={false}
        disabled={disabled}
      />
    </Space>
  );
}

/** Holds one of the chosen stages of a stage model (now, or at a given time). */
export function StageEditor({ value, onChange }: { value: StageCondition; onChange: (v: Condition) => void }) {
  const t = useT(builderMessages);
  const locale = useLocale();
  const disabled = useDisabled();
  const models = useStageModels();
  const list = models.data?.data ?? [];
  const model = list.find((m) => m.key === value.model);
  return (
    <Space wrap>
      <Select
        aria-label={t('stageModel')}
        showSearch
        placeholder={t('stageModel')}
        value={value.model || undefined}
        onChange={(key: string) => onChange({ ...value, model: key, stages: [] })}
        optionFilterProp="label"
        options={list.map((m) => ({ value: m.key, label: m.name }))}
        loading={models.isPending}
        status={models.isError ? 'error' : undefined}
        style={{ width: 200 }}
        popupMatchSelectWidth={false}
        disabled={disabled}
      />
      <Select
        aria-label={t('stages')}
        mode="multiple"
        showSearch
        placeholder={t('stages')}
        value={value.stages}
        onChange={(stages: string[]) => onChange({ ...value, stages })}
        optionFilterProp="label"
        options={(model?.stages ?? []).map((s) => ({ value: s.key, label: locale === 'zh-CN' && s.nameZh ? s.nameZh : s.name }))}
        style={{ minWidth: 240 }}
        disabled={disabled || !model}
      />
      <DateInput label={t('stageAt')} placeholder={t('stageAtPlaceholder')} value={value.at} onChange={(at) => onChange({ ...value, at: at || undefined })} />
    </Space>
  );
}
