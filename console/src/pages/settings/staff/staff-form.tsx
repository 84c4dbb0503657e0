import { Alert, Button, Col, Form, Input, InputNumber, Modal, Row, Space } from 'antd';
import { useEffect } from 'react';
import { STAFF_ROLES } from '@contracts/org';
import { hasRole, useMe } from '../../../auth/session';
import { ErrorAlert } from '../../../components/page-state';
import { common } from '../../../i18n/common';
import { useT } from '../../../i18n';
import type { OrgUnit } from '../org/api';
import { UnitTreeSelect } from '../org/unit-tree-select';
import { randomPassword, useCreateStaff, useUpdateStaff, type Role, type Staff, type StaffUpdate } from './api';
import { messages } from './messages';
import { FormSelect } from '../../../components/form-select';

interface Values {
  username: string;
  password: string;
  name: string;
  role: Role;
  orgUnitCode: string;
  wecomUserId?: string;
  phone?: string;
  maxOpenLeads?: number | null;
}

/** Roles a dealer manager may give (the API checks it too). */
const DEALER_MANAGED: readonly Role[] = ['consultant', 'service_advisor'];
const text = (v: string | undefined) => (v && v.trim() !== '' ? v.trim() : null);

/**
 * Creates a staff member (`editing` null) or changes one. Only changed fields are sent: the API
 * audits role, unit and WeCom changes, and only admins may send a WeCom user id at all.
 */
export function StaffForm({ open, editing, units, defaultUnit, onClose, onSaved }: { open: boolean; editing: Staff | null; units: readonly OrgUnit[]; defaultUnit?: string; onClose: () => void; onSaved: () => void }) {
  const t = useT(messages);
  const c = useT(common);
  const me = useMe();
  const isAdmin = hasRole(me, ['admin']);
  const [form] = Form.useForm<Values>();
  const create = useCreateStaff();
  const update = useUpdateStaff();
  const roles = isAdmin ? STAFF_ROLES : DEALER_MANAGED;

  useEffect(() => {
    if (!open) return;
    create.reset();
    update.reset();
    form.resetFields();
    if (editing) {
      form.setFieldsValue({ ...editing, wecomUserId: editing.wecomUserId ?? undefined, phone: editing.phone ?? undefined });
    } else {
      form.setFieldsValue({ role: 'consultant', orgUnitCode: defaultUnit, password: randomPassword() });
    }
    // Only when the modal opens.
  }, [open, editing]);

  const submit = (v: Values) => {
    if (!editing) {
      create.mutate(
        {
          username: v.username.trim(),
          password: v.password,
          name: v.name.trim(),
          role: v.role,
          orgUnitCode: v.orgUnitCode,
          wecomUserId: isAdmin ? text(v.wecomUserId) : undefined,
          phone: text(v.phone),
          maxOpenLeads: v.maxOpenLeads ?? null,
        },
        { onSuccess: onSaved },
      );
      return;
    }
    const body: StaffUpdate = {};
    if (v.name.trim() !== editing.name) body.name = v.name.trim();
    if (v.role !== editing.role) body.role = v.role;
    if (v.orgUnitCode !== editing.orgUnitCode) body.orgUnitCode = v.orgUnitCode;
    if (isAdmin && text(v.wecomUserId) !== editing.wecomUserId) body.wecomUserId = text(v.wecomUserId);
    if (text(v.phone) !== editing.phone) body.phone = text(v.phone);
    if ((v.maxOpenLeads ?? null) !== editing.maxOpenLeads) body.maxOpenLeads = v.maxOpenLeads ?? null;
    if (Object.keys(body).length === 0) onClose();
    else update.mutate({ id: editing.id, body }, { onSuccess: onSaved });
  };

  return (
    <Modal
      open={open}
      title={editing ? t('editStaff', { name: editing.name }) : t('newStaff')}
      okText={c('save')}
      cancelText={c('cancel')}
      confirmLoading={create.isPending || update.isPending}
      onCancel={onClose}
      onOk={() => form.submit()}
      width={680}
      destroyOnHidden
    >
      {editing ? <Alert type="info" showIcon message={t('sessionNote')} style={{ marginBottom: 16 }} /> : null}
      <Form<Values> form={form} layout="vertical" onFinish={submit} autoComplete="off">
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name="name" label={t('name')} rules={[{ required: true, whitespace: true, message: t('required') }]}>
              <Input maxLength={200} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="username" label={t('username')} extra={editing ? undefined : t('usernameHint')} rules={editing ? [] : [{ required: true, pattern: /^[A-Za-z0-9][A-Za-z0-9_.@-]{2,63}$/, message: t('usernameHint') }]}>
              <Input disabled={editing !== null} maxLength={64} />
            </Form.Item>
          </Col>
          {editing ? null : (
            <Col span={24}>
              <Form.Item label={t('password')} extra={t('passwordHint')} required>
                <Space.Compact style={{ width: '100%' }}>
                  <Form.Item name="password" noStyle rules={[{ required: true, min: 10, pattern: /^(?=.*\p{L})(?=.*\d).+$/u, message: t('passwordHint') }]}>
                    <Input aria-label={t('password')} maxLength={200} />
                  </Form.Item>
                  <Button onClick={() => form.setFieldValue('password', randomPassword())}>{t('generate')}</Button>
                </Space.Compact>
              </Form.Item>
            </Col>
          )}
          <Col span={12}>
            <Form.Item name="role" label={t('role')} rules={[{ required: true, message: t('required') }]}>
              <FormSelect options={roles.map((r) => ({ value: r, label: c(`role.${r}`) }))} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="orgUnitCode" label={t('unit')} rules={[{ required: true, message: t('required') }]}>
              <UnitTreeSelect units={units} ariaLabel={t('unit')} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="phone" label={t('phone')}>
              <Input maxLength={32} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="maxOpenLeads" label={t('maxOpenLeads')} tooltip={t('maxOpenLeadsHint')}>
              <InputNumber min={0} max={100000} precision={0} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          {isAdmin ? (
            <Col span={24}>
              <Form.Item name="wecomUserId" label={t('wecomUserId')} extra={t('wecomHint')}>
                <Input maxLength={64} />
              </Form.Item>
            </Col>
          ) : null}
        </Row>
      </Form>
      <ErrorAlert error={create.error ?? update.error} />
    </Modal>
  );
}
