import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Badge, Button, Card, Col, Flex, Menu, Popconfirm, Row, Space, Typography } from 'antd';
import { useState } from 'react';
import type { Tag } from '@contracts/tags';
import { hasRole, useMe } from '../../../auth/session';
import { EmptyState, QueryState } from '../../../components/page-state';
import { common } from '../../../i18n/common';
import { useT } from '../../../i18n';
import { useTagGroups } from '../builder/choices';
import { messages } from './messages';
import { useDeleteGroup } from './tag-api';
import { TagApplyModal } from './tag-apply';
import { TagDetailDrawer } from './tag-detail';
import { TagFormDrawer } from './tag-form';
import { TagGroupModal } from './tag-group-modal';
import { TagsTable } from './tags-table';

/** Tag groups and their manual and rule tags: create, edit, delete, and give manual tags in bulk. */
export function TagsPage() {
  const t = useT(messages);
  const tc = useT(common);
  const me = useMe();
  const { message } = App.useApp();
  const canWrite = hasRole(me, ['admin', 'hq_ops']);
  const groups = useTagGroups();
  const deleteGroup = useDeleteGroup();
  const [selected, setSelected] = useState<string>();
  const [groupOpen, setGroupOpen] = useState(false);
  const [form, setForm] = useState<{ tag?: Tag } | null>(null);
  const [applying, setApplying] = useState<Tag>();
  const [opened, setOpened] = useState<Tag>();
  const list = groups.data?.data ?? [];
  const current = list.find((g) => g.id === selected) ?? list[0];

  return (
    <Flex vertical gap={16}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <div>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {t('title')}
          </Typography.Title>
          <Typography.Text type="secondary">{t('intro')}</Typography.Text>
        </div>
        {canWrite ? (
          <Space>
            <Button icon={<PlusOutlined />} onClick={() => setGroupOpen(true)} data-testid="tag-group-new">
              {t('newGroup')}
            </Button>
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setForm({})} disabled={list.length === 0} data-testid="tag-new">
              {t('newTag')}
            </Button>
          </Space>
        ) : null}
      </Flex>
      <QueryState query={groups} isEmpty={(d) => d.data.length === 0} empty={t('noGroups')}>
        {() => (
          <Row gutter={[16, 16]}>
            <Col xs={24} lg={6} xxl={4}>
              <Card title={t('groups')} styles={{ body: { padding: 8 } }}>
                <Menu
                  aria-label={t('groups')}
                  mode="inline"
                  style={{ borderInlineEnd: 'none' }}
                  selectedKeys={current ? [current.id] : []}
                  onClick={({ key }) => setSelected(key)}
                  items={list.map((g) => ({
                    key: g.id,
                    label: (
                      <Flex justify="space-between" align="center" gap={8}>
                        <Typography.Text ellipsis={{ tooltip: g.name }}>{g.name}</Typography.Text>
                        <Badge count={g.tags.length} showZero color="#8c8c8c" />
                      </Flex>
                    ),
                  }))}
                />
              </Card>
            </Col>
            <Col xs={24} lg={18} xxl={20}>
              {current ? (
                <Card
                  title={t('tagsOf', { g: current.name })}
                  extra={
                    canWrite ? (
                      <Popconfirm
                        title={t('deleteGroupConfirm')}
                        okText={tc('delete')}
                        cancelText={tc('cancel')}
                        okButtonProps={{ danger: true }}
                        onConfirm={() =>
                          deleteGroup.mutate(current.id, {
                            onSuccess: () => {
                              setSelected(undefined);
                              void message.success(t('groupDeleted'));
                            },
                            onError: (e) => void message.error(e.message),
                          })
                        }
                      >
                        <Button size="small" danger icon={<DeleteOutlined />}>
                          {t('deleteGroup')}
                        </Button>
                      </Popconfirm>
                    ) : null
                  }
                >
                  {current.description ? (
                    <Typography.Paragraph type="secondary" ellipsis={{ rows: 2, tooltip: current.description }}>
                      {current.description}
                    </Typography.Paragraph>
                  ) : null}
                  <TagsTable group={current} canWrite={canWrite} onEdit={(tag) => setForm({ tag })} onApply={setApplying} onOpen={setOpened} />
                </Card>
              ) : (
                <EmptyState />
              )}
            </Col>
          </Row>
        )}
      </QueryState>
      <TagGroupModal
        open={groupOpen}
        onDone={(g) => {
          setGroupOpen(false);
          if (g) setSelected(g.id);
        }}
      />
      <TagFormDrawer open={form !== null} tag={form?.tag} groups={list} groupId={current?.id} onClose={() => setForm(null)} />
      <TagApplyModal tag={applying} onClose={() => setApplying(undefined)} />
      <TagDetailDrawer tag={opened} onClose={() => setOpened(undefined)} />
    </Flex>
  );
}
