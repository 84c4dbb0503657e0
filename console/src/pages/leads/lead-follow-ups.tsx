import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, DatePicker, Flex, Form, Input, List, Tag, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useRef } from 'react';
import { FOLLOW_UP_KINDS, followUpCreateSchema, followUpResultSchema, type FollowUpCreate } from '@contracts/funnel';
import { api } from '../../api/client';
import { QueryState } from '../../components/page-state';
import { useFormat } from '../../format-hooks';
import { useT } from '../../i18n';
import { FormSelect } from '../../components/form-select';
import { LEADS_KEY, useFollowUps } from './api';
import { leadMessages } from './lead-messages';
import { useStaffNames } from './staff-names';
import { useVocab } from './vocab';
import { zonedIso } from '../../format';

interface FollowUpForm {
  kind?: string;
  note?: string;
  nextFollowUpAt?: Dayjs | null;
}

/** Logs a follow-up. The id is made once per follow-up, so a retried submit is not stored twice. */
function FollowUpFormCard({ leadId }: { leadId: string }) {
  const t = useT(leadMessages);
  const v = useVocab();
  const f = useFormat();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm<FollowUpForm>();
  const pendingId = useRef<string | null>(null);
  const add = useMutation({
    mutationFn: (body: FollowUpCreate) => api.post(`/api/v1/leads/${encodeURIComponent(leadId)}/follow-ups`, followUpResultSchema, { body }),
    onSuccess: () => client.invalidateQueries({ queryKey: [LEADS_KEY] }),
  });

  const submit = (values: FollowUpForm) => {
    pendingId.current ??= crypto.randomUUID();
    const next = values.nextFollowUpAt;
    const body = followUpCreateSchema.safeParse({
      id: pendingId.current,
      kind: values.kind,
      note: values.note?.trim() || undefined,
      nextFollowUpAt: next ? zonedIso({ year: next.year(), month: next.month() + 1, day: next.date(), hour: next.hour(), minute: next.minute() }, f.timeZone) : undefined,
    });
    if (!body.success) {
      void message.error(body.error.issues[0]?.message ?? t('invalidForm'));
      return;
    }
    add.mutate(body.data, {
      onSuccess: () => {
        pendingId.current = null;
        form.resetFields();
        void message.success(t('followUpSaved'));
      },
      onError: (e) => void message.error(e.message),
    });
  };

  return (
    <Form<FollowUpForm> form={form} layout="vertical" onFinish={submit} data-testid="lead-followup-form" onValuesChange={() => (pendingId.current = null)}>
      <Flex gap={12} wrap>
        <Form.Item name="kind" label={t('channel')} rules={[{ required: true, message: t('channelRequired') }]} style={{ width: 180, marginBottom: 12 }}>
          <FormSelect options={FOLLOW_UP_KINDS.map((k) => ({ value: k, label: v.kind(k) }))} />
        </Form.Item>
        <Form.Item name="nextFollowUpAt" label={t('nextFollowUpAt')} style={{ width: 220, marginBottom: 12 }}>
          <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" placeholder={t('pickTime')} style={{ width: '100%' }} />
        </Form.Item>
      </Flex>
      <Form.Item name="note" label={t('note')} style={{ marginBottom: 12 }}>
        <Input.TextArea rows={3} maxLength={4000} showCount />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={add.isPending} data-testid="lead-followup-submit">
        {t('logFollowUp')}
      </Button>
    </Form>
  );
}

export function LeadFollowUps({ leadId }: { leadId: string }) {
  const t = useT(leadMessages);
  const v = useVocab();
  const f = useFormat();
  const names = useStaffNames();
  const followUps = useFollowUps(leadId);
  return (
    <Card title={t('followUps')} size="small">
      <Flex vertical gap={16}>
        <FollowUpFormCard leadId={leadId} />
        <div data-testid="lead-followups">
          <QueryState query={followUps} isEmpty={(d) => d.data.length === 0} empty={t('noFollowUps')}>
            {(page) => (
              <List
                size="small"
                dataSource={page.data}
                renderItem={(fu) => (
                  <List.Item key={fu.id} data-testid={`lead-followup-${fu.id}`}>
                    <List.Item.Meta
                      title={
                        <Flex gap={8} align="center" wrap>
                          <Tag>{v.kind(fu.kind)}</Tag>
                          <Typography.Text>{f.dateTime(fu.at)}</Typography.Text>
                          <Typography.Text type="secondary">{names(fu.staffId, fu.actor)}</Typography.Text>
                        </Flex>
                      }
                      description={
                        <Flex vertical gap={2}>
                          {fu.note && <Typography.Paragraph style={{ marginBottom: 0, whiteSpace: 'pre-wrap' }}>{fu.note}</Typography.Paragraph>}
                          {fu.nextFollowUpAt && <Typography.Text type="secondary">{t('nextPlanned', { at: f.dateTime(fu.nextFollowUpAt) })}</Typography.Text>}
                        </Flex>
                      }
                    />
                  </List.Item>
                )}
              />
            )}
          </QueryState>
        </div>
      </Flex>
    </Card>
  );
}
