import { Form, Input, Modal } from 'antd';
import { useEffect } from 'react';
import { ErrorAlert } from '../../../components/page-state';
import { common } from '../../../i18n/common';
import { useT } from '../../../i18n';
import { useSaveWecom, type WecomConnector } from './api';
import { messages } from './messages';

interface Values {
  corpId: string;
  agentId: string;
  secret?: string;
  token?: string;
  encodingAESKey?: string;
  apiBaseUrl?: string;
}

/** Blank secret fields: left out, so that the server keeps what it stored. */
const given = (v: string | undefined) => (v && v.trim() !== '' ? v.trim() : undefined);

/**
 * Creates or edits a WeCom connector. The secret, token and EncodingAESKey are write-only: the form
 * never shows them, and on edit an empty field keeps the stored value.
 */
export function WecomForm({ open, editing, onClose, onSaved }: { open: boolean; editing: WecomConnector | null; onClose: () => void; onSaved: () => void }) {
  const t = useT(messages);
  const c = useT(common);
  const [form] = Form.useForm<Values>();
  const save = useSaveWecom();
  const isNew = editing === null;

  useEffect(() => {
    if (!open) return;
    save.reset();
    form.resetFields();
    if (editing) form.setFieldsValue({ corpId: editing.corpId, agentId: editing.agentId, apiBaseUrl: editing.apiBaseUrl });
    // Only when the modal opens (or opens for another connector): not on every render of the mutation.
  }, [open, editing]);

  const submit = (v: Values) => {
    const base = { corpId: v.corpId.trim(), agentId: v.agentId.trim(), apiBaseUrl: given(v.apiBaseUrl) };
    const secrets = { secret: given(v.secret), token: given(v.token), encodingAESKey: given(v.encodingAESKey) };
    const input = editing
      ? { id: editing.id, body: { ...base, ...secrets } }
      : { id: null, body: { ...base, secret: secrets.secret ?? '', token: secrets.token ?? '', encodingAESKey: secrets.encodingAESKey ?? '' } };
    save.mutate(input, { onSuccess: onSaved });
  };

  const secretRules = isNew ? [{ required: true, message: t('required') }] : [];
  const secretExtra = isNew ? t('secretWriteOnly') : t('secretKeep');
  return (
    <Modal
      open={open}
      title={isNew ? t('wecomNew') : t('wecomEdit')}
      okText={c('save')}
      cancelText={c('cancel')}
      confirmLoading={save.isPending}
      onCancel={onClose}
      onOk={() => form.submit()}
      width={600}
      destroyOnHidden
    >
      <Form<Values> form={form} layout="vertical" onFinish={submit} autoComplete="off">
        <Form.Item name="corpId" label={t('corpId')} rules={[{ required: true, whitespace: true, message: t('required') }]}>
          <Input placeholder={t('corpIdExample')} maxLength={64} />
        </Form.Item>
        <Form.Item name="agentId" label={t('agentId')} rules={[{ required: true, whitespace: true, message: t('required') }]}>
          <Input placeholder={t('agentIdExample')} maxLength={20} />
        </Form.Item>
        <Form.Item name="secret" label={t('secret')} rules={secretRules} extra={secretExtra}>
          <Input.Password autoComplete="new-password" maxLength={128} />
        </Form.Item>
        <Form.Item name="token" label={t('token')} rules={secretRules} extra={secretExtra}>
          <Input.Password autoComplete="new-password" maxLength={32} />
        </Form.Item>
        <Form.Item name="encodingAESKey" label={t('encodingAESKey')} rules={secretRules} extra={secretExtra}>
          <Input.Password autoComplete="new-password" maxLength={43} />
        </Form.Item>
        <Form.Item name="apiBaseUrl" label={t('apiBaseUrl')} extra={t('apiBaseUrlHint')}>
          <Input placeholder={t('apiBaseUrlExample')} maxLength={500} />
        </Form.Item>
      </Form>
      <ErrorAlert error={save.error} />
    </Modal>
  );
}
