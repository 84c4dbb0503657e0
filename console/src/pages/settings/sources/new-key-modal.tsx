import { Alert, Button, Descriptions, Modal, Typography } from 'antd';
import { useFormat } from '../../../format-hooks';
import { useT } from '../../../i18n';
import type { NewWriteKey } from './api';
import { messages } from './messages';

/**
 * The one moment a write key is visible: the server keeps only its hash. The modal closes only by its
 * button, and the key leaves the page's state when it does.
 */
export function NewKeyModal({ created, sourceName, onClose }: { created: NewWriteKey | null; sourceName: string; onClose: () => void }) {
  const t = useT(messages);
  const f = useFormat();
  return (
    <Modal
      open={created !== null}
      title={t('newKeyTitle')}
      maskClosable={false}
      keyboard={false}
      closable={false}
      width={640}
      footer={
        <Button type="primary" onClick={onClose}>
          {t('copied')}
        </Button>
      }
    >
      {created ? (
        <div data-testid="settings-new-key">
          <Alert type="warning" showIcon message={t('newKeyWarning')} description={t('newKeyWarningText')} style={{ marginBottom: 16 }} />
          <Typography.Paragraph type="secondary">{t('newKeyFor', { name: sourceName })}</Typography.Paragraph>
          <Typography.Paragraph
            copyable={{ text: created.key }}
            code
            data-testid="settings-new-key-value"
            aria-label={t('keyLabel')}
            style={{ fontSize: 15, wordBreak: 'break-all' }}
          >
            {created.key}
          </Typography.Paragraph>
          <Descriptions size="small" column={1} bordered>
            <Descriptions.Item label={t('prefix')}>{created.prefix}</Descriptions.Item>
            <Descriptions.Item label={t('keyId')}>{created.id}</Descriptions.Item>
            <Descriptions.Item label={t('createdAt')}>{f.dateTime(created.createdAt)}</Descriptions.Item>
          </Descriptions>
        </div>
      ) : null}
    </Modal>
  );
}
