import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { z } from 'zod';
import { orgUnitSchema, staffSchema, type StaffView } from '@contracts/org';
import { segmentSchema } from '@contracts/segments';
import { tagSchema } from '@contracts/tags';
import { wecomConnectorListSchema } from '@contracts/wecom';
import { wecomChannelCodeListSchema } from '@contracts/wecom-codes';
import { api } from '../../../api/client';
import { hasRole, useMe } from '../../../auth/session';

// The staff, org-unit, segment and tag list routes answer `{ data: [...] }` without a named list schema in the contracts.
const staffListSchema = z.object({ data: z.array(staffSchema) });
const orgUnitListSchema = z.object({ data: z.array(orgUnitSchema) });
const segmentListSchema = z.object({ data: z.array(segmentSchema) });
const tagListSchema = z.object({ data: z.array(tagSchema) });

export const wecomKeys = {
  codes: (connectorId?: string) => ['wecom', 'codes', connectorId ?? null] as const,
  code: (id: string) => ['wecom', 'code', id] as const,
  codeStats: (id: string, from: string, to: string) => ['wecom', 'code-stats', id, from, to] as const,
  mass: (cursor?: string) => ['wecom', 'mass', cursor ?? null] as const,
  massTask: (id: string) => ['wecom', 'mass-task', id] as const,
  transfers: (query: Record<string, string | undefined>) => ['wecom', 'transfers', query] as const,
  transfer: (id: string | null) => ['wecom', 'transfer', id] as const,
  churn: (query: Record<string, string | number | undefined>) => ['wecom', 'churn', query] as const,
};

export function useChannelCodes(connectorId?: string) {
  return useQuery({
    queryKey: wecomKeys.codes(connectorId),
    queryFn: () => api.get('/api/v1/wecom/channel-codes', wecomChannelCodeListSchema, { query: { connectorId } }),
  });
}

/**
 * The connectors to choose from. Listing connectors is for admins; other roles get the connectors
 * their channel codes use (the API answers 403 to them, which is expected here).
 */
export function useConnectorOptions() {
  const me = useMe();
  const connectors = useQuery({
    queryKey: ['wecom', 'connectors'],
    queryFn: () => api.get('/api/v1/connectors/wecom', wecomConnectorListSchema),
    // Only admins may list connectors: other roles would get a 403 on every page.
    enabled: hasRole(me, ['admin']),
    retry: false,
  });
  const codes = useChannelCodes();
  return useMemo(() => {
    if (connectors.data) return { options: connectors.data.data.map((c) => ({ value: c.id, label: `${c.corpId} · ${c.agentId}` })), pending: false };
    const ids = [...new Set((codes.data?.data ?? []).map((c) => c.connectorId))];
    return { options: ids.map((id) => ({ value: id, label: id })), pending: (connectors.isFetching && connectors.isPending) || codes.isPending };
  }, [connectors.data, connectors.isPending, connectors.isFetching, codes.data, codes.isPending]);
}

/** Staff in the caller's scope, for pickers and for showing names behind ids. */
export function useStaff() {
  return useQuery({
    queryKey: ['wecom', 'staff'],
    queryFn: () => api.get('/api/v1/staff', staffListSchema),
    staleTime: 5 * 60_000,
  });
}

export function useStaffById(): Map<string, StaffView> {
  const staff = useStaff();
  return useMemo(() => new Map((staff.data?.data ?? []).map((s) => [s.id, s])), [staff.data]);
}

export function useDealers() {
  return useQuery({
    queryKey: ['wecom', 'org-units'],
    queryFn: () => api.get('/api/v1/org-units', orgUnitListSchema),
    staleTime: 5 * 60_000,
    select: (d) => d.data.filter((u) => u.type === 'dealer' && u.active),
  });
}

export function useSegments() {
  return useQuery({ queryKey: ['wecom', 'segments'], queryFn: () => api.get('/api/v1/segments', segmentListSchema), retry: false });
}

export function useTags() {
  return useQuery({ queryKey: ['wecom', 'tags'], queryFn: () => api.get('/api/v1/tags', tagListSchema), retry: false });
}

/** A staff member as "name · userid", or the id when the caller cannot see them. */
export function staffLabel(s: StaffView | undefined, fallback: string): string {
  if (!s) return fallback;
  return s.wecomUserId ? `${s.name} · ${s.wecomUserId}` : s.name;
}
