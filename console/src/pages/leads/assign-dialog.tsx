import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Form, Modal, Select, Typography } from 'antd';
import { leadAssignSchema, leadSchema, type Lead, type LeadAssign } from '@contracts/leads';
import { api } from '../../api/client';
import { useMe } from '../../auth/session';
import { common } from '../../i18n/common';
import { useT } from '../../i18n';
import { LEADS_KEY, useConsultants, useDealers } from './api';
import { poolMessages } from './pool-messages';

interface AssignForm {
  dealerCode?: string;
  consultantId?: string;
}

/**
 * Assigns a pool lead to a consultant of its dealer; HQ may first pick another dealer (without a
 * consultant the lead goes to that dealer's pool).
 */
export function AssignDialog({ lead, onClose }: { lead: Lead | null; onClose: () => void }) {
  const t = useT(poolMessages);
  const tc = useT(common);
  const me = useMe();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm<AssignForm>();
  const hq = me.scope.kind === 'all';
  const chosenDealer = Form.useWatch('dealerCode', form) ?? lead?.dealerCode ?? undefined;
  const dealers = useDealers(lead !== null && hq);
  const consultants = useConsultants(chosenDealer, lead !== null && chosenDealer !== undefined);
  const assign = useMutation({
    mutationFn: ({ id, body }: { id: string; body: LeadAssign }) => api.post(`/api/v1/leads/${encodeURIComponent(id)}/assign`, leadSchema, { body }),
    onSuccess: () => client.invalidateQueries({ queryKey: [LEADS_KEY] }),
  });

  const submit = async () => {
    if (!lead) return;
    const values = await form.validateFields();
    const body = leadAssignSchema.safeParse({ dealerCode: values.dealerCode !== lead.dealerCode ? values.dealerCode : undefined, consultantId: values.consultantId });
    if (!body.success) {
      void message.error(t('assignNeedsTarget'));
      return;
    }
    assign.mutate(
      { id: lead.id, body: body.data },
      {
        onSuccess: (l) => {
          void message.success(l.consultantName ? t('assignedTo', { name: l.consultantName }) : t('movedToDealer', { code: l.dealerCode ?? '' }));
          form.resetFields();
          onClose();
        },
        onError: (e) => void message.error(e.message),
      },
    );
  };

  return (
    <Modal open={lead !== null} title={t('assignTitle')} okText={t('assign')} cancelText={tc('cancel')} confirmLoading={assign.isPending} onOk={() => void submit()} onCancel={onClose} destroyOnHidden>
      {lead && (
        <Typography.Paragraph type="secondary">
          {t('assignLead', { name: lead.name ?? lead.phone ?? lead.id.slice(0, 8), dealer: lead.dealerCode ?? t('noDealer') })}
        </Typography.Paragraph>
      )}
      <Form form={form} layout="vertical" initialValues={{ dealerCode: lead?.dealerCode ?? undefined }}>
        {hq && (
          <Form.Item name="dealerCode" label={t('dealer')}>
            <Select
              showSearch
              allowClear
              optionFilterProp="label"
              loading={dealers.isPending}
              onChange={() => form.setFieldValue('consultantId', undefined)}
              options={(dealers.data ?? []).map((d) => ({ value: d.code, label: `${d.name} (${d.code})` }))}
            />
          </Form.Item>
        )}
        <Form.Item name="consultantId" label={t('consultant')} extra={chosenDealer ? undefined : t('pickDealerFirst')}>
          <Select
            showSearch
            allowClear
            optionFilterProp="label"
            disabled={!chosenDealer}
            loading={consultants.isFetching}
            options={(consultants.data?.data ?? []).filter((s) => s.active).map((s) => ({ value: s.id, label: s.name }))}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
