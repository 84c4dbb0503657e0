import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Form, Input, Modal, Popconfirm, Skeleton, Space, Tooltip } from 'antd';
import { useState } from 'react';
import { FUNNEL_STATUSES, INVALID_REASONS, transitionCreateSchema, transitionResultSchema, type LeadStatus, type TransitionCreate } from '@contracts/funnel';
import type { Lead } from '@contracts/leads';
import { api, ApiError } from '../../api/client';
import { common } from '../../i18n/common';
import { useT } from '../../i18n';
import { FormSelect } from '../../components/form-select';
import { LEADS_KEY, useAllowedTransitions } from './api';
import { leadMessages } from './lead-messages';
import { useVocab } from './vocab';

function useTransition(leadId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: TransitionCreate) => api.post(`/api/v1/leads/${encodeURIComponent(leadId)}/transitions`, transitionResultSchema, { body }),
    onSuccess: () => client.invalidateQueries({ queryKey: [LEADS_KEY] }),
  });
}

/** Marks the lead invalid: the reason from the contract's list, a remark (needed for "other"). */
function InvalidDialog({ lead, open, onClose }: { lead: Lead; open: boolean; onClose: () => void }) {
  const t = useT(leadMessages);
  const tc = useT(common);
  const v = useVocab();
  const { message } = App.useApp();
  const move = useTransition(lead.id);
  const [form] = Form.useForm<{ reason?: string; remark?: string }>();
  const submit = async () => {
    const values = await form.validateFields();
    const body = transitionCreateSchema.safeParse({ to: 'invalid', reason: values.reason, remark: values.remark || undefined });
    if (!body.success) {
      void message.error(body.error.issues[0]?.message ?? t('invalidForm'));
      return;
    }
    move.mutate(body.data, {
      onSuccess: () => {
        void message.success(t('moved', { status: v.status('invalid') }));
        form.resetFields();
        onClose();
      },
      onError: (e) => void message.error(e.message),
    });
  };
  return (
    <Modal title={t('markInvalid')} open={open} onCancel={onClose} onOk={() => void submit()} confirmLoading={move.isPending} okText={t('markInvalid')} cancelText={tc('cancel')} destroyOnHidden>
      <Form form={form} layout="vertical">
        <Form.Item name="reason" label={t('invalidReason')} rules={[{ required: true, message: t('reasonRequired') }]}>
          <FormSelect options={INVALID_REASONS.map((r) => ({ value: r, label: v.invalidReason(r) }))} />
        </Form.Item>
        <Form.Item
          name="remark"
          label={t('remark')}
          dependencies={['reason']}
          rules={[({ getFieldValue }) => ({ required: getFieldValue('reason') === 'other', message: t('remarkRequiredOther') })]}
        >
          <Input.TextArea rows={3} maxLength={2000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/**
 * The moves the API allows the caller now, one button each (`lead-transition-<status>`). A closed
 * lead's only move (managers) is back to where it was: shown as "reopen".
 */
export function LeadActions({ lead }: { lead: Lead }) {
  const t = useT(leadMessages);
  const tc = useT(common);
  const v = useVocab();
  const { message } = App.useApp();
  const allowed = useAllowedTransitions(lead.id, lead.status, lead.updatedAt);
  const move = useTransition(lead.id);
  const [invalidOpen, setInvalidOpen] = useState(false);

  if (allowed.isPending) return <Skeleton.Button active />;
  if (allowed.isError) {
    const text = allowed.error instanceof ApiError ? allowed.error.message : t('allowedError');
    return (
      <Tooltip title={text}>
        <Button onClick={() => void allowed.refetch()}>{t('allowedRetry')}</Button>
      </Tooltip>
    );
  }
  if (allowed.data.length === 0) return null;
  // A status outside the funnel (defeated, invalid) is closed: its move goes back into the funnel.
  const reopen = !(FUNNEL_STATUSES as readonly LeadStatus[]).includes(lead.status);

  return (
    <Space wrap data-testid="lead-transitions">
      {allowed.data.map((to) =>
        to === 'invalid' ? (
          <Button key={to} danger data-testid={`lead-transition-${to}`} onClick={() => setInvalidOpen(true)}>
            {t('markInvalid')}
          </Button>
        ) : (
          <Popconfirm
            key={to}
            title={reopen ? t('reopenConfirm', { status: v.status(to) }) : t('moveConfirm', { status: v.status(to) })}
            okText={t('confirmMove')}
            cancelText={tc('cancel')}
            onConfirm={() =>
              move.mutateAsync({ to }).then(
                () => void message.success(t('moved', { status: v.status(to) })),
                (e: unknown) => void message.error(e instanceof Error ? e.message : String(e)),
              )
            }
          >
            <Button type={reopen ? 'default' : 'primary'} ghost={!reopen} data-testid={`lead-transition-${to}`} loading={move.isPending && move.variables?.to === to}>
              {reopen ? t('reopenTo', { status: v.status(to) }) : t('moveTo', { status: v.status(to) })}
            </Button>
          </Popconfirm>
        ),
      )}
      <InvalidDialog lead={lead} open={invalidOpen} onClose={() => setInvalidOpen(false)} />
    </Space>
  );
}
