import { ClockCircleOutlined, DeleteOutlined, EditOutlined, UsergroupAddOutlined } from '@ant-design/icons';
import { App, Button, Popconfirm, Space, Table, Tag as AntTag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { Tag, TagGroup } from '@contracts/tags';
import { QueryState } from '../../../components/page-state';
import { useFormat } from '../../../format-hooks';
import { common } from '../../../i18n/common';
import { useT } from '../../../i18n';
import { messages } from './messages';
import { useDeleteTag, useTags } from './tag-api';

interface Props {
  group: TagGroup;
  /** Admins and HQ operations change tags; others see them only (the API checks either way). */
  canWrite: boolean;
  onEdit: (t: Tag) => void;
  onApply: (t: Tag) => void;
  onOpen: (t: Tag) => void;
}

/** The tags of one group (the API filters by group), with their actions. */
export function TagsTable({ group, canWrite, onEdit, onApply, onOpen }: Props) {
  const t = useT(messages);
  const tc = useT(common);
  const f = useFormat();
  const { message } = App.useApp();
  const tags = useTags(group.id, group.tags);
  const remove = useDeleteTag();

  const columns: ColumnsType<Tag> = [
    {
      title: t('name'),
      dataIndex: 'name',
      width: 170,
      ellipsis: { showTitle: false },
      render: (_, tag) => (
        <Button type="link" style={{ padding: 0, height: 'auto', maxWidth: '100%' }} onClick={() => onOpen(tag)} title={tag.name}>
          <Typography.Text ellipsis style={{ color: 'inherit' }}>
            {tag.name}
          </Typography.Text>
        </Button>
      ),
    },
    {
      title: t('kind'),
      dataIndex: 'kind',
      width: 130,
      render: (_, tag) => (
        <Space size={4}>
          <AntTag color={tag.kind === 'rule' ? 'geekblue' : 'gold'}>{t(`kind.${tag.kind}`)}</AntTag>
          {tag.timeDependent ? (
            <Tooltip title={t('timeDependent')}>
              <ClockCircleOutlined aria-label={t('timeDependent')} />
            </Tooltip>
          ) : null}
        </Space>
      ),
    },
    { title: t('description'), dataIndex: 'description', ellipsis: { showTitle: true }, render: (d: string | null) => d ?? '—' },
    { title: t('updatedAt'), dataIndex: 'updatedAt', width: 160, responsive: ['xxl'], render: (v: string) => f.dateTime(v) },
  ];
  if (canWrite) {
    columns.push({
      title: tc('actions'),
      key: 'actions',
      width: 170,
      render: (_, tag) => (
        <Space size={0}>
          <Button type="link" size="small" icon={<EditOutlined />} aria-label={tc('edit')} title={tc('edit')} onClick={() => onEdit(tag)} data-testid="tag-edit" />
          {tag.kind === 'manual' ? (
            <Button type="link" size="small" icon={<UsergroupAddOutlined />} onClick={() => onApply(tag)} data-testid="tag-apply">
              {t('apply')}
            </Button>
          ) : null}
          <Popconfirm
            title={t('deleteTagConfirm')}
            okText={tc('delete')}
            cancelText={tc('cancel')}
            okButtonProps={{ danger: true }}
            onConfirm={() => remove.mutate(tag.id, { onSuccess: () => void message.success(t('tagDeleted')), onError: (e) => void message.error(e.message) })}
          >
            <Button type="link" size="small" danger icon={<DeleteOutlined />} aria-label={tc('delete')} title={tc('delete')} />
          </Popconfirm>
        </Space>
      ),
    });
  }

  return (
    <QueryState query={tags} isEmpty={(d) => d.data.length === 0} empty={t('noTags')}>
      {(data) => (
        <Table<Tag>
          data-testid="tag-list"
          rowKey="id"
          dataSource={data.data}
          pagination={{ defaultPageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: canWrite ? 640 : 480 }}
          columns={columns}
        />
      )}
    </QueryState>
  );
}
