import { Form, Input, Modal } from 'antd';
import { useNavigate } from 'react-router';
import { common } from '../../../i18n/common';
import { useT } from '../../../i18n';
import type { StageModel } from './api';
import { messages } from './messages';

/** Asks for the new model's key, then opens the editor on it (the model is created on its first save). */
export function NewModelModal({ open, models, onClose }: { open: boolean; models: readonly StageModel[]; onClose: () => void }) {
  const t = useT(messages);
  const c = useT(common);
  const navigate = useNavigate();
  const [form] = Form.useForm<{ key: string }>();
  return (
    <Modal open={open} title={t('newModel')} okText={t('create')} cancelText={c('cancel')} onCancel={onClose} onOk={() => form.submit()} destroyOnHidden>
      <Form form={form} layout="vertical" onFinish={(v) => void navigate(`/settings/stages/${v.key.trim()}?new=1`)} autoComplete="off">
        <Form.Item
          name="key"
          label={t('key')}
          extra={t('keyHint')}
          rules={[
            { required: true, pattern: /^[a-z][a-z0-9_]{0,62}$/, message: t('keyHint') },
            { validator: (_, value: string | undefined) => (models.some((m) => m.key === value?.trim()) ? Promise.reject(new Error(t('keyTaken'))) : Promise.resolve()) },
          ]}
        >
          <Input maxLength={63} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
