import { App, Button, Card, Flex, Input, Select, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { INVALID_REASONS, allowedTransitionsSchema, transitionCreateSchema, transitionResultSchema, type LeadStatus, type TransitionCreate } from '@contracts/funnel';
import type { SidebarLead } from '@contracts/wecom-sidebar';
import { api } from '../../api/client';
import { useLeadStatusLabel } from '../../components/lead-status-tag';
import { ErrorAlert } from '../../components/page-state';
import { useT } from '../../i18n';
import { messages } from './messages';
import { SIDEBAR_KEY } from './sidebar-keys';

type InvalidReason = (typeof INVALID_REASONS)[number];

/** The statuses the caller may move the lead to now, by the rules the move itself is checked with. */
async function allowedMoves(leadId: string): Promise<LeadStatus[]> {
  return (await api.get(`/api/v1/leads/${encodeURIComponent(leadId)}/allowed-transitions`, allowedTransitionsSchema)).allowed;
}

/** Moves the open lead to one of the statuses the API allows now (to invalid with a reason). */
export function MoveLeadForm({ lead }: { lead: SidebarLead }) {
  const t = useT(messages);
  const statusLabel = useLeadStatusLabel();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [asked, setAsked] = useState(false);
  const [to, setTo] = useState<LeadStatus | null>(null);
  const [reason, setReason] = useState<InvalidReason | null>(null);
  const [remark, setRemark] = useState('');
  const allowed = useQuery({
    queryKey: ['lead-allowed-moves', lead.id, lead.status],
    queryFn: () => allowedMoves(lead.id),
    enabled: asked,
  });
  const move = useMutation({
    mutationFn: (body: TransitionCreate) => api.post(`/api/v1/leads/${lead.id}/transitions`, transitionResultSchema, { body }),
    onSuccess: async (result) => {
      const status = statusLabel(result.lead.status);
      void message.success(result.changed ? t('moved', { status }) : t('unchanged', { status }));
      setTo(null);
      setReason(null);
      setRemark('');
      await client.invalidateQueries({ queryKey: [SIDEBAR_KEY] });
    },
  });

  // The reason select and (for "other") the remark must be filled before the contract check runs.
  const remarkMissing = to === 'invalid' && reason === 'other' && remark.trim() === '';
  const incomplete = !to || (to === 'invalid' && (!reason || remarkMissing));

  const submit = () => {
    if (!to) return;
    const parsed = transitionCreateSchema.safeParse({
      to,
      ...(to === 'invalid' ? { reason: reason ?? undefined, remark: remark.trim() || undefined } : {}),
    });
    if (!parsed.success) {
      void message.error(parsed.error.issues.map((i) => i.message).join('; '));
      return;
    }
    move.mutate(parsed.data);
  };

  return (
    <Card size="small" title={t('moveLead')} data-testid="sidebar-move-lead">
      <Flex vertical gap={8}>
        <Flex gap={8}>
          <Select<LeadStatus>
            size="small"
            aria-label={t('moveTo')}
            placeholder={t('movePlaceholder')}
            style={{ flex: 1, minWidth: 0 }}
            value={to}
            loading={allowed.isFetching}
            onOpenChange={(open) => {
              if (open) setAsked(true);
            }}
            onFocus={() => setAsked(true)}
            onChange={(value) => setTo(value)}
            options={(allowed.data ?? []).map((s) => ({ value: s, label: statusLabel(s) }))}
            notFoundContent={
              allowed.isFetching ? null : allowed.isSuccess ? (
                <Typography.Text type="secondary" style={{ fontSize: 12, whiteSpace: 'normal' }}>
                  {t('moveNone')}
                </Typography.Text>
              ) : null
            }
          />
          <Button size="small" type="primary" autoInsertSpace={false} disabled={incomplete} loading={move.isPending} onClick={submit}>
            {t('moveSubmit')}
          </Button>
        </Flex>
        {to === 'invalid' ? (
          <>
            <Select<InvalidReason>
              size="small"
              aria-label={t('invalidReason')}
              placeholder={t('invalidReason')}
              value={reason}
              onChange={(value) => setReason(value)}
              options={INVALID_REASONS.map((r) => ({ value: r, label: t(`invalid.${r}`) }))}
            />
            <Input.TextArea
              size="small"
              aria-label={t('invalidRemark')}
              placeholder={t('invalidRemarkPlaceholder')}
              autoSize={{ minRows: 1, maxRows: 4 }}
              maxLength={2000}
              status={remarkMissing ? 'warning' : undefined}
              value={remark}
              onChange={(e) => setRemark(e.target.value)}
            />
          </>
        ) : null}
        {allowed.isError ? <ErrorAlert error={allowed.error} /> : null}
        {move.isError ? <ErrorAlert error={move.error} /> : null}
      </Flex>
    </Card>
  );
}
