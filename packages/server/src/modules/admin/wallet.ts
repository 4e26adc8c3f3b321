import { formatMicros } from '../../lib/money.ts';
import { adjustBalance, topUp } from '../billing/wallet.ts';
import type { Deps } from '../deps.ts';
import type { AuditActor } from '../people/actor.ts';
import { audit } from '../people/audit.ts';

type Move = 'topup' | 'adjust';

async function move({ store, clock }: Deps, actor: AuditActor, kind: Move, accountId: string, amount: number, note: string | null): Promise<number> {
  return store.transaction(async (tx) => {
    const deps = { store: tx, clock };
    const balance = kind === 'topup' ? await topUp(deps, accountId, amount, note ?? undefined) : await adjustBalance(deps, accountId, amount, note);
    // From the balance the move answered (under its row lock): a debit committing meanwhile cannot skew it.
    const before = balance - amount;
    await audit(
      tx,
      actor,
      {
        accountId,
        action: `wallet.${kind}`,
        target: accountId,
        before: { balance: formatMicros(before) },
        after: { balance: formatMicros(balance), amount: formatMicros(amount), note },
      },
      clock.now(),
    );
    return balance;
  });
}

/** Credits the wallet (audited as wallet.topup, with the balance before and after); returns the new balance. */
export async function topUpAs(deps: Deps, actor: AuditActor, accountId: string, amount: number, note: string | null): Promise<number> {
  return move(deps, actor, 'topup', accountId, amount, note);
}

/** A signed correction (audited as wallet.adjust); never below zero (402 insufficient_balance). */
export async function adjustAs(deps: Deps, actor: AuditActor, accountId: string, amount: number, note: string | null): Promise<number> {
  return move(deps, actor, 'adjust', accountId, amount, note);
}
