import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { splitResultSchema, type splitRequestSchema } from '@contracts/identity';
import { leadSchema } from '@contracts/leads';
import type { eventsQuerySchema } from '@contracts/events';
import { profileEventsPageSchema, profileMergesSchema, profileSchema, profilesPageSchema } from '@contracts/profiles';
import { ltvSchema, orderPageSchema, originSchema } from '@contracts/sales';
import { profileStageSchema, stageModelSchema, stageTransitionSchema } from '@contracts/stages';
import { profileTagSchema, tagHistoryPageSchema, tagSchema } from '@contracts/tags';
import { vehicleSchema } from '@contracts/vehicles';
import { api } from '../../api/client';

/**
 * Server state of the customer pages. Every key starts with ['customers', profileId] so that one
 * invalidation after a split refreshes the whole 360.
 */

const base = (id: string) => `/api/v1/profiles/${encodeURIComponent(id)}`;
const customerKey = (id: string) => ['customers', id] as const;

// The routes answer these lists as { data: [...] } without a named page schema in the contract.
const stagesAnswer = z.object({ data: z.array(profileStageSchema) });
const stageHistoryAnswer = z.object({ data: z.array(stageTransitionSchema) });
const tagsAnswer = z.object({ data: z.array(profileTagSchema) });
const tagListAnswer = z.object({ data: z.array(tagSchema) });
const stageModelsAnswer = z.object({ data: z.array(stageModelSchema) });

export function useProfileSearch(q: string, cursor: string | undefined, limit: number) {
  return useQuery({
    queryKey: ['customers', 'search', q, cursor ?? '', limit],
    queryFn: ({ signal }) => api.get('/api/v1/profiles', profilesPageSchema, { query: { q, cursor, limit }, signal }),
    placeholderData: keepPreviousData,
  });
}

/** A 17-character VIN (no I, O or Q), as the vehicle search also accepts it. */
export const VIN_PATTERN = /^[A-HJ-NPR-Z0-9]{17}$/i;

export function useVehicle(vin: string | null) {
  return useQuery({
    queryKey: ['customers', 'vehicle', vin],
    queryFn: ({ signal }) => api.get(`/api/v1/vehicles/${encodeURIComponent(vin ?? '')}`, vehicleSchema, { signal }),
    enabled: vin !== null,
  });
}

/** The profile; a merged-away id is followed (308) to the surviving profile, whose id the answer carries. */
export function useProfile(id: string) {
  return useQuery({
    queryKey: [...customerKey(id), 'profile'],
    queryFn: ({ signal }) => api.get(base(id), profileSchema, { signal }),
  });
}

/** A profile read only for its name (household members, VIN matches); quiet on 404. */
export function useProfileName(id: string) {
  return useQuery({
    queryKey: [...customerKey(id), 'profile'],
    queryFn: ({ signal }) => api.get(base(id), profileSchema, { signal }),
    retry: false,
    staleTime: 60_000,
  });
}

export function useProfileStages(id: string) {
  return useQuery({ queryKey: [...customerKey(id), 'stages'], queryFn: ({ signal }) => api.get(`${base(id)}/stages`, stagesAnswer, { signal }) });
}

export function useStageHistory(id: string) {
  return useQuery({
    queryKey: [...customerKey(id), 'stages', 'history'],
    queryFn: ({ signal }) => api.get(`${base(id)}/stages/history`, stageHistoryAnswer, { query: { limit: 50 }, signal }),
  });
}

/** The tenant's stage models: the names of the stages a transition names by key. */
export function useStageModels() {
  return useQuery({
    queryKey: ['customers', 'stage-models'],
    queryFn: ({ signal }) => api.get('/api/v1/stage-models', stageModelsAnswer, { signal }),
    staleTime: 5 * 60_000,
  });
}

export function useProfileTags(id: string) {
  return useQuery({ queryKey: [...customerKey(id), 'tags'], queryFn: ({ signal }) => api.get(`${base(id)}/tags`, tagsAnswer, { signal }) });
}

/** The tenant's tags: the names of tags a history entry names by id (a removed tag is no longer on the profile). */
export function useTagList() {
  return useQuery({
    queryKey: ['customers', 'tag-list'],
    queryFn: ({ signal }) => api.get('/api/v1/tags', tagListAnswer, { signal }),
    staleTime: 5 * 60_000,
  });
}

export function useTagHistory(id: string, after: string | undefined, limit: number) {
  return useQuery({
    queryKey: [...customerKey(id), 'tags', 'history', after ?? '', limit],
    queryFn: ({ signal }) => api.get(`${base(id)}/tags/history`, tagHistoryPageSchema, { query: { after, limit }, signal }),
    placeholderData: keepPreviousData,
  });
}

export function useLtv(id: string) {
  return useQuery({ queryKey: [...customerKey(id), 'ltv'], queryFn: ({ signal }) => api.get(`${base(id)}/ltv`, ltvSchema, { signal }) });
}

export function useOrigin(id: string) {
  return useQuery({ queryKey: [...customerKey(id), 'origin'], queryFn: ({ signal }) => api.get(`${base(id)}/origin`, originSchema, { signal }) });
}

export function useOrders(id: string) {
  return useQuery({
    queryKey: [...customerKey(id), 'orders'],
    queryFn: ({ signal }) => api.get('/api/v1/orders', orderPageSchema, { query: { profileId: id, limit: 100 }, signal }),
  });
}

/** The timeline's filters, named as the events API names them. */
export type EventsFilter = Pick<z.input<typeof eventsQuerySchema>, 'type' | 'event' | 'from' | 'to'>;

/**
 * One page of the profile's events, newest first, filtered on the server. `from`/`to` are sent as
 * the events API names them; see the timeline for what happens while the profile route drops them.
 */
export function useProfileEvents(id: string, filter: EventsFilter, cursor: string | undefined, limit: number) {
  return useQuery({
    queryKey: [...customerKey(id), 'events', filter, cursor ?? '', limit],
    queryFn: ({ signal }) => api.get(`${base(id)}/events`, profileEventsPageSchema, { query: { ...filter, cursor, limit }, signal }),
    placeholderData: keepPreviousData,
  });
}

/** The profile's events of one name (server filter), for the friendship and lead summaries. */
export function useNamedEvents(id: string, event: string) {
  return useQuery({
    queryKey: [...customerKey(id), 'events', { event }, '', 100],
    queryFn: ({ signal }) => api.get(`${base(id)}/events`, profileEventsPageSchema, { query: { event, limit: 100 }, signal }),
  });
}

/** One lead, read on its own (a lead outside the caller's scope answers 404, which the client does not retry). */
export const leadQuery = (leadId: string) =>
  queryOptions({
    queryKey: ['customers', 'lead', leadId],
    queryFn: ({ signal }) => api.get(`/api/v1/leads/${encodeURIComponent(leadId)}`, leadSchema, { signal }),
  });

export function useMerges(id: string) {
  return useQuery({ queryKey: [...customerKey(id), 'merges'], queryFn: ({ signal }) => api.get(`${base(id)}/merges`, profileMergesSchema, { signal }) });
}

export function useSplit(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: z.input<typeof splitRequestSchema>) => api.post(`${base(id)}/split`, splitResultSchema, { body }),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['customers'] });
    },
  });
}
