import { Col, Form, Input, InputNumber, Modal, Row, Switch } from 'antd';
import { useEffect } from 'react';
import { ORG_UNIT_TYPES } from '@contracts/org';
import { ErrorAlert } from '../../../components/page-state';
import { common } from '../../../i18n/common';
import { useT } from '../../../i18n';
import { useCreateOrgUnit, useUpdateOrgUnit, type OrgUnit } from './api';
import { messages } from './messages';
import { UnitTreeSelect } from './unit-tree-select';
import { FormSelect } from '../../../components/form-select';

type UnitType = (typeof ORG_UNIT_TYPES)[number];
interface Values {
  code: string;
  type: UnitType;
  parentCode?: string;
  name: string;
  city?: string;
  province?: string;
  latitude?: number | null;
  longitude?: number | null;
  capacity?: number | null;
  series?: string[];
  active: boolean;
}

/** The type one level below a parent's (hq → region → dealer group → dealer → team). */
function childType(parent: OrgUnit | undefined): UnitType {
  if (!parent) return 'hq';
  const i = ORG_UNIT_TYPES.indexOf(parent.type);
  return ORG_UNIT_TYPES[Math.min(i + 1, ORG_UNIT_TYPES.length - 1)] ?? 'team';
}

const text = (v: string | undefined) => (v && v.trim() !== '' ? v.trim() : null);

export type UnitFormMode = { kind: 'create'; parent?: OrgUnit } | { kind: 'edit'; unit: OrgUnit };

/** Creates a unit (under `parent`, if given) or edits one; a changed parent moves the unit. */
export function UnitForm({ mode, units, onClose, onSaved }: { mode: UnitFormMode | null; units: readonly OrgUnit[]; onClose: () => void; onSaved: (unit: OrgUnit) => void }) {
  const t = useT(messages);
  const c = useT(common);
  const [form] = Form.useForm<Values>();
  const create = useCreateOrgUnit();
  const update = useUpdateOrgUnit();
  const editing = mode?.kind === 'edit' ? mode.unit : null;
  const type = Form.useWatch('type', form);

  useEffect(() => {
    if (!mode) return;
    create.reset();
    update.reset();
    form.resetFields();
    if (mode.kind === 'edit') {
      const u = mode.unit;
      form.setFieldsValue({ ...u, parentCode: u.parentCode ?? undefined, city: u.city ?? undefined, province: u.province ?? undefined, series: u.series ?? [] });
    } else {
      form.setFieldsValue({ type: childType(mode.parent), parentCode: mode.parent?.code, active: true, series: [] });
    }
    // Only when the modal opens.
  }, [mode]);

  const submit = (v: Values) => {
    const fields = {
      name: v.name.trim(),
      city: text(v.city),
      province: text(v.province),
      latitude: v.latitude ?? null,
      longitude: v.longitude ?? null,
      capacity: v.capacity ?? null,
      series: v.series && v.series.length > 0 ? v.series : null,
    };
    if (editing) {
      const moved = v.parentCode && v.parentCode !== editing.parentCode ? { parentCode: v.parentCode } : {};
      update.mutate({ code: editing.code, body: { ...fields, ...moved, active: v.active } }, { onSuccess: onSaved });
    } else {
      create.mutate({ ...fields, code: v.code.trim(), type: v.type, parentCode: v.parentCode ?? null }, { onSuccess: onSaved });
    }
  };

  const dealerish = (editing?.type ?? type) === 'dealer';
  const pending = create.isPending || update.isPending;
  return (
    <Modal
      open={mode !== null}
      title={editing ? t('editUnit', { name: editing.name }) : t('newUnit')}
      okText={c('save')}
      cancelText={c('cancel')}
      confirmLoading={pending}
      onCancel={onClose}
      onOk={() => form.submit()}
      width={680}
      destroyOnHidden
    >
      <Form<Values> form={form} layout="vertical" onFinish={submit} autoComplete="off">
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name="code" label={t('code')} extra={editing ? undefined : t('codeHint')} rules={[{ required: !editing, pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, message: t('codeHint') }]}>
              <Input disabled={editing !== null} maxLength={64} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="type" label={t('type')} rules={[{ required: true, message: t('required') }]}>
              <FormSelect disabled={editing !== null} options={ORG_UNIT_TYPES.map((ty) => ({ value: ty, label: t(`type.${ty}`) }))} />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item name="name" label={t('name')} rules={[{ required: true, whitespace: true, message: t('required') }]}>
              <Input maxLength={200} />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item name="parentCode" label={t('parent')} extra={editing ? t('parentHint') : undefined} rules={[{ required: (editing?.type ?? type) !== 'hq', message: t('required') }]}>
              <UnitTreeSelect units={units.filter((u) => u.code !== editing?.code)} ariaLabel={t('parent')} allowClear={!editing} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="province" label={t('province')}>
              <Input maxLength={100} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="city" label={t('city')}>
              <Input maxLength={100} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="latitude" label={t('latitude')}>
              <InputNumber min={-90} max={90} step={0.0001} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="longitude" label={t('longitude')}>
              <InputNumber min={-180} max={180} step={0.0001} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          {dealerish ? (
            <>
              <Col span={12}>
                <Form.Item name="capacity" label={t('capacity')} tooltip={t('capacityHint')}>
                  <InputNumber min={0} max={1000000} precision={0} style={{ width: '100%' }} />
                </Form.Item>
              </Col>
              <Col span={24}>
                <Form.Item name="series" label={t('series')} extra={t('seriesHint')}>
                  <FormSelect mode="tags" open={false} tokenSeparators={[',', '，']} aria-label={t('series')} />
                </Form.Item>
              </Col>
            </>
          ) : null}
          {editing ? (
            <Col span={12}>
              <Form.Item name="active" label={t('active')} valuePropName="checked">
                <Switch />
              </Form.Item>
            </Col>
          ) : null}
        </Row>
      </Form>
      <ErrorAlert error={create.error ?? update.error} />
    </Modal>
  );
}
