import { PlusOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Checkbox, Col, Flex, Form, Input, Radio, Row, Space, Typography } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { ErrorAlert } from '../../../components/page-state';
import { common } from '../../../i18n/common';
import { useT } from '../../../i18n';
import { useNotify } from '../shared/notify';
import { usePutStageModel } from './api';
import { bodyOf, conditionIssues, newStage, type ModelDraft, type StageDraft } from './draft';
import { messages } from './messages';
import { StageCard } from './stage-card';

const MIN_STAGES = 2;
const MAX_STAGES = 12;

/** Which stages the change touched the condition of (antd reports a sparse nested object). */
function changedConditions(changed: Partial<ModelDraft>): number[] {
  const out: number[] = [];
  changed.stages?.forEach((s: Partial<StageDraft> | undefined, i) => {
    if (s && 'condition' in s) out.push(i);
  });
  return out;
}

/** The model's settings and its stages, saved as a whole (PUT replaces the model). */
export function StageModelEditor({ modelKey, initial, isNew, canEdit }: { modelKey: string; initial: ModelDraft; isNew: boolean; canEdit: boolean }) {
  const t = useT(messages);
  const c = useT(common);
  const navigate = useNavigate();
  const notify = useNotify();
  const [form] = Form.useForm<ModelDraft>();
  const put = usePutStageModel();
  const disabled = !canEdit;
  const [issues, setIssues] = useState<{ stage: number; message: string }[]>([]);

  const save = () => {
    // All values, also those without a field of their own (a stage's unparsable flag).
    const draft: ModelDraft = form.getFieldsValue(true);
    const found = conditionIssues(draft);
    setIssues(found);
    if (found.length > 0) return;
    put.mutate(
      { key: modelKey, body: bodyOf(draft) },
      {
        onSuccess: () => {
          notify.success(t('saved'));
          if (isNew) void navigate(`/settings/stages/${modelKey}`, { replace: true });
        },
      },
    );
  };

  return (
    <Form<ModelDraft>
      form={form}
      layout="vertical"
      initialValues={initial}
      onFinish={save}
      disabled={disabled}
      autoComplete="off"
      onValuesChange={(changed: Partial<ModelDraft>) => {
        for (const i of changedConditions(changed)) form.setFieldValue(['stages', i, 'unparsable'], undefined);
      }}
    >
      {disabled ? <Alert type="info" showIcon message={t('readOnly')} style={{ marginBottom: 16 }} /> : null}
      <Card style={{ marginBottom: 16 }}>
        <Row gutter={16}>
          <Col xs={24} lg={8}>
            <Form.Item name="name" label={t('name')} rules={[{ required: true, whitespace: true, message: t('required') }]}>
              <Input maxLength={200} />
            </Form.Item>
          </Col>
          <Col xs={24} lg={16}>
            <Form.Item name="description" label={t('modelDescription')}>
              <Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} maxLength={2000} />
            </Form.Item>
          </Col>
          <Col xs={24} lg={16}>
            <Form.Item name="progression" label={t('progression')} style={{ marginBottom: 0 }}>
              <Radio.Group>
                <Space direction="vertical">
                  {(['highest_match', 'no_regression'] as const).map((p) => (
                    <Radio key={p} value={p}>
                      {t(`progression.${p}`)}
                      <Typography.Text type="secondary" style={{ marginLeft: 8 }}>
                        {t(`progression.${p}.desc`)}
                      </Typography.Text>
                    </Radio>
                  ))}
                </Space>
              </Radio.Group>
            </Form.Item>
          </Col>
          <Col xs={24} lg={8}>
            <Form.Item name="isDefault" valuePropName="checked" label={t('isDefault')} style={{ marginBottom: 0 }}>
              <Checkbox disabled={disabled || initial.isDefault}>{t('setDefault')}</Checkbox>
            </Form.Item>
          </Col>
        </Row>
      </Card>
      <Typography.Title level={5}>{t('stagesTitle')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('stagesHint')}</Typography.Paragraph>
      <Form.List name="stages">
        {(fields, { add, remove, move }) => (
          <Space direction="vertical" size={12} style={{ width: '100%' }}>
            {fields.map((field, index) => (
              <StageCard key={field.key} name={field.name} index={index} count={fields.length} disabled={disabled} onMove={move} onRemove={() => remove(field.name)} />
            ))}
            <Button
              type="dashed"
              block
              icon={<PlusOutlined />}
              disabled={disabled || fields.length >= MAX_STAGES}
              onClick={() => add(newStage(fields.length + 1))}
            >
              {fields.length >= MAX_STAGES ? t('tooMany') : t('addStage')}
            </Button>
            {fields.length < MIN_STAGES ? <Alert type="warning" showIcon message={t('tooFew')} /> : null}
          </Space>
        )}
      </Form.List>
      {issues.length > 0 ? (
        <Alert
          type="error"
          showIcon
          style={{ marginTop: 16 }}
          message={t('conditionInvalid')}
          description={
            <ul style={{ margin: 0, paddingInlineStart: 20 }}>
              {issues.map((i) => (
                <li key={`${i.stage}:${i.message}`}>{`${t('stage', { n: i.stage + 1 })}: ${i.message}`}</li>
              ))}
            </ul>
          }
        />
      ) : null}
      <ErrorAlert error={put.error} />
      <Flex justify="flex-end" gap={8} style={{ position: 'sticky', bottom: 0, background: '#f5f5f5', padding: '12px 0', marginTop: 16, zIndex: 2 }}>
        <Button disabled={false} onClick={() => void navigate('/settings/stages')}>
          {t('back')}
        </Button>
        {canEdit ? (
          <Button type="primary" htmlType="submit" loading={put.isPending}>
            {c('save')}
          </Button>
        ) : null}
      </Flex>
    </Form>
  );
}
