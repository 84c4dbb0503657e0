import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import {
  type funnelQuerySchema,
  funnelSchema,
  reachablePoolSchema,
  type stageDistributionQuerySchema,
  stageDistributionSchema,
  type stageFlowsQuerySchema,
  stageFlowsSchema,
} from '@contracts/analytics';
import { type kpiQuerySchema, leadKpisSchema } from '@contracts/kpis';
import { orgUnitSchema } from '@contracts/org';
import { api } from '../../api/client';

/** The org-units list answer: the contract exports the unit, the route wraps it in `data`. */
const orgUnitListSchema = z.object({ data: z.array(orgUnitSchema) });

type StageDistributionQuery = z.input<typeof stageDistributionQuerySchema>;
type StageFlowsQuery = z.input<typeof stageFlowsQuerySchema>;
type FunnelQuery = z.input<typeof funnelQuerySchema>;
export type LeadKpiQuery = z.input<typeof kpiQuerySchema>;

/** Org units in the caller's scope (HQ: the whole tree; dealer staff: their own units). */
export function useOrgUnits() {
  return useQuery({
    queryKey: ['org-units', 'list'],
    queryFn: ({ signal }) => api.get('/api/v1/org-units', orgUnitListSchema, { signal }),
    staleTime: 5 * 60_000,
  });
}

/** Reachable people now, per channel and domain class (HQ roles only). */
export function useReachablePool(enabled: boolean) {
  return useQuery({
    queryKey: ['analytics', 'reachable-pool'],
    queryFn: ({ signal }) => api.get('/api/v1/analytics/reachable-pool', reachablePoolSchema, { signal }),
    enabled,
  });
}

export function useStageDistribution(query: StageDistributionQuery, enabled: boolean) {
  return useQuery({
    queryKey: ['analytics', 'stages', query],
    queryFn: ({ signal }) => api.get('/api/v1/analytics/stages', stageDistributionSchema, { query, signal }),
    enabled,
    placeholderData: keepPreviousData,
  });
}

export function useStageFlows(query: StageFlowsQuery, enabled: boolean) {
  return useQuery({
    queryKey: ['analytics', 'stage-flows', query],
    queryFn: ({ signal }) => api.get('/api/v1/analytics/stage-flows', stageFlowsSchema, { query, signal }),
    enabled,
    placeholderData: keepPreviousData,
  });
}

export function useFunnel(query: FunnelQuery, enabled: boolean) {
  return useQuery({
    queryKey: ['analytics', 'funnel', query],
    queryFn: ({ signal }) => api.get('/api/v1/analytics/funnel', funnelSchema, { query, signal }),
    enabled,
    placeholderData: keepPreviousData,
  });
}

/** Lead KPIs of a period; the API limits them to the caller's scope. One call feeds the tiles, the trend and the sources. */
export function useLeadKpis(query: LeadKpiQuery) {
  return useQuery({
    queryKey: ['kpis', 'leads', query],
    queryFn: ({ signal }) => api.get('/api/v1/kpis/leads', leadKpisSchema, { query, signal }),
    placeholderData: keepPreviousData,
  });
}
