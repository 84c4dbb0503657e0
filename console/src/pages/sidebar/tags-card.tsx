import { CloseOutlined } from '@ant-design/icons';
import { App, Button, Card, Flex, Select, Tag, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { tagAppliedSchema, tagGroupSchema, tagRemovedSchema, type ProfileTag, type TagApply } from '@contracts/tags';
import { api } from '../../api/client';
import { EmptyState, ErrorAlert } from '../../components/page-state';
import { useT } from '../../i18n';
import { messages } from './messages';
import { SIDEBAR_KEY } from './sidebar-keys';

/** GET /api/v1/tag-groups answers its groups under `data`; the contract names no list schema for it. */
const tagGroupListSchema = z.object({ data: z.array(tagGroupSchema) });

interface TagChange {
  tagId: string;
  name: string;
}

/** The customer's tags by group; manual tags are given and taken here, rule tags only shown. */
export function TagsCard({ profileId, tags }: { profileId: string; tags: ProfileTag[] }) {
  const t = useT(messages);
  const { message } = App.useApp();
  const client = useQueryClient();
  const groups = useQuery({
    queryKey: ['tag-groups'],
    queryFn: ({ signal }) => api.get('/api/v1/tag-groups', tagGroupListSchema, { signal }),
  });
  const body: TagApply = { profileIds: [profileId] };
  const done = async () => client.invalidateQueries({ queryKey: [SIDEBAR_KEY] });
  const apply = useMutation({
    mutationFn: (c: TagChange) => api.post(`/api/v1/tags/${c.tagId}/apply`, tagAppliedSchema, { body }),
    onSuccess: async (_r, c) => {
      void message.success(t('tagAdded', { name: c.name }));
      await done();
    },
  });
  const remove = useMutation({
    mutationFn: (c: TagChange) => api.post(`/api/v1/tags/${c.tagId}/remove`, tagRemovedSchema, { body }),
    onSuccess: async (_r, c) => {
      void message.success(t('tagRemoved', { name: c.name }));
      await done();
    },
  });

  const held = new Set(tags.map((tag) => tag.tagId));
  const byGroup = new Map<string, ProfileTag[]>();
  for (const tag of tags) byGroup.set(tag.groupName, [...(byGroup.get(tag.groupName) ?? []), tag]);
  const options = (groups.data?.data ?? [])
    .map((g) => ({
      label: g.name,
      title: g.name,
      options: g.tags.filter((tag) => tag.kind === 'manual' && !held.has(tag.id)).map((tag) => ({ value: tag.id, label: tag.name })),
    }))
    .filter((g) => g.options.length > 0);
  const nameOf = (tagId: string) => options.flatMap((g) => g.options).find((o) => o.value === tagId)?.label ?? tagId;
  const error = apply.error ?? remove.error ?? groups.error;

  return (
    <Card size="small" title={t('tags')} data-testid="sidebar-tags">
      <Flex vertical gap={8}>
        {tags.length === 0 ? (
          <EmptyState description={t('noTags')} />
        ) : (
          [...byGroup.entries()].map(([group, list]) => (
            <div key={group}>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {group}
              </Typography.Text>
              <Flex wrap gap={4} style={{ marginTop: 2 }}>
                {list.map((tag) =>
                  tag.kind === 'manual' ? (
                    <Tag key={tag.tagId} color="blue" style={{ marginInlineEnd: 0, paddingInlineEnd: 2 }}>
                      {tag.name}
                      <Button
                        type="text"
                        size="small"
                        icon={<CloseOutlined style={{ fontSize: 10 }} />}
                        aria-label={t('removeTag', { name: tag.name })}
                        title={t('removeTag', { name: tag.name })}
                        disabled={remove.isPending}
                        style={{ width: 16, minWidth: 16, height: 16, marginInlineStart: 2, verticalAlign: 'middle' }}
                        onClick={() => remove.mutate({ tagId: tag.tagId, name: tag.name })}
                      />
                    </Tag>
                  ) : (
                    <Tag key={tag.tagId} title={t('ruleTag')} style={{ marginInlineEnd: 0 }}>
                      {tag.name}
                    </Tag>
                  ),
                )}
              </Flex>
            </div>
          ))
        )}
        <Select<string>
          size="small"
          showSearch
          optionFilterProp="label"
          aria-label={t('addTag')}
          placeholder={t('addTagPlaceholder')}
          value={null}
          loading={groups.isPending || apply.isPending || remove.isPending}
          disabled={apply.isPending}
          options={options}
          onChange={(tagId) => apply.mutate({ tagId, name: nameOf(tagId) })}
        />
        {error ? <ErrorAlert error={error} /> : null}
      </Flex>
    </Card>
  );
}
