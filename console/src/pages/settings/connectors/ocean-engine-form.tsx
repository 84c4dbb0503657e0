import { Col, Form, Input, InputNumber, Modal, Row, Typography } from 'antd';
import { useEffect } from 'react';
import { ErrorAlert } from '../../../components/page-state';
import { common } from '../../../i18n/common';
import { useT } from '../../../i18n';
import { useSaveOceanEngine, type OceanEngine, type OceanEnginePut } from './api';
import { messages } from './messages';
import { FormSelect } from '../../../components/form-select';

interface Values {
  baseUrl: string;
  advertiserIds: string[];
  accessToken?: string;
  pollIntervalSeconds: number;
  lookBackMinutes: number;
  pageSize: number;
  series?: string;
  model?: string;
  dealerCode?: string;
}

const filled = (v: string | undefined) => (v && v.trim() !== '' ? v.trim() : undefined);

/** Configures the Ocean Engine clue poller; the access token is write-only (empty keeps the stored one). */
export function OceanEngineForm({ open, current, onClose, onSaved }: { open: boolean; current: OceanEngine | null; onClose: () => void; onSaved: () => void }) {
  const t = useT(messages);
  const c = useT(common);
  const [form] = Form.useForm<Values>();
  const save = useSaveOceanEngine();

  useEffect(() => {
    if (!open) return;
    save.reset();
    form.resetFields();
    form.setFieldsValue({
      baseUrl: current?.baseUrl ?? 'https://ad.oceanengine.com',
      advertiserIds: current?.advertiserIds ?? [],
      pollIntervalSeconds: current?.pollIntervalSeconds ?? 300,
      lookBackMinutes: current?.lookBackMinutes ?? 30,
      pageSize: current?.pageSize ?? 100,
      series: current?.remarkFields?.series,
      model: current?.remarkFields?.model,
      dealerCode: current?.remarkFields?.dealerCode,
    });
    // Only when the modal opens, with what is stored then.
  }, [open, current]);

  const submit = (v: Values) => {
    const remark = { series: filled(v.series), model: filled(v.model), dealerCode: filled(v.dealerCode) };
    const body: OceanEnginePut = {
      baseUrl: v.baseUrl.trim(),
      advertiserIds: v.advertiserIds,
      accessToken: filled(v.accessToken),
      pollIntervalSeconds: v.pollIntervalSeconds,
      lookBackMinutes: v.lookBackMinutes,
      pageSize: v.pageSize,
      remarkFields: remark.series || remark.model || remark.dealerCode ? remark : undefined,
    };
    save.mutate(body, { onSuccess: onSaved });
  };

  const needsToken = !current?.hasAccessToken;
  return (
    <Modal
      open={open}
      title={current ? t('oceanEdit') : t('oceanConfigure')}
      okText={c('save')}
      cancelText={c('cancel')}
      confirmLoading={save.isPending}
      onCancel={onClose}
      onOk={() => form.submit()}
      width={680}
      destroyOnHidden
    >
      <Form<Values> form={form} layout="vertical" onFinish={submit} autoComplete="off">
        <Form.Item name="baseUrl" label={t('baseUrl')} rules={[{ required: true, whitespace: true, message: t('required') }]}>
          <Input maxLength={500} />
        </Form.Item>
        <Form.Item name="advertiserIds" label={t('advertiserIds')} extra={t('advertiserIdsHint')} rules={[{ required: true, message: t('required') }]}>
          <FormSelect mode="tags" open={false} tokenSeparators={[',', ' ', '，']} aria-label={t('advertiserIds')} />
        </Form.Item>
        <Form.Item
          name="accessToken"
          label={t('accessToken')}
          extra={needsToken ? t('accessTokenFirst') : t('secretKeep')}
          rules={needsToken ? [{ required: true, whitespace: true, message: t('required') }] : []}
        >
          <Input.Password autoComplete="new-password" maxLength={1000} />
        </Form.Item>
        <Row gutter={16}>
          <Col span={8}>
            <Form.Item name="pollIntervalSeconds" label={t('pollInterval')} rules={[{ required: true, message: t('required') }]}>
              <InputNumber min={30} max={86400} precision={0} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="lookBackMinutes" label={t('lookBack')} tooltip={t('lookBackHint')} rules={[{ required: true, message: t('required') }]}>
              <InputNumber min={10} max={1440} precision={0} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="pageSize" label={t('pageSize')} rules={[{ required: true, message: t('required') }]}>
              <InputNumber min={1} max={100} precision={0} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
        </Row>
        <Typography.Text strong>{t('remarkFields')}</Typography.Text>
        <Row gutter={16} style={{ marginTop: 8 }}>
          <Col span={8}>
            <Form.Item name="series" label={t('remarkSeries')}>
              <Input maxLength={100} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="model" label={t('remarkModel')}>
              <Input maxLength={100} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="dealerCode" label={t('remarkDealer')}>
              <Input maxLength={100} />
            </Form.Item>
          </Col>
        </Row>
      </Form>
      <ErrorAlert error={save.error} />
    </Modal>
  );
}
