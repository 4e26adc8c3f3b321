import type { Clock } from '../../lib/clock.ts';
import { GroupCommit } from '../../lib/group-commit.ts';
import type { Store } from '../../store/store.ts';
import { applyPending, applyToRef, type ReceiptInput } from './lifecycle.ts';

/**
 * Applies a delivery receipt for one part. A message is delivered when every part is; the
 * first part that is not decides the outcome. Repeated receipts change nothing. A receipt for
 * an id not stored yet (the network reported before the worker's commit) is kept and applied
 * when the id arrives (markSent, or reconcileReceipts for the race between the two).
 */
export async function applyReceipt(store: Store, provider: string, receipt: ReceiptInput, now: number): Promise<void> {
  await store.transaction(async (tx) => {
    const ref = await tx.delivery.ref(provider, receipt.providerMessageId);
    if (!ref) {
      await tx.delivery.addPendingReceipt({
        provider,
        provider_message_id: receipt.providerMessageId,
        status: receipt.status,
        detail: receipt.detail,
        received_at: now,
      });
      return;
    }
    await applyToRef(tx, ref, receipt, now);
  });
}

/**
 * A sink for delivery receipts that writes the ones arriving together in one transaction (each
 * applied as `applyReceipt` would, in arrival order), so a burst of receipts costs one commit
 * rather than one each. Each receipt's promise resolves once its transaction has committed: SMPP
 * acknowledges a receipt only then.
 */
export function receiptWriter(store: Store, clock: Clock, opts: { writers?: number; lingerMs?: number } = {}) {
  const batch = new GroupCommit<{ provider: string; receipt: ReceiptInput }, void>(
    async (items) => {
      const now = clock.now();
      await store.transaction(async (tx) => {
        for (const { provider, receipt } of items) await applyReceipt(tx, provider, receipt, now);
      });
      return items.map(() => undefined);
    },
    { name: 'receipts', maxBatch: 500, concurrency: opts.writers ?? (store.capabilities.concurrentWriters ? 2 : 1), lingerMs: opts.lingerMs ?? 2 },
  );
  return (provider: string, receipt: ReceiptInput): Promise<void> => batch.add({ provider, receipt });
}

const PENDING_RECEIPT_TTL_MS = 7 * 24 * 3_600_000;

/**
 * Applies kept receipts whose id has since been stored. On PostgreSQL a receipt and the commit
 * of its id can miss each other (neither sees the other's uncommitted row); workers run this
 * now and then to close that gap. Returns how many were applied.
 */
export async function reconcileReceipts(store: Store, now: number, limit = 500): Promise<number> {
  // Receipts for ids never stored (another installation's, or a submit we lost) are dropped after a week.
  await store.delivery.deletePendingReceiptsBefore(now - PENDING_RECEIPT_TTL_MS);
  const matched = await store.delivery.matchedPendingReceipts(limit);
  for (const p of matched) await store.transaction((tx) => applyPending(tx, p, now));
  return matched.length;
}
