import type { UserRow } from '../../store/repos/users.ts';
import type { Store } from '../../store/store.ts';
import { checkCursor, cut, pageSize } from '../pagination.ts';
import { userView } from '../people/users.ts';

type Membership = { id: string; name: string; status: string; role: string };

/** A user as operators see them: the profile and every account they belong to, with their role there. */
export function userWithAccounts(u: UserRow, accounts: Membership[]) {
  return { ...userView(u), accounts };
}

/** The operators' list of users: by id, `search` matching part of the email. */
export async function listUsers(store: Store, q: { search?: string; limit?: number; cursor?: string }) {
  checkCursor('usr', q.cursor);
  const size = pageSize(q.limit);
  const rows = await store.users.list({ limit: size + 1, ...(q.cursor ? { cursor: q.cursor } : {}), ...(q.search ? { search: q.search } : {}) });
  const { shown, next_cursor } = cut(rows, size);
  const memberships = await store.users.accountsOfMany(shown.map((u) => u.id));
  const data = shown.map((u) =>
    userWithAccounts(
      u,
      memberships.filter((m) => m.user_id === u.id).map((m) => ({ id: m.account_id, name: m.account_name, status: m.account_status, role: m.role })),
    ),
  );
  return { data, next_cursor };
}

/** One user with their accounts. */
export async function userDetail(store: Store, user: UserRow) {
  const accounts = await store.users.accountsOf(user.id);
  return userWithAccounts(user, accounts.map((m) => ({ id: m.account_id, name: m.account_name, status: m.account_status, role: m.role })));
}
