import { TreeSelect } from 'antd';
import { useMemo, type CSSProperties } from 'react';
import { useT } from '../../../i18n';
import { buildTree, type OrgUnit, type UnitNode } from './api';
import { messages } from './messages';

interface Option {
  value: string;
  title: string;
  children: Option[];
}

/** A unit picker over the org tree, by code; searchable by name or code. */
export function UnitTreeSelect({
  units,
  value,
  onChange,
  placeholder,
  ariaLabel,
  allowClear,
  loading,
  style,
}: {
  units: readonly OrgUnit[];
  value?: string;
  onChange?: (code: string | undefined) => void;
  placeholder?: string;
  ariaLabel: string;
  allowClear?: boolean;
  loading?: boolean;
  style?: CSSProperties;
}) {
  const t = useT(messages);
  const treeData = useMemo(() => {
    const toOption = (n: UnitNode): Option => ({ value: n.unit.code, title: `${n.unit.name} · ${n.unit.code} · ${t(`type.${n.unit.type}`)}`, children: n.children.map(toOption) });
    return buildTree(units).map(toOption);
  }, [units, t]);
  return (
    <TreeSelect
      aria-label={ariaLabel}
      value={value}
      onChange={(v: string | undefined) => onChange?.(v)}
      treeData={treeData}
      placeholder={placeholder}
      allowClear={allowClear}
      loading={loading}
      showSearch
      treeNodeFilterProp="title"
      treeDefaultExpandAll
      popupMatchSelectWidth={false}
      style={style}
    />
  );
}
