import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
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
import { api } from '../../api/client';

type StageDistributionQuery = z.input<typeof stageDistributionQuerySchema>;
type StageFlowsQuery = z.input<typeof stageFlowsQuerySchema>;
type FunnelQuery = z.input<typeof funnelQuerySchema>;
export type LeadKpiQuery = z.input<typeof kpiQuerySchema>;

/** Reachable people now, per channel and domain class (HQ roles only). */
export function useReachablePool() {
  return useQuery({
    queryKey: ['analytics', 'reachable-pool'],
    queryFn: ({ signal }) => api.get('/api/v1/analytics/reachable-pool', reachablePoolSchema, { signal }),
  });
}

export function useStageDistribution(query: StageDistributionQuery) {
  return useQuery({
    queryKey: ['analytics', 'stages', query],
    queryFn: ({ signal }) => api.get('/api/v1/analytics/stages', stageDistributionSchema, { query, signal }),
    placeholderData: keepPreviousData,
  });
}

export function useStageFlows(query: StageFlowsQuery) {
  return useQuery({
    queryKey: ['analytics', 'stage-flows', query],
    queryFn: ({ signal }) => api.get('/api/v1/analytics/stage-flows', stageFlowsSchema, { query, signal }),
    placeholderData: keepPreviousData,
  });
}

export function useFunnel(query: FunnelQuery) {
  return useQuery({
    queryKey: ['analytics', 'funnel', query],
    queryFn: ({ signal }) => api.get('/api/v1/analytics/funnel', funnelSchema, { query, signal }),
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
