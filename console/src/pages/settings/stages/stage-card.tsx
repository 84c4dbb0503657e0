import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Col, Form, Input, Row, Space, Tooltip } from 'antd';
import { useT } from '../../../i18n';
import { ConditionInput } from './condition-input';
import type { ModelDraft } from './draft';
import { messages } from './messages';

interface Props {
  /** The Form.List field name of this stage. */
  name: number;
  index: number;
  count: number;
  disabled: boolean;
  onMove: (from: number, to: number) => void;
  onRemove: () => void;
}

/** One stage of the model: its key and names, and its entry condition in the segment builder. */
export function StageCard({ name, index, count, disabled, onMove, onRemove }: Props) {
  const t = useT(messages);
  const form = Form.useFormInstance<ModelDraft>();
  const unparsable = Form.useWatch(['stages', name, 'unparsable'], form);
  return (
    <Card
      size="small"
      data-testid={`settings-stage-${index}`}
      title={t('stage', { n: index + 1 })}
      extra={
        <Space size={4}>
          <Tooltip title={t('moveUp')}>
            <Button size="small" type="text" icon={<ArrowUpOutlined />} aria-label={t('moveUp')} disabled={disabled || index === 0} onClick={() => onMove(index, index - 1)} />
          </Tooltip>
          <Tooltip title={t('moveDown')}>
            <Button size="small" type="text" icon={<ArrowDownOutlined />} aria-label={t('moveDown')} disabled={disabled || index === count - 1} onClick={() => onMove(index, index + 1)} />
          </Tooltip>
          <Tooltip title={t('removeStage')}>
            <Button size="small" type="text" danger icon={<DeleteOutlined />} aria-label={t('removeStage')} disabled={disabled || count <= 2} onClick={onRemove} />
          </Tooltip>
        </Space>
      }
    >
      <Row gutter={16}>
        <Col xs={24} md={6}>
          <Form.Item name={[name, 'key']} label={t('stageKey')} rules={[{ required: true, pattern: /^[A-Za-z0-9_]{1,32}$/, message: t('stageKeyHint') }]}>
            <Input maxLength={32} disabled={disabled} />
          </Form.Item>
        </Col>
        <Col xs={24} md={9}>
          <Form.Item name={[name, 'nameZh']} label={t('stageNameZh')}>
            <Input maxLength={100} disabled={disabled} />
          </Form.Item>
        </Col>
        <Col xs={24} md={9}>
          <Form.Item name={[name, 'name']} label={t('stageName')} rules={[{ required: true, whitespace: true, message: t('required') }]}>
            <Input maxLength={100} disabled={disabled} />
          </Form.Item>
        </Col>
        <Col span={24}>
          <Form.Item name={[name, 'description']} label={t('stageDescription')}>
            <Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} maxLength={2000} disabled={disabled} />
          </Form.Item>
        </Col>
      </Row>
      {typeof unparsable === 'string' ? <Alert type="error" showIcon message={t('unparsable', { error: unparsable })} style={{ marginBottom: 12 }} /> : null}
      <Form.Item name={[name, 'condition']} label={t('condition')} style={{ marginBottom: 0 }}>
        <ConditionInput disabled={disabled} />
      </Form.Item>
    </Card>
  );
}
