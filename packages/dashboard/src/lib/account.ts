/** The account a page is about, from the URL, and what the signed-in person may do in it. */
import { useQuery } from '@tanstack/react-query';
import { useParams } from '@tanstack/react-router';
import { api } from './api.ts';
import { useMe, type AccountRef, type Role } from './session.ts';

// The role → permission policy of the server (modules/people/roles.ts), for hiding controls a
// person may not use. The server decides; this only spares people a 403 they cannot avoid.
const WRITES: Record<string, Role[]> = {
  account: ['owner', 'admin'],
  members: ['owner', 'admin'],
  keys: ['owner', 'admin', 'developer'],
  webhooks: ['owner', 'admin', 'developer'],
  allowlist: ['owner', 'admin', 'developer'],
  senders: ['owner', 'admin', 'developer'],
  messages: ['owner', 'admin', 'developer'],
  billing: ['owner', 'admin'],
};
const READS: Record<string, Role[]> = {
  billing: ['owner', 'admin', 'viewer'],
  members: ['owner', 'admin', 'viewer'],
  audit: ['owner'],
};

/** The :accountId of the current route. */
export function useAccountId(): string {
  return useParams({ strict: false }).accountId ?? '';
}

/**
 * The current account as /auth/me lists it. Operators reach accounts they are not members of as
 * owners; the admin API tells their name and status (a suspended account shows as suspended).
 */
export function useAccount(): AccountRef & { operatorView: boolean } {
  const id = useAccountId();
  const me = useMe().data;
  const member = me?.accounts.find((a) => a.id === id);
  const seen = useQuery({
    queryKey: ['admin', 'account', id],
    queryFn: () => api<{ name: string; status: string }>('GET', `/admin/accounts/${encodeURIComponent(id)}`),
    enabled: !member && me?.user.operator === true && id !== '',
  });
  if (member) return { ...member, operatorView: false };
  return { id, name: seen.data?.name ?? id, status: seen.data?.status ?? 'active', role: 'owner', operatorView: true };
}

/** Whether the current person may change `area` (keys, webhooks, billing, …) in this account. */
export function useCan(area: keyof typeof WRITES): boolean {
  return WRITES[area]?.includes(useAccount().role) ?? false;
}

/** Whether the current person may read `area` (billing, members, audit) in this account. */
export function useCanRead(area: keyof typeof READS): boolean {
  return READS[area]?.includes(useAccount().role) ?? true;
}

/** The path of an account's management API route. */
export function accountPath(accountId: string, rest = ''): string {
  return `/accounts/${encodeURIComponent(accountId)}${rest}`;
}
