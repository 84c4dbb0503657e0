import { Tag, type TagProps } from 'antd';
import { useCallback } from 'react';
import type { LeadStatus } from '@contracts/funnel';
import { useT } from '../i18n';
import { common } from '../i18n/common';

/** A colour per lead status: the funnel from blue to green, closed leads red or grey. */
export const LEAD_STATUS_COLORS: Record<LeadStatus, string> = {
  new: 'default',
  assigned: 'blue',
  contacted: 'cyan',
  invited: 'geekblue',
  visited: 'purple',
  test_drive: 'magenta',
  ordered: 'gold',
  invoiced: 'orange',
  delivered: 'green',
  defeated: 'red',
  invalid: 'default',
};

/** A lead status's name in the current language. */
export function useLeadStatusLabel(): (status: LeadStatus) => string {
  const t = useT(common);
  return useCallback((status: LeadStatus) => t(`leadStatus.${status}`), [t]);
}

/** A lead status as a coloured tag. */
export function LeadStatusTag({ status, ...props }: { status: LeadStatus } & Omit<TagProps, 'color' | 'children'>) {
  const label = useLeadStatusLabel();
  return (
    <Tag color={LEAD_STATUS_COLORS[status]} {...props}>
      {label(status)}
    </Tag>
  );
}
