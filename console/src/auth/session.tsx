import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, type ReactNode } from 'react';
import { z } from 'zod';
import { meSchema, consoleSessionSchema, type loginSchema, type STAFF_ROLES } from '@contracts/org';
import { api, ApiError, onUnauthorized } from '../api/client';
import type { Locale } from '../i18n';
import { rememberLocale } from '../i18n/local';

export type Me = z.output<typeof meSchema>;
export type StaffRole = (typeof STAFF_ROLES)[number];

const ME_KEY = ['auth', 'me'] as const;

const SessionContext = createContext<Me | null>(null);

/** The signed-in staff member; only used below <RequireSession>. */
export function useMe(): Me {
  const me = useContext(SessionContext);
  if (!me) throw new Error('useMe outside a signed-in page');
  return me;
}

export function SessionProvider({ me, children }: { me: Me; children: ReactNode }) {
  return <SessionContext.Provider value={me}>{children}</SessionContext.Provider>;
}

/** Who is signed in: null when nobody is (401). */
export function useMeQuery() {
  const client = useQueryClient();
  useEffect(() => onUnauthorized(() => client.setQueryData(ME_KEY, null)), [client]);
  return useQuery({
    queryKey: ME_KEY,
    queryFn: async () => {
      try {
        return await api.get('/api/v1/auth/me', meSchema);
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }
    },
    staleTime: 5 * 60_000,
    retry: false,
  });
}

export function useSignIn() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: z.input<typeof loginSchema>) => api.post('/api/v1/auth/session', consoleSessionSchema, { body: input }),
    onSuccess: async () => {
      client.clear();
      await client.invalidateQueries({ queryKey: ME_KEY });
    },
  });
}

export function useSignOut() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.delete('/api/v1/auth/session', z.null()),
    onSettled: () => {
      client.clear();
      client.setQueryData(ME_KEY, null);
    },
  });
}

export function useSetLocale() {
  const client = useQueryClient();
  return useMutation({
    // The page switches at once; the server remembers the choice for the next sign-in anywhere.
    onMutate: (locale: Locale) => rememberLocale(locale),
    mutationFn: (locale: Locale) => api.patch('/api/v1/auth/me', meSchema, { body: { locale } }),
    onSuccess: (me) => client.setQueryData(ME_KEY, me),
  });
}

export function hasRole(me: Me, roles: readonly StaffRole[]): boolean {
  return roles.includes(me.role);
}
