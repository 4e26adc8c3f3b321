import { formatMicros } from '../../lib/money.ts';
import type { AccountRow } from '../../store/repos/accounts.ts';
import type { Store } from '../../store/store.ts';
import { type AccountStatus, createAccount, getAccount, setAccountStatus } from '../access/accounts.ts';
import { balanceOf } from '../billing/wallet.ts';
import type { Deps } from '../deps.ts';
import { checkCursor, page, pageSize } from '../pagination.ts';
import type { AuditActor } from '../people/actor.ts';
import { audit } from '../people/audit.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const money = (micros: number | null) => (micros === null ? null : formatMicros(micros));

/** An account in the operators' list. */
export function accountSummary(a: AccountRow, currency: string) {
  return {
    id: a.id,
    name: a.name,
    status: a.status,
    balance: formatMicros(a.balance_micros),
    currency,
    twilio_account_sid: a.twilio_account_sid,
    created_at: iso(a.created_at),
    updated_at: iso(a.updated_at),
  };
}

/** The operators' list of accounts: newest first, by name or id (`search`) and status. */
export async function listAccounts(store: Store, q: { search?: string; status?: AccountStatus; limit?: number; cursor?: string }) {
  checkCursor('acc', q.cursor);
  const size = pageSize(q.limit);
  const rows = await store.accounts.search({
    limit: size + 1,
    ...(q.cursor ? { cursor: q.cursor } : {}),
    ...(q.search ? { search: q.search } : {}),
    ...(q.status ? { status: q.status } : {}),
  });
  return page(rows, size, (a) => accountSummary(a, store.currency));
}

/** One account as an operator sees it: wallet, spend caps with their use, limits, and how many members and live keys it has. */
export async function accountDetail(deps: Deps, id: string) {
  const account = await getAccount(deps.store, id);
  const [wallet, members, keys] = await Promise.all([balanceOf(deps, id), deps.store.users.membersOf(id), deps.store.keys.listByAccount(id)]);
  const now = deps.clock.now();
  const live = keys.filter((k) => k.revoked_at === null && (k.expires_at === null || k.expires_at > now));
  return {
    ...accountSummary(account, deps.store.currency),
    spend_caps: {
      daily: { limit: money(wallet.daily.limit), used: formatMicros(wallet.daily.used) },
      monthly: { limit: money(wallet.monthly.limit), used: formatMicros(wallet.monthly.used) },
    },
    balance_low: money(account.balance_low_micros),
    rate_limit_per_minute: account.rate_limit_per_minute,
    ip_allowlist: JSON.parse(account.ip_allowlist) as string[],
    member_count: members.length,
    key_count: live.length,
  };
}

/** Creates an account (audited as account.create). */
export async function createAccountAs({ store, clock }: Deps, actor: AuditActor, name: string, status: AccountStatus = 'active'): Promise<AccountRow> {
  return store.transaction(async (tx) => {
    const row = await createAccount({ store: tx, clock }, name, status);
    await audit(tx, actor, { accountId: row.id, action: 'account.create', target: row.id, after: { name: row.name, status: row.status } }, row.created_at);
    return row;
  });
}

/**
 * Activates or suspends an account (audited as account.activate / account.suspend, with the status
 * before and after). Its keys follow from the next request on, on every process (the read cache's epoch).
 */
export async function setAccountStatusAs({ store, clock }: Deps, actor: AuditActor, id: string, status: 'active' | 'suspended'): Promise<AccountRow> {
  return store.transaction(async (tx) => {
    const before = await getAccount(tx, id);
    const after = await setAccountStatus({ store: tx, clock }, id, status);
    const action = status === 'active' ? 'account.activate' : 'account.suspend';
    await audit(tx, actor, { accountId: id, action, target: id, before: { status: before.status }, after: { status: after.status } }, after.updated_at);
    return after;
  });
}
