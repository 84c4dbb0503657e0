import { Alert, Button, Flex, Form, Input, Modal, Radio, Select, Space, Spin, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { z } from 'zod';
import type { Tag } from '@contracts/tags';
import { common } from '../../../i18n/common';
import { useT } from '../../../i18n';
import { useSegments } from '../api';
import { ConditionBuilder, type Condition } from '../builder';
import { checkDefinition } from '../live-preview';
import { messages } from './messages';
import { useApplyTag, useOperation, type ApplyAction } from './tag-api';

type Target = 'segment' | 'profiles' | 'definition';
const TARGETS = ['segment', 'profiles', 'definition'] as const;
const uuid = z.uuid();

/** The profile ids typed or pasted: one per line or separated by commas or spaces. */
function parseIds(text: string): { ids: string[]; invalid: number } {
  const parts = text
    .split(/[\s,，;；]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const ids = [...new Set(parts.filter((s) => uuid.safeParse(s).success))];
  return { ids, invalid: parts.filter((s) => !uuid.safeParse(s).success).length };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function OperationStatus({ id }: { id: string }) {
  const t = useT(messages);
  const op = useOperation(id);
  if (op.isError) return <Alert type="error" showIcon message={errorText(op.error)} />;
  const data = op.data;
  if (!data || data.state === 'queued' || data.state === 'running') {
    return (
      <Alert
        type="info"
        showIcon
        icon={<Spin size="small" />}
        message={data?.state === 'running' ? t('opRunning') : t('opQueued')}
        data-testid="tag-apply-progress"
      />
    );
  }
  if (data.state === 'failed') return <Alert type="error" showIcon message={t('opFailed', { m: data.error?.message ?? '' })} data-testid="tag-apply-result" />;
  return <Alert type="success" showIcon message={t('opSucceeded', { a: data.counts?.changed ?? 0, u: data.counts?.unchanged ?? 0 })} data-testid="tag-apply-result" />;
}

function ApplyBody({ tag, onClose }: { tag: Tag; onClose: () => void }) {
  const t = useT(messages);
  const tc = useT(common);
  const [action, setAction] = useState<ApplyAction>('apply');
  const [target, setTarget] = useState<Target>('segment');
  const [segmentId, setSegmentId] = useState<string>();
  const [idsText, setIdsText] = useState('');
  const [condition, setCondition] = useState<Condition>({ type: 'and', conditions: [] });
  const [reason, setReason] = useState('');
  const segments = useSegments();
  const apply = useApplyTag(tag.id);
  const parsed = useMemo(() => parseIds(idsText), [idsText]);
  const checked = useMemo(() => checkDefinition(condition), [condition]);
  const result = apply.data;

  const ready = target === 'segment' ? segmentId !== undefined : target === 'profiles' ? parsed.ids.length > 0 && parsed.ids.length <= 1000 : checked.success;
  const submit = () => {
    const why = reason.trim() || undefined;
    if (target === 'segment' && segmentId) apply.mutate({ action, body: { segmentId, reason: why } });
    else if (target === 'profiles') apply.mutate({ action, body: { profileIds: parsed.ids, reason: why } });
    else if (target === 'definition' && checked.success) apply.mutate({ action, body: { definition: checked.data, reason: why } });
  };

  return (
    <Flex vertical gap={12}>
      <Form layout="vertical">
        <Form.Item label={t('action')}>
          <Radio.Group aria-label={t('action')} optionType="button" value={action} onChange={(e) => setAction(e.target.value === 'remove' ? 'remove' : 'apply')} options={(['apply', 'remove'] as const).map((a) => ({ value: a, label: t(`action.${a}`) }))} />
        </Form.Item>
        <Form.Item label={t('target')}>
          <Radio.Group
            aria-label={t('target')}
            value={target}
            onChange={(e) => setTarget(TARGETS.find((x) => x === e.target.value) ?? 'segment')}
            options={TARGETS.map((x) => ({ value: x, label: t(`target.${x}`) }))}
          />
        </Form.Item>
        {target === 'segment' ? (
          <Form.Item label={t('segment')} htmlFor="tag-apply-segment">
            <Select
              id="tag-apply-segment"
              aria-label={t('segment')}
              showSearch
              optionFilterProp="label"
              placeholder={t('segmentPlaceholder')}
              value={segmentId}
              onChange={setSegmentId}
              loading={segments.isPending}
              status={segments.isError ? 'error' : undefined}
              options={(segments.data?.data ?? []).map((s) => ({ value: s.id, label: `${s.name} (${s.memberCount})` }))}
            />
          </Form.Item>
        ) : null}
        {target === 'profiles' ? (
          <Form.Item
            label={t('profileIds')}
            htmlFor="tag-apply-ids"
            validateStatus={parsed.invalid > 0 ? 'warning' : undefined}
            help={parsed.invalid > 0 ? t('profileIdsInvalid', { n: parsed.invalid }) : t('profileIdsCount', { n: parsed.ids.length })}
          >
            <Input.TextArea id="tag-apply-ids" rows={5} value={idsText} onChange={(e) => setIdsText(e.target.value)} placeholder={t('profileIdsPlaceholder')} />
          </Form.Item>
        ) : null}
        {target === 'definition' ? (
          <Form.Item label={t('target.definition')}>
            <ConditionBuilder value={condition} onChange={setCondition} />
          </Form.Item>
        ) : null}
        <Form.Item label={t('reason')} htmlFor="tag-apply-reason">
          <Input id="tag-apply-reason" value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} placeholder={t('reasonPlaceholder')} />
        </Form.Item>
      </Form>
      {apply.isError ? <Alert type="error" showIcon message={errorText(apply.error)} /> : null}
      {result?.kind === 'done' ? (
        <Alert type="success" showIcon data-testid="tag-apply-result" message={t(action === 'apply' ? 'resultApplied' : 'resultRemoved', { a: result.changed, u: result.unchanged })} />
      ) : null}
      {result?.kind === 'operation' ? <OperationStatus id={result.operation.id} /> : null}
      <Space>
        <Button type="primary" onClick={submit} disabled={!ready} loading={apply.isPending} data-testid="tag-apply-submit">
          {t('submit')}
        </Button>
        <Button onClick={onClose}>{tc('close')}</Button>
      </Space>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('manualOnly')}
      </Typography.Text>
    </Flex>
  );
}

/** Give a manual tag to (or take it from) a segment's members, listed profiles, or a definition's matches. */
export function TagApplyModal({ tag, onClose }: { tag: Tag | undefined; onClose: () => void }) {
  const t = useT(messages);
  return (
    <Modal open={tag !== undefined} onCancel={onClose} title={tag ? t('applyTitle', { t: tag.name }) : ''} footer={null} width={tag ? 'min(960px, 92vw)' : undefined} destroyOnHidden>
      {tag ? <ApplyBody key={tag.id} tag={tag} onClose={onClose} /> : null}
    </Modal>
  );
}
