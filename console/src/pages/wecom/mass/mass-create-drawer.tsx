import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, Radio, Select, Space } from 'antd';
import { useNavigate } from 'react-router';
import type { z } from 'zod';
import { WECOM_MASS_ATTACHMENTS_MAX, WECOM_MASS_TEXT_MAX, wecomMassCreateSchema, wecomMassDetailSchema } from '@contracts/wecom-mass';
import { api } from '../../../api/client';
import { useT } from '../../../i18n';
import { FormDrawer, useContractCheck } from '../shared/form-drawer';
import { wecomShared } from '../shared/messages';
import { ConnectorSelect } from '../shared/pickers';
import { useSegments, useTags, wecomKeys } from '../shared/refs';
import { messages } from './messages';

type MassCreateInput = z.input<typeof wecomMassCreateSchema>;

interface LinkCard {
  title?: string;
  url?: string;
  desc?: string;
}

interface MassFormValues {
  connectorId?: string;
  name?: string;
  audienceKind: 'segment' | 'tag';
  segmentId?: string;
  tagId?: string;
  text?: string;
  attachments?: LinkCard[];
  idempotencyKey?: string;
}

const blank = (s: string | undefined) => (s === undefined || s.trim() === '' ? undefined : s.trim());

function toInput(v: MassFormValues): MassCreateInput {
  const cards = (v.attachments ?? []).map((a) => ({ type: 'link' as const, title: a.title ?? '', url: a.url ?? '', desc: blank(a.desc) }));
  return {
    connectorId: v.connectorId ?? '',
    name: v.name ?? '',
    audience: v.audienceKind === 'segment' ? { segmentId: v.segmentId ?? '' } : { tagId: v.tagId ?? '' },
    content: { text: blank(v.text), attachments: cards.length > 0 ? cards : undefined },
    idempotencyKey: blank(v.idempotencyKey),
  };
}

/** A searchable pick list; only value, onChange and id come from the form item, so no ARIA state lands on the wrapper element. */
function ListSelect({
  value,
  onChange,
  id,
  options,
  loading,
  placeholder,
  ariaLabel,
}: {
  value?: string;
  onChange?: (v: string) => void;
  id?: string;
  options: { value: string; label: string }[];
  loading: boolean;
  placeholder: string;
  ariaLabel: string;
}) {
  return (
    <Select
      id={id}
      value={value}
      onChange={onChange}
      showSearch
      optionFilterProp="label"
      loading={loading}
      placeholder={placeholder}
      aria-label={ariaLabel}
      options={options}
    />
  );
}

function AudiencePicker({ kind }: { kind: unknown }) {
  const t = useT(messages);
  const ts = useT(wecomShared);
  const segments = useSegments();
  const tags = useTags();
  const required = [{ required: true, message: ts('required') }];
  const failed = kind === 'segment' ? segments.error : tags.error;
  return (
    <>
      {failed ? <Alert type="warning" showIcon message={t('audienceUnavailable', { error: failed.message })} /> : null}
      {kind === 'segment' ? (
        <Form.Item name="segmentId" label={t('segment')} rules={required}>
          <ListSelect
            loading={segments.isPending}
            placeholder={t('segmentPlaceholder')}
            ariaLabel={t('segment')}
            options={(segments.data?.data ?? []).map((s) => ({ value: s.id, label: `${s.name} (${s.memberCount})` }))}
          />
        </Form.Item>
      ) : (
        <Form.Item name="tagId" label={t('tag')} rules={required}>
          <ListSelect
            loading={tags.isPending}
            placeholder={t('tagPlaceholder')}
            ariaLabel={t('tag')}
            options={(tags.data?.data ?? []).map((tg) => ({ value: tg.id, label: tg.name }))}
          />
        </Form.Item>
      )}
    </>
  );
}

export function MassCreateDrawer({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useT(messages);
  const ts = useT(wecomShared);
  const { message } = App.useApp();
  const client = useQueryClient();
  const navigate = useNavigate();
  const [form] = Form.useForm<MassFormValues>();
  const { issues, check } = useContractCheck();
  const audienceKind: unknown = Form.useWatch('audienceKind', form);
  const create = useMutation({
    mutationFn: (body: MassCreateInput) => api.post('/api/v1/wecom/mass-messages', wecomMassDetailSchema, { body }),
    onSuccess: async (task) => {
      client.setQueryData(wecomKeys.massTask(task.id), task);
      await client.invalidateQueries({ queryKey: ['wecom', 'mass'] });
      message.success(t('created'));
      // The new page replaces this one, the drawer with it.
      void navigate(`/wecom/mass/${task.id}`);
    },
    onError: (e) => message.error(e.message),
  });
  const required = [{ required: true, message: ts('required') }];

  const submit = (values: MassFormValues) => {
    const input = toInput(values);
    if (check(wecomMassCreateSchema, input)) create.mutate(input);
  };

  return (
    <FormDrawer
      title={t('newTask')}
      open={open}
      onClose={onClose}
      onSave={() => form.submit()}
      saving={create.isPending}
      issues={issues}
      error={create.error}
      notices={<Alert type="info" showIcon message={ts('wecomMayFail')} />}
    >
      <Form<MassFormValues> form={form} layout="vertical" onFinish={submit} initialValues={{ audienceKind: 'segment' }}>
        <Form.Item name="connectorId" label={ts('connector')} rules={required}>
          <ConnectorSelect />
        </Form.Item>
        <Form.Item name="name" label={t('name')} rules={required}>
          <Input maxLength={100} aria-label={t('name')} />
        </Form.Item>
        <Form.Item name="audienceKind" label={t('audienceKind')}>
          <Radio.Group
            aria-label={t('audienceKind')}
            options={[
              { value: 'segment', label: t('segment') },
              { value: 'tag', label: t('tag') },
            ]}
          />
        </Form.Item>
        <AudiencePicker kind={audienceKind} />
        <Form.Item name="text" label={t('text')}>
          <Input.TextArea rows={5} maxLength={WECOM_MASS_TEXT_MAX} showCount aria-label={t('text')} />
        </Form.Item>
        <Form.List name="attachments">
          {(fields, { add, remove }) => (
            <Form.Item label={t('attachments')}>
              <Space direction="vertical" style={{ width: '100%' }}>
                {fields.map((field) => (
                  <Card
                    key={field.key}
                    size="small"
                    extra={<Button type="text" danger icon={<DeleteOutlined />} aria-label={t('removeAttachment')} onClick={() => remove(field.name)} />}
                  >
                    <Form.Item name={[field.name, 'title']} label={ts('linkTitle')} rules={required}>
                      <Input maxLength={128} aria-label={ts('linkTitle')} />
                    </Form.Item>
                    <Form.Item name={[field.name, 'url']} label={ts('linkUrl')} rules={[...required, { type: 'url', message: ts('linkUrl') }]}>
                      <Input placeholder={ts('urlPlaceholder')} aria-label={ts('linkUrl')} />
                    </Form.Item>
                    <Form.Item name={[field.name, 'desc']} label={ts('linkDesc')} style={{ marginBottom: 0 }}>
                      <Input maxLength={512} aria-label={ts('linkDesc')} />
                    </Form.Item>
                  </Card>
                ))}
                {fields.length < WECOM_MASS_ATTACHMENTS_MAX ? (
                  <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({})} block>
                    {t('addAttachment')}
                  </Button>
                ) : null}
              </Space>
            </Form.Item>
          )}
        </Form.List>
        <Form.Item name="idempotencyKey" label={t('idempotencyKey')} extra={t('idempotencyHelp')}>
          <Input maxLength={100} aria-label={t('idempotencyKey')} />
        </Form.Item>
      </Form>
    </FormDrawer>
  );
}
