import { newId } from '../../lib/ids.ts';
import type { LedgerRow } from '../../store/repos/wallet.ts';

/** One ledger row: every change of a balance writes one, in the transaction that changes it. */
export function ledgerRow(
  accountId: string,
  change: { amount: number; balanceAfter: number; kind: LedgerRow['kind']; reference: string | null; note: string | null },
  now: number,
): LedgerRow {
  return {
    id: newId('led'),
    account_id: accountId,
    amount_micros: change.amount,
    balance_after_micros: change.balanceAfter,
    kind: change.kind,
    reference: change.reference,
    note: change.note,
    created_at: now,
  };
}
