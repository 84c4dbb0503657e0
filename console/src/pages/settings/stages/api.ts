import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { stageModelSchema, type StagePreset, type stageModelPutSchema } from '@contracts/stages';
import { api } from '../../../api/client';

export type StageModel = z.output<typeof stageModelSchema>;
export type StageModelPut = z.input<typeof stageModelPutSchema>;

const MODELS_KEY = ['settings', 'stage-models'] as const;
/** The route answers `{ data: StageModel[] }` (the contract exports no list schema). */
const modelListSchema = z.object({ data: z.array(stageModelSchema) });

export function useStageModels() {
  return useQuery({ queryKey: MODELS_KEY, queryFn: () => api.get('/api/v1/stage-models', modelListSchema) });
}

export function useStageModel(key: string | undefined) {
  return useQuery({
    queryKey: [...MODELS_KEY, key],
    queryFn: () => api.get(`/api/v1/stage-models/${encodeURIComponent(key ?? '')}`, stageModelSchema),
    enabled: key !== undefined,
  });
}

export function useInstallPreset() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (preset: StagePreset) => api.post(`/api/v1/stage-models/presets/${preset}`, stageModelSchema),
    onSuccess: () => client.invalidateQueries({ queryKey: MODELS_KEY }),
  });
}

export function usePutStageModel() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ key, body }: { key: string; body: StageModelPut }) => api.put(`/api/v1/stage-models/${encodeURIComponent(key)}`, stageModelSchema, { body }),
    onSuccess: (model) => {
      client.setQueryData([...MODELS_KEY, model.key], model);
      return client.invalidateQueries({ queryKey: MODELS_KEY, exact: true });
    },
  });
}

export function useDeleteStageModel() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (key: string) => api.delete(`/api/v1/stage-models/${encodeURIComponent(key)}`, z.null()),
    onSuccess: () => client.invalidateQueries({ queryKey: MODELS_KEY }),
  });
}
