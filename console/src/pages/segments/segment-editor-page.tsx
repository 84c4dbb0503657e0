import { ArrowLeftOutlined, DeleteOutlined, SaveOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, Flex, Form, Input, Popconfirm, Row, Space, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { segmentDefinitionSchema, type Segment } from '@contracts/segments';
import { ApiError } from '../../api/client';
import { hasRole, useMe } from '../../auth/session';
import { QueryState } from '../../components/page-state';
import { common } from '../../i18n/common';
import { useT } from '../../i18n';
import { useDeleteSegment, useSaveSegment, useSegment } from './api';
import { ConditionBuilder, type Condition } from './builder';
import { LivePreview, checkDefinition } from './live-preview';
import { messages } from './messages';
import { SegmentHistory } from './segment-history';
import { SegmentMembers } from './segment-members';
import { SegmentStateTag } from './segments-page';

const EMPTY: Condition = { type: 'and', conditions: [] };

function errorText(e: unknown): string {
  return e instanceof ApiError || e instanceof Error ? e.message : String(e);
}

/** The saved definition's condition, or why the editor cannot read it. */
function initialCondition(segment: Segment | undefined): { condition: Condition; problem: string | null } {
  if (!segment) return { condition: EMPTY, problem: null };
  const parsed = segmentDefinitionSchema.safeParse(segment.definition);
  if (parsed.success) return { condition: parsed.data.condition, problem: null };
  return { condition: EMPTY, problem: parsed.error.issues[0]?.message ?? '' };
}

function SegmentEditor({ segment }: { segment?: Segment }) {
  const t = useT(messages);
  const tc = useT(common);
  const me = useMe();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const canWrite = hasRole(me, ['admin', 'hq_ops']);
  const [initial] = useState(() => initialCondition(segment));
  const [condition, setCondition] = useState<Condition>(initial.condition);
  const [name, setName] = useState(segment?.name ?? '');
  const [description, setDescription] = useState(segment?.description ?? '');
  const [nameError, setNameError] = useState(false);
  const save = useSaveSegment(segment?.id);
  const remove = useDeleteSegment();

  const onSave = () => {
    const checked = checkDefinition(condition);
    if (!name.trim()) {
      setNameError(true);
      return;
    }
    if (!checked.success) {
      void message.error(`${t('invalidDefinition')}: ${checked.error.issues[0]?.message ?? ''}`);
      return;
    }
    save.mutate(
      { name: name.trim(), description: description.trim() || null, definition: checked.data },
      {
        onSuccess: (saved) => {
          void message.success(segment ? t('saved') : t('created'));
          if (!segment) void navigate(`/segments/${saved.id}`, { replace: true });
        },
        onError: (e) => void message.error(errorText(e)),
      },
    );
  };

  const saveButton = (
    <Button type="primary" icon={<SaveOutlined />} data-testid="segment-save" loading={save.isPending} onClick={onSave} disabled={!canWrite}>
      {tc('save')}
    </Button>
  );

  return (
    <Flex vertical gap={16}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Space align="center" wrap>
          <Button icon={<ArrowLeftOutlined />} aria-label={t('backToList')} title={t('backToList')} onClick={() => void navigate('/segments')} />
          <Typography.Title level={3} style={{ margin: 0 }}>
            {segment ? t('editorEdit') : t('editorNew')}
          </Typography.Title>
          {segment ? <SegmentStateTag segment={segment} /> : null}
          {segment ? <Typography.Text type="secondary">{t('revision', { n: segment.revision })}</Typography.Text> : null}
        </Space>
        <Space>
          {segment ? (
            <Popconfirm
              title={t('deleteConfirm')}
              okText={tc('delete')}
              cancelText={tc('cancel')}
              okButtonProps={{ danger: true, loading: remove.isPending }}
              onConfirm={() =>
                remove.mutate(segment.id, {
                  onSuccess: () => {
                    void message.success(t('deleted'));
                    void navigate('/segments');
                  },
                  onError: (e) => void message.error(errorText(e)),
                })
              }
            >
              <Button danger icon={<DeleteOutlined />} disabled={!canWrite}>
                {tc('delete')}
              </Button>
            </Popconfirm>
          ) : null}
          {canWrite ? saveButton : <Tooltip title={t('readOnly')}>{saveButton}</Tooltip>}
        </Space>
      </Flex>
      {!canWrite ? <Alert type="info" showIcon message={t('readOnly')} /> : null}
      {initial.problem ? <Alert type="error" showIcon message={t('loadFailed', { m: initial.problem })} /> : null}
      {segment?.state === 'computing' ? <Alert type="info" showIcon message={t('computingAlert')} /> : null}
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={16}>
          <Flex vertical gap={16}>
            <Card>
              <Form layout="vertical" requiredMark>
                <Form.Item label={t('name')} htmlFor="segment-name" required validateStatus={nameError ? 'error' : undefined} help={nameError ? t('nameRequired') : undefined}>
                  <Input
                    id="segment-name"
                    data-testid="segment-name"
                    value={name}
                    maxLength={200}
                    placeholder={t('namePlaceholder')}
                    onChange={(e) => {
                      setName(e.target.value);
                      setNameError(false);
                    }}
                  />
                </Form.Item>
                <Form.Item label={t('description')} htmlFor="segment-description" style={{ marginBottom: 0 }}>
                  <Input.TextArea
                    id="segment-description"
                    value={description}
                    maxLength={2000}
                    autoSize={{ minRows: 1, maxRows: 4 }}
                    placeholder={t('descriptionPlaceholder')}
                    onChange={(e) => setDescription(e.target.value)}
                  />
                </Form.Item>
              </Form>
            </Card>
            <Card title={t('conditions')}>
              <ConditionBuilder value={condition} onChange={setCondition} />
            </Card>
          </Flex>
        </Col>
        <Col xs={24} xl={8}>
          <div style={{ position: 'sticky', top: 16 }}>
            <LivePreview condition={condition} />
          </div>
        </Col>
      </Row>
      {segment ? <SegmentHistory segment={segment} /> : null}
      {segment ? <SegmentMembers segment={segment} /> : null}
    </Flex>
  );
}

/** `/segments/new` and `/segments/:id`: name, conditions with a live count, and a saved segment's members and history. */
export function SegmentEditorPage() {
  const { id } = useParams();
  const segment = useSegment(id);
  if (!id) return <SegmentEditor key="new" />;
  return <QueryState query={segment}>{(s) => <SegmentEditor key={s.id} segment={s} />}</QueryState>;
}
