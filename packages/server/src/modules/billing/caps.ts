import { AppError } from '../../lib/errors.ts';
import { periodsOf } from '../../lib/time.ts';
import { type ChargeState, type CounterKey, counterId } from '../../store/repos/charges.ts';
import type { Principal } from '../access/auth.ts';

/** One spend cap a charge counts against: its counter, its limit (null: none) and its name for people. */
export interface Cap extends CounterKey {
  limit: number | null;
  name: string;
}

/** The caps a charge by this principal counts against now: the account's day and month, and the key's where set. */
export function capsOf(p: Principal, now: number): Cap[] {
  const { day, month } = periodsOf(now);
  const caps: Cap[] = [
    { scope: `acc:${p.accountId}`, period: `d:${day}`, limit: p.caps.accountDaily, name: 'daily' },
    { scope: `acc:${p.accountId}`, period: `m:${month}`, limit: p.caps.accountMonthly, name: 'monthly' },
  ];
  if (p.caps.keyDaily !== null) caps.push({ scope: `key:${p.keyId}`, period: `d:${day}`, limit: p.caps.keyDaily, name: "key's daily" });
  if (p.caps.keyMonthly !== null) caps.push({ scope: `key:${p.keyId}`, period: `m:${month}`, limit: p.caps.keyMonthly, name: "key's monthly" });
  return caps;
}

/**
 * Steps 8 and 9 of the pipeline for one charge, against the locked state of its batch (what the
 * batch's earlier charges used included): the refusal, or null when the charge fits its caps and
 * its wallet.
 */
export function refusal(accountId: string, charge: number, caps: readonly Cap[], state: ChargeState): AppError | null {
  for (const c of caps) {
    if (c.limit !== null && (state.spent.get(counterId(c)) ?? 0) + charge > c.limit) {
      return new AppError('spend_cap_exceeded', `This request would exceed the ${c.name} spend cap`);
    }
  }
  const balance = state.balances.get(accountId);
  if (balance === undefined || balance < charge) return new AppError('insufficient_balance');
  return null;
}
