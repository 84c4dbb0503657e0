import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import {
  dailyCountSchema,
  segmentChangeSchema,
  segmentMemberSchema,
  segmentPreviewResultSchema,
  segmentSchema,
  type segmentCreateSchema,
  type segmentDefinitionSchema,
  type segmentUpdateSchema,
} from '@contracts/segments';
import { api } from '../../api/client';

/** Everything of the segments area is cached under this key. */
export const SEGMENTS_KEY = 'segments';

/** The contract has no page schema for these lists (the server declares them inline): its shapes. */
const segmentListSchema = z.object({ data: z.array(segmentSchema) });
const memberPageSchema = z.object({ data: z.array(segmentMemberSchema), nextCursor: z.string().nullable() });
const changePageSchema = z.object({ data: z.array(segmentChangeSchema), nextCursor: z.string().nullable() });
const dailyCountsSchema = z.object({ data: z.array(dailyCountSchema) });

type DefinitionInput = z.input<typeof segmentDefinitionSchema>;

const path = (id: string) => `/api/v1/segments/${encodeURIComponent(id)}`;

export function useSegments() {
  return useQuery({ queryKey: [SEGMENTS_KEY, 'list'], queryFn: ({ signal }) => api.get('/api/v1/segments', segmentListSchema, { signal }) });
}

/** A saved segment; polled while a job computes its members. */
export function useSegment(id: string | undefined) {
  return useQuery({
    queryKey: [SEGMENTS_KEY, 'detail', id],
    queryFn: ({ signal }) => api.get(path(id ?? ''), segmentSchema, { signal }),
    enabled: id !== undefined,
    refetchInterval: (q) => (q.state.data?.state === 'computing' ? 2000 : false),
  });
}

/** Count and sample of a definition; `key` is its JSON, so equal trees share one answer. */
export function usePreview(definition: DefinitionInput | null, key: string) {
  return useQuery({
    queryKey: [SEGMENTS_KEY, 'preview', key],
    queryFn: ({ signal }) => api.post('/api/v1/segments/preview', segmentPreviewResultSchema, { body: { definition }, signal }),
    enabled: definition !== null,
    placeholderData: (prev) => prev,
    staleTime: 10_000,
    retry: false,
  });
}

export function useMembers(id: string, after: string | undefined, limit: number) {
  return useQuery({
    queryKey: [SEGMENTS_KEY, 'members', id, after ?? '', limit],
    queryFn: ({ signal }) => api.get(`${path(id)}/members`, memberPageSchema, { query: { after, limit }, signal }),
    placeholderData: (prev) => prev,
  });
}

export function useChanges(id: string, after: string | undefined, limit: number) {
  return useQuery({
    queryKey: [SEGMENTS_KEY, 'changes', id, after ?? '', limit],
    queryFn: ({ signal }) => api.get(`${path(id)}/changes`, changePageSchema, { query: { after, limit }, signal }),
    placeholderData: (prev) => prev,
  });
}

export function useDailyCounts(id: string, from: string, to: string) {
  return useQuery({
    queryKey: [SEGMENTS_KEY, 'counts', id, from, to],
    queryFn: ({ signal }) => api.get(`${path(id)}/counts`, dailyCountsSchema, { query: { from, to }, signal }),
  });
}

export function useSaveSegment(id: string | undefined) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: z.input<typeof segmentCreateSchema> & z.input<typeof segmentUpdateSchema>) =>
      id ? api.put(path(id), segmentSchema, { body }) : api.post('/api/v1/segments', segmentSchema, { body }),
    onSuccess: async (saved) => {
      client.setQueryData([SEGMENTS_KEY, 'detail', saved.id], saved);
      await client.invalidateQueries({ queryKey: [SEGMENTS_KEY] });
    },
  });
}

export function useDeleteSegment() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete(path(id), z.null()),
    onSuccess: () => client.invalidateQueries({ queryKey: [SEGMENTS_KEY] }),
  });
}
