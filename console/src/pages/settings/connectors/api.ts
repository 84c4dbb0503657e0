import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import {
  autohomeConnectorSchema,
  oceanEngineConnectorSchema,
  pollRequestedSchema,
  type autohomeConfigPutSchema,
  type oceanEngineConfigPutSchema,
} from '@contracts/lead-sources';
import {
  wecomConnectorListSchema,
  wecomConnectorSchema,
  wecomHealthSchema,
  wecomInboxSchema,
  type wecomConnectorCreateSchema,
  type wecomConnectorUpdateSchema,
} from '@contracts/wecom';
import { api, ApiError } from '../../../api/client';

export type WecomConnector = z.output<typeof wecomConnectorSchema>;
export type WecomCreate = z.input<typeof wecomConnectorCreateSchema>;
export type WecomUpdate = z.input<typeof wecomConnectorUpdateSchema>;
export type OceanEngine = z.output<typeof oceanEngineConnectorSchema>;
export type OceanEnginePut = z.input<typeof oceanEngineConfigPutSchema>;
export type Autohome = z.output<typeof autohomeConnectorSchema>;
export type AutohomePut = z.input<typeof autohomeConfigPutSchema>;

const WECOM_KEY = ['settings', 'connectors', 'wecom'] as const;
const OCEAN_KEY = ['settings', 'connectors', 'ocean-engine'] as const;
const AUTOHOME_KEY = ['settings', 'connectors', 'autohome'] as const;

export function useWecomConnectors() {
  return useQuery({ queryKey: WECOM_KEY, queryFn: () => api.get('/api/v1/connectors/wecom', wecomConnectorListSchema) });
}

export function useSaveWecom() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { id: null; body: WecomCreate } | { id: string; body: WecomUpdate }) =>
      input.id === null
        ? api.post('/api/v1/connectors/wecom', wecomConnectorSchema, { body: input.body })
        : api.put(`/api/v1/connectors/wecom/${input.id}`, wecomConnectorSchema, { body: input.body }),
    onSuccess: () => client.invalidateQueries({ queryKey: WECOM_KEY }),
  });
}

export function useDeleteWecom() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete(`/api/v1/connectors/wecom/${id}`, z.null()),
    onSuccess: () => client.invalidateQueries({ queryKey: WECOM_KEY }),
  });
}

export function useCheckWecom() {
  return useMutation({ mutationFn: (id: string) => api.post(`/api/v1/connectors/wecom/${id}/check`, wecomHealthSchema) });
}

export function useWecomInbox(id: string | null) {
  return useQuery({
    queryKey: [...WECOM_KEY, id, 'inbox'],
    queryFn: () => api.get(`/api/v1/connectors/wecom/${id ?? ''}/callbacks`, wecomInboxSchema),
    enabled: id !== null,
  });
}

/** The poller's configuration, or null while none is stored (the API answers 404 then). */
export function useOceanEngine() {
  return useQuery({
    queryKey: OCEAN_KEY,
    queryFn: async () => {
      try {
        return await api.get('/api/v1/lead-connectors/ocean-engine', oceanEngineConnectorSchema);
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) return null;
        throw e;
      }
    },
  });
}

export function useSaveOceanEngine() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: OceanEnginePut) => api.put('/api/v1/lead-connectors/ocean-engine', oceanEngineConnectorSchema, { body }),
    onSuccess: (saved) => client.setQueryData(OCEAN_KEY, saved),
  });
}

export function useDeleteOceanEngine() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.delete('/api/v1/lead-connectors/ocean-engine', z.null()),
    onSuccess: () => client.invalidateQueries({ queryKey: OCEAN_KEY }),
  });
}

export function usePollOceanEngine() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.post('/api/v1/lead-connectors/ocean-engine/poll', pollRequestedSchema),
    onSuccess: () => client.invalidateQueries({ queryKey: OCEAN_KEY }),
  });
}

export function useAutohome() {
  return useQuery({ queryKey: AUTOHOME_KEY, queryFn: () => api.get('/api/v1/lead-connectors/autohome', autohomeConnectorSchema) });
}

export function useSaveAutohome() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: AutohomePut) => api.put('/api/v1/lead-connectors/autohome', autohomeConnectorSchema, { body }),
    onSuccess: (saved) => client.setQueryData(AUTOHOME_KEY, saved),
  });
}
