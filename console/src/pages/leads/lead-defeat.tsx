import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Flex, Form, Input, List, Tag, Typography } from 'antd';
import { DEFEAT_REASONS, FUNNEL_STATUSES, defeatRequestCreateSchema, defeatRequestSchema, type DefeatRequestCreate } from '@contracts/funnel';
import type { Lead } from '@contracts/leads';
import { api } from '../../api/client';
import { ErrorAlert } from '../../components/page-state';
import { useFormat } from '../../format-hooks';
import { useT } from '../../i18n';
import { FormSelect } from '../../components/form-select';
import { LEADS_KEY, useDefeatRequests } from './api';
import { leadMessages } from './lead-messages';
import { useStaffNames } from './staff-names';
import { useVocab } from './vocab';

const STATE_COLORS: Record<string, string> = { pending: 'gold', approved: 'red', rejected: 'default' };

interface DefeatForm {
  reasonCode?: string;
  remark?: string;
}

/** The lead's defeat requests and a form to ask for one (the API decides who may and when). */
export function LeadDefeat({ lead }: { lead: Lead }) {
  const t = useT(leadMessages);
  const v = useVocab();
  const f = useFormat();
  const names = useStaffNames();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm<DefeatForm>();
  const requests = useDefeatRequests({ leadId: lead.id });
  const ask = useMutation({
    mutationFn: (body: DefeatRequestCreate) => api.post(`/api/v1/leads/${encodeURIComponent(lead.id)}/defeat-requests`, defeatRequestSchema, { body }),
    onSuccess: () => client.invalidateQueries({ queryKey: [LEADS_KEY] }),
  });
  const pending = requests.data?.data.some((r) => r.state === 'pending') ?? false;
  // Only a lead still in the funnel and before an order can be defeated; the API checks it again.
  const rank = FUNNEL_STATUSES.findIndex((s) => s === lead.status);
  const open = rank >= 0 && rank < FUNNEL_STATUSES.indexOf('ordered');

  const submit = (values: DefeatForm) => {
    const body = defeatRequestCreateSchema.safeParse({ reasonCode: values.reasonCode, remark: values.remark?.trim() });
    if (!body.success) {
      void message.error(body.error.issues[0]?.message ?? t('invalidForm'));
      return;
    }
    ask.mutate(body.data, {
      onSuccess: () => {
        form.resetFields();
        void message.success(t('defeatRequested'));
      },
      onError: (e) => void message.error(e.message),
    });
  };

  return (
    <Card title={t('defeat')} size="small">
      <Flex vertical gap={12}>
        {requests.isError && <ErrorAlert error={requests.error} />}
        {(requests.data?.data.length ?? 0) > 0 && (
          <List
            size="small"
            dataSource={requests.data?.data ?? []}
            renderItem={(r) => (
              <List.Item key={r.id}>
                <Flex vertical gap={2} style={{ width: '100%' }}>
                  <Flex gap={8} align="center" wrap>
                    <Tag color={STATE_COLORS[r.state]}>{v.defeatState(r.state)}</Tag>
                    <Typography.Text strong>{v.defeatReason(r.reasonCode)}</Typography.Text>
                    <Typography.Text type="secondary">{`${f.dateTime(r.requestedAt)} · ${names(null, r.requestedBy)}`}</Typography.Text>
                  </Flex>
                  <Typography.Text>{r.remark}</Typography.Text>
                  {r.decisionNote && <Typography.Text type="secondary">{t('decisionNote', { note: r.decisionNote })}</Typography.Text>}
                </Flex>
              </List.Item>
            )}
          />
        )}
        {!open ? (
          <Typography.Text type="secondary">{t('notDefeatable', { status: v.status(lead.status) })}</Typography.Text>
        ) : pending ? (
          <Typography.Text type="secondary">{t('defeatPending')}</Typography.Text>
        ) : (
          <Form<DefeatForm> form={form} layout="vertical" onFinish={submit} data-testid="lead-defeat-request">
            <Form.Item name="reasonCode" label={t('defeatReason')} rules={[{ required: true, message: t('reasonRequired') }]} style={{ marginBottom: 12 }}>
              <FormSelect options={DEFEAT_REASONS.map((r) => ({ value: r, label: v.defeatReason(r) }))} />
            </Form.Item>
            <Form.Item name="remark" label={t('defeatRemark')} rules={[{ required: true, whitespace: true, message: t('remarkRequired') }]} style={{ marginBottom: 12 }}>
              <Input.TextArea rows={3} maxLength={2000} placeholder={t('defeatRemarkHint')} />
            </Form.Item>
            <Button danger htmlType="submit" loading={ask.isPending} data-testid="lead-defeat-submit">
              {t('requestDefeat')}
            </Button>
          </Form>
        )}
      </Flex>
    </Card>
  );
}
