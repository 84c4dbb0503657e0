import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { blocklistEntrySchema, blocklistItemSchema, identifierTypeSchema, traitStrategySchema, type identifierTypeUpsertSchema } from '@contracts/identity';
import { api } from '../../../api/client';

export type IdentifierType = z.output<typeof identifierTypeSchema>;
export type IdentifierTypeUpsert = z.input<typeof identifierTypeUpsertSchema>;
export type BlockEntry = z.input<typeof blocklistEntrySchema>;
export type TraitStrategy = z.output<typeof traitStrategySchema>['strategy'];

const TYPES_KEY = ['settings', 'identity', 'types'] as const;
const BLOCK_KEY = ['settings', 'identity', 'blocklist'] as const;

/** The list routes answer `{ data: [...] }` of the contract's item schemas (the contract exports no list schema). */
const typeListSchema = z.object({ data: z.array(identifierTypeSchema) });
const blockListSchema = z.object({ data: z.array(blocklistItemSchema) });

export function useIdentifierTypes() {
  return useQuery({ queryKey: TYPES_KEY, queryFn: () => api.get('/api/v1/identity/types', typeListSchema) });
}

export function usePutIdentifierType() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ type, body }: { type: string; body: IdentifierTypeUpsert }) => api.put(`/api/v1/identity/types/${encodeURIComponent(type)}`, identifierTypeSchema, { body }),
    onSuccess: () => client.invalidateQueries({ queryKey: TYPES_KEY }),
  });
}

export function useRemoveIdentifierType() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (type: string) => api.delete(`/api/v1/identity/types/${encodeURIComponent(type)}`, z.null()),
    onSuccess: () => client.invalidateQueries({ queryKey: TYPES_KEY }),
  });
}

export function useBlocklist() {
  return useQuery({ queryKey: BLOCK_KEY, queryFn: () => api.get('/api/v1/identity/blocklist', blockListSchema) });
}

export function useBlock() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: BlockEntry) => api.post('/api/v1/identity/blocklist', blocklistEntrySchema, { body }),
    onSuccess: () => client.invalidateQueries({ queryKey: BLOCK_KEY }),
  });
}

export function useUnblock() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: BlockEntry) => api.delete('/api/v1/identity/blocklist', z.null(), { body }),
    onSuccess: () => client.invalidateQueries({ queryKey: BLOCK_KEY }),
  });
}

export function useSetTraitStrategy() {
  return useMutation({
    mutationFn: ({ trait, strategy }: { trait: string; strategy: TraitStrategy }) =>
      api.put(`/api/v1/identity/trait-strategies/${encodeURIComponent(trait)}`, traitStrategySchema, { body: { strategy } }),
  });
}
