import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import { auditPageSchema } from '@contracts/org';
import { api } from '../../../api/client';

export type AuditEntry = z.output<typeof auditPageSchema>['data'][number];
export interface AuditFilter {
  action?: string;
  actor?: string;
  from?: string;
  to?: string;
}

/** One page of the audit log, newest first, from `cursor` (none: the first page). */
export function useAuditPage(filter: AuditFilter, cursor: string | undefined, limit: number) {
  return useQuery({
    queryKey: ['settings', 'audit', filter, cursor, limit],
    queryFn: () => api.get('/api/v1/audit-log', auditPageSchema, { query: { ...filter, cursor, limit } }),
    placeholderData: keepPreviousData,
  });
}
