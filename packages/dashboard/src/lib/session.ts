/** Who is signed in: GET /auth/me, shared through React Query. */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, setCsrfToken } from './api.ts';

/** A person, as /auth/me shows them. */
export interface User {
  id: string;
  email: string;
  name: string | null;
  operator: boolean;
  email_verified: boolean;
  totp_enabled: boolean;
  created_at: string;
}

/** An account the person belongs to, with their role in it. */
export interface AccountRef {
  id: string;
  name: string;
  status: string;
  role: Role;
}

export type Role = 'owner' | 'admin' | 'developer' | 'viewer';

/** The answer of /auth/me and of every sign-in. */
export interface Me {
  user: User;
  accounts: AccountRef[];
  csrf_token: string;
  session: { id: string; expires_at?: string };
}

export const ME_KEY = ['me'] as const;

/** Fetches /auth/me; null when nobody is signed in. */
export async function fetchMe(): Promise<Me | null> {
  try {
    const me = await api<Me>('GET', '/auth/me');
    setCsrfToken(me.csrf_token);
    return me;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw err;
  }
}

/** The signed-in person (undefined while loading, null when signed out). */
export function useMe() {
  return useQuery({ queryKey: ME_KEY, queryFn: fetchMe, staleTime: 60_000 });
}

/** Stores the answer of a sign-in so that the app sees the new session at once. */
export function useSignedIn(): (me: Me) => void {
  const qc = useQueryClient();
  return (me) => {
    setCsrfToken(me.csrf_token);
    qc.clear();
    qc.setQueryData(ME_KEY, me);
  };
}
