import { useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { allowedTransitionsSchema, type defeatListQuery, defeatRequestPageSchema, followUpSchema, leadTransitionSchema, type LeadStatus } from '@contracts/funnel';
import { type leadListQuerySchema, leadPageSchema, type leadPoolQuerySchema, leadSchema } from '@contracts/leads';
import { orgUnitSchema, staffSchema } from '@contracts/org';
import { orderPageSchema } from '@contracts/sales';
import { api, type Query } from '../../api/client';

/** Everything of the leads area is cached under this key, so one invalidation refreshes it all. */
export const LEADS_KEY = 'leads';

export type LeadListQuery = z.input<typeof leadListQuerySchema>;
export type LeadPoolQuery = z.input<typeof leadPoolQuerySchema>;
export type DefeatListQuery = z.input<typeof defeatListQuery>;

/** The set values of a query (strings, numbers, booleans), so that equal filters make equal cache keys. */
function compact(query: Record<string, unknown>): Query {
  const out: Query = {};
  for (const [key, value] of Object.entries(query)) {
    if ((typeof value === 'string' && value !== '') || typeof value === 'number' || typeof value === 'boolean') out[key] = value;
  }
  return out;
}

export function fetchLeads(query: LeadListQuery, signal?: AbortSignal) {
  return api.get('/api/v1/leads', leadPageSchema, { query: compact(query), signal });
}

export function useLeads(query: LeadListQuery) {
  return useQuery({ queryKey: [LEADS_KEY, 'list', compact(query)], queryFn: ({ signal }) => fetchLeads(query, signal), placeholderData: (prev) => prev });
}

export function usePool(query: LeadPoolQuery) {
  return useQuery({
    queryKey: [LEADS_KEY, 'pool', compact(query)],
    queryFn: ({ signal }) => api.get('/api/v1/leads/pool', leadPageSchema, { query: compact(query), signal }),
    placeholderData: (prev) => prev,
  });
}

export function useLead(id: string) {
  return useQuery({ queryKey: [LEADS_KEY, 'detail', id], queryFn: ({ signal }) => api.get(`/api/v1/leads/${encodeURIComponent(id)}`, leadSchema, { signal }) });
}

export function useFollowUps(id: string) {
  return useQuery({
    queryKey: [LEADS_KEY, 'follow-ups', id],
    queryFn: ({ signal }) => api.get(`/api/v1/leads/${encodeURIComponent(id)}/follow-ups`, z.object({ data: z.array(followUpSchema) }), { signal }),
  });
}

export function useTransitions(id: string) {
  return useQuery({
    queryKey: [LEADS_KEY, 'transitions', id],
    queryFn: ({ signal }) => api.get(`/api/v1/leads/${encodeURIComponent(id)}/transitions`, z.object({ data: z.array(leadTransitionSchema) }), { signal }),
  });
}

/** The moves the API allows the caller on this lead now, asked again when the lead changes. */
export function useAllowedTransitions(id: string, status: LeadStatus, updatedAt: string) {
  return useQuery({
    queryKey: [LEADS_KEY, 'allowed-transitions', id, status, updatedAt],
    staleTime: Infinity,
    queryFn: async ({ signal }): Promise<LeadStatus[]> =>
      (await api.get(`/api/v1/leads/${encodeURIComponent(id)}/allowed-transitions`, allowedTransitionsSchema, { signal })).allowed,
  });
}

export function useDefeatRequests(query: DefeatListQuery) {
  return useQuery({
    queryKey: [LEADS_KEY, 'defeat-requests', compact(query)],
    queryFn: ({ signal }) => api.get('/api/v1/defeat-requests', defeatRequestPageSchema, { query: compact(query), signal }),
  });
}

/** The person's orders (the order list filters by person, not by lead). */
export function usePersonOrders(profileId: string | null) {
  return useQuery({
    queryKey: [LEADS_KEY, 'orders', profileId],
    enabled: profileId !== null,
    queryFn: ({ signal }) => api.get('/api/v1/orders', orderPageSchema, { query: { profileId }, signal }),
  });
}

/** Dealers in the caller's scope (the API scopes org units: dealer staff see their own). */
export function useDealers(enabled = true) {
  return useQuery({
    queryKey: [LEADS_KEY, 'org-units'],
    enabled,
    staleTime: 5 * 60_000,
    queryFn: ({ signal }) => api.get('/api/v1/org-units', z.object({ data: z.array(orgUnitSchema) }), { signal }),
    select: (page) => page.data.filter((u) => u.type === 'dealer'),
  });
}

/** Consultants in the caller's scope, optionally of one unit. */
export function useConsultants(orgUnitCode: string | undefined, enabled = true) {
  return useQuery({
    queryKey: [LEADS_KEY, 'consultants', orgUnitCode ?? null],
    enabled,
    staleTime: 5 * 60_000,
    queryFn: ({ signal }) => api.get('/api/v1/staff', z.object({ data: z.array(staffSchema) }), { query: { role: 'consultant', orgUnitCode }, signal }),
  });
}
