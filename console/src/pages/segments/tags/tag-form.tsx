import { Alert, App, Button, Drawer, Flex, Form, Input, Radio, Select, Space } from 'antd';
import { useState } from 'react';
import { segmentDefinitionSchema, type SegmentDefinition } from '@contracts/segments';
import { TAG_KINDS, type Tag, type TagGroup, type TagKind } from '@contracts/tags';
import { common } from '../../../i18n/common';
import { useT } from '../../../i18n';
import { ConditionBuilder, type Condition } from '../builder';
import { LivePreview, checkDefinition } from '../live-preview';
import { messages } from './messages';
import { useCreateTag, useUpdateTag } from './tag-api';

const EMPTY: Condition = { type: 'and', conditions: [] };

function initialCondition(tag: Tag | undefined): Condition {
  const parsed = segmentDefinitionSchema.safeParse(tag?.definition);
  return parsed.success ? parsed.data.condition : EMPTY;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Create a tag in a group, or change one's name, description and (rule tags) conditions. */
function TagFormBody({ tag, groups, groupId, onDone }: { tag?: Tag; groups: TagGroup[]; groupId: string | undefined; onDone: () => void }) {
  const t = useT(messages);
  const tc = useT(common);
  const { message: toast } = App.useApp();
  const [group, setGroup] = useState(tag?.groupId ?? groupId);
  const [name, setName] = useState(tag?.name ?? '');
  const [description, setDescription] = useState(tag?.description ?? '');
  const [kind, setKind] = useState<TagKind>(tag?.kind ?? 'manual');
  const [condition, setCondition] = useState<Condition>(() => initialCondition(tag));
  const [tried, setTried] = useState(false);
  const create = useCreateTag();
  const update = useUpdateTag(tag?.id ?? '');
  const saving = create.isPending || update.isPending;
  const error = create.error ?? update.error;

  const submit = () => {
    setTried(true);
    if (!name.trim() || !group) return;
    let definition: SegmentDefinition | undefined;
    if (kind === 'rule') {
      const checked = checkDefinition(condition);
      if (!checked.success) {
        void toast.error(`${t('invalidDefinition')}: ${checked.error.issues[0]?.message ?? ''}`);
        return;
      }
      definition = checked.data;
    }
    const done = (text: string) => {
      void toast.success(text);
      onDone();
    };
    const onError = (e: unknown) => void toast.error(message(e));
    if (tag) update.mutate({ name: name.trim(), description: description.trim() || null, definition }, { onSuccess: () => done(t('tagSaved')), onError });
    else create.mutate({ groupId: group, name: name.trim(), description: description.trim() || null, kind, definition }, { onSuccess: () => done(t('tagCreated')), onError });
  };

  return (
    <Flex vertical gap={16}>
      <Form layout="vertical" requiredMark>
        <Form.Item label={t('group')} htmlFor="tag-group" required validateStatus={tried && !group ? 'error' : undefined} help={tried && !group ? t('groupRequired') : undefined}>
          <Select
            id="tag-group"
            aria-label={t('group')}
            showSearch
            optionFilterProp="label"
            value={group}
            onChange={setGroup}
            options={groups.map((g) => ({ value: g.id, label: g.name }))}
            disabled={tag !== undefined}
          />
        </Form.Item>
        <Form.Item label={t('name')} htmlFor="tag-name" required validateStatus={tried && !name.trim() ? 'error' : undefined} help={tried && !name.trim() ? t('nameRequired') : undefined}>
          <Input id="tag-name" data-testid="tag-name" value={name} maxLength={100} placeholder={t('namePlaceholder')} onChange={(e) => setName(e.target.value)} />
        </Form.Item>
        <Form.Item label={t('description')} htmlFor="tag-description">
          <Input.TextArea id="tag-description" value={description} maxLength={2000} autoSize={{ minRows: 1, maxRows: 4 }} onChange={(e) => setDescription(e.target.value)} />
        </Form.Item>
        <Form.Item label={t('kind')} help={tag ? t('kindHelp') : undefined}>
          <Radio.Group
            aria-label={t('kind')}
            value={kind}
            onChange={(e) => setKind(e.target.value === 'rule' ? 'rule' : 'manual')}
            options={TAG_KINDS.map((k) => ({ value: k, label: t(`kind.${k}`) }))}
            optionType="button"
            disabled={tag !== undefined}
          />
        </Form.Item>
      </Form>
      {kind === 'rule' ? (
        <Flex vertical gap={12}>
          <Alert type="info" showIcon message={t('ruleHint')} />
          <ConditionBuilder value={condition} onChange={setCondition} />
          <LivePreview condition={condition} />
        </Flex>
      ) : null}
      {error ? <Alert type="error" showIcon message={message(error)} /> : null}
      <Space>
        <Button type="primary" loading={saving} onClick={submit} data-testid="tag-save">
          {tc('save')}
        </Button>
        <Button onClick={onDone}>{tc('cancel')}</Button>
      </Space>
    </Flex>
  );
}

export function TagFormDrawer({ open, tag, groups, groupId, onClose }: { open: boolean; tag?: Tag; groups: TagGroup[]; groupId: string | undefined; onClose: () => void }) {
  const t = useT(messages);
  return (
    <Drawer open={open} onClose={onClose} title={tag ? t('editTag') : t('newTag')} width="min(1080px, 92vw)" destroyOnHidden>
      {open ? <TagFormBody key={tag?.id ?? 'new'} tag={tag} groups={groups} groupId={groupId} onDone={onClose} /> : null}
    </Drawer>
  );
}
