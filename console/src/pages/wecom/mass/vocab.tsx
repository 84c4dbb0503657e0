import { Tag } from 'antd';
import type { MassRecipientStatus, MassState, WecomMassCounts } from '@contracts/wecom-mass';
import { useT } from '../../../i18n';
import { messages } from './messages';

const STATE_COLORS: Record<MassState, string> = { queued: 'default', sending: 'processing', sent: 'blue', completed: 'green', failed: 'red' };
const STATUS_COLORS: Record<MassRecipientStatus, string> = {
  skipped: 'default',
  queued: 'default',
  waiting: 'gold',
  sent: 'green',
  not_friend: 'orange',
  wecom_cap: 'orange',
  unsent: 'volcano',
  failed: 'red',
};

/** States whose counts still change: the pages poll while a task is in one. */
export const LIVE_STATES: readonly MassState[] = ['queued', 'sending', 'sent'];

export function MassStateTag({ state }: { state: MassState }) {
  const t = useT(messages);
  return <Tag color={STATE_COLORS[state]}>{t(`state.${state}`)}</Tag>;
}

export function RecipientStatusTag({ status }: { status: MassRecipientStatus }) {
  const t = useT(messages);
  return <Tag color={STATUS_COLORS[status]}>{t(`status.${status}`)}</Tag>;
}

export function skippedTotal(counts: WecomMassCounts): number {
  return Object.values(counts.skipped).reduce((a, b) => a + b, 0);
}
