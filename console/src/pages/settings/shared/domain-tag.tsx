import { Tag } from 'antd';
import type { DomainClass } from '@contracts/tenancy';
import { common } from '../../../i18n/common';
import { useT } from '../../../i18n';

/** Stronger reach, warmer colour: absolute private down to public. */
const COLORS: Record<DomainClass, string> = { absolute: 'green', secondary: 'cyan', middle: 'blue', semi: 'gold', public: 'default' };

export function DomainTag({ value }: { value: DomainClass }) {
  const c = useT(common);
  return <Tag color={COLORS[value]}>{c(`domain.${value}`)}</Tag>;
}
