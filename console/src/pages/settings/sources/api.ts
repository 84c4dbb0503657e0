import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { newWriteKeySchema, sourceCreatedSchema, sourceSchema, writeKeyInfoSchema, type sourceCreateSchema } from '@contracts/tenancy';
import { api } from '../../../api/client';

export type Source = z.output<typeof sourceSchema>;
export type NewWriteKey = z.output<typeof newWriteKeySchema>;
export type SourceCreate = z.input<typeof sourceCreateSchema>;

const SOURCES_KEY = ['settings', 'sources'] as const;
/** The list endpoint answers `{ data: Source[] }` (the route's own response schema, built from the contract's sourceSchema). */
const sourceListSchema = z.object({ data: z.array(sourceSchema) });

export function useSources() {
  return useQuery({ queryKey: SOURCES_KEY, queryFn: () => api.get('/api/v1/sources', sourceListSchema) });
}

export function useCreateSource() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: SourceCreate) => api.post('/api/v1/sources', sourceCreatedSchema, { body }),
    onSuccess: () => client.invalidateQueries({ queryKey: SOURCES_KEY }),
  });
}

export function useIssueKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ sourceId, revokeExisting }: { sourceId: string; revokeExisting: boolean }) =>
      api.post(`/api/v1/sources/${sourceId}/write-keys`, newWriteKeySchema, { body: { revokeExisting } }),
    onSuccess: () => client.invalidateQueries({ queryKey: SOURCES_KEY }),
  });
}

export function useRevokeKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ sourceId, keyId }: { sourceId: string; keyId: string }) => api.post(`/api/v1/sources/${sourceId}/write-keys/${keyId}/revoke`, writeKeyInfoSchema),
    onSuccess: () => client.invalidateQueries({ queryKey: SOURCES_KEY }),
  });
}
