import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import {
  tagAppliedSchema,
  tagDetailSchema,
  tagGroupSchema,
  tagHistoryPageSchema,
  tagOperationSchema,
  tagRemovedSchema,
  tagSchema,
  type Tag,
  type tagApplySchema,
  type tagCreateSchema,
  type tagGroupCreateSchema,
  type tagUpdateSchema,
} from '@contracts/tags';
import { api } from '../../../api/client';
import { choiceKeys } from '../builder/choices';

/** Tag data is cached under this key (the tag groups list is shared with the builder's choices). */
const TAGS_KEY = 'tags';
const tagListSchema = z.object({ data: z.array(tagSchema) });
const tagPath = (id: string) => `/api/v1/tags/${encodeURIComponent(id)}`;

/** A bulk change answers at once (listed profiles) or with an operation a job carries out (202). */
const applyResultSchema = z.union([tagAppliedSchema, tagOperationSchema]);
const removeResultSchema = z.union([tagRemovedSchema, tagOperationSchema]);

/** A group's tags; the ones the group list already holds are shown until the answer arrives. */
export function useTags(groupId: string | undefined, known?: Tag[]) {
  return useQuery({
    queryKey: [TAGS_KEY, 'list', groupId],
    queryFn: ({ signal }) => api.get('/api/v1/tags', tagListSchema, { query: { groupId }, signal }),
    enabled: groupId !== undefined,
    placeholderData: known ? { data: known } : undefined,
  });
}

export function useTagDetail(id: string | undefined) {
  return useQuery({ queryKey: [TAGS_KEY, 'detail', id], queryFn: ({ signal }) => api.get(tagPath(id ?? ''), tagDetailSchema, { signal }), enabled: id !== undefined });
}

export function useTagHistory(id: string, after: string | undefined, limit: number) {
  return useQuery({
    queryKey: [TAGS_KEY, 'history', id, after ?? '', limit],
    queryFn: ({ signal }) => api.get(`${tagPath(id)}/history`, tagHistoryPageSchema, { query: { after, limit }, signal }),
    placeholderData: (prev) => prev,
  });
}

/** After a change: the tag lists, details and the builder's tag choices. */
function useRefresh() {
  const client = useQueryClient();
  return async () => {
    await Promise.all([client.invalidateQueries({ queryKey: [TAGS_KEY] }), client.invalidateQueries({ queryKey: choiceKeys.tagGroups })]);
  };
}

export function useCreateGroup() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (body: z.input<typeof tagGroupCreateSchema>) => api.post('/api/v1/tag-groups', tagGroupSchema, { body }),
    onSuccess: refresh,
  });
}

export function useDeleteGroup() {
  const refresh = useRefresh();
  return useMutation({ mutationFn: (id: string) => api.delete(`/api/v1/tag-groups/${encodeURIComponent(id)}`, z.null()), onSuccess: refresh });
}

export function useCreateTag() {
  const refresh = useRefresh();
  return useMutation({ mutationFn: (body: z.input<typeof tagCreateSchema>) => api.post('/api/v1/tags', tagSchema, { body }), onSuccess: refresh });
}

export function useUpdateTag(id: string) {
  const refresh = useRefresh();
  return useMutation({ mutationFn: (body: z.input<typeof tagUpdateSchema>) => api.put(tagPath(id), tagDetailSchema, { body }), onSuccess: refresh });
}

export function useDeleteTag() {
  const refresh = useRefresh();
  return useMutation({ mutationFn: (id: string) => api.delete(tagPath(id), z.null()), onSuccess: refresh });
}

export type ApplyAction = 'apply' | 'remove';

/** Give or take a manual tag: the counts at once, or the queued operation to follow. */
export function useApplyTag(id: string) {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: async ({ action, body }: { action: ApplyAction; body: z.input<typeof tagApplySchema> }) => {
      if (action === 'apply') {
        const res = await api.post(`${tagPath(id)}/apply`, applyResultSchema, { body });
        return 'applied' in res ? { kind: 'done' as const, changed: res.applied, unchanged: res.unchanged } : { kind: 'operation' as const, operation: res };
      }
      const res = await api.post(`${tagPath(id)}/remove`, removeResultSchema, { body });
      return 'removed' in res ? { kind: 'done' as const, changed: res.removed, unchanged: res.unchanged } : { kind: 'operation' as const, operation: res };
    },
    onSuccess: refresh,
  });
}

/** A bulk operation, read again every second until it has finished. */
export function useOperation(id: string | undefined) {
  const refresh = useRefresh();
  return useQuery({
    // Kept outside TAGS_KEY, so that the refresh it triggers does not read it again.
    queryKey: ['tag-operations', id],
    queryFn: async ({ signal }) => {
      const op = await api.get(`/api/v1/operations/${encodeURIComponent(id ?? '')}`, tagOperationSchema, { signal });
      if (op.state === 'succeeded') await refresh();
      return op;
    },
    enabled: id !== undefined,
    // Stops once the operation has finished, or when it cannot be read (the error is shown instead).
    refetchInterval: (q) => {
      const state = q.state.data?.state;
      return q.state.status === 'error' || state === 'succeeded' || state === 'failed' ? false : 1000;
    },
  });
}
