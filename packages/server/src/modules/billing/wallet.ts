import { AppError, notFound, validationError } from '../../lib/errors.ts';
import { periodsOf } from '../../lib/time.ts';
import type { LedgerRow } from '../../store/repos/wallet.ts';
import type { Store } from '../../store/store.ts';
import { getAccount } from '../access/accounts.ts';
import type { Deps } from '../deps.ts';
import { ledgerRow } from './ledger.ts';

/** Credits the wallet (a top-up) with a ledger row, in one transaction; returns the new balance. */
export async function topUp(deps: Deps, accountId: string, amount: number, note?: string): Promise<number> {
  if (!Number.isInteger(amount) || amount <= 0) throw validationError([{ field: 'amount', message: 'must be greater than 0' }]);
  return adjust(deps, accountId, amount, 'topup', note ?? null);
}

/**
 * An operator's correction, positive or negative. A negative adjustment may not take the
 * balance below zero: money owed is not something a prepaid wallet represents.
 */
export async function adjustBalance(deps: Deps, accountId: string, amount: number, note: string | null): Promise<number> {
  if (!Number.isInteger(amount) || amount === 0) throw validationError([{ field: 'amount', message: 'must not be 0' }]);
  return adjust(deps, accountId, amount, 'adjustment', note);
}

async function adjust({ store, clock }: Deps, accountId: string, amount: number, kind: LedgerRow['kind'], note: string | null): Promise<number> {
  return store.transaction(async (tx) => {
    await getAccount(tx, accountId);
    const balance = await tx.wallet.move(accountId, amount);
    if (balance === undefined) throw new AppError('insufficient_balance', 'The adjustment would take the balance below zero');
    await tx.wallet.appendLedger(ledgerRow(accountId, { amount, balanceAfter: balance, kind, reference: null, note }, clock.now()));
    return balance;
  });
}

/** Sets the balance below which a debit emits balance.low (null: never). */
export async function setLowBalanceAlert({ store, clock }: Deps, accountId: string, threshold: number | null): Promise<void> {
  if (threshold !== null && (!Number.isInteger(threshold) || threshold <= 0)) {
    throw validationError([{ field: 'below', message: 'must be greater than 0, or "none"' }]);
  }
  if (!(await store.accounts.update(accountId, { balance_low_micros: threshold, updated_at: clock.now() }))) throw notFound('Account');
}

/** Active accounts below their balance.low threshold, and active accounts with an empty wallet (for monitoring). */
export async function lowWallets({ store }: Pick<Deps, 'store'>): Promise<{ belowAlert: number; empty: number }> {
  return store.wallet.lowCounts();
}

export interface BalanceView {
  balance: number;
  daily: { limit: number | null; used: number };
  monthly: { limit: number | null; used: number };
}

/** The balance and the account's spend caps with what has been used of them in this period. */
export async function balanceOf({ store, clock }: Deps, accountId: string): Promise<BalanceView> {
  const account = await store.accounts.get(accountId);
  if (!account) throw notFound('Account');
  const { day, month } = periodsOf(clock.now());
  const [dailyUsed, monthlyUsed] = await Promise.all([
    store.spend.get(`acc:${accountId}`, `d:${day}`),
    store.spend.get(`acc:${accountId}`, `m:${month}`),
  ]);
  return {
    balance: account.balance_micros,
    daily: { limit: account.daily_cap_micros, used: dailyUsed },
    monthly: { limit: account.monthly_cap_micros, used: monthlyUsed },
  };
}

/**
 * Gives a message's charge back with a ledger row, in `tx` (the transaction that failed or
 * canceled it). Sandbox messages were never charged. Spend-cap counters are not lowered: caps
 * limit what was sent.
 */
export async function refund(tx: Store, m: { id: string; account_id: string; sandbox: number; price_micros: number }, why: string, now: number): Promise<void> {
  if (m.sandbox === 1 || m.price_micros === 0) return;
  const balance = await tx.wallet.move(m.account_id, m.price_micros);
  await tx.wallet.appendLedger(ledgerRow(m.account_id, { amount: m.price_micros, balanceAfter: balance!, kind: 'refund', reference: m.id, note: why.slice(0, 200) }, now));
}
