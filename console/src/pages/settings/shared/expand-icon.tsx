import { MinusSquareOutlined, PlusSquareOutlined } from '@ant-design/icons';
import { Button } from 'antd';
import type { MouseEvent } from 'react';
import { useT } from '../../../i18n';
import { sharedMessages } from './messages';

interface Props<T> {
  expanded: boolean;
  expandable: boolean;
  record: T;
  onExpand: (record: T, e: MouseEvent<HTMLElement>) => void;
}

/** A table row's expand button with an accessible name (antd's own has none). */
export function ExpandButton<T>({ expanded, expandable, record, onExpand }: Props<T>) {
  const t = useT(sharedMessages);
  if (!expandable) return null;
  const label = expanded ? t('collapse') : t('expand');
  return <Button type="text" size="small" aria-label={label} aria-expanded={expanded} title={label} icon={expanded ? <MinusSquareOutlined /> : <PlusSquareOutlined />} onClick={(e) => onExpand(record, e)} />;
}
