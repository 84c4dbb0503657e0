import { useQuery } from '@tanstack/react-query';
import { useCallback } from 'react';
import { z } from 'zod';
import { staffSchema } from '@contracts/org';
import { api } from '../../api/client';
import { useT } from '../../i18n';
import { LEADS_KEY } from './api';
import { leadMessages } from './lead-messages';

/**
 * Names for the actors the API records (`staff:<id>`, `admin_token:<id>`, `system:<what>`), from the
 * staff directory the caller may read; someone outside it is shown as "staff".
 */
export function useStaffNames() {
  const t = useT(leadMessages);
  const staff = useQuery({
    queryKey: [LEADS_KEY, 'staff-directory'],
    staleTime: 5 * 60_000,
    retry: false,
    queryFn: ({ signal }) => api.get('/api/v1/staff', z.object({ data: z.array(staffSchema) }), { signal }),
    select: (page) => new Map(page.data.map((s) => [s.id, s.name])),
  });
  const directory = staff.data;
  return useCallback(
    (staffId: string | null | undefined, actor?: string | null): string => {
      const id = staffId ?? (actor?.startsWith('staff:') ? actor.slice('staff:'.length) : null);
      if (id) return directory?.get(id) ?? t('actorStaff');
      if (actor?.startsWith('admin_token:')) return t('actorToken');
      if (actor?.startsWith('system:')) return t('actorSystem');
      return actor ?? '—';
    },
    [directory, t],
  );
}
