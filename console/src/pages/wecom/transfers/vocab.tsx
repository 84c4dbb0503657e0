import { Flex, Tag } from 'antd';
import { TRANSFER_OUTCOMES, type TransferOutcome, type WecomTransferSummary } from '@contracts/wecom-transfers';
import { useFormat } from '../../../format-hooks';
import { useT } from '../../../i18n';
import { staffLabel, useStaffById } from '../shared/refs';
import { messages } from './messages';

const OUTCOME_COLORS: Record<TransferOutcome, string> = {
  pending: 'default',
  waiting: 'gold',
  taken_over: 'green',
  refused: 'volcano',
  limit_exceeded: 'orange',
  not_found: 'default',
  failed: 'red',
  over_quota: 'magenta',
  in_transfer: 'purple',
};

export function OutcomeTag({ outcome }: { outcome: TransferOutcome }) {
  const t = useT(messages);
  return <Tag color={OUTCOME_COLORS[outcome]}>{t(`outcome.${outcome}`)}</Tag>;
}

/** The outcomes with customers in them, e.g. "已接替 3 · 超出次数 1". */
export function OutcomeCounts({ counts }: { counts: WecomTransferSummary['counts'] }) {
  const t = useT(messages);
  const f = useFormat();
  return (
    <Flex wrap gap={4}>
      {TRANSFER_OUTCOMES.filter((o) => counts[o] > 0).map((o) => (
        <Tag key={o} color={OUTCOME_COLORS[o]}>
          {`${t(`outcome.${o}`)} ${f.number(counts[o])}`}
        </Tag>
      ))}
    </Flex>
  );
}

export function totalCustomers(counts: WecomTransferSummary['counts']): number {
  return TRANSFER_OUTCOMES.reduce((n, o) => n + counts[o], 0);
}

/** A transfer's member: the staff member's name when the caller can see them, else the WeCom user id. */
export function useMemberLabel() {
  const staff = useStaffById();
  return (m: WecomTransferSummary['from']) => staffLabel(m.staffId ? staff.get(m.staffId) : undefined, m.wecomUserId);
}
