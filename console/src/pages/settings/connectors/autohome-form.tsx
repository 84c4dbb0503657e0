import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Form, Input, Modal, Space, Tabs } from 'antd';
import { useEffect } from 'react';
import { ErrorAlert } from '../../../components/page-state';
import { common } from '../../../i18n/common';
import { useT } from '../../../i18n';
import { useSaveAutohome, type Autohome } from './api';
import { messages } from './messages';

interface Row {
  id?: string;
  value?: string;
}
interface Values {
  dealers: Row[];
  series: Row[];
  models: Row[];
}
type MapName = keyof Values;

const toRows = (map: Record<string, string> | undefined): Row[] => Object.entries(map ?? {}).map(([id, value]) => ({ id, value }));
/** Rows with both an id and a value; the rest are unfinished lines the user left. */
const toMap = (rows: Row[] | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const r of rows ?? []) {
    const id = r.id?.trim();
    const value = r.value?.trim();
    if (id && value) out[id] = value;
  }
  return out;
};

function MapRows({ name, idLabel, valueLabel }: { name: MapName; idLabel: string; valueLabel: string }) {
  const t = useT(messages);
  return (
    <Form.List name={name}>
      {(fields, { add, remove }) => (
        <div style={{ maxHeight: 420, overflowY: 'auto', paddingRight: 8 }}>
          {fields.map((field, i) => (
            <Space key={field.key} align="baseline" style={{ display: 'flex' }}>
              <Form.Item name={[field.name, 'id']} rules={[{ required: true, whitespace: true, message: t('required') }]}>
                <Input placeholder={idLabel} aria-label={`${idLabel} ${i + 1}`} maxLength={100} style={{ width: 220 }} />
              </Form.Item>
              <Form.Item name={[field.name, 'value']} rules={[{ required: true, whitespace: true, message: t('required') }]}>
                <Input placeholder={valueLabel} aria-label={`${valueLabel} ${i + 1}`} maxLength={200} style={{ width: 260 }} />
              </Form.Item>
              <Button type="text" danger icon={<DeleteOutlined />} aria-label={t('removeRow')} title={t('removeRow')} onClick={() => remove(field.name)} />
            </Space>
          ))}
          <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({})}>
            {t('addRow')}
          </Button>
        </div>
      )}
    </Form.List>
  );
}

/** Replaces the Autohome id maps (dealer_id → dealer code, series_id → series, spec_id → model). */
export function AutohomeForm({ open, current, onClose, onSaved }: { open: boolean; current: Autohome | undefined; onClose: () => void; onSaved: () => void }) {
  const t = useT(messages);
  const c = useT(common);
  const [form] = Form.useForm<Values>();
  const save = useSaveAutohome();

  useEffect(() => {
    if (!open) return;
    save.reset();
    form.resetFields();
    form.setFieldsValue({ dealers: toRows(current?.dealers), series: toRows(current?.series), models: toRows(current?.models) });
    // Only when the modal opens, with what is stored then.
  }, [open, current]);

  return (
    <Modal
      open={open}
      title={t('autohomeEdit')}
      okText={c('save')}
      cancelText={c('cancel')}
      confirmLoading={save.isPending}
      onCancel={onClose}
      onOk={() => form.submit()}
      width={640}
      destroyOnHidden
    >
      <Form<Values>
        form={form}
        onFinish={(v) => save.mutate({ dealers: toMap(v.dealers), series: toMap(v.series), models: toMap(v.models) }, { onSuccess: onSaved })}
        autoComplete="off"
      >
        <Tabs
          items={[
            { key: 'dealers', label: t('mapDealers'), forceRender: true, children: <MapRows name="dealers" idLabel={t('dealerId')} valueLabel={t('dealerCode')} /> },
            { key: 'series', label: t('mapSeries'), forceRender: true, children: <MapRows name="series" idLabel={t('seriesId')} valueLabel={t('seriesName')} /> },
            { key: 'models', label: t('mapModels'), forceRender: true, children: <MapRows name="models" idLabel={t('specId')} valueLabel={t('modelName')} /> },
          ]}
        />
      </Form>
      <ErrorAlert error={save.error} />
    </Modal>
  );
}
