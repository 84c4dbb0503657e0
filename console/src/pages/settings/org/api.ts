import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { orgUnitSchema, type orgUnitCreateSchema, type orgUnitUpdateSchema } from '@contracts/org';
import { api } from '../../../api/client';

export type OrgUnit = z.output<typeof orgUnitSchema>;
export type OrgUnitCreate = z.input<typeof orgUnitCreateSchema>;
export type OrgUnitUpdate = z.input<typeof orgUnitUpdateSchema>;

/** Shared with the staff page (unit filter and placement). */
export const ORG_UNITS_KEY = ['settings', 'org-units'] as const;
/** The route answers `{ data: OrgUnit[] }` in tree order (the contract exports no list schema). */
const unitListSchema = z.object({ data: z.array(orgUnitSchema) });

export function useOrgUnits() {
  return useQuery({ queryKey: ORG_UNITS_KEY, queryFn: () => api.get('/api/v1/org-units', unitListSchema) });
}

export function useCreateOrgUnit() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: OrgUnitCreate) => api.post('/api/v1/org-units', orgUnitSchema, { body }),
    onSuccess: () => client.invalidateQueries({ queryKey: ORG_UNITS_KEY }),
  });
}

export function useUpdateOrgUnit() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ code, body }: { code: string; body: OrgUnitUpdate }) => api.put(`/api/v1/org-units/${encodeURIComponent(code)}`, orgUnitSchema, { body }),
    onSuccess: () => client.invalidateQueries({ queryKey: ORG_UNITS_KEY }),
  });
}

export interface UnitNode {
  key: string;
  unit: OrgUnit;
  children: UnitNode[];
}

/**
 * The units as a forest. A unit whose parent is not in the list (a dealer manager sees only their own
 * units) becomes a root.
 */
export function buildTree(units: readonly OrgUnit[]): UnitNode[] {
  const nodes = new Map<string, UnitNode>();
  for (const unit of units) nodes.set(unit.code, { key: unit.code, unit, children: [] });
  const roots: UnitNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.unit.parentCode ? nodes.get(node.unit.parentCode) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}
