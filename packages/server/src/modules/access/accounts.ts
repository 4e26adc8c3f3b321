import { AppError, notFound, validationError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { newTwilioAccountSid } from '../../lib/twilio.ts';
import type { AccountRow } from '../../store/repos/accounts.ts';
import type { Store } from '../../store/store.ts';
import type { Deps } from '../deps.ts';
import { normaliseAllowlistEntry } from './ip-allowlist.ts';

export type AccountStatus = AccountRow['status'];
const STATUSES: readonly AccountStatus[] = ['active', 'suspended', 'pending'];

/** A new account's row: an empty wallet, no allowlist, limits or caps. */
export function newAccountRow(id: string, name: string, status: AccountStatus, now: number): AccountRow {
  return {
    id,
    name,
    status,
    balance_micros: 0,
    ip_allowlist: '[]',
    rate_limit_per_minute: null,
    daily_cap_micros: null,
    monthly_cap_micros: null,
    balance_low_micros: null,
    created_at: now,
    updated_at: now,
    twilio_account_sid: newTwilioAccountSid(),
  };
}

/** Creates an account with an empty wallet. */
export async function createAccount({ store, clock }: Deps, name: string, status: AccountStatus = 'active'): Promise<AccountRow> {
  if (!name.trim()) throw validationError([{ field: 'name', message: 'must not be empty' }]);
  if (!STATUSES.includes(status)) {
    throw validationError([{ field: 'status', message: `must be one of ${STATUSES.join(', ')}` }]);
  }
  const row = newAccountRow(newId('acc'), name.trim(), status, clock.now());
  await store.accounts.insert(row);
  return row;
}

export async function getAccount(store: Store, id: string): Promise<AccountRow> {
  const row = await store.accounts.get(id);
  if (!row) throw notFound('Account');
  return row;
}

export async function setAccountStatus({ store, clock }: Deps, id: string, status: AccountStatus): Promise<AccountRow> {
  if (!(await store.accounts.update(id, { status, updated_at: clock.now() }))) throw notFound('Account');
  return getAccount(store, id);
}

/** Adds or removes one allowlist entry; returns the resulting list. */
export async function changeAllowlist(
  { store, clock }: Deps,
  accountId: string,
  op: 'add' | 'remove',
  entry: string,
): Promise<string[]> {
  const normalised = normaliseAllowlistEntry(entry);
  if (!normalised) throw validationError([{ field: 'ip', message: 'must be an IPv4/IPv6 address or CIDR range' }]);
  return store.transaction(async (tx) => {
    // Written first, so the row is locked (PostgreSQL) before the list is read: two changes at
    // once apply one after the other instead of each writing its own copy of the list.
    if (!(await tx.accounts.update(accountId, { updated_at: clock.now() }))) throw notFound('Account');
    const account = await getAccount(tx, accountId);
    const list: string[] = JSON.parse(account.ip_allowlist);
    const next = op === 'add' ? [...new Set([...list, normalised])] : list.filter((e) => e !== normalised);
    if (op === 'remove' && next.length === list.length) throw new AppError('not_found', `${normalised} is not on the allowlist`);
    await tx.accounts.update(accountId, { ip_allowlist: JSON.stringify(next), updated_at: clock.now() });
    return next;
  });
}

/** Sets (or with null clears) the account's daily and monthly caps; undefined leaves one as is. */
export async function setAccountCaps(
  { store, clock }: Deps,
  accountId: string,
  caps: { daily?: number | null; monthly?: number | null },
): Promise<AccountRow> {
  const changes: Parameters<Store['accounts']['update']>[1] = { updated_at: clock.now() };
  if (caps.daily !== undefined) changes.daily_cap_micros = caps.daily;
  if (caps.monthly !== undefined) changes.monthly_cap_micros = caps.monthly;
  if (!(await store.accounts.update(accountId, changes))) throw notFound('Account');
  return getAccount(store, accountId);
}

/** Sets the requests-per-minute default for all of the account's keys (null: the server default). */
export async function setAccountRateLimit({ store, clock }: Deps, accountId: string, perMinute: number | null): Promise<AccountRow> {
  if (!(await store.accounts.update(accountId, { rate_limit_per_minute: perMinute, updated_at: clock.now() }))) {
    throw notFound('Account');
  }
  return getAccount(store, accountId);
}
