import { useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { segmentPreviewResultSchema } from '@contracts/segments';
import { stageModelSchema } from '@contracts/stages';
import { staffSchema } from '@contracts/org';
import { tagGroupSchema } from '@contracts/tags';
import { sourceSchema } from '@contracts/tenancy';
import { api } from '../../../api/client';

/** Query keys shared with the segment and tag pages, so their changes refresh the builder's choices. */
export const choiceKeys = {
  tagGroups: ['tag-groups'] as const,
  stageModels: ['stage-models'] as const,
  sources: ['sources'] as const,
  staff: ['staff'] as const,
  traitNames: ['segments', 'trait-names'] as const,
};

const CHOICE_STALE = 60_000;

export function useTagGroups() {
  return useQuery({
    queryKey: choiceKeys.tagGroups,
    queryFn: () => api.get('/api/v1/tag-groups', z.object({ data: z.array(tagGroupSchema) })),
    staleTime: CHOICE_STALE,
  });
}

export function useStageModels() {
  return useQuery({
    queryKey: choiceKeys.stageModels,
    queryFn: () => api.get('/api/v1/stage-models', z.object({ data: z.array(stageModelSchema) })),
    staleTime: CHOICE_STALE,
  });
}

/** Sources (admin only: other roles choose by source kind or domain class instead). */
export function useSources() {
  return useQuery({
    queryKey: choiceKeys.sources,
    queryFn: () => api.get('/api/v1/sources', z.object({ data: z.array(sourceSchema) })),
    staleTime: CHOICE_STALE,
  });
}

const staffListSchema = z.object({ data: z.array(staffSchema) });
type StaffList = z.output<typeof staffListSchema>;

/** Every staff member the caller may see: one request, which the hooks below read in their own shapes. */
function useStaffList<T>(select: (list: StaffList) => T) {
  return useQuery({ queryKey: choiceKeys.staff, queryFn: () => api.get('/api/v1/staff', staffListSchema), staleTime: CHOICE_STALE, select });
}

const withWecom = (list: StaffList) => list.data.filter((s) => s.wecomUserId !== null);
const namesById = (list: StaffList) => new Map(list.data.map((s) => [s.id, s.name]));

/** Staff with a WeCom account: the consultants a customer may have added as a friend. */
export function useWecomStaff() {
  return useStaffList(withWecom);
}

/** Every staff member the caller may see, by id: to show who did what (names masked for analysts). */
export function useStaffNames() {
  return useStaffList(namesById);
}

/**
 * Trait names seen on recent profiles: the keys of a preview sample of everyone. There is no trait
 * catalogue endpoint, so these are suggestions and any valid name may still be typed.
 */
export function useTraitNames() {
  return useQuery({
    queryKey: choiceKeys.traitNames,
    queryFn: async () => {
      const res = await api.post('/api/v1/segments/preview', segmentPreviewResultSchema, { body: { definition: { version: 1, condition: { type: 'and', conditions: [] } } } });
      const names = new Set<string>();
      for (const p of res.sample) for (const key of Object.keys(p.traits)) names.add(key);
      return [...names].sort();
    },
    staleTime: 5 * 60_000,
  });
}
