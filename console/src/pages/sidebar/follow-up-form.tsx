import { App, Button, Card, DatePicker, Flex, Form, Input, Select, TimePicker } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { FOLLOW_UP_KINDS, followUpCreateSchema, followUpResultSchema, type FollowUpCreate } from '@contracts/funnel';
import { api } from '../../api/client';
import { ErrorAlert } from '../../components/page-state';
import { useFormat } from '../../format-hooks';
import { useT } from '../../i18n';
import { messages } from './messages';
import { SIDEBAR_KEY } from './sidebar-keys';
import { isoDay, zonedIso } from '../../format';

type Kind = (typeof FOLLOW_UP_KINDS)[number];

interface Values {
  kind: Kind;
  note?: string;
  nextDay?: Dayjs | null;
  nextTime?: Dayjs | null;
}

const atTen = (d: Dayjs) => d.hour(10).minute(0).second(0).millisecond(0);
const PRESETS = [
  { key: 'tomorrow', days: 1 },
  { key: 'inThreeDays', days: 3 },
  { key: 'nextWeek', days: 7 },
] as const;

/** The planned next follow-up: the day picked at the time picked (10:00 when no time is), in the tenant's zone. */
function nextAt(day: Dayjs | null | undefined, time: Dayjs | null | undefined, timeZone: string): string | undefined {
  if (!day) return undefined;
  const at = time ?? atTen(day);
  return zonedIso({ year: day.year(), month: day.month() + 1, day: day.date(), hour: at.hour(), minute: at.minute() }, timeZone);
}

/**
 * Logs a follow-up on the open lead (a WeCom chat by default: the consultant is in one). The
 * request carries a client-made id so that a retried save is not recorded twice.
 */
export function FollowUpForm({ leadId }: { leadId: string }) {
  const t = useT(messages);
  const f = useFormat();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [requestId, setRequestId] = useState(() => crypto.randomUUID());
  const save = useMutation({
    mutationFn: (body: FollowUpCreate) => api.post(`/api/v1/leads/${leadId}/follow-ups`, followUpResultSchema, { body }),
    onSuccess: async () => {
      void message.success(t('followUpSaved'));
      form.resetFields();
      setRequestId(crypto.randomUUID());
      await client.invalidateQueries({ queryKey: [SIDEBAR_KEY] });
    },
  });

  const submit = (values: Values) => {
    const parsed = followUpCreateSchema.safeParse({
      id: requestId,
      kind: values.kind,
      note: values.note?.trim() || undefined,
      nextFollowUpAt: nextAt(values.nextDay, values.nextTime, f.timeZone),
    });
    if (!parsed.success) {
      void message.error(parsed.error.issues.map((i) => i.message).join('; '));
      return;
    }
    save.mutate(parsed.data);
  };

  // Today in the tenant's time zone, as a date-picker value.
  const today = dayjs(isoDay(new Date(), f.timeZone));
  return (
    <Card size="small" title={t('followUp')} data-testid="sidebar-followup">
      <Form<Values> form={form} size="small" layout="vertical" initialValues={{ kind: 'wecom_chat' }} onFinish={submit} requiredMark={false}>
        <Form.Item name="kind" label={t('followUpKind')} style={{ marginBottom: 8 }}>
          <Select options={FOLLOW_UP_KINDS.map((k) => ({ value: k, label: t(`kind.${k}`) }))} />
        </Form.Item>
        <Form.Item label={t('nextFollowUpAt')} style={{ marginBottom: 8 }}>
          <Flex gap={8}>
            <Form.Item name="nextDay" noStyle>
              <DatePicker aria-label={t('nextFollowUpAt')} style={{ flex: 1, minWidth: 0 }} disabledDate={(d) => d.isBefore(today, 'day')} placeholder={t('nextFollowUpDay')} />
            </Form.Item>
            <Form.Item name="nextTime" noStyle>
              <TimePicker aria-label={t('nextFollowUpTime')} format="HH:mm" minuteStep={15} needConfirm={false} style={{ flex: '0 0 96px' }} placeholder={t('nextFollowUpTime')} />
            </Form.Item>
          </Flex>
          <Flex gap={4} wrap style={{ marginTop: 4 }}>
            {PRESETS.map((p) => (
              <Button key={p.key} size="small" type="dashed" autoInsertSpace={false} onClick={() => form.setFieldsValue({ nextDay: today.add(p.days, 'day'), nextTime: atTen(today) })}>
                {t(p.key)}
              </Button>
            ))}
          </Flex>
        </Form.Item>
        <Form.Item name="note" label={t('followUpNote')} style={{ marginBottom: 8 }}>
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 5 }} maxLength={4000} placeholder={t('followUpNotePlaceholder')} />
        </Form.Item>
        {save.isError ? (
          <div style={{ marginBottom: 8 }}>
            <ErrorAlert error={save.error} />
          </div>
        ) : null}
        <Button type="primary" htmlType="submit" block autoInsertSpace={false} loading={save.isPending}>
          {t('saveFollowUp')}
        </Button>
      </Form>
    </Card>
  );
}
