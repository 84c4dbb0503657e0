import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { staffSchema, type STAFF_ROLES, type staffCreateSchema, type staffUpdateSchema } from '@contracts/org';
import { api } from '../../../api/client';

export type Staff = z.output<typeof staffSchema>;
export type StaffCreate = z.input<typeof staffCreateSchema>;
export type StaffUpdate = z.input<typeof staffUpdateSchema>;
export type Role = (typeof STAFF_ROLES)[number];

const STAFF_KEY = ['settings', 'staff'] as const;
/** The route answers `{ data: Staff[] }` (the contract exports no list schema). */
const staffListSchema = z.object({ data: z.array(staffSchema) });

/** Staff of a unit (and below) and a role, filtered by the API. */
export function useStaffList(filter: { orgUnitCode?: string; role?: Role }) {
  return useQuery({
    queryKey: [...STAFF_KEY, filter],
    queryFn: () => api.get('/api/v1/staff', staffListSchema, { query: { orgUnitCode: filter.orgUnitCode, role: filter.role } }),
    placeholderData: (previous) => previous,
  });
}

export function useCreateStaff() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: StaffCreate) => api.post('/api/v1/staff', staffSchema, { body }),
    onSuccess: () => client.invalidateQueries({ queryKey: STAFF_KEY }),
  });
}

export function useUpdateStaff() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: StaffUpdate }) => api.put(`/api/v1/staff/${id}`, staffSchema, { body }),
    onSuccess: () => client.invalidateQueries({ queryKey: STAFF_KEY }),
  });
}

export function useResetPassword() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, password }: { id: string; password: string }) => api.post(`/api/v1/staff/${id}/password`, staffSchema, { body: { password } }),
    onSuccess: () => client.invalidateQueries({ queryKey: STAFF_KEY }),
  });
}

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** A random 14-character password with letters and digits (the API's rule), without look-alike characters. */
export function randomPassword(): string {
  for (;;) {
    const bytes = crypto.getRandomValues(new Uint8Array(14));
    const out = Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length] ?? 'x').join('');
    if (/\d/.test(out) && /[A-Za-z]/.test(out)) return out;
  }
}
