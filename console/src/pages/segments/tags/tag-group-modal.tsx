import { App, Form, Input, Modal } from 'antd';
import { useState } from 'react';
import type { TagGroup } from '@contracts/tags';
import { common } from '../../../i18n/common';
import { useT } from '../../../i18n';
import { messages } from './messages';
import { useCreateGroup } from './tag-api';

function GroupForm({ onDone }: { onDone: (group?: TagGroup) => void }) {
  const t = useT(messages);
  const tc = useT(common);
  const { message } = App.useApp();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [tried, setTried] = useState(false);
  const create = useCreateGroup();
  const submit = () => {
    setTried(true);
    if (!name.trim()) return;
    create.mutate(
      { name: name.trim(), description: description.trim() || null },
      {
        onSuccess: (g) => {
          void message.success(t('groupCreated'));
          onDone(g);
        },
        onError: (e) => void message.error(e.message),
      },
    );
  };
  return (
    <Modal open title={t('newGroup')} onOk={submit} onCancel={() => onDone()} okText={tc('save')} cancelText={tc('cancel')} confirmLoading={create.isPending}>
      <Form layout="vertical" requiredMark>
        <Form.Item label={t('groupName')} htmlFor="tag-group-name" required validateStatus={tried && !name.trim() ? 'error' : undefined} help={tried && !name.trim() ? t('nameRequired') : undefined}>
          <Input id="tag-group-name" value={name} maxLength={100} placeholder={t('groupNamePlaceholder')} onChange={(e) => setName(e.target.value)} onPressEnter={submit} />
        </Form.Item>
        <Form.Item label={t('groupDescription')} htmlFor="tag-group-description">
          <Input.TextArea id="tag-group-description" value={description} maxLength={2000} autoSize={{ minRows: 2, maxRows: 4 }} onChange={(e) => setDescription(e.target.value)} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** Create a tag group; rendered only while open so that each opening starts empty. */
export function TagGroupModal({ open, onDone }: { open: boolean; onDone: (group?: TagGroup) => void }) {
  return open ? <GroupForm onDone={onDone} /> : null;
}
