import { Alert, Button, Form, Input, Modal, Space } from 'antd';
import { useEffect } from 'react';
import { ErrorAlert } from '../../../components/page-state';
import { common } from '../../../i18n/common';
import { useT } from '../../../i18n';
import { randomPassword, useResetPassword, type Staff } from './api';
import { messages } from './messages';

/** Sets a new password for someone: it unlocks the account and ends their sessions. */
export function PasswordModal({ staff, onClose, onDone }: { staff: Staff | null; onClose: () => void; onDone: () => void }) {
  const t = useT(messages);
  const c = useT(common);
  const [form] = Form.useForm<{ password: string }>();
  const reset = useResetPassword();
  useEffect(() => {
    if (!staff) return;
    reset.reset();
    form.setFieldsValue({ password: randomPassword() });
    // Only when the modal opens for someone.
  }, [staff]);
  return (
    <Modal
      open={staff !== null}
      title={staff ? t('resetPasswordTitle', { name: staff.name }) : ''}
      okText={t('resetPassword')}
      cancelText={c('cancel')}
      okButtonProps={{ danger: true }}
      confirmLoading={reset.isPending}
      onCancel={onClose}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      <Alert type="warning" showIcon message={t('resetPasswordHint')} style={{ marginBottom: 16 }} />
      <Form form={form} layout="vertical" onFinish={(v) => staff && reset.mutate({ id: staff.id, password: v.password }, { onSuccess: onDone })} autoComplete="off">
        <Form.Item label={t('newPassword')} extra={t('passwordHint')} required>
          <Space.Compact style={{ width: '100%' }}>
            <Form.Item name="password" noStyle rules={[{ required: true, min: 10, pattern: /^(?=.*\p{L})(?=.*\d).+$/u, message: t('passwordHint') }]}>
              <Input aria-label={t('newPassword')} maxLength={200} />
            </Form.Item>
            <Button onClick={() => form.setFieldValue('password', randomPassword())}>{t('generate')}</Button>
          </Space.Compact>
        </Form.Item>
      </Form>
      <ErrorAlert error={reset.error} />
    </Modal>
  );
}
