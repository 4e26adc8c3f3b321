import { AppError, notFound, validationError } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import { periodsOf } from '../lib/time.ts';
import type { LedgerRow } from '../store/repos/wallet.ts';
import type { Store } from '../store/store.ts';
import { getAccount } from './accounts.ts';

/** Credits the wallet (a top-up) with a ledger row, in one transaction; returns the new balance. */
export async function topUp(store: Store, accountId: string, amount: number, note?: string): Promise<number> {
  if (!Number.isInteger(amount) || amount <= 0) throw validationError([{ field: 'amount', message: 'must be greater than 0' }]);
  return adjust(store, accountId, amount, 'topup', note ?? null);
}

/**
 * An operator's correction, positive or negative. A negative adjustment may not take the
 * balance below zero: money owed is not something a prepaid wallet represents.
 */
export async function adjustBalance(store: Store, accountId: string, amount: number, note: string | null): Promise<number> {
  if (!Number.isInteger(amount) || amount === 0) throw validationError([{ field: 'amount', message: 'must not be 0' }]);
  return adjust(store, accountId, amount, 'adjustment', note);
}

async function adjust(store: Store, accountId: string, amount: number, kind: LedgerRow['kind'], note: string | null): Promise<number> {
  return store.transaction(async (tx) => {
    await getAccount(tx, accountId);
    const balance = await tx.wallet.move(accountId, amount);
    if (balance === undefined) throw new AppError('insufficient_balance', 'The adjustment would take the balance below zero');
    await tx.wallet.appendLedger({
      id: newId('led'),
      account_id: accountId,
      amount_micros: amount,
      balance_after_micros: balance,
      kind,
      reference: null,
      note,
      created_at: Date.now(),
    });
    return balance;
  });
}

/** Sets the balance below which a debit emits balance.low (null: never). */
export async function setLowBalanceAlert(store: Store, accountId: string, threshold: number | null): Promise<void> {
  if (threshold !== null && (!Number.isInteger(threshold) || threshold <= 0)) {
    throw validationError([{ field: 'below', message: 'must be greater than 0, or "none"' }]);
  }
  if (!(await store.accounts.update(accountId, { balance_low_micros: threshold, updated_at: Date.now() }))) throw notFound('Account');
}

export interface BalanceView {
  balance: number;
  daily: { limit: number | null; used: number };
  monthly: { limit: number | null; used: number };
}

/** The balance and the account's spend caps with what has been used of them in this period. */
export async function balanceOf(store: Store, accountId: string, now = Date.now()): Promise<BalanceView> {
  const account = await store.accounts.get(accountId);
  if (!account) throw notFound('Account');
  const { day, month } = periodsOf(now);
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
