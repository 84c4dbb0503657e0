import { useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { orgUnitSchema } from '@contracts/org';
import { api } from './client';

/** The org-units list answer: the contract exports the unit, the route wraps it in `data`. */
const orgUnitListSchema = z.object({ data: z.array(orgUnitSchema) });

/** One cache entry for the org-unit list, whichever page asks for it. */
export const ORG_UNITS_KEY = ['org-units', 'list'] as const;

/** Org units in the caller's scope (HQ: the whole tree; dealer staff: their own units). */
export function useOrgUnits() {
  return useQuery({
    queryKey: ORG_UNITS_KEY,
    queryFn: ({ signal }) => api.get('/api/v1/org-units', orgUnitListSchema, { signal }),
    staleTime: 5 * 60_000,
  });
}
