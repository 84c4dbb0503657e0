import { Col, Form, Input, InputNumber, Modal, Row, Switch } from 'antd';
import { useEffect } from 'react';
import { NORMALIZERS } from '@contracts/identity';
import { ErrorAlert } from '../../../components/page-state';
import { common } from '../../../i18n/common';
import { useT } from '../../../i18n';
import { usePutIdentifierType, type IdentifierType, type IdentifierTypeUpsert } from './api';
import { messages } from './messages';
import { FormSelect } from '../../../components/form-select';

type Normalizer = (typeof NORMALIZERS)[number];
interface Values {
  type: string;
  priority: number;
  maxPerProfile: number;
  merges: boolean;
  scoped: boolean;
  normalizer: Normalizer;
  traitNames: string[];
  reassignAfterDays: number | null;
}

const isNormalizer = (v: string): v is Normalizer => NORMALIZERS.some((n) => n === v);

/** Edits an identifier type (built-in or custom) or adds a custom one (`editing` null). */
export function TypeForm({ open, editing, onClose, onSaved }: { open: boolean; editing: IdentifierType | null; onClose: () => void; onSaved: () => void }) {
  const t = useT(messages);
  const c = useT(common);
  const [form] = Form.useForm<Values>();
  const put = usePutIdentifierType();

  useEffect(() => {
    if (!open) return;
    put.reset();
    form.resetFields();
    form.setFieldsValue(
      editing
        ? { ...editing, normalizer: isNormalizer(editing.normalizer) ? editing.normalizer : 'exact' }
        : { type: '', priority: 50, maxPerProfile: 1, merges: true, scoped: false, normalizer: 'exact', traitNames: [], reassignAfterDays: null },
    );
    // Only when the modal opens, with the type it opens for.
  }, [open, editing]);

  const submit = (v: Values) => {
    const body: IdentifierTypeUpsert = {
      priority: v.priority,
      maxPerProfile: v.maxPerProfile,
      merges: v.merges,
      scoped: v.scoped,
      normalizer: v.normalizer,
      traitNames: v.traitNames,
      reassignAfterDays: v.reassignAfterDays ?? null,
    };
    put.mutate({ type: editing?.type ?? v.type.trim(), body }, { onSuccess: onSaved });
  };

  return (
    <Modal
      open={open}
      title={editing ? t('editType', { type: editing.type }) : t('newType')}
      okText={c('save')}
      cancelText={c('cancel')}
      confirmLoading={put.isPending}
      onCancel={onClose}
      onOk={() => form.submit()}
      width={640}
      destroyOnHidden
    >
      <Form<Values> form={form} layout="vertical" onFinish={submit} autoComplete="off">
        {editing ? null : (
          <Form.Item name="type" label={t('type')} extra={t('typeHint')} rules={[{ required: true, pattern: /^[a-z][a-z0-9_]{0,62}$/, message: t('typeHint') }]}>
            <Input maxLength={63} />
          </Form.Item>
        )}
        <Row gutter={16}>
          <Col span={8}>
            <Form.Item name="priority" label={t('priority')} tooltip={t('priorityHint')} rules={[{ required: true, message: t('required') }]}>
              <InputNumber min={0} max={1000} precision={0} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="maxPerProfile" label={t('maxPerProfile')} tooltip={t('maxPerProfileHint')} rules={[{ required: true, message: t('required') }]}>
              <InputNumber min={1} max={1000} precision={0} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="normalizer" label={t('normalizer')} rules={[{ required: true, message: t('required') }]}>
              <FormSelect options={NORMALIZERS.map((n) => ({ value: n, label: t(`normalizer.${n}`) }))} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="merges" label={t('merges')} tooltip={t('mergesHint')} valuePropName="checked">
              <Switch />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="scoped" label={t('scoped')} tooltip={t('scopedHint')} valuePropName="checked">
              <Switch />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="reassignAfterDays" label={t('reassignAfterDays')} tooltip={t('reassignAfterDaysHint')}>
              <InputNumber min={1} max={36500} precision={0} placeholder={t('never')} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="traitNames" label={t('traitNames')} extra={t('traitNamesHint')}>
          <FormSelect mode="tags" open={false} tokenSeparators={[',', ' ']} aria-label={t('traitNames')} />
        </Form.Item>
      </Form>
      <ErrorAlert error={put.error} />
    </Modal>
  );
}
