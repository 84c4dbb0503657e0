import { Alert, Checkbox, Form, Input, Modal, Typography } from 'antd';
import { useState } from 'react';
import { DOMAIN_CLASSES, SOURCE_KINDS, type DomainClass, type SourceKind } from '@contracts/tenancy';
import { common } from '../../../i18n/common';
import { useT } from '../../../i18n';
import { ErrorAlert } from '../../../components/page-state';
import { useCreateSource, useIssueKey, type NewWriteKey, type Source } from './api';
import { messages } from './messages';
import { FormSelect } from '../../../components/form-select';

interface SourceFormValues {
  name: string;
  kind: SourceKind;
  domainClass?: DomainClass;
}

/** Creates a source; the server answers it with its first write key, handed to `onCreated` to show once. */
export function SourceCreateModal({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (source: Source, key: NewWriteKey) => void }) {
  const t = useT(messages);
  const c = useT(common);
  const [form] = Form.useForm<SourceFormValues>();
  const create = useCreateSource();
  const close = () => {
    form.resetFields();
    create.reset();
    onClose();
  };
  return (
    <Modal
      open={open}
      title={t('newSource')}
      okText={c('create')}
      cancelText={c('cancel')}
      confirmLoading={create.isPending}
      onCancel={close}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      <Form<SourceFormValues>
        form={form}
        layout="vertical"
        onFinish={(values) =>
          create.mutate(values, {
            onSuccess: (created) => {
              form.resetFields();
              onCreated(created.source, created.writeKey);
            },
          })
        }
      >
        <Form.Item name="name" label={t('name')} rules={[{ required: true, whitespace: true, message: t('nameRequired') }]}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="kind" label={t('kind')} rules={[{ required: true, message: t('kindRequired') }]}>
          <FormSelect options={SOURCE_KINDS.map((k) => ({ value: k, label: t(`kind.${k}`) }))} />
        </Form.Item>
        <Form.Item name="domainClass" label={t('domainClass')} extra={t('domainClassHint')}>
          <FormSelect allowClear placeholder={t('domainClassAuto')} options={DOMAIN_CLASSES.map((d) => ({ value: d, label: c(`domain.${d}`) }))} />
        </Form.Item>
      </Form>
      <ErrorAlert error={create.error} />
    </Modal>
  );
}

/** Issues another key for a source, optionally revoking the others (rotation). */
export function IssueKeyModal({ source, onClose, onIssued }: { source: Source | null; onClose: () => void; onIssued: (key: NewWriteKey) => void }) {
  const t = useT(messages);
  const c = useT(common);
  const [rotate, setRotate] = useState(false);
  const issue = useIssueKey();
  const close = () => {
    setRotate(false);
    issue.reset();
    onClose();
  };
  return (
    <Modal
      open={source !== null}
      title={source ? t('issueKeyTitle', { name: source.name }) : ''}
      okText={t('issue')}
      cancelText={c('cancel')}
      okButtonProps={{ danger: rotate }}
      confirmLoading={issue.isPending}
      onCancel={close}
      onOk={() => {
        if (!source) return;
        issue.mutate(
          { sourceId: source.id, revokeExisting: rotate },
          {
            onSuccess: (key) => {
              setRotate(false);
              onIssued(key);
            },
          },
        );
      }}
    >
      <Checkbox checked={rotate} onChange={(e) => setRotate(e.target.checked)}>
        {t('rotate')}
      </Checkbox>
      {rotate ? <Alert type="warning" showIcon message={t('rotateHint')} style={{ marginTop: 12 }} /> : <Typography.Paragraph />}
      <ErrorAlert error={issue.error} />
    </Modal>
  );
}
