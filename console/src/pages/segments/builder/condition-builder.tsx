import { DeleteOutlined, PlusOutlined, StopOutlined, UndoOutlined } from '@ant-design/icons';
import { Button, Flex, Select, Space, Tag, Typography, theme } from 'antd';
import { useMemo } from 'react';
import { MAX_DEPTH } from '@contracts/segments';
import { useT } from '../../../i18n';
import { DisabledContext, defaultCondition, useDisabled } from './defaults';
import { leafProblem, type LeafProblem } from './leaf-check';
import { KindSelect, LeafFields } from './leaf-editor';
import { builderMessages } from './messages';
import type { Condition } from './types';

type Group = Extract<Condition, { type: 'and' | 'or' }>;
type Not = Extract<Condition, { type: 'not' }>;

interface NodeProps<C extends Condition = Condition> {
  value: C;
  onChange: (next: Condition) => void;
  /** Absent at the root, which cannot be removed. */
  onRemove?: () => void;
  depth: number;
}

function RowActions({ value, onChange, onRemove }: { value: Condition; onChange: (next: Condition) => void; onRemove?: () => void }) {
  const t = useT(builderMessages);
  const disabled = useDisabled();
  return (
    <Space size={0}>
      {value.type === 'not' ? (
        <Button type="text" size="small" icon={<UndoOutlined />} aria-label={t('unNegate')} title={t('unNegate')} onClick={() => onChange(value.condition)} disabled={disabled} />
      ) : (
        <Button type="text" size="small" icon={<StopOutlined />} aria-label={t('negate')} title={t('negate')} onClick={() => onChange({ type: 'not', condition: value })} disabled={disabled} />
      )}
      {onRemove ? <Button type="text" size="small" danger icon={<DeleteOutlined />} aria-label={t('removeCondition')} title={t('removeCondition')} onClick={onRemove} disabled={disabled} /> : null}
    </Space>
  );
}

function ProblemText({ problem }: { problem: LeafProblem }) {
  const t = useT(builderMessages);
  const field = problem.field ? t(problem.field) : null;
  const text = field === null ? problem.message : problem.missing ? t('incomplete', { field }) : t('invalidField', { field, m: problem.message });
  return (
    <Typography.Text type="danger" style={{ fontSize: 12 }} data-testid="condition-problem">
      {text}
    </Typography.Text>
  );
}

function LeafRow({ value, onChange, onRemove }: NodeProps) {
  const { token } = theme.useToken();
  const problem = useMemo(() => leafProblem(value), [value]);
  return (
    <Flex
      data-testid="condition-row"
      data-kind={value.type}
      data-valid={problem ? 'false' : 'true'}
      gap={8}
      align="flex-start"
      style={{
        padding: 8,
        background: token.colorFillQuaternary,
        borderRadius: token.borderRadius,
        border: `1px solid ${problem ? token.colorErrorBorder : 'transparent'}`,
      }}
    >
      <KindSelect value={value.type} onChange={onChange} />
      <Flex vertical gap={4} style={{ flex: 1, minWidth: 0 }}>
        <LeafFields value={value} onChange={onChange} />
        {problem ? <ProblemText problem={problem} /> : null}
      </Flex>
      <RowActions value={value} onChange={onChange} onRemove={onRemove} />
    </Flex>
  );
}

function NotBox({ value, onChange, onRemove, depth }: NodeProps<Not>) {
  const t = useT(builderMessages);
  const { token } = theme.useToken();
  return (
    <Flex vertical gap={8} data-testid="condition-not" style={{ padding: 8, border: `1px dashed ${token.colorErrorBorder}`, borderRadius: token.borderRadius }}>
      <Flex justify="space-between" align="center">
        <Tag color="error">{t('notLabel')}</Tag>
        <RowActions value={value} onChange={onChange} onRemove={onRemove} />
      </Flex>
      <NodeEditor value={value.condition} onChange={(condition) => onChange({ type: 'not', condition })} depth={depth + 1} />
    </Flex>
  );
}

function GroupBox({ value, onChange, onRemove, depth }: NodeProps<Group>) {
  const t = useT(builderMessages);
  const disabled = useDisabled();
  const { token } = theme.useToken();
  const root = depth === 1;
  const setChildren = (conditions: Condition[]) => onChange({ type: value.type, conditions });
  const add = (c: Condition) => setChildren([...value.conditions, c]);
  return (
    <Flex
      vertical
      gap={8}
      data-testid={root ? 'condition-root-group' : 'condition-group'}
      style={{ padding: 12, border: `1px solid ${token.colorBorderSecondary}`, borderLeft: `3px solid ${token.colorPrimary}`, borderRadius: token.borderRadius }}
    >
      <Flex justify="space-between" align="center" gap={8}>
        <Select
          aria-label={t('groupLogic')}
          value={value.type}
          onChange={(type: 'and' | 'or') => onChange({ type, conditions: value.conditions })}
          options={[
            { value: 'and', label: t('groupAll') },
            { value: 'or', label: t('groupAny') },
          ]}
          style={{ width: 170 }}
          disabled={disabled}
        />
        {root ? null : <RowActions value={value} onChange={onChange} onRemove={onRemove} />}
      </Flex>
      {value.conditions.length === 0 ? <Typography.Text type="secondary">{t('emptyGroup')}</Typography.Text> : null}
      {value.conditions.map((child, i) => (
        <Flex key={i} vertical gap={8}>
          {i > 0 ? (
            <Typography.Text strong style={{ color: token.colorPrimary }}>
              {t(`connector.${value.type}`)}
            </Typography.Text>
          ) : null}
          <NodeEditor
            value={child}
            onChange={(next) => setChildren(value.conditions.map((c, j) => (j === i ? next : c)))}
            onRemove={() => setChildren(value.conditions.filter((_, j) => j !== i))}
            depth={depth + 1}
          />
        </Flex>
      ))}
      <Space wrap>
        <Button type="dashed" icon={<PlusOutlined />} data-testid={root ? 'segment-add-condition' : 'condition-add'} onClick={() => add(defaultCondition('event'))} disabled={disabled || value.conditions.length >= 50}>
          {t('addCondition')}
        </Button>
        <Button
          type="dashed"
          icon={<PlusOutlined />}
          data-testid={root ? 'segment-add-group' : 'condition-add-group'}
          onClick={() => add({ type: value.type === 'and' ? 'or' : 'and', conditions: [defaultCondition('event')] })}
          disabled={disabled || depth + 1 >= MAX_DEPTH || value.conditions.length >= 50}
        >
          {t('addGroup')}
        </Button>
      </Space>
    </Flex>
  );
}

function NodeEditor(props: NodeProps) {
  const { value } = props;
  if (value.type === 'and' || value.type === 'or') return <GroupBox {...props} value={value} />;
  if (value.type === 'not') return <NotBox {...props} value={value} />;
  return <LeafRow {...props} />;
}

/** A root that is not a group: shown as it is, and "add" turns it into an "and" group of it and more. */
function RootLeaf({ value, onChange }: { value: Condition; onChange: (next: Condition) => void }) {
  const t = useT(builderMessages);
  const disabled = useDisabled();
  return (
    <Flex vertical gap={8}>
      <NodeEditor value={value} onChange={onChange} depth={1} />
      <div>
        <Button type="dashed" icon={<PlusOutlined />} data-testid="segment-add-condition" onClick={() => onChange({ type: 'and', conditions: [value, defaultCondition('event')] })} disabled={disabled}>
          {t('addCondition')}
        </Button>
      </div>
    </Flex>
  );
}

/**
 * Edits a whole segment condition tree: and/or groups nested up to the DSL's depth, negation, and
 * every condition kind of the DSL. Choices (tags, stage models, sources, consultants) come from the
 * API and the contracts' enums. The value may be incomplete while edited (check it before saving).
 */
export function ConditionBuilder({ value, onChange, disabled = false }: { value: Condition; onChange: (next: Condition) => void; disabled?: boolean }) {
  return (
    <DisabledContext.Provider value={disabled}>
      <div data-testid="segment-builder">
        {value.type === 'and' || value.type === 'or' ? <GroupBox value={value} onChange={onChange} depth={1} /> : <RootLeaf value={value} onChange={onChange} />}
      </div>
    </DisabledContext.Provider>
  );
}
